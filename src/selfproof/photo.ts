/**
 * An invoice photo made from a dataset's own records, for the demo and the service tests: an enterprise's
 * largest normal invoice (as seller, not reversed by a red-letter invoice) rendered and degraded like the
 * evaluation set's pages — or, forged, the same invoice with its amount raised (tax and totals made to agree,
 * so the document passes its own checks and only the records can contradict it).
 */
import type { DatasetReader } from '../data/index.ts';
import { Rng } from '../synth/random.ts';
import { degrade, type Degradation } from './degrade.ts';
import { renderInvoice, type EnterpriseRecord, type InvoiceRecord } from './render.ts';

export interface InvoicePhoto { bytes: Buffer; invoice: InvoiceRecord; totalFen: number }

export interface InvoicePhotoOptions {
  degradation?: Degradation;
  seed?: number;
  /** Forge it: the amount printed is the recorded amount times this factor (tax recomputed at the invoice's rate). */
  forgedAmountFactor?: number;
}

function sqlText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The seller's largest normal, unreversed invoice, or null when it has none. */
export async function largestSaleOf(reader: DatasetReader, sellerCode: string): Promise<InvoiceRecord | null> {
  const [row] = await reader.query(`
    SELECT * FROM invoices i WHERE sellerCode = ${sqlText(sellerCode)} AND status = 'normal'
      AND NOT EXISTS (SELECT 1 FROM invoices r WHERE r.originalInvoiceNumber = i.invoiceNumber)
    ORDER BY amountFen + taxFen DESC, invoiceNumber LIMIT 1`);
  if (!row) return null;
  return {
    invoiceNumber: String(row.invoiceNumber), sellerCode: String(row.sellerCode), buyerCode: String(row.buyerCode),
    issueDate: String(row.issueDate), amountFen: Number(row.amountFen), taxFen: Number(row.taxFen),
    taxRateBps: Number(row.taxRateBps), kind: String(row.kind), goodsCategory: String(row.goodsCategory),
  };
}

async function registration(reader: DatasetReader, code: string): Promise<EnterpriseRecord> {
  const [row] = await reader.records('enterprises', `creditCode = ${sqlText(code)}`, 'creditCode');
  if (!row) throw new Error(`enterprise ${code} is not in the dataset`);
  return row as unknown as EnterpriseRecord;
}

/** A JPEG photo of the invoice as the records hold it, or forged. */
export async function invoicePhoto(reader: DatasetReader, recorded: InvoiceRecord, options: InvoicePhotoOptions = {}): Promise<InvoicePhoto> {
  const factor = options.forgedAmountFactor ?? 1;
  if (!(factor > 0 && factor <= 100)) throw new RangeError(`forgedAmountFactor must be in (0, 100], got ${factor}`);
  const amountFen = Math.round(recorded.amountFen * factor);
  const invoice: InvoiceRecord = factor === 1 ? recorded : { ...recorded, amountFen, taxFen: Math.round((amountFen * recorded.taxRateBps) / 10_000) };
  const rendered = renderInvoice(invoice, await registration(reader, invoice.sellerCode), await registration(reader, invoice.buyerCode));
  const rng = new Rng(options.seed ?? 1, 'selfproof-photo');
  const bytes = await degrade(rendered.canvas, options.degradation ?? 'none', rng, rendered.stampAt);
  return { bytes, invoice, totalFen: invoice.amountFen + invoice.taxFen };
}
