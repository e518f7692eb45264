/**
 * The feature catalogue: named, documented, point-in-time credit indicators. Values are numbers (fen for
 * money, plain ratios, counts), category strings, or 0/1 flags; null means "not computable" and each
 * feature says when. Windows: see context.ts.
 */
import type { EntityName } from '../domain/columns.ts';
import { TAX_GRADES } from '../domain/entities.ts';
import { type FeatureContext, isCaseOpen, sumSlots, WINDOW_MONTHS } from './context.ts';

export type FeatureGroup = 'profile' | 'tax' | 'invoice' | 'bank' | 'bureau' | 'court' | 'cross';
export type FeatureType = 'number' | 'category' | 'flag';
export type FeatureValue = number | string | null;

/** Industry reference values as of a date: median VAT burden per (section, taxpayer type, size band). */
export interface IndustryReference {
  asOf: string;
  vatBurdenMedian: ReadonlyMap<string, number>;
}

export interface FeatureSpec {
  id: string;
  group: FeatureGroup;
  type: FeatureType;
  unit: string;
  descriptionEn: string;
  descriptionZh: string;
  reads: readonly EntityName[];
  /** When the value is null (or how missing data is treated). */
  missing: string;
  compute: (ctx: FeatureContext, reference: IndustryReference | null) => FeatureValue;
}

const LAST = WINDOW_MONTHS - 1;
const ratio = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null);
const GRADE_SCORE = [5, 4, 3, 2, 1]; // A, B, M, C, D

/** Declared sales over the n months ending at the last filed month (slot offset months earlier). */
function declared(ctx: FeatureContext, months: number, offset = 0): number | null {
  if (ctx.lastFiledSlot < 0) return null;
  const end = ctx.lastFiledSlot - offset;
  return sumSlots(ctx.declaredFen, end - months + 1, end);
}

function coveredIn(ctx: FeatureContext, from: number, to: number): number {
  let count = 0;
  for (let k = Math.max(0, from); k <= Math.min(LAST, to); k++) count += ctx.covered[k]!;
  return count;
}

function growth(current: number | null, previous: number | null): number | null {
  return current === null || previous === null || previous <= 0 ? null : current / previous - 1;
}

/** Coefficient of variation (population) over window slots [from, to]. */
function variation(values: Float64Array, from: number, to: number): number | null {
  const n = to - from + 1;
  let sum = 0;
  for (let k = from; k <= to; k++) sum += values[k]!;
  const mean = sum / n;
  if (mean <= 0) return null;
  let squares = 0;
  for (let k = from; k <= to; k++) squares += (values[k]! - mean) ** 2;
  return Math.sqrt(squares / n) / mean;
}

/** Size bands of the industry reference by declared sales over 12 months: < 3M, 3M–20M, ≥ 20M yuan. */
export const SIZE_BAND_MICRO_BELOW_FEN = 300_000_000;
export const SIZE_BAND_SMALL_BELOW_FEN = 2_000_000_000;

function sizeBand(salesFen12m: number): string {
  return salesFen12m < SIZE_BAND_MICRO_BELOW_FEN ? 'micro' : salesFen12m < SIZE_BAND_SMALL_BELOW_FEN ? 'small' : 'medium';
}

/** The reference group of a firm as of the context: section|taxpayer type|size band. */
export function referenceGroup(ctx: FeatureContext): string | null {
  const sales = declared(ctx, 12);
  return sales === null ? null : `${ctx.d.industrySection}|${ctx.d.general ? 'general' : 'small_scale'}|${sizeBand(sales)}`;
}

export function vatBurden12m(ctx: FeatureContext): number | null {
  const sales = declared(ctx, 12);
  return sales === null ? null : ratio(sumSlots(ctx.payableFen, ctx.lastFiledSlot - 11, ctx.lastFiledSlot), sales);
}

function shares(byParty: Map<number, number>): number[] {
  const values = [...byParty.values()].filter((v) => v > 0).sort((a, b) => b - a);
  const total = values.reduce((a, b) => a + b, 0);
  return total > 0 ? values.map((v) => v / total) : [];
}

