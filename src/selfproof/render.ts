/**
 * Renders the synthetic economy's own records as document images — a VAT invoice from an invoice row, a
 * business licence from a registration, a sales contract between two real trading partners — with the
 * exact field values printed on them as ground truth. Text is set in Noto Sans CJK (Debian's
 * fonts-noto-cjk); a page is a canvas, so the degradations in degrade.ts can work on it.
 */
import { createHash } from 'node:crypto';
import { createCanvas, GlobalFonts, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { PuhuiUserError } from '../domain/errors.ts';
import { formatYuan } from '../domain/money.ts';
import { INDUSTRY_SECTIONS, PROVINCES } from '../domain/reference.ts';
import { checkCodeOf, invoiceCodeOf, upperCaseYuan, type DocumentTruth } from './documents.ts';

export const FONT_FAMILY = 'Noto Sans CJK SC';

export class FontMissingError extends PuhuiUserError {
  constructor() {
    super('the Noto CJK fonts are not installed (Debian: apt-get install -y fonts-noto-cjk); documents cannot be rendered', 'font_missing');
  }
}

/** Fails with a clear message when no CJK font is available (rendering would print empty boxes). */
export function assertCjkFont(): void {
  if (!GlobalFonts.families.some((family) => /Noto Sans CJK/.test(family.family))) throw new FontMissingError();
}

export interface InvoiceRecord {
  invoiceNumber: string; sellerCode: string; buyerCode: string; issueDate: string;
  amountFen: number; taxFen: number; taxRateBps: number; kind: string; goodsCategory: string;
}
export interface EnterpriseRecord {
  creditCode: string; name: string; establishedDate: string; regionCode: string; registeredCapitalFen: number;
  legalRepIdHash: string; addressHash: string; industrySection: string;
}

const SECTION_GOODS: Record<string, string> = {
  A: '*农产品*蔬菜', B: '*矿产品*砂石', C: '*机械设备*零部件', D: '*供电*电力', E: '*建筑服务*装饰工程',
  F: '*日用杂品*日用百货', G: '*运输服务*货物运输', H: '*餐饮服务*餐饮', I: '*信息技术服务*软件服务',
  L: '*商务辅助服务*咨询服务', M: '*研发和技术服务*技术服务', N: '*环境服务*保洁服务', O: '*生活服务*维修服务',
  P: '*教育服务*培训服务', Q: '*医疗服务*检测服务', R: '*文化服务*广告服务',
};

/** The goods or service line printed for a GB/T 4754 division. */
export function goodsOfDivision(division: string): string {
  const value = Number(division);
  const section = INDUSTRY_SECTIONS.find((s) => value >= s.divisionFirst && value <= s.divisionLast);
  return SECTION_GOODS[section?.code ?? ''] ?? '*货物*商品';
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌宇浩凯鹏飞鑫志';
const ROADS = ['人民路', '解放路', '中山路', '建设路', '和平路', '新华路', '胜利路', '长江路', '东风路', '学府路'];
const DISTRICTS = ['高新区', '经济开发区', '城东区', '城西区', '滨江区'];

function digestByte(text: string, index: number): number {
  return createHash('sha256').update(text).digest()[index]!;
}

/** The legal representative's name printed on a synthetic licence (the records hold only a hash of the identity). */
export function legalRepresentativeOf(enterprise: Pick<EnterpriseRecord, 'legalRepIdHash'>): string {
  const h = enterprise.legalRepIdHash;
  const surname = SURNAMES[digestByte(h, 0) % SURNAMES.length]!;
  const given = GIVEN[digestByte(h, 1) % GIVEN.length]! + (digestByte(h, 2) % 3 === 0 ? '' : GIVEN[digestByte(h, 3) % GIVEN.length]!);
  return surname + given;
}

/** The registered address printed on a synthetic licence (the records hold only a hash of it). */
export function addressOf(enterprise: Pick<EnterpriseRecord, 'addressHash' | 'regionCode'>): string {
  const h = enterprise.addressHash;
  const province = PROVINCES.find((p) => p.code === enterprise.regionCode.slice(0, 2))?.nameZh ?? '';
  const district = DISTRICTS[digestByte(h, 0) % DISTRICTS.length]!;
  const road = ROADS[digestByte(h, 1) % ROADS.length]!;
  return `${province}${district}${road}${(digestByte(h, 2) % 300) + 1}号`;
}

/** The entity type (类型) implied by a registered name. */
export function entityTypeOf(name: string): string {
  return name.endsWith('有限公司') ? '有限责任公司(自然人投资或控股)' : '个体工商户';
}

function chineseDate(iso: string): string {
  return `${iso.slice(0, 4)}年${iso.slice(5, 7)}月${iso.slice(8, 10)}日`;
}

function page(width: number, height: number): { canvas: Canvas; g: SKRSContext2D } {
  assertCjkFont();
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#fdfdf8';
  g.fillRect(0, 0, width, height);
  g.textBaseline = 'middle';
  return { canvas, g };
}

function text(g: SKRSContext2D, value: string, x: number, y: number, sizePx: number, color = '#1a1a1a', align: 'left' | 'center' | 'right' = 'left'): void {
  g.fillStyle = color;
  g.font = `${sizePx}px "${FONT_FAMILY}"`;
  g.textAlign = align;
  g.fillText(value, x, y);
}

export interface RenderedDocument { truth: DocumentTruth; canvas: Canvas; stampAt: { x: number; y: number } }

/** A VAT invoice (电子发票) printed from one invoice row and its two parties. */
export function renderInvoice(invoice: InvoiceRecord, seller: EnterpriseRecord, buyer: EnterpriseRecord): RenderedDocument {
  const { canvas, g } = page(1240, 800);
  const brown = '#8a4b1f';
  const totalFen = invoice.amountFen + invoice.taxFen;
  const code = invoiceCodeOf(invoice);
  const checkCode = checkCodeOf(invoice);
  text(g, `电子发票（${invoice.kind === 'special' ? '增值税专用发票' : '普通发票'}）`, 480, 60, 34, brown, 'center');
  text(g, `发票代码：${code}`, 820, 40, 20);
  text(g, `发票号码：${invoice.invoiceNumber}`, 820, 76, 20);
  text(g, `开票日期：${chineseDate(invoice.issueDate)}`, 820, 112, 20);
  g.strokeStyle = brown; g.lineWidth = 2;
  g.strokeRect(40, 145, 1160, 560);
  g.beginPath(); g.moveTo(620, 145); g.lineTo(620, 275); g.moveTo(40, 275); g.lineTo(1200, 275);
  g.moveTo(40, 510); g.lineTo(1200, 510); g.moveTo(40, 570); g.lineTo(1200, 570); g.stroke();
  text(g, '购买方信息', 60, 170, 18, brown);
  text(g, `名称：${buyer.name}`, 60, 205, 20);
  text(g, `统一社会信用代码/纳税人识别号：${buyer.creditCode}`, 60, 245, 18);
  text(g, '销售方信息', 640, 170, 18, brown);
  text(g, `名称：${seller.name}`, 640, 205, 20);
  text(g, `统一社会信用代码/纳税人识别号：${seller.creditCode}`, 640, 245, 18);
  const columns = [['项目名称', 60], ['单位', 400], ['数量', 480], ['单价', 560], ['金额', 760], ['税率/征收率', 900], ['税额', 1060]] as const;
  for (const [label, x] of columns) text(g, label, x, 305, 18, brown);
  text(g, goodsOfDivision(invoice.goodsCategory), 60, 345, 20);
  text(g, '项', 400, 345, 20);
  text(g, '1', 480, 345, 20);
  text(g, formatYuan(invoice.amountFen), 560, 345, 20);
  text(g, formatYuan(invoice.amountFen), 760, 345, 20);
  text(g, `${invoice.taxRateBps / 100}%`, 900, 345, 20);
  text(g, formatYuan(invoice.taxFen), 1060, 345, 20);
  text(g, '合计', 60, 480, 20, brown);
  text(g, `¥${formatYuan(invoice.amountFen)}`, 760, 480, 20);
  text(g, `¥${formatYuan(invoice.taxFen)}`, 1060, 480, 20);
  text(g, '价税合计（大写）', 60, 540, 20, brown);
  text(g, `⊗${upperCaseYuan(totalFen)}`, 260, 540, 20);
  text(g, `（小写）¥${formatYuan(totalFen)}`, 840, 540, 20);
  text(g, '备注', 60, 640, 20, brown);
  text(g, `校验码：${checkCode.replace(/(\d{5})(?=\d)/g, '$1 ')}`, 60, 740, 20);
  text(g, '开票人：系统', 840, 740, 20);
  return {
    canvas, stampAt: { x: 880, y: 245 },
    truth: {
      kind: 'invoice',
      fields: {
        invoiceCode: code, invoiceNumber: invoice.invoiceNumber, issueDate: invoice.issueDate,
        sellerName: seller.name, sellerCode: seller.creditCode, buyerName: buyer.name, buyerCode: buyer.creditCode,
        amountFen: String(invoice.amountFen), taxFen: String(invoice.taxFen), totalFen: String(totalFen), checkCode,
      },
    },
  };
}

/** A business licence (营业执照) printed from one registration. */
export function renderLicence(enterprise: EnterpriseRecord): RenderedDocument {
  const { canvas, g } = page(1400, 980);
  const red = '#b22222';
  g.strokeStyle = red; g.lineWidth = 6;
  g.strokeRect(30, 30, 1340, 920);
  text(g, '营 业 执 照', 700, 130, 64, '#222', 'center');
  text(g, `统一社会信用代码 ${enterprise.creditCode}`, 90, 230, 24);
  const legalRep = legalRepresentativeOf(enterprise);
  const address = addressOf(enterprise);
  const entityType = entityTypeOf(enterprise.name);
  const rows: [string, string, number, number][] = [
    ['名称', enterprise.name, 90, 330], ['类型', entityType, 90, 400], ['法定代表人', legalRep, 90, 470],
    ['注册资本', `人民币${upperCaseYuan(enterprise.registeredCapitalFen)}`, 760, 330],
    ['成立日期', chineseDate(enterprise.establishedDate), 760, 400], ['住所', address, 760, 470],
  ];
  for (const [label, value, x, y] of rows) {
    text(g, label, x, y, 24, '#333');
    text(g, value, x + 140, y, 24);
  }
  text(g, '经营范围 一般项目：依法须经批准的项目，经相关部门批准后方可开展经营活动。', 90, 560, 22, '#333');
  text(g, '登记机关', 900, 800, 24, '#333');
  text(g, chineseDate(enterprise.establishedDate), 1060, 860, 24);
  return {
    canvas, stampAt: { x: 1000, y: 450 },
    truth: {
      kind: 'licence',
      fields: {
        creditCode: enterprise.creditCode, name: enterprise.name, entityType, legalRepresentative: legalRep,
        establishedDate: enterprise.establishedDate, registeredCapitalFen: String(enterprise.registeredCapitalFen), address,
      },
    },
  };
}

export interface ContractTerms { buyer: EnterpriseRecord; seller: EnterpriseRecord; amountFen: number; signedDate: string; goodsCategory: string }

/** A sales contract (购销合同) between two enterprises that trade with each other in the invoice data. */
export function renderContract(terms: ContractTerms): RenderedDocument {
  const { canvas, g } = page(1000, 1300);
  const goods = goodsOfDivision(terms.goodsCategory).split('*').filter(Boolean).at(-1)!;
  text(g, '购 销 合 同', 500, 90, 48, '#222', 'center');
  text(g, `甲方（买方）：${terms.buyer.name}`, 80, 190, 24);
  text(g, `乙方（卖方）：${terms.seller.name}`, 80, 240, 24);
  text(g, '经双方友好协商，就下列货物或服务的买卖达成如下条款：', 80, 320, 22);
  text(g, `一、货物名称：${goods}`, 80, 380, 24);
  text(g, `二、合同金额：人民币¥${formatYuan(terms.amountFen)}元`, 80, 440, 24);
  text(g, `（大写：${upperCaseYuan(terms.amountFen)}）`, 110, 490, 22);
  text(g, '三、付款方式：验收合格后三十日内银行转账支付。', 80, 550, 22);
  text(g, '四、本合同一式两份，双方各执一份，自签订之日起生效。', 80, 610, 22);
  text(g, '甲方（盖章）', 80, 900, 24);
  text(g, '乙方（盖章）', 560, 900, 24);
  text(g, `签订日期：${chineseDate(terms.signedDate)}`, 80, 1040, 24);
  return {
    canvas, stampAt: { x: 330, y: 1010 },
    truth: {
      kind: 'contract',
      fields: {
        sellerName: terms.seller.name, buyerName: terms.buyer.name, amountFen: String(terms.amountFen),
        signedDate: terms.signedDate, goods,
      },
    },
  };
}
