/**
 * Verification against the records (the imported dataset). A document raises a limit only as far as it is
 * verified, so each field gets a status — verified (the records say the same), contradicted (the records
 * say otherwise: a forgery or an altered photo) or unverifiable (the records cannot say: no such record, an
 * unreadable field, or a fact the registry keeps only as a hash) — and the document a strength:
 *   strong       every key field verified (invoice: number, date, both parties, amount, tax, total;
 *                licence: credit code, name, established date, registered capital);
 *   partial      some key fields verified, none contradicted (a contract at best: its counterparty is a real
 *                trading partner in the invoice network, its amount is the parties' word);
 *   none         nothing verified;
 *   contradicted at least one field contradicted.
 */
import type { DatasetReader } from '../data/index.ts';
import { checkCodeOf, invoiceCodeOf, type DocumentKind } from './documents.ts';
import type { ExtractedDocument } from './extract.ts';
import { goodsOfDivision } from './render.ts';

export type FieldStatus = 'verified' | 'contradicted' | 'unverifiable';
export type VerificationStrength = 'strong' | 'partial' | 'none' | 'contradicted';

export interface FieldVerification { field: string; status: FieldStatus; read: string | null; recorded: string | null; note: string }
export interface DocumentVerification {
  kind: DocumentKind | null; strength: VerificationStrength; fields: FieldVerification[];
  /** The enterprise the document speaks for: the invoice's seller, the licence holder, the contract's seller. */
  subjectCode: string | null;
  /** Sales the document evidences for its subject, in fen (an invoice's or a contract's total; 0 for a licence). */
  evidenceFen: number;
  notes: string[];
}

const KEY_FIELDS: Record<DocumentKind, readonly string[]> = {
  invoice: ['invoiceNumber', 'issueDate', 'sellerCode', 'buyerCode', 'amountFen', 'taxFen', 'totalFen'],
  licence: ['creditCode', 'name', 'establishedDate', 'registeredCapitalFen'],
  contract: ['sellerName', 'buyerName'],
};

function compare(field: string, read: string | null, recorded: string | null, what: string): FieldVerification {
  if (read === null) return { field, status: 'unverifiable', read, recorded, note: 'not read from the document' };
  if (recorded === null) return { field, status: 'unverifiable', read, recorded, note: `the records hold no ${what}` };
  return read === recorded
    ? { field, status: 'verified', read, recorded, note: `matches the ${what}` }
    : { field, status: 'contradicted', read, recorded, note: `the ${what} says ${recorded}` };
}

function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export async function verifyDocument(read: ExtractedDocument, reader: DatasetReader): Promise<DocumentVerification> {
  // A field that failed its own check (a credit code's check character) is a misreading, not a claim: it is
  // left out of the comparison, so it can make a document unverifiable but never contradicted.
  const invalid = new Set(read.problems.filter((p) => p.code === 'credit_code_invalid').map((p) => p.field));
  const document = { ...read, fields: Object.fromEntries(Object.entries(read.fields).map(([k, v]) => [k, invalid.has(k) ? null : v])) };
  if (document.kind === 'invoice') return verifyInvoice(document, reader);
  if (document.kind === 'licence') return verifyLicence(document, reader);
  if (document.kind === 'contract') return verifyContract(document, reader);
  return { kind: null, strength: 'none', fields: [], subjectCode: null, evidenceFen: 0, notes: ['not a document Puhui reads'] };
}

function strengthOf(kind: DocumentKind, fields: readonly FieldVerification[], strongPossible: boolean): VerificationStrength {
  if (fields.some((f) => f.status === 'contradicted')) return 'contradicted';
  const keys = KEY_FIELDS[kind];
  const verified = keys.filter((key) => fields.find((f) => f.field === key)?.status === 'verified').length;
  if (verified === 0) return 'none';
  return strongPossible && verified === keys.length ? 'strong' : 'partial';
}