function latestBankSlot(ctx: FeatureContext): number {
  for (let k = LAST; k >= 0; k--) if (ctx.bankPresent[k]) return k;
  return -1;
}

function bureau<T>(ctx: FeatureContext, read: (k: number) => T): T | null {
  return ctx.bureauIndex < 0 ? null : read(ctx.bureauIndex);
}

function monthsOfAge(fromDay: number, toDay: number): number {
  const from = new Date(fromDay * 86_400_000);
  const to = new Date(toDay * 86_400_000);
  const whole = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth();
  return to.getUTCDate() >= from.getUTCDate() ? whole : whole - 1;
}

const TAX: EntityName[] = ['vatReturns'];
const INV: EntityName[] = ['invoices'];
const BANK: EntityName[] = ['bankMonths'];
const BUREAU: EntityName[] = ['bureauReports'];
const COURT: EntityName[] = ['courtCases'];
const NO_RETURN = 'null when no VAT return was filed by the as-of date';
const NO_SALES = 'null when declared sales over the window are zero or there is no return';

function spec(id: string, group: FeatureGroup, type: FeatureType, unit: string, descriptionEn: string, descriptionZh: string,
  reads: readonly EntityName[], missing: string, compute: FeatureSpec['compute']): FeatureSpec {
  return { id, group, type, unit, descriptionEn, descriptionZh, reads, missing, compute };
}

const PROFILE: FeatureSpec[] = [
  spec('age_months', 'profile', 'number', 'months', 'Whole months from establishment to the as-of date', '成立月数', ['enterprises'], 'never null; negative before establishment', (c) => monthsOfAge(c.d.establishedDay, c.asOfDay)),
  spec('industry_section', 'profile', 'category', 'GB/T 4754 section', 'Industry section', '行业门类', ['enterprises'], 'never null', (c) => c.d.industrySection),
  spec('region_province', 'profile', 'category', 'GB/T 2260 province', 'Province of registration', '注册省份', ['enterprises'], 'never null', (c) => c.d.regionCode.slice(0, 2)),
  spec('taxpayer_general', 'profile', 'flag', '0/1', 'General VAT taxpayer (1) or small-scale (0)', '是否一般纳税人', ['enterprises'], 'never null', (c) => (c.d.general ? 1 : 0)),
  spec('individual_business', 'profile', 'flag', '0/1', 'Individual business (credit code 92…)', '是否个体工商户', ['enterprises'], 'never null', (c) => (c.d.individual ? 1 : 0)),
  spec('registered_capital_fen', 'profile', 'number', 'fen', 'Registered capital', '注册资本', ['enterprises'], 'never null', (c) => c.d.registeredCapitalFen),
  spec('legal_rep_age_years', 'profile', 'number', 'years', "Legal representative's age in the as-of year", '法定代表人年龄', ['enterprises'], 'never null', (c) => new Date(c.asOfDay * 86_400_000).getUTCFullYear() - c.d.legalRepBirthYear),
];

