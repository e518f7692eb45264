/**
 * Field extraction: which document a page is, and its fields in canonical form, from the rows of OCR text.
 * Labels are found in each row; a field's value is the text between its label and the next label. Then every
 * field is checked before anything trusts it — a credit code's check character (and a repair of the usual
 * OCR confusions O→0, I→1, S→5, Z→2 that the code's alphabet forbids), dates that exist, amount + tax =
 * total against the uppercase total (大写) — and what cannot be trusted is reported as a problem.
 */
import { creditCodeProblem } from '../domain/credit-code.ts';
import { FIELDS_OF, parseUpperCaseYuan, parseYuanText, type DocumentFields, type DocumentKind } from './documents.ts';
import { ITEM_SEPARATOR, layoutRows, rowText, type LayoutRow } from './layout.ts';
import type { OcrLine } from './page.ts';

export interface FieldProblem { field: string; code: string; message: string }
export interface ExtractedDocument { kind: DocumentKind | null; fields: DocumentFields; problems: FieldProblem[]; rows: string[] }

interface Label { field: string; pattern: RegExp }

const INVOICE_LABELS: Label[] = [
  { field: 'invoiceCode', pattern: /发票代码/ }, { field: 'invoiceNumber', pattern: /发票号码|发票号/ },
  { field: 'issueDate', pattern: /开票日期|开票日/ }, { field: 'partyName', pattern: /(?<!项目)名称/ },
  { field: 'partyCode', pattern: /(?:统一社会信用代码\/?)?纳税人识别号|统一社会信用代码/ },
  { field: 'sums', pattern: /(?<!价税)合计/ }, { field: 'totalUpper', pattern: /价税合计\(?大写\)?/ },
  { field: 'totalLower', pattern: /\(?小写\)?/ }, { field: 'checkCode', pattern: /校验码/ },
  { field: '', pattern: /开票人|购买方信息|销售方信息|备注|项目名称/ },
];
const LICENCE_LABELS: Label[] = [
  { field: 'creditCode', pattern: /统一社会信用代码/ }, { field: 'name', pattern: /名称/ }, { field: 'entityType', pattern: /类型/ },
  { field: 'legalRepresentative', pattern: /法定代表人|负责人|经营者/ }, { field: 'registeredCapital', pattern: /注册资本/ },
  { field: 'establishedDate', pattern: /成立日期/ }, { field: 'address', pattern: /住所|经营场所/ },
  { field: '', pattern: /经营范围|登记机关|营业期限/ },
];
const CONTRACT_LABELS: Label[] = [
  { field: 'buyerName', pattern: /.?方\(买方\)|甲方/ }, { field: 'sellerName', pattern: /.?方\(卖方\)|乙方/ },
  { field: 'goods', pattern: /货物名称/ }, { field: 'amount', pattern: /合同金额/ }, { field: 'signedDate', pattern: /签订日期/ },
  { field: '', pattern: /三、|四、|付款方式/ },
];

/** Which document a page is, by its title words. */
export function documentKindOf(rows: readonly string[]): DocumentKind | null {
  const page = rows.join('');
  if (/营业执照/.test(page)) return 'licence';
  if (/发票/.test(page) && /价税合计|校验码|开票日期/.test(page)) return 'invoice';
  if (/合同/.test(page) && /甲方|乙方/.test(page)) return 'contract';
  return null;
}

/** Every labelled value of a page: field → the values in reading order. */
function labelledValues(rows: readonly LayoutRow[], labels: readonly Label[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const row of rows) {
    const text = rowText(row);
    const hits: { field: string; start: number; end: number }[] = [];
    for (const label of labels) {
      const global = new RegExp(label.pattern.source, 'g');
      for (const match of text.matchAll(global)) hits.push({ field: label.field, start: match.index, end: match.index + match[0].length });
    }
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept = hits.filter((hit, i) => i === 0 || hit.start >= hits[i - 1]!.end);
    kept.forEach((hit, i) => {
      if (hit.field === '') return;
      const stop = i + 1 < kept.length ? kept[i + 1]!.start : text.length;
      const value = text.slice(hit.end, stop).replace(/^[:|.\s]+/, '').replace(/[|\s]+$/, '');
      if (!values.has(hit.field)) values.set(hit.field, []);
      values.get(hit.field)!.push(value);
    });
  }
  return values;
}