async function verifyInvoice(document: ExtractedDocument, reader: DatasetReader): Promise<DocumentVerification> {
  const f = document.fields;
  const number = f.invoiceNumber ?? null;
  const notes: string[] = [];
  const [record] = number === null ? [] : await reader.records('invoices', `invoiceNumber = ${sql(number)}`, 'invoiceNumber');
  if (!record) {
    const fields = Object.entries(f).map(([field, read]) => compare(field, read, null, 'invoice record'));
    if (number !== null && !document.problems.some((p) => p.field === 'invoiceNumber')) {
      // A well-formed number the tax records do not know: the invoice was not issued (forged or misread).
      fields[fields.findIndex((x) => x.field === 'invoiceNumber')] = { field: 'invoiceNumber', status: 'contradicted', read: number, recorded: null, note: 'no invoice with this number in the records' };
    }
    return { kind: 'invoice', strength: strengthOf('invoice', fields, false), fields, subjectCode: f.sellerCode ?? null, evidenceFen: 0, notes };
  }
  const names = await enterpriseNames(reader, [String(record.sellerCode), String(record.buyerCode)]);
  const inv = { invoiceNumber: String(record.invoiceNumber), sellerCode: String(record.sellerCode), buyerCode: String(record.buyerCode), issueDate: String(record.issueDate), amountFen: Number(record.amountFen), taxFen: Number(record.taxFen), kind: String(record.kind) };
  const fields: FieldVerification[] = [
    compare('invoiceCode', f.invoiceCode ?? null, invoiceCodeOf(inv), 'invoice code of the recorded invoice'),
    compare('invoiceNumber', number, inv.invoiceNumber, 'invoice record'),
    compare('issueDate', f.issueDate ?? null, inv.issueDate, 'recorded issue date'),
    compare('sellerName', f.sellerName ?? null, names.get(inv.sellerCode) ?? null, "seller's registered name"),
    compare('sellerCode', f.sellerCode ?? null, inv.sellerCode, 'recorded seller'),
    compare('buyerName', f.buyerName ?? null, names.get(inv.buyerCode) ?? null, "buyer's registered name"),
    compare('buyerCode', f.buyerCode ?? null, inv.buyerCode, 'recorded buyer'),
    compare('amountFen', f.amountFen ?? null, String(inv.amountFen), 'recorded amount'),
    compare('taxFen', f.taxFen ?? null, String(inv.taxFen), 'recorded tax'),
    compare('totalFen', f.totalFen ?? null, String(inv.amountFen + inv.taxFen), 'recorded total'),
    compare('checkCode', f.checkCode ?? null, checkCodeOf(inv), 'check code of the recorded invoice'),
  ];
  if (record.status !== 'normal') {
    notes.push(`the recorded invoice is ${String(record.status)}: it proves no sale`);
    fields.push({ field: 'status', status: 'contradicted', read: 'normal', recorded: String(record.status), note: 'the invoice was voided or reversed' });
  }
  const reversed = await reader.query(`SELECT count(*)::INTEGER AS n FROM invoices WHERE originalInvoiceNumber = ${sql(inv.invoiceNumber)}`);
  if (Number(reversed[0]?.n ?? 0) > 0) {
    notes.push('a red-letter invoice reverses this invoice');
    fields.push({ field: 'status', status: 'contradicted', read: 'normal', recorded: 'reversed', note: 'a red-letter invoice reverses it' });
  }
  const strength = strengthOf('invoice', fields, true);
  return { kind: 'invoice', strength, fields, subjectCode: inv.sellerCode, evidenceFen: strength === 'strong' ? inv.amountFen + inv.taxFen : 0, notes };
}

async function enterpriseNames(reader: DatasetReader, codes: readonly string[]): Promise<Map<string, string>> {
  const rows = await reader.query(`SELECT creditCode, name FROM enterprises WHERE creditCode IN (${codes.map(sql).join(', ')})`);
  return new Map(rows.map((row) => [String(row.creditCode), String(row.name)]));
}