const TAX_FEATURES: FeatureSpec[] = [
  spec('vat_months_since_last_return', 'tax', 'number', 'months', 'Months between the last month covered by a filed return and the month before the as-of date', '最近申报所属期距今月数', TAX, NO_RETURN, (c) => (c.lastFiledSlot < 0 ? null : LAST - c.lastFiledSlot)),
  spec('vat_sales_3m', 'tax', 'number', 'fen', 'Declared sales (taxable + exempt) over the latest 3 declared months', '近3个月申报销售额', TAX, NO_RETURN, (c) => declared(c, 3)),
  spec('vat_sales_6m', 'tax', 'number', 'fen', 'Declared sales over the latest 6 declared months', '近6个月申报销售额', TAX, NO_RETURN, (c) => declared(c, 6)),
  spec('vat_sales_12m', 'tax', 'number', 'fen', 'Declared sales over the latest 12 declared months', '近12个月申报销售额', TAX, NO_RETURN, (c) => declared(c, 12)),
  spec('vat_sales_24m', 'tax', 'number', 'fen', 'Declared sales over the latest 24 declared months', '近24个月申报销售额', TAX, NO_RETURN, (c) => declared(c, 24)),
  spec('vat_sales_growth_yoy', 'tax', 'number', 'ratio', 'Declared sales of the latest 12 months over the 12 before, minus 1', '申报销售额同比增长率', TAX, 'null when the previous 12 months declared nothing', (c) => (coveredIn(c, c.lastFiledSlot - 23, c.lastFiledSlot - 12) === 0 ? null : growth(declared(c, 12), declared(c, 12, 12)))),
  spec('vat_sales_growth_3m_yoy', 'tax', 'number', 'ratio', 'Declared sales of the latest 3 months over the same 3 months a year before, minus 1', '近3个月申报销售额同比', TAX, 'null when the same months a year before declared nothing', (c) => (coveredIn(c, c.lastFiledSlot - 14, c.lastFiledSlot - 12) === 0 ? null : growth(declared(c, 3), declared(c, 3, 12)))),
  spec('vat_sales_volatility_12m', 'tax', 'number', 'ratio', 'Coefficient of variation of monthly declared sales over 12 months (quarterly returns spread evenly)', '月度申报销售额波动系数', TAX, NO_SALES, (c) => (c.lastFiledSlot < 11 ? null : variation(c.declaredFen, c.lastFiledSlot - 11, c.lastFiledSlot))),
  spec('vat_zero_sales_months_12m', 'tax', 'number', 'count', 'Declared months with zero sales among the latest 12', '近12个月零申报月数', TAX, NO_RETURN, (c) => {
    if (c.lastFiledSlot < 0) return null;
    let zero = 0;
    for (let k = Math.max(0, c.lastFiledSlot - 11); k <= c.lastFiledSlot; k++) if (c.covered[k] && c.declaredFen[k]! <= 0) zero++;
    return zero;
  }),
  spec('vat_tax_paid_12m', 'tax', 'number', 'fen', 'VAT paid for the latest 12 declared months', '近12个月实缴增值税', TAX, NO_RETURN, (c) => (c.lastFiledSlot < 0 ? null : sumSlots(c.taxPaidFen, c.lastFiledSlot - 11, c.lastFiledSlot))),
  spec('vat_tax_paid_24m', 'tax', 'number', 'fen', 'VAT paid for the latest 24 declared months', '近24个月实缴增值税', TAX, NO_RETURN, (c) => (c.lastFiledSlot < 0 ? null : sumSlots(c.taxPaidFen, c.lastFiledSlot - 23, c.lastFiledSlot))),
  spec('vat_burden_12m', 'tax', 'number', 'ratio', 'VAT payable over declared sales, latest 12 declared months (税负率)', '增值税税负率', TAX, NO_SALES, (c) => vatBurden12m(c)),
  spec('vat_burden_dev_industry', 'tax', 'number', 'ratio', 'VAT burden minus the median of its industry section, taxpayer type and size band as of the same date', '税负率与行业中位数之差', TAX, 'null without an industry reference, or when the burden is null', (c, ref) => {
    const burden = vatBurden12m(c);
    const group = referenceGroup(c);
    const median = ref && group ? ref.vatBurdenMedian.get(group) : undefined;
    return burden === null || median === undefined ? null : burden - median;
  }),
  spec('vat_uninvoiced_share_12m', 'tax', 'number', 'ratio', 'Share of declared sales declared without an invoice (未开票收入)', '未开票收入占比', TAX, NO_SALES, (c) => (c.lastFiledSlot < 0 ? null : ratio(sumSlots(c.uninvoicedFen, c.lastFiledSlot - 11, c.lastFiledSlot), declared(c, 12)!))),
  spec('vat_exempt_share_12m', 'tax', 'number', 'ratio', 'Share of declared sales that is exempt', '免税销售额占比', TAX, NO_SALES, (c) => (c.lastFiledSlot < 0 ? null : ratio(sumSlots(c.exemptFen, c.lastFiledSlot - 11, c.lastFiledSlot), declared(c, 12)!))),
  spec('vat_corrections_6m', 'tax', 'number', 'count', 'Corrected returns (更正申报) filed in the 183 days before the as-of date', '近6个月更正申报次数', TAX, 'never null', (c) => c.correctionsIn6m),
  spec('vat_corrections_12m', 'tax', 'number', 'count', 'Corrected returns filed in the 365 days before the as-of date', '近12个月更正申报次数', TAX, 'never null', (c) => c.correctionsIn12m),
  spec('vat_correction_uplift_6m', 'tax', 'number', 'ratio', 'Sales added by corrections filed in 183 days, over declared sales of 12 months', '近6个月更正申报增加销售额占比', TAX, NO_SALES, (c) => ratio(c.correctionUpliftFen6m, declared(c, 12) ?? 0)),
  spec('vat_late_filings_12m', 'tax', 'number', 'count', 'Original returns filed late in the 365 days before the as-of date', '近12个月逾期申报次数', TAX, 'never null', (c) => c.lateIn12m),
  spec('vat_months_since_tax_paid', 'tax', 'number', 'months', 'Months from the latest period with tax paid to the month before the as-of date', '最近一次缴税距今月数', TAX, 'null when no visible return shows tax paid', (c) => (c.lastPaidMonth < 0 ? null : c.asOfMonth - 1 - c.lastPaidMonth)),
  spec('tax_grade', 'tax', 'category', 'A/B/M/C/D', 'Latest tax credit grade published by the as-of date', '最新纳税信用等级', ['taxGrades'], 'null when no grade was published', (c) => (c.grades.length === 0 ? null : TAX_GRADES[c.grades.at(-1)!]!)),
  spec('tax_grade_score', 'tax', 'number', 'score', 'Latest grade as a score: A 5, B 4, M 3, C 2, D 1', '纳税信用等级分值', ['taxGrades'], 'null when no grade was published', (c) => (c.grades.length === 0 ? null : GRADE_SCORE[c.grades.at(-1)!]!)),
  spec('tax_grade_trend', 'tax', 'number', 'score', 'Latest grade score minus the previous one', '纳税信用等级变化', ['taxGrades'], 'null with fewer than two grades', (c) => (c.grades.length < 2 ? null : GRADE_SCORE[c.grades.at(-1)!]! - GRADE_SCORE[c.grades.at(-2)!]!)),
  spec('tax_grade_ab_two_years', 'tax', 'flag', '0/1', 'Graded A or B in each of the two latest years', '近两年纳税信用均为A或B', ['taxGrades'], '0 with fewer than two grades', (c) => (c.grades.length >= 2 && c.grades.slice(-2).every((g) => g <= 1) ? 1 : 0)),
];

