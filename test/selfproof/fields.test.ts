/** The field checks that stand between OCR text and trust: amounts in words, credit codes, dates, totals, layout. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { parseUpperCaseYuan, parseYuanText, upperCaseYuan } from '../../src/selfproof/documents.ts';
import { amountsFrom, creditCodeFrom, dateFrom, extractDocument, reconcileAmounts } from '../../src/selfproof/extract.ts';
import { layoutRows, normaliseText } from '../../src/selfproof/layout.ts';
import type { OcrLine } from '../../src/selfproof/page.ts';

test('uppercase RMB words are written as on invoices and read back to the same fen', () => {
  assert.equal(upperCaseYuan(1_710_578), '壹万柒仟壹佰零伍圆柒角捌分');
  assert.equal(upperCaseYuan(44_724), '肆佰肆拾柒圆贰角肆分');
  assert.equal(upperCaseYuan(83_000_000), '捌拾叁万圆整');
  assert.equal(upperCaseYuan(100_000_005), '壹佰万圆零伍分');
  assert.equal(upperCaseYuan(1_000_010_000), '壹仟万零壹佰圆整');
  let state = 12345;
  for (let i = 0; i < 2000; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const fen = state % (i % 2 === 0 ? 100_000_000 : 1_000_000_000_000);
    assert.equal(parseUpperCaseYuan(upperCaseYuan(fen)), fen, `round trip of ${fen}`);
  }
  assert.equal(parseUpperCaseYuan('壹万柒仟X佰'), null, 'a character that is not a numeral refuses the amount');
});

test('yuan figures are read with ¥, ￥ or a Y misread, and only with two decimals', () => {
  assert.equal(parseYuanText('12,345.67'), 1_234_567);
  assert.equal(parseYuanText('12345.6'), null);
  assert.deepEqual(amountsFrom(normaliseText('合计|￥421.92|Y25.32')), [42_192, 2_532]);
  assert.deepEqual(amountsFrom('(小写)¥1,234,567.00'), [123_456_700]);
});

test('a credit code misread with letters its alphabet forbids is repaired only when the check character agrees', () => {
  const code = composeCreditCode('91', '320504', 'MA0TTHQE');
  assert.equal(creditCodeFrom(code), code);
  assert.equal(creditCodeFrom(`号:${code.replaceAll('0', 'O')}`), code, 'O read for 0');
  assert.equal(creditCodeFrom(`9${code}`), code, 'a stray character before the code');
  const wrongCheck = code.slice(0, 17) + (code[17] === 'A' ? 'B' : 'A');
  assert.equal(creditCodeFrom(wrongCheck), wrongCheck, 'no guess among allowed characters: returned as read, and reported invalid');
  assert.equal(creditCodeFrom('no code here'), null);
});

test('dates must exist', () => {
  assert.equal(dateFrom('2024年10月09日'), '2024-10-09');
  assert.equal(dateFrom('2O24年1O月O9日'), '2024-10-09');
  assert.equal(dateFrom('2023年02月29日'), null);
  assert.equal(dateFrom('20240230'), null);
});

test('amount + tax = total is checked against both totals, and one misread is repaired from the others', () => {
  assert.deepEqual(reconcileAmounts(42_192, 2_532, 44_724, 44_724), { amountFen: 42_192, taxFen: 2_532, totalFen: 44_724, consistent: true });
  assert.deepEqual(reconcileAmounts(42_192, 2_532, 44_124, 44_724), { amountFen: 42_192, taxFen: 2_532, totalFen: 44_724, consistent: true }, 'lowercase total misread');
  assert.deepEqual(reconcileAmounts(null, 2_532, 44_724, 44_724), { amountFen: 42_192, taxFen: 2_532, totalFen: 44_724, consistent: true }, 'amount derived');
  assert.equal(reconcileAmounts(42_192, 2_000, 44_724, 44_724).consistent, false, 'a sum that does not add up is reported');
  assert.equal(reconcileAmounts(42_192, 2_532, 50_000, 60_000).consistent, false);
});

function line(text: string, cx: number, cy: number, angle = 0): OcrLine {
  return { text, confidence: 0.99, cx, cy, length: text.length * 20, thickness: 30, angle };
}

test('a rotated page still gives one row per printed row, two columns kept apart', () => {
  const angle = (6 * Math.PI) / 180;
  const turn = (x: number, y: number): [number, number] => [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle)];
  const printed: [string, number, number][] = [['名称:甲公司', 200, 200], ['名称:乙公司', 800, 200], ['发票号码:24110000000000000016', 900, 100], ['合计', 80, 480]];
  const rows = layoutRows(printed.map(([text, x, y]) => { const [rx, ry] = turn(x, y); return line(text, rx, ry, angle); }));
  assert.deepEqual(rows.map((r) => r.items.map((i) => i.text)), [['发票号码:24110000000000000016'], ['名称:甲公司', '名称:乙公司'], ['合计']]);
});

test('an invoice page is read field by field from its OCR lines, and a bad credit code is reported', () => {
  const seller = composeCreditCode('91', '110206', 'MA53HT8X');
  const buyer = composeCreditCode('91', '320402', 'MA47PK2T');
  const badBuyer = buyer.slice(0, 17) + (buyer[17] === '0' ? '1' : '0');
  const lines = [
    line('电子发票（增值税专用发票）', 480, 60), line('发票代码：011241910011', 940, 40), line('发票号码：24110000000000000016', 980, 76),
    line('开票日期：2024年10月10日', 940, 112), line('名称：苏州恒康装饰工程有限公司', 210, 205), line('名称：北京瑞宏广告有限公司', 770, 205),
    line(`统一社会信用代码/纳税人识别号：${badBuyer}`, 300, 245), line(`统一社会信用代码/纳税人识别号：${seller}`, 880, 245),
    line('合计', 80, 480), line('￥421.92', 800, 480), line('￥25.32', 1090, 480),
    line('价税合计（大写）', 135, 540), line('⊗肆佰肆拾柒圆贰角肆分', 370, 540), line('（小写）￥447.24', 920, 540),
    line('校验码：65819 90676 79518 50441', 220, 740),
  ];
  const read = extractDocument(lines);
  assert.equal(read.kind, 'invoice');
  assert.deepEqual(read.fields, {
    invoiceCode: '011241910011', invoiceNumber: '24110000000000000016', issueDate: '2024-10-10',
    buyerName: '苏州恒康装饰工程有限公司', sellerName: '北京瑞宏广告有限公司', buyerCode: read.fields.buyerCode, sellerCode: seller,
    checkCode: '65819906767951850441', amountFen: '42192', taxFen: '2532', totalFen: '44724',
  });
  if (read.fields.buyerCode !== buyer) assert.ok(read.problems.some((p) => p.field === 'buyerCode' && p.code === 'credit_code_invalid'));
  assert.ok(!read.problems.some((p) => p.field === 'sellerCode'));
});

test("a seal's words read after a company's name are dropped; a shop's name is kept whole", () => {
  const seller = composeCreditCode('91', '110206', 'MA53HT8X');
  const buyer = composeCreditCode('91', '320402', 'MA47PK2T');
  const page = (sellerName: string) => extractDocument([
    line('电子发票（普通发票）', 480, 60), line('发票号码：24110000000000000016', 980, 76), line('开票日期：2024年10月10日', 940, 112),
    line('名称：杭州金源便利店', 210, 205), line(`名称：${sellerName}`, 770, 205),
    line(`统一社会信用代码/纳税人识别号：${buyer}`, 300, 245), line(`统一社会信用代码/纳税人识别号：${seller}`, 880, 245),
    line('价税合计（大写）', 135, 540), line('⊗肆佰肆拾柒圆贰角肆分', 370, 540), line('（小写）￥447.24', 920, 540),
  ]);
  assert.equal(page('北京瑞宏广告有限公司合').fields.sellerName, '北京瑞宏广告有限公司');
  assert.equal(page('北京瑞宏广告有限公司上海分公司').fields.sellerName, '北京瑞宏广告有限公司上海分公司');
  assert.equal(page('北京瑞宏广告有限公司').fields.buyerName, '杭州金源便利店');
});

test('amount and tax fallen out of the sums row are taken from the one row of two ¥ amounts that add up to the agreed total', () => {
  const lines = (sums: string[]) => extractDocument([
    line('电子发票（普通发票）', 480, 60), line('发票号码：25320000000000001923', 980, 76), line('开票日期：2025年01月25日', 940, 112),
    line('*机械设备*零部件', 120, 345), line('729.57', 560, 345), line('729.57', 760, 345), line('13%', 900, 345), line('94.84', 1060, 345),
    ...sums.map((text, i) => line(text, 760 + 300 * i, 440)), line('合计', 60, 490),
    line('价税合计（大写）', 135, 540), line('⊗捌佰贰拾肆圆肆角壹分', 370, 540), line('（小写）¥824.41', 920, 540),
  ]).fields;
  const read = lines(['¥729.57', '¥94.84']);
  assert.deepEqual([read.amountFen, read.taxFen, read.totalFen], ['72957', '9484', '82441']);
  const wrong = lines(['¥729.57', '¥95.84']);
  assert.deepEqual([wrong.amountFen, wrong.taxFen, wrong.totalFen], [null, null, '82441'], 'two amounts that do not add up to the total are not taken');
});