const DIGIT_CONFUSIONS: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', I: '1', l: '1', '|': '1', i: '1', '!': '1', Z: '2', z: '2', S: '5', s: '5', B: '8', b: '6', g: '9' };

/** The digits of a numeric field, with letters OCR confuses with digits turned back into them. */
function digitsOf(text: string): string {
  let out = '';
  for (const char of text.replaceAll(ITEM_SEPARATOR, '')) {
    if (char >= '0' && char <= '9') out += char;
    else if (DIGIT_CONFUSIONS[char]) out += DIGIT_CONFUSIONS[char];
  }
  return out;
}

function firstDigitRun(text: string | undefined, length: number): string | null {
  if (text === undefined) return null;
  const digits = digitsOf(text.split(/[^0-9OoDQIl|i!ZzSsBbg\s]/)[0] ?? '');
  if (digits.length === length) return digits;
  const all = digitsOf(text);
  return all.length >= length ? all.slice(0, length) : null;
}

const CODE_CONFUSIONS: Record<string, string> = { O: '0', I: '1', Z: '2', S: '5', V: 'U', o: '0', l: '1' };

/**
 * A credit code read from text: 18 characters of the GB 32100 alphabet, after the letters the alphabet forbids
 * (I, O, S, V, Z) are turned into what OCR confused them with; of a longer run, the 18 that pass the check.
 */
export function creditCodeFrom(text: string | undefined): string | null {
  if (text === undefined) return null;
  const upper = [...text.replaceAll(ITEM_SEPARATOR, '')].map((c) => CODE_CONFUSIONS[c] ?? c.toUpperCase()).join('');
  const run = /[0-9A-HJ-NPQRTUWXY]{18,}/.exec(upper)?.[0];
  if (run === undefined) return null;
  // A stray character read before or after the code (a seal's edge, a colon): the window that passes the check wins.
  const windows = Array.from({ length: run.length - 17 }, (_, i) => run.slice(i, i + 18));
  const passing = windows.find((w) => creditCodeProblem(w) === null);
  if (passing !== undefined) return passing;
  // A code that still fails its check is returned as read (and reported): guessing among look-alikes of
  // allowed characters can land on another enterprise's valid code, which verification would call a forgery.
  return windows[0]!;
}