const I12 = LAST - 11;
const I3 = LAST - 2;
const INVOICE_FEATURES: FeatureSpec[] = [
  spec('inv_sales_3m', 'invoice', 'number', 'fen', 'Invoiced sales net of red-letter reversals, excluding voids, over the 3 months before the as-of month', '近3个月开票销售额', INV, 'never null (0 without invoices)', (c) => sumSlots(c.sales.netFen, I3, LAST)),
  spec('inv_sales_12m', 'invoice', 'number', 'fen', 'Invoiced sales, net, over 12 months', '近12个月开票销售额', INV, 'never null', (c) => sumSlots(c.sales.netFen, I12, LAST)),
  spec('inv_sales_growth_yoy', 'invoice', 'number', 'ratio', 'Invoiced sales of 12 months over the 12 before, minus 1', '开票销售额同比增长率', INV, 'null when the previous 12 months invoiced nothing', (c) => growth(sumSlots(c.sales.netFen, I12, LAST), sumSlots(c.sales.netFen, I12 - 12, LAST - 12))),
  spec('inv_sales_volatility_12m', 'invoice', 'number', 'ratio', 'Coefficient of variation of monthly invoiced sales over 12 months', '月度开票销售额波动系数', INV, 'null when nothing was invoiced', (c) => variation(c.sales.netFen, I12, LAST)),
  spec('inv_purchases_12m', 'invoice', 'number', 'fen', 'Invoiced purchases, net, over 12 months', '近12个月进项发票金额', INV, 'never null', (c) => sumSlots(c.purchases.netFen, I12, LAST)),
  spec('inv_purchase_sales_ratio_12m', 'invoice', 'number', 'ratio', 'Invoiced purchases over invoiced sales, 12 months (平进平出 near 1)', '进销比', INV, 'null when nothing was invoiced as sales', (c) => ratio(sumSlots(c.purchases.netFen, I12, LAST), sumSlots(c.sales.netFen, I12, LAST))),
  spec('inv_count_12m', 'invoice', 'number', 'count', 'Sales invoices issued (not void, not red) over 12 months', '近12个月销项发票张数', INV, 'never null', (c) => sumSlots(c.sales.count, I12, LAST)),
  spec('inv_avg_amount_12m', 'invoice', 'number', 'fen', 'Average amount of a sales invoice over 12 months', '单张发票平均金额', INV, 'null without sales invoices', (c) => ratio(sumSlots(c.sales.grossFen, I12, LAST), sumSlots(c.sales.count, I12, LAST))),
  spec('inv_customers_12m', 'invoice', 'number', 'count', 'Distinct buyers with positive net sales over 12 months', '近12个月下游客户数', INV, 'never null', (c) => shares(c.customerFen12m).length),
  spec('inv_suppliers_12m', 'invoice', 'number', 'count', 'Distinct sellers with positive net purchases over 12 months', '近12个月上游供应商数', INV, 'never null', (c) => shares(c.supplierFen12m).length),
  spec('inv_top1_customer_share_12m', 'invoice', 'number', 'ratio', 'Share of net sales to the largest buyer, 12 months', '第一大客户销售占比', INV, 'null without sales', (c) => shares(c.customerFen12m)[0] ?? null),
  spec('inv_top5_customer_share_12m', 'invoice', 'number', 'ratio', 'Share of net sales to the five largest buyers, 12 months', '前五大客户销售占比', INV, 'null without sales', (c) => { const s = shares(c.customerFen12m); return s.length === 0 ? null : s.slice(0, 5).reduce((a, b) => a + b, 0); }),
  spec('inv_customer_hhi_12m', 'invoice', 'number', 'ratio', 'Herfindahl index of sales across buyers, 12 months (1 = one buyer)', '客户集中度HHI', INV, 'null without sales', (c) => { const s = shares(c.customerFen12m); return s.length === 0 ? null : s.reduce((a, b) => a + b * b, 0); }),
  spec('inv_top1_supplier_share_12m', 'invoice', 'number', 'ratio', 'Share of net purchases from the largest seller, 12 months', '第一大供应商采购占比', INV, 'null without purchases', (c) => shares(c.supplierFen12m)[0] ?? null),
  spec('inv_red_ratio_12m', 'invoice', 'number', 'ratio', 'Red-letter reversals over gross invoiced sales, 12 months', '红冲金额占比', INV, 'null without sales invoices', (c) => ratio(sumSlots(c.sales.redFen, I12, LAST), sumSlots(c.sales.grossFen, I12, LAST))),
  spec('inv_void_ratio_12m', 'invoice', 'number', 'ratio', 'Voided sales invoices over all issued, 12 months', '作废发票占比', INV, 'null when none were issued', (c) => ratio(sumSlots(c.sales.voidCount, I12, LAST), sumSlots(c.sales.issuedCount, I12, LAST))),
  spec('inv_at_cap_share_12m', 'invoice', 'number', 'ratio', 'Share of sales invoices within 5% below an invoice cap (1万/10万/100万/1000万 yuan): split invoicing', '顶额开票占比', INV, 'null without sales invoices', (c) => ratio(sumSlots(c.sales.atCapCount, I12, LAST), sumSlots(c.sales.count, I12, LAST))),
  spec('inv_special_share_12m', 'invoice', 'number', 'ratio', 'Share of net invoiced sales on special (deductible) invoices, 12 months', '专票销售占比', INV, 'null without sales', (c) => ratio(sumSlots(c.sales.specialFen, I12, LAST), sumSlots(c.sales.netFen, I12, LAST))),
  spec('inv_new_customer_share_3m', 'invoice', 'number', 'ratio', 'Share of the last 3 months\' net sales going to buyers first invoiced in those 3 months (within the 30-month window)', '近3个月新客户销售占比', INV, 'null without sales in the 3 months', (c) => {
    let fresh = 0;
    let total = 0;
    for (const [party, amount] of c.customerFen3m) {
      total += amount;
      if ((c.customerFirstSlot.get(party) ?? 0) >= I3) fresh += amount;
    }
    return ratio(fresh, total);
  }),
  spec('inv_active_months_12m', 'invoice', 'number', 'count', 'Months with at least one sales invoice, of the 12', '近12个月有开票月数', INV, 'never null', (c) => { let n = 0; for (let k = I12; k <= LAST; k++) if (c.sales.count[k]! > 0) n++; return n; }),
  spec('inv_months_since_first_sale', 'invoice', 'number', 'months', 'Months from the first sales invoice (within 30 months) to the as-of date', '首次开票距今月数', INV, 'null without any sales invoice in 30 months', (c) => (Number.isFinite(c.firstSalesDay) ? monthsOfAge(c.firstSalesDay, c.asOfDay) : null)),
];