async function verifyLicence(document: ExtractedDocument, reader: DatasetReader): Promise<DocumentVerification> {
  const f = document.fields;
  const code = f.creditCode ?? null;
  const [record] = code === null ? [] : await reader.records('enterprises', `creditCode = ${sql(code)}`, 'creditCode');
  const hashOnly = (field: string): FieldVerification => ({ field, status: 'unverifiable', read: f[field] ?? null, recorded: null, note: 'the registry extract holds only a hash of it' });
  if (!record) {
    const fields = Object.entries(f).map(([field, read]) => compare(field, read, null, 'registration'));
    if (code !== null && !document.problems.some((p) => p.field === 'creditCode')) {
      fields[fields.findIndex((x) => x.field === 'creditCode')] = { field: 'creditCode', status: 'contradicted', read: code, recorded: null, note: 'no enterprise registered under this credit code' };
    }
    return { kind: 'licence', strength: strengthOf('licence', fields, false), fields, subjectCode: code, evidenceFen: 0, notes: [] };
  }
  const fields: FieldVerification[] = [
    compare('creditCode', code, String(record.creditCode), 'registration'),
    compare('name', f.name ?? null, String(record.name), 'registered name'),
    { field: 'entityType', status: 'unverifiable', read: f.entityType ?? null, recorded: null, note: 'the registry extract has no entity type' },
    hashOnly('legalRepresentative'),
    compare('establishedDate', f.establishedDate ?? null, String(record.establishedDate), 'registered date of establishment'),
    compare('registeredCapitalFen', f.registeredCapitalFen ?? null, String(record.registeredCapitalFen), 'registered capital'),
    hashOnly('address'),
  ];
  if (record.status !== 'active') fields.push({ field: 'status', status: 'contradicted', read: 'active', recorded: String(record.status), note: 'the enterprise is deregistered' });
  return { kind: 'licence', strength: strengthOf('licence', fields, true), fields, subjectCode: String(record.creditCode), evidenceFen: 0, notes: [] };
}

async function verifyContract(document: ExtractedDocument, reader: DatasetReader): Promise<DocumentVerification> {
  const f = document.fields;
  const seller = f.sellerName ? await reader.query(`SELECT creditCode FROM enterprises WHERE name = ${sql(f.sellerName)}`) : [];
  const buyer = f.buyerName ? await reader.query(`SELECT creditCode FROM enterprises WHERE name = ${sql(f.buyerName)}`) : [];
  const sellerCode = seller.length === 1 ? String(seller[0]!.creditCode) : null;
  const buyerCode = buyer.length === 1 ? String(buyer[0]!.creditCode) : null;
  const notes: string[] = [];
  let trade: Record<string, unknown> | undefined;
  if (sellerCode && buyerCode) {
    [trade] = await reader.query(`SELECT count(*)::INTEGER AS n, list(DISTINCT goodsCategory) AS categories FROM invoices
      WHERE status = 'normal' AND ((sellerCode = ${sql(sellerCode)} AND buyerCode = ${sql(buyerCode)}) OR (sellerCode = ${sql(buyerCode)} AND buyerCode = ${sql(sellerCode)}))`);
  }
  const trades = Number(trade?.n ?? 0) > 0;
  const party = (field: string, name: string | null | undefined, code: string | null): FieldVerification =>
    name == null ? { field, status: 'unverifiable', read: null, recorded: null, note: 'not read from the document' }
    : code === null ? { field, status: 'unverifiable', read: name, recorded: null, note: 'no registered enterprise of this name' }
    : trades ? { field, status: 'verified', read: name, recorded: code, note: 'a registered enterprise that trades with the other party in the invoice data' }
    : { field, status: 'unverifiable', read: name, recorded: code, note: 'registered, but no invoice between the parties' };
  const categories = ((trade?.categories as unknown[] | undefined) ?? []).map((c) => goodsOfDivision(String(c)).split('*').filter(Boolean).at(-1));
  const fields: FieldVerification[] = [
    party('sellerName', f.sellerName, sellerCode), party('buyerName', f.buyerName, buyerCode),
    { field: 'amountFen', status: 'unverifiable', read: f.amountFen ?? null, recorded: null, note: 'a contract amount is the parties\' word; invoices will show what was delivered' },
    { field: 'signedDate', status: 'unverifiable', read: f.signedDate ?? null, recorded: null, note: 'contracts are not in the records' },
    f.goods && categories.includes(f.goods)
      ? { field: 'goods', status: 'verified', read: f.goods, recorded: f.goods, note: 'the parties invoice these goods to each other' }
      : { field: 'goods', status: 'unverifiable', read: f.goods ?? null, recorded: null, note: 'no invoice between the parties for these goods' },
  ];
  if (!trades) notes.push('the counterparty is not a trading partner in the invoice network');
  const strength = strengthOf('contract', fields, false);
  return { kind: 'contract', strength, fields, subjectCode: sellerCode, evidenceFen: strength === 'partial' ? Number(f.amountFen ?? 0) : 0, notes };
}
