/**
 * The degraded evaluation set: invoices, licences and contracts rendered from an imported dataset's own
 * records (so every field's ground truth is exact and every document verifies against the same dataset),
 * each page saved once per degradation. `truth.jsonl` lists every file with its kind, degradation and fields.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader } from '../data/index.ts';
import { Rng } from '../synth/random.ts';
import { DEGRADATIONS, degrade, type Degradation } from './degrade.ts';
import type { DocumentKind } from './documents.ts';
import { renderContract, renderInvoice, renderLicence, type EnterpriseRecord, type InvoiceRecord, type RenderedDocument } from './render.ts';

export const TRUTH_FILE = 'truth.jsonl';
export const DOCUMENTS_PER_KIND_MAX = 500;

export interface EvaluationSetOptions { documentsPerKind: number; seed: number; degradations?: readonly Degradation[] }
export interface EvaluationPage { file: string; kind: DocumentKind; degradation: Degradation; documentId: string; fields: Record<string, string> }

export async function generateEvaluationSet(datasetDir: string, outDir: string, options: EvaluationSetOptions): Promise<EvaluationPage[]> {
  const { documentsPerKind, seed } = options;
  if (!Number.isInteger(documentsPerKind) || documentsPerKind < 1 || documentsPerKind > DOCUMENTS_PER_KIND_MAX) {
    throw new RangeError(`documentsPerKind must be 1..${DOCUMENTS_PER_KIND_MAX}, got ${documentsPerKind}`);
  }
  const degradations = options.degradations ?? DEGRADATIONS;
  mkdirSync(outDir, { recursive: true });
  const reader = await DatasetReader.open(datasetDir);
  const pages: EvaluationPage[] = [];
  try {
    const documents = await chooseDocuments(reader, documentsPerKind, seed);
    const rng = new Rng(seed, 'selfproof-degradations');
    // One page at a time: a canvas is only alive while its degradations are written.
    for (const [documentId, render] of documents) {
      const rendered = render();
      for (const degradation of degradations) {
        const file = `${documentId}-${degradation}.jpg`;
        writeFileSync(join(outDir, file), await degrade(rendered.canvas, degradation, rng, rendered.stampAt));
        pages.push({ file, kind: rendered.truth.kind, degradation, documentId, fields: rendered.truth.fields });
      }
    }
  } finally {
    reader.close();
  }
  writeFileSync(join(outDir, TRUTH_FILE), pages.map((page) => JSON.stringify(page)).join('\n') + '\n');
  return pages;
}

async function chooseDocuments(reader: DatasetReader, count: number, seed: number): Promise<[string, () => RenderedDocument][]> {
  const order = (column: string) => `hash(${column} || '${Math.trunc(seed)}')`;
  const enterprises = new Map<string, EnterpriseRecord>();
  const enterprise = async (code: string): Promise<EnterpriseRecord> => {
    let found = enterprises.get(code);
    if (!found) {
      const [row] = await reader.records('enterprises', `creditCode = '${code.replace(/'/g, "''")}'`, 'creditCode');
      found = row as unknown as EnterpriseRecord;
      enterprises.set(code, found);
    }
    return found;
  };
  const documents: [string, () => RenderedDocument][] = [];
  const invoices = await reader.query(`SELECT * FROM invoices WHERE status = 'normal' ORDER BY ${order('invoiceNumber')} LIMIT ${count}`);
  for (const row of invoices) {
    const invoice: InvoiceRecord = {
      invoiceNumber: String(row.invoiceNumber), sellerCode: String(row.sellerCode), buyerCode: String(row.buyerCode),
      issueDate: String(row.issueDate), amountFen: Number(row.amountFen), taxFen: Number(row.taxFen),
      taxRateBps: Number(row.taxRateBps), kind: String(row.kind), goodsCategory: String(row.goodsCategory),
    };
    const seller = await enterprise(invoice.sellerCode), buyer = await enterprise(invoice.buyerCode);
    documents.push([`invoice-${invoice.invoiceNumber}`, () => renderInvoice(invoice, seller, buyer)]);
  }
  const registered = await reader.query(`SELECT creditCode FROM enterprises ORDER BY ${order('creditCode')} LIMIT ${count}`);
  for (const row of registered) {
    const registration = await enterprise(String(row.creditCode));
    documents.push([`licence-${registration.creditCode}`, () => renderLicence(registration)]);
  }
  const pairs = await reader.query(`
    SELECT sellerCode, buyerCode, min(issueDate)::VARCHAR AS firstDate, sum(amountFen + taxFen)::BIGINT AS totalFen, min(goodsCategory) AS goodsCategory
    FROM invoices WHERE status = 'normal' GROUP BY sellerCode, buyerCode ORDER BY ${order("sellerCode || buyerCode")} LIMIT ${count}`);
  for (const pair of pairs) {
    const firstDate = String(pair.firstDate);
    const signed = new Date(Date.parse(`${firstDate}T00:00:00Z`) - 14 * 86_400_000).toISOString().slice(0, 10);
    const amountFen = Math.max(100, Math.round(Number(pair.totalFen) / 100) * 100);
    const seller = await enterprise(String(pair.sellerCode));
    const buyer = await enterprise(String(pair.buyerCode));
    const goodsCategory = String(pair.goodsCategory);
    documents.push([`contract-${seller.creditCode}-${buyer.creditCode}`, () => renderContract({ seller, buyer, amountFen, signedDate: signed, goodsCategory })]);
  }
  return documents;
}