const BANK_FEATURES: FeatureSpec[] = [
  spec('bank_months_present_12m', 'bank', 'number', 'count', 'Statement months available of the 12 before the as-of month', '近12个月流水月数', BANK, 'never null', (c) => { let n = 0; for (let k = I12; k <= LAST; k++) n += c.bankPresent[k]!; return n; }),
  spec('bank_inflow_12m', 'bank', 'number', 'fen', 'Account credits over 12 months', '近12个月流入', BANK, 'null without statements', (c) => (c.bankPresent.subarray(I12).some((p) => p === 1) ? sumSlots(c.bankInflowFen, I12, LAST) : null)),
  spec('bank_outflow_inflow_ratio_12m', 'bank', 'number', 'ratio', 'Debits over credits, 12 months', '流出流入比', BANK, 'null without credits', (c) => ratio(sumSlots(c.bankOutflowFen, I12, LAST), sumSlots(c.bankInflowFen, I12, LAST))),
  spec('bank_inflow_volatility_12m', 'bank', 'number', 'ratio', 'Coefficient of variation of monthly credits, 12 months', '月度流入波动系数', BANK, 'null without credits', (c) => variation(c.bankInflowFen, I12, LAST)),
  spec('bank_balance_latest_fen', 'bank', 'number', 'fen', 'End balance of the latest statement month', '最近月末余额', BANK, 'null without statements in 30 months', (c) => { const k = latestBankSlot(c); return k < 0 ? null : c.bankBalanceFen[k]!; }),
  spec('bank_balance_trend_6m', 'bank', 'number', 'ratio', 'Least-squares slope of the end balance over the latest 6 months, per month, over their mean balance', '近6个月余额趋势', BANK, 'null with fewer than 3 months or a non-positive mean balance', (c) => {
    const points: [number, number][] = [];
    for (let k = LAST - 5; k <= LAST; k++) if (c.bankPresent[k]) points.push([k, c.bankBalanceFen[k]!]);
    if (points.length < 3) return null;
    const mx = points.reduce((a, p) => a + p[0], 0) / points.length;
    const my = points.reduce((a, p) => a + p[1], 0) / points.length;
    if (my <= 0) return null;
    const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
    const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    return sxy / sxx / my;
  }),
  spec('bank_balance_months_of_inflow', 'bank', 'number', 'months', 'Average end balance over average monthly credits, 12 months', '平均余额覆盖月流入倍数', BANK, 'null without credits', (c) => {
    let n = 0; let balance = 0;
    for (let k = I12; k <= LAST; k++) if (c.bankPresent[k]) { n++; balance += c.bankBalanceFen[k]!; }
    const monthly = n > 0 ? sumSlots(c.bankInflowFen, I12, LAST) / n : 0;
    return n === 0 ? null : ratio(balance / n, monthly);
  }),
  spec('bank_top_payer_share_12m', 'bank', 'number', 'ratio', "Average monthly share of credits from the largest payer", '最大付款方占比均值', BANK, 'null without statements', (c) => {
    let n = 0; let sum = 0;
    for (let k = I12; k <= LAST; k++) if (c.bankPresent[k]) { n++; sum += c.bankTopShare[k]!; }
    return n === 0 ? null : sum / n;
  }),
];

