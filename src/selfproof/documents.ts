/**
 * The three documents an owner can photograph to prove more than the data says — the VAT invoice, the
 * business licence and the sales contract — as the typed fields Puhui reads from them. Every field has one
 * canonical text form (amounts are integer fen written as digits, dates ISO YYYY-MM-DD), so the extractor,
 * the evaluation set's ground truth and the verifier compare the same strings.
 */
import { createHash } from 'node:crypto';

export const DOCUMENT_KINDS = ['invoice', 'licence', 'contract'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const INVOICE_FIELDS = [
  'invoiceCode', 'invoiceNumber', 'issueDate', 'sellerName', 'sellerCode', 'buyerName', 'buyerCode',
  'amountFen', 'taxFen', 'totalFen', 'checkCode',
] as const;
export const LICENCE_FIELDS = [
  'creditCode', 'name', 'entityType', 'legalRepresentative', 'establishedDate', 'registeredCapitalFen', 'address',
] as const;
export const CONTRACT_FIELDS = ['sellerName', 'buyerName', 'amountFen', 'signedDate', 'goods'] as const;

export const FIELDS_OF: Record<DocumentKind, readonly string[]> = {
  invoice: INVOICE_FIELDS, licence: LICENCE_FIELDS, contract: CONTRACT_FIELDS,
};

/** Canonical field values of one document; a field the reader could not find is null. */
export type DocumentFields = Record<string, string | null>;

export interface DocumentTruth { kind: DocumentKind; fields: Record<string, string> }

/**
 * The invoice code (发票代码) printed on the synthetic economy's invoices: the seller's province, the year,
 * '19', '0' and the kind (1 special, 4 ordinary) plus 2 fixed digits. Real fully-digital invoices carry
 * only the 20-digit number; the paper-era code is kept so the reader handles both layouts.
 */
export function invoiceCodeOf(invoice: { sellerCode: string; issueDate: string; kind: string }): string {
  const province = invoice.sellerCode.slice(2, 4);
  return `0${province}${invoice.issueDate.slice(2, 4)}19${invoice.kind === 'special' ? '1' : '4'}0011`.slice(0, 12).padEnd(12, '0');
}

/**
 * The 20-digit check code (校验码) of a synthetic invoice: a digest of its number, date and amounts. At the
 * tax bureau the check code is looked up with the invoice; here the verifier recomputes it from the record.
 */
export function checkCodeOf(invoice: { invoiceNumber: string; issueDate: string; amountFen: number; taxFen: number }): string {
  const digest = createHash('sha256').update(`${invoice.invoiceNumber}|${invoice.issueDate}|${invoice.amountFen}|${invoice.taxFen}`).digest();
  let digits = '';
  for (let i = 0; digits.length < 20; i++) digits += String(digest[i]! % 10);
  return digits;
}

const UPPER_DIGITS = '零壹贰叁肆伍陆柒捌玖';

/** An amount in fen as the uppercase RMB words printed on invoices (大写), e.g. 壹万柒仟壹佰零伍圆柒角捌分. */
export function upperCaseYuan(amountFen: number): string {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) throw new RangeError(`amount must be whole non-negative fen: ${amountFen}`);
  const yuan = Math.floor(amountFen / 100);
  const jiao = Math.floor(amountFen / 10) % 10;
  const fen = amountFen % 10;
  let text = yuan === 0 ? '' : `${upperInteger(yuan)}圆`;
  if (jiao === 0 && fen === 0) return `${text || '零圆'}整`;
  if (jiao > 0) text += `${UPPER_DIGITS[jiao]}角`;
  else if (yuan > 0) text += '零';
  if (fen > 0) text += `${UPPER_DIGITS[fen]}分`;
  return text;
}

function upperInteger(value: number): string {
  const groups: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  const groupUnits = ['', '万', '亿'];
  let text = '';
  let zeroPending = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g]!;
    if (group === 0) { zeroPending = text.length > 0; continue; }
    if (text.length > 0 && (zeroPending || group < 1000)) text += '零';
    text += upperGroup(group) + groupUnits[g]!;
    zeroPending = false;
  }
  return text;
}

function upperGroup(group: number): string {
  const units = ['仟', '佰', '拾', ''];
  const digits = String(group).padStart(4, '0');
  let text = '';
  let zero = false;
  for (let i = 0; i < 4; i++) {
    const digit = Number(digits[i]);
    if (digit === 0) { zero = text.length > 0; continue; }
    if (zero) text += '零';
    text += UPPER_DIGITS[digit]! + units[i]!;
    zero = false;
  }
  return text;
}

/** Parses uppercase RMB words back to fen; null when the text is not a well-formed amount. */
export function parseUpperCaseYuan(text: string): number | null {
  const clean = text.replace(/[元]/g, '圆').replace(/[整正\s]/g, '');
  const match = /^(?:(.*?)圆)?(?:零)?(?:([零壹贰叁肆伍陆柒捌玖])角)?(?:([零壹贰叁肆伍陆柒捌玖])分)?$/.exec(clean);
  if (!match || clean.length === 0) return null;
  const yuan = match[1] === undefined || match[1] === '' || match[1] === '零' ? 0 : parseUpperInteger(match[1]);
  if (yuan === null) return null;
  const jiao = match[2] ? UPPER_DIGITS.indexOf(match[2]) : 0;
  const fen = match[3] ? UPPER_DIGITS.indexOf(match[3]) : 0;
  return yuan * 100 + jiao * 10 + fen;
}

function parseUpperInteger(text: string): number | null {
  let total = 0;
  let section = 0;
  let digit = 0;
  const smallUnits: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
  for (const char of text) {
    const d = UPPER_DIGITS.indexOf(char);
    if (d >= 0) { digit = d; continue; }
    if (smallUnits[char]) { section += (digit || (char === '拾' ? 1 : 0)) * smallUnits[char]!; digit = 0; continue; }
    if (char === '万') { total += (section + digit) * 10_000; section = 0; digit = 0; continue; }
    if (char === '亿') { total = (total + section + digit) * 100_000_000; section = 0; digit = 0; continue; }
    return null;
  }
  return total + section + digit;
}

/** '12,345.67' → 1234567 fen; null unless the text is a well-formed yuan amount with two decimals. */
export function parseYuanText(text: string): number | null {
  const clean = text.replace(/[¥￥Y,，\s]/g, '');
  if (!/^\d{1,13}\.\d{2}$/.test(clean)) return null;
  const [yuan, fen] = clean.split('.') as [string, string];
  return Number(yuan) * 100 + Number(fen);
}