/** An ISO date from '2024年10月09日' style text (or its bare 8 digits); null unless the date exists. */
export function dateFrom(text: string | undefined): string | null {
  if (text === undefined) return null;
  const structured = /(\d{4})\D{0,2}?(\d{1,2})\D{1,2}?(\d{1,2})/.exec(text.replace(/[OoD]/g, '0').replace(/[Il|]/g, '1'));
  let y: number, m: number, d: number;
  if (structured) { y = Number(structured[1]); m = Number(structured[2]); d = Number(structured[3]); }
  else {
    const digits = digitsOf(text);
    if (digits.length < 8) return null;
    y = Number(digits.slice(0, 4)); m = Number(digits.slice(4, 6)); d = Number(digits.slice(6, 8));
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1950 || y > 2100 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Yuan amounts in a text ('¥1,234.56', 'Y1234.56', '1234.56元'), in order, as fen. */
export function amountsFrom(text: string | undefined): number[] {
  if (text === undefined) return [];
  const amounts: number[] = [];
  for (const match of text.replace(/[Yy]/g, '¥').matchAll(/¥?(\d{1,3}(?:,\d{3})+|\d+)[.,](\d{2})(?!\d)/g)) {
    const fen = parseYuanText(`${match[1]}.${match[2]}`);
    if (fen !== null) amounts.push(fen);
  }
  return amounts;
}

function clean(text: string | undefined): string | null {
  if (text === undefined) return null;
  const value = text.replaceAll(ITEM_SEPARATOR, '').replace(/^[:.]+/, '').trim();
  return value.length > 0 ? value : null;
}

/**
 * An enterprise's name as read. A company's registered name ends in 公司 (Company Law art. 7: 有限责任公司,
 * 股份有限公司, a 分公司 too), so what follows the last 公司 was read from something else — a seal's words
 * (合同专用章) lying over the name. Other names (a shop 店, a 经营部) are kept whole.
 */
function enterpriseName(text: string | undefined): string | null {
  const value = clean(text);
  if (value === null) return null;
  const end = value.lastIndexOf('公司');
  return end > 0 ? value.slice(0, end + 2) : value;
}

/**
 * Amount and tax when the sums row lost them (its label and its figures fell into different rows on a tilted
 * photo): the one row holding exactly two ¥ amounts that add up to the total both written totals agree on.
 */
function sumsFromTotal(texts: readonly string[], total: number): [number, number] | null {
  const pairs = texts.filter((t) => (t.match(/[¥Yy]/g) ?? []).length === 2).map(amountsFrom).filter((a) => a.length === 2 && a[0]! + a[1]! === total);
  return pairs.length === 1 ? [pairs[0]![0]!, pairs[0]![1]!] : null;
}

export function extractDocument(lines: readonly OcrLine[], kindHint: DocumentKind | null = null): ExtractedDocument {
  const rows = layoutRows(lines);
  const texts = rows.map(rowText);
  const kind = kindHint ?? documentKindOf(texts);
  const problems: FieldProblem[] = [];
  const fields: DocumentFields = kind === 'invoice' ? invoiceFields(rows, problems)
    : kind === 'licence' ? licenceFields(rows, problems)
    : kind === 'contract' ? contractFields(rows, problems) : {};
  if (kind === null) problems.push({ field: '', code: 'unknown_document', message: 'the page is not an invoice, a business licence or a contract' });
  for (const field of kind ? FIELDS_OF[kind] : []) {
    if (fields[field] === undefined) fields[field] = null;
    if (fields[field] === null && !problems.some((p) => p.field === field)) problems.push({ field, code: 'not_found', message: `${field} was not found on the page` });
  }
  return { kind, fields, problems, rows: texts };
}

function checkCreditCode(field: string, value: string | null, problems: FieldProblem[]): string | null {
  if (value === null) return null;
  const problem = creditCodeProblem(value);
  if (problem !== null) problems.push({ field, code: 'credit_code_invalid', message: `${field} ${value} fails the GB 32100 ${problem} check` });
  return value;
}

function invoiceFields(rows: readonly LayoutRow[], problems: FieldProblem[]): DocumentFields {
  const values = labelledValues(rows, INVOICE_LABELS);
  const pageText = rows.map(rowText).join('\n');
  const names = values.get('partyName') ?? [];
  const codes = (values.get('partyCode') ?? []).map(creditCodeFrom);
  const fields: DocumentFields = {
    invoiceCode: firstDigitRun(values.get('invoiceCode')?.[0], 12),
    invoiceNumber: firstDigitRun(values.get('invoiceNumber')?.[0], 20) ?? (/\d{20}/.exec(pageText)?.[0] ?? null),
    issueDate: dateFrom(values.get('issueDate')?.[0]),
    buyerName: enterpriseName(names[0]), sellerName: enterpriseName(names[1]),
    buyerCode: checkCreditCode('buyerCode', codes[0] ?? null, problems),
    sellerCode: checkCreditCode('sellerCode', codes[1] ?? null, problems),
    checkCode: firstDigitRun(values.get('checkCode')?.[0], 20),
  };
  let sums = amountsFrom(values.get('sums')?.[0]);
  const lower = amountsFrom(values.get('totalLower')?.[0])[0] ?? null;
  const upperText = values.get('totalUpper')?.[0]?.replaceAll(ITEM_SEPARATOR, '').replace(/^[^零壹贰叁肆伍陆柒捌玖]+/, '').split('(')[0];
  const upper = upperText ? parseUpperCaseYuan(upperText) : null;
  if (sums.length < 2 && lower !== null && lower === upper) sums = sumsFromTotal(rows.map(rowText), lower) ?? sums;
  const money = reconcileAmounts(sums[0] ?? null, sums[1] ?? null, lower, upper);
  fields.amountFen = money.amountFen === null ? null : String(money.amountFen);
  fields.taxFen = money.taxFen === null ? null : String(money.taxFen);
  fields.totalFen = money.totalFen === null ? null : String(money.totalFen);
  if (!money.consistent) problems.push({ field: 'totalFen', code: 'amounts_inconsistent', message: 'amount + tax ≠ total (小写), or the uppercase total (大写) disagrees' });
  const number = fields.invoiceNumber ?? null, issued = fields.issueDate ?? null;
  if (number !== null && issued !== null && number.slice(0, 2) !== issued.slice(2, 4)) {
    problems.push({ field: 'invoiceNumber', code: 'number_year_mismatch', message: 'a fully-digital invoice number begins with the two digits of its issue year' });
  }
  return fields;
}

/**
 * Amount, tax and total from the sums row, the lowercase total and the uppercase total. The uppercase words
 * are the most robust reading of the total (a misread word rarely forms another well-formed amount), so a
 * total both readings agree on, or one that amount + tax confirms, wins.
 */
export function reconcileAmounts(amount: number | null, tax: number | null, lower: number | null, upper: number | null): { amountFen: number | null; taxFen: number | null; totalFen: number | null; consistent: boolean } {
  const sum = amount !== null && tax !== null ? amount + tax : null;
  const candidates = [lower, upper, sum].filter((v): v is number => v !== null);
  const votes = (v: number) => candidates.filter((c) => c === v).length;
  const total = candidates.length === 0 ? null : candidates.reduce((best, v) => (votes(v) > votes(best) ? v : best), candidates[0]!);
  if (total !== null && votes(total) >= 2) {
    // With a trusted total, one misread of amount or tax is repaired from the other.
    if (sum !== total && amount !== null && tax !== null) {
      return { amountFen: amount, taxFen: tax, totalFen: total, consistent: false };
    }
    return { amountFen: amount ?? (tax !== null ? total - tax : null), taxFen: tax ?? (amount !== null ? total - amount : null), totalFen: total, consistent: true };
  }
  return { amountFen: amount, taxFen: tax, totalFen: total, consistent: false };
}

function licenceFields(rows: readonly LayoutRow[], problems: FieldProblem[]): DocumentFields {
  const values = labelledValues(rows, LICENCE_LABELS);
  const capitalText = values.get('registeredCapital')?.[0]?.replaceAll(ITEM_SEPARATOR, '') ?? '';
  const capitalUpper = parseUpperCaseYuan(capitalText.replace(/^人民币/, '').replace(/人民币$/, ''));
  const capitalNumeric = /([\d.]+)万元/.exec(capitalText);
  const capitalFen = capitalUpper ?? (capitalNumeric ? Math.round(Number(capitalNumeric[1]) * 1_000_000) : null);
  if (capitalText !== '' && capitalFen === null) problems.push({ field: 'registeredCapitalFen', code: 'amount_unreadable', message: `registered capital '${capitalText}' is not an amount` });
  return {
    creditCode: checkCreditCode('creditCode', creditCodeFrom(values.get('creditCode')?.[0]), problems),
    name: enterpriseName(values.get('name')?.[0]),
    entityType: clean(values.get('entityType')?.[0])?.replace(/\(([^)]*)$/, '($1)') ?? null,
    legalRepresentative: clean(values.get('legalRepresentative')?.[0]),
    establishedDate: dateFrom(values.get('establishedDate')?.[0]),
    registeredCapitalFen: capitalFen === null ? null : String(capitalFen),
    address: clean(values.get('address')?.[0]),
  };
}

function contractFields(rows: readonly LayoutRow[], problems: FieldProblem[]): DocumentFields {
  const values = labelledValues(rows, CONTRACT_LABELS);
  const texts = rows.map(rowText);
  const amountIndex = texts.findIndex((t) => /合同金额/.test(t));
  const amount = amountsFrom(values.get('amount')?.[0])[0] ?? null;
  const upperRow = amountIndex >= 0 ? texts[amountIndex + 1] : undefined;
  const upperMatch = upperRow ? /大写[:]?([零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整]+)/.exec(upperRow.replaceAll(ITEM_SEPARATOR, '')) : null;
  const upper = upperMatch ? parseUpperCaseYuan(upperMatch[1]!) : null;
  const amountFen = upper !== null && amount !== upper ? upper : amount;
  if (amount !== null && upper !== null && amount !== upper) problems.push({ field: 'amountFen', code: 'amounts_inconsistent', message: 'the amount in figures and in words (大写) disagree; the words were taken' });
  const party = (field: string) => {
    const found = values.get(field) ?? [];
    const name = enterpriseName(clean(found.find((v) => /公司|店|部|行|馆|厂/.test(v)) ?? found[0])?.replace(/\(?盖章\)?$/, '')) ?? '';
    return name === '' ? null : name;
  };
  return {
    buyerName: party('buyerName'), sellerName: party('sellerName'),
    amountFen: amountFen === null ? null : String(amountFen),
    signedDate: dateFrom(values.get('signedDate')?.[0]),
    goods: clean(values.get('goods')?.[0]),
  };
}