const BUREAU_FEATURES: FeatureSpec[] = [
  spec('bureau_has_report', 'bureau', 'flag', '0/1', 'A credit-bureau report dated by the as-of date exists', '是否有征信报告', BUREAU, 'never null', (c) => (c.bureauIndex < 0 ? 0 : 1)),
  spec('bureau_report_age_days', 'bureau', 'number', 'days', 'Age of the latest bureau report', '征信报告距今天数', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.asOfDay - c.d.bureau.day[k]!)),
  spec('bureau_overdue_fen', 'bureau', 'number', 'fen', 'Amount currently overdue', '当前逾期金额', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.overdueFen[k]!)),
  spec('bureau_has_overdue', 'bureau', 'flag', '0/1', 'Anything currently overdue', '当前是否逾期', BUREAU, 'null without a report', (c) => bureau(c, (k) => (c.d.bureau.overdueFen[k]! > 0 ? 1 : 0))),
  spec('bureau_worst_dpd_24m', 'bureau', 'number', 'days', 'Worst days past due in the 24 months before the report', '近24个月最长逾期天数', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.worstDpd[k]!)),
  spec('bureau_inquiries_3m', 'bureau', 'number', 'count', 'Hard inquiries by lenders in 3 months', '近3个月贷款审批查询次数', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.inquiries3m[k]!)),
  spec('bureau_inquiries_6m', 'bureau', 'number', 'count', 'Hard inquiries by lenders in 6 months', '近6个月贷款审批查询次数', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.inquiries6m[k]!)),
  spec('bureau_lender_count', 'bureau', 'number', 'count', 'Institutions with outstanding credit', '授信机构数', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.lenders[k]!)),
  spec('bureau_outstanding_fen', 'bureau', 'number', 'fen', 'Outstanding loan balance', '贷款余额', BUREAU, 'null without a report', (c) => bureau(c, (k) => c.d.bureau.outstandingFen[k]!)),
  spec('bureau_debt_to_sales', 'bureau', 'number', 'ratio', 'Outstanding loans over declared sales of 12 months', '负债销售比', [...BUREAU, ...TAX], 'null without a report or declared sales', (c) => bureau(c, (k) => ratio(c.d.bureau.outstandingFen[k]!, declared(c, 12) ?? 0))),
  spec('bureau_guarantees_to_sales', 'bureau', 'number', 'ratio', 'Guarantees given for others over declared sales of 12 months', '对外担保销售比', [...BUREAU, ...TAX], 'null without a report or declared sales', (c) => bureau(c, (k) => ratio(c.d.bureau.guaranteesFen[k]!, declared(c, 12) ?? 0))),
];

const COURT_FEATURES: FeatureSpec[] = [
  spec('court_open_defendant_cases', 'court', 'number', 'count', 'Cases open at the as-of date with the enterprise as defendant', '未结被告案件数', COURT, 'never null', (c) => { let n = 0; for (let k = 0; k < c.d.court.count; k++) if (c.d.court.defendant[k] && isCaseOpen(c.d, k, c.asOfDay)) n++; return n; }),
  spec('court_open_defendant_amount_fen', 'court', 'number', 'fen', 'Amount in dispute of open cases as defendant', '未结被告案件涉案金额', COURT, 'never null', (c) => { let s = 0; for (let k = 0; k < c.d.court.count; k++) if (c.d.court.defendant[k] && isCaseOpen(c.d, k, c.asOfDay)) s += c.d.court.amountFen[k]!; return s; }),
  spec('court_cases_12m', 'court', 'number', 'count', 'Cases filed in the 365 days before the as-of date, any role', '近12个月涉诉案件数', COURT, 'never null', (c) => { let n = 0; for (let k = 0; k < c.d.court.count; k++) { const age = c.asOfDay - c.d.court.filedDay[k]!; if (age >= 0 && age < 365) n++; } return n; }),
  spec('court_dishonest_open', 'court', 'flag', '0/1', 'Listed as a dishonest judgment debtor (失信被执行人) in a case open at the as-of date', '当前失信被执行人', COURT, 'never null', (c) => { for (let k = 0; k < c.d.court.count; k++) if (c.d.court.dishonest[k] && isCaseOpen(c.d, k, c.asOfDay)) return 1; return 0; }),
  spec('court_dishonest_ever', 'court', 'flag', '0/1', 'Ever listed as a dishonest judgment debtor in a case filed by the as-of date', '曾为失信被执行人', COURT, 'never null', (c) => { for (let k = 0; k < c.d.court.count; k++) if (c.d.court.dishonest[k] && c.d.court.filedDay[k]! <= c.asOfDay) return 1; return 0; }),
];

/** Slots of the latest 12 declared months, the window cross-source checks align on. */
function declaredWindow(c: FeatureContext): [number, number] | null {
  return c.lastFiledSlot < 0 ? null : [c.lastFiledSlot - 11, c.lastFiledSlot];
}

const CROSS_FEATURES: FeatureSpec[] = [
  spec('xs_declared_vs_invoiced_12m', 'cross', 'number', 'ratio', 'Declared sales over invoiced sales, same 12 months', '申报销售额/开票销售额', [...TAX, ...INV], 'null without returns or invoiced sales', (c) => { const w = declaredWindow(c); return w ? ratio(sumSlots(c.declaredFen, w[0], w[1]), sumSlots(c.sales.netFen, w[0], w[1])) : null; }),
  spec('xs_bank_vs_invoiced_12m', 'cross', 'number', 'ratio', 'Bank credits over invoiced sales (excl. VAT), same 12 months', '银行流入/开票销售额', [...TAX, ...INV, ...BANK], 'null without returns or invoiced sales', (c) => { const w = declaredWindow(c); return w ? ratio(sumSlots(c.bankInflowFen, w[0], w[1]), sumSlots(c.sales.netFen, w[0], w[1])) : null; }),
  spec('xs_bank_vs_declared_12m', 'cross', 'number', 'ratio', 'Bank credits over declared sales, same 12 months', '银行流入/申报销售额', [...TAX, ...BANK], NO_SALES, (c) => { const w = declaredWindow(c); return w ? ratio(sumSlots(c.bankInflowFen, w[0], w[1]), sumSlots(c.declaredFen, w[0], w[1])) : null; }),
  spec('xs_cit_vs_vat_revenue', 'cross', 'number', 'ratio', 'Revenue on the latest income-tax return over VAT-declared sales of that year', '所得税收入/增值税申报收入', ['citReturns', ...TAX], 'null without an income-tax return or a fully declared year', (c) => {
    if (c.citIndex < 0) return null;
    const year = c.d.cit.year[c.citIndex]!;
    const from = (year - 1970) * 12 - c.firstMonth;
    if (from < 0 || from + 11 > LAST || coveredIn(c, from, from + 11) < 12) return null;
    return ratio(c.d.cit.revenueFen[c.citIndex]!, sumSlots(c.declaredFen, from, from + 11));
  }),
];

export const FEATURES: readonly FeatureSpec[] = [...PROFILE, ...TAX_FEATURES, ...INVOICE_FEATURES, ...BANK_FEATURES, ...BUREAU_FEATURES, ...COURT_FEATURES, ...CROSS_FEATURES];
export const FEATURE_IDS: readonly string[] = FEATURES.map((f) => f.id);
