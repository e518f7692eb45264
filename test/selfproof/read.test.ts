/**
 * The whole path on a synthetic economy: documents rendered from its records are photographed (degraded),
 * read offline by the OCR pool, extracted, checked and verified against the imported dataset. A handful of
 * OCR pages only; accuracy over hundreds of pages is the evaluation run's job (docs/selfproof.md).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { DatasetReader, importDataset } from '../../src/data/index.ts';
import { Rng } from '../../src/synth/random.ts';
import { degrade } from '../../src/selfproof/degrade.ts';
import { OcrPool, OcrTimeoutError, readDocument, selfProofSummary, verifyDocument } from '../../src/selfproof/index.ts';
import { renderContract, renderInvoice, renderLicence, type EnterpriseRecord, type InvoiceRecord } from '../../src/selfproof/render.ts';
import type { ExtractedDocument } from '../../src/selfproof/extract.ts';
import { economy, temporaryDir } from '../support/economy.ts';

let reader: DatasetReader;
let pool: OcrPool;
let invoice: InvoiceRecord;
let seller: EnterpriseRecord;
let buyer: EnterpriseRecord;
let stranger: EnterpriseRecord;

before(async () => {
  const { dir } = economy({ enterprises: 120, months: 24, seed: 15 });
  const target = join(temporaryDir('selfproof'), 'dataset');
  await importDataset({ sourceDir: dir, targetDir: target });
  reader = await DatasetReader.open(target);
  const [row] = await reader.query(`SELECT * FROM invoices WHERE status = 'normal' AND invoiceNumber NOT IN (SELECT originalInvoiceNumber FROM invoices WHERE originalInvoiceNumber IS NOT NULL) ORDER BY invoiceNumber LIMIT 1`);
  invoice = { invoiceNumber: String(row!.invoiceNumber), sellerCode: String(row!.sellerCode), buyerCode: String(row!.buyerCode), issueDate: String(row!.issueDate), amountFen: Number(row!.amountFen), taxFen: Number(row!.taxFen), taxRateBps: Number(row!.taxRateBps), kind: String(row!.kind), goodsCategory: String(row!.goodsCategory) };
  const enterprise = async (where: string) => (await reader.records('enterprises', where, 'creditCode'))[0] as unknown as EnterpriseRecord;
  seller = await enterprise(`creditCode = '${invoice.sellerCode}'`);
  buyer = await enterprise(`creditCode = '${invoice.buyerCode}'`);
  stranger = await enterprise(`creditCode NOT IN (SELECT buyerCode FROM invoices WHERE sellerCode = '${seller.creditCode}') AND creditCode NOT IN (SELECT sellerCode FROM invoices WHERE buyerCode = '${seller.creditCode}') AND creditCode <> '${seller.creditCode}'`);
  // A generous timeout: on a loaded machine a page can take tens of seconds, and these tests prove reading, not speed.
  pool = new OcrPool({ workers: 1, threadsPerWorker: 2, pageTimeoutMs: 600_000 });
});

after(async () => {
  await pool?.close();
  reader?.close();
});

async function read(bytes: Buffer): Promise<ExtractedDocument> {
  const [page, ...more] = await readDocument(bytes, pool);
  assert.equal(more.length, 0);
  return page!.extracted;
}

test('a photographed invoice, rotated on a desk, is read exactly and verified strong', async () => {
  const rendered = renderInvoice(invoice, seller, buyer);
  const photo = await degrade(rendered.canvas, 'rotation', new Rng(3, 'test'), rendered.stampAt);
  const extracted = await read(photo);
  assert.equal(extracted.kind, 'invoice');
  assert.deepEqual(extracted.fields, rendered.truth.fields);
  assert.deepEqual(extracted.problems, []);
  const verification = await verifyDocument(extracted, reader);
  assert.equal(verification.strength, 'strong');
  assert.ok(verification.fields.every((f) => f.status === 'verified'), JSON.stringify(verification.fields.filter((f) => f.status !== 'verified')));
  assert.equal(verification.subjectCode, seller.creditCode);
  assert.equal(verification.evidenceFen, invoice.amountFen + invoice.taxFen);
  assert.deepEqual(selfProofSummary([verification], seller.creditCode), { documents: 1, strong: 1, partial: 0, contradicted: 0, strongEvidenceFen: invoice.amountFen + invoice.taxFen, partialEvidenceFen: 0 });
  assert.equal(selfProofSummary([verification], buyer.creditCode).strongEvidenceFen, 0, "an invoice proves its seller's sales, not its buyer's");
});

test('a forged invoice — the real number with ten times the amount — is read as printed and contradicted by the records', async () => {
  const forged = { ...invoice, amountFen: invoice.amountFen * 10, taxFen: invoice.taxFen * 10 };
  const rendered = renderInvoice(forged, seller, buyer);
  const extracted = await read(await degrade(rendered.canvas, 'stamp', new Rng(4, 'test'), rendered.stampAt));
  assert.equal(extracted.fields.amountFen, String(forged.amountFen));
  assert.deepEqual(extracted.problems, [], 'the forgery is internally consistent: amount + tax = total');
  const verification = await verifyDocument(extracted, reader);
  assert.equal(verification.strength, 'contradicted');
  const status = Object.fromEntries(verification.fields.map((f) => [f.field, f.status]));
  assert.equal(status.amountFen, 'contradicted');
  assert.equal(status.totalFen, 'contradicted');
  assert.equal(status.checkCode, 'contradicted', 'the check code was printed for the forged amounts');
  assert.equal(status.invoiceNumber, 'verified');
  assert.equal(verification.evidenceFen, 0);
  assert.equal(selfProofSummary([verification], seller.creditCode).contradicted, 1);
});

test("a business licence is read and verified against the registration; facts the registry keeps only as hashes stay unverifiable", async () => {
  const rendered = renderLicence(seller);
  const extracted = await read(await rendered.canvas.encode('png'));
  assert.equal(extracted.kind, 'licence');
  assert.deepEqual(extracted.fields, rendered.truth.fields);
  const verification = await verifyDocument(extracted, reader);
  assert.equal(verification.strength, 'strong');
  const status = Object.fromEntries(verification.fields.map((f) => [f.field, f.status]));
  assert.deepEqual(status, { creditCode: 'verified', name: 'verified', entityType: 'unverifiable', legalRepresentative: 'unverifiable', establishedDate: 'verified', registeredCapitalFen: 'verified', address: 'unverifiable' });
  assert.equal(verification.evidenceFen, 0, 'a licence proves who, not how much');
});

test('verification without OCR: a contract with a real trading partner is partial evidence, with a stranger none, and an unknown number is contradicted', async () => {
  const withPartner = renderContract({ seller, buyer, amountFen: 12_345_600, signedDate: '2024-01-15', goodsCategory: invoice.goodsCategory }).truth;
  const asRead = (fields: Record<string, string>, kind: ExtractedDocument['kind']): ExtractedDocument => ({ kind, fields, problems: [], rows: [] });
  const partner = await verifyDocument(asRead(withPartner.fields, 'contract'), reader);
  assert.equal(partner.strength, 'partial');
  assert.equal(partner.evidenceFen, 12_345_600);
  assert.equal(partner.subjectCode, seller.creditCode);
  const withStranger = renderContract({ seller, buyer: stranger, amountFen: 12_345_600, signedDate: '2024-01-15', goodsCategory: invoice.goodsCategory }).truth;
  const strangerCheck = await verifyDocument(asRead(withStranger.fields, 'contract'), reader);
  assert.equal(strangerCheck.strength, 'none');
  assert.equal(selfProofSummary([strangerCheck], seller.creditCode).partialEvidenceFen, 0, 'an unverifiable document never raises a limit');
  const invented = renderInvoice({ ...invoice, invoiceNumber: `${invoice.invoiceNumber.slice(0, 4)}9999999999999999` }, seller, buyer).truth;
  const unknown = await verifyDocument(asRead(invented.fields, 'invoice'), reader);
  assert.equal(unknown.strength, 'contradicted');
  assert.equal(unknown.fields.find((f) => f.field === 'invoiceNumber')!.status, 'contradicted');
  const misread = await verifyDocument({ kind: 'invoice', fields: { ...renderInvoice(invoice, seller, buyer).truth.fields, sellerCode: 'X' }, problems: [{ field: 'sellerCode', code: 'credit_code_invalid', message: '' }], rows: [] }, reader);
  assert.equal(misread.fields.find((f) => f.field === 'sellerCode')!.status, 'unverifiable', 'a code that fails its own check is a misreading, not a claim');
  assert.equal(misread.strength, 'partial');
});

test('a page that takes longer than the timeout is abandoned with a user error, and the caller stays responsive meanwhile', async () => {
  const impatient = new OcrPool({ workers: 1, threadsPerWorker: 1, pageTimeoutMs: 1 });
  try {
    await impatient.warm();
    const rendered = renderLicence(seller);
    const [page] = await (await import('../../src/selfproof/page.ts')).decodeDocument(await rendered.canvas.encode('png'));
    await assert.rejects(impatient.read(page!), (error: unknown) => error instanceof OcrTimeoutError && error.code === 'ocr_timeout');
    const [second] = await Promise.allSettled([impatient.read(page!)]);
    assert.equal(second!.status, 'rejected', 'the replacement worker times out too: the pool keeps its promise not to stall');
  } finally {
    await impatient.close();
  }
  // The shared pool reads while the event loop keeps turning.
  const rendered = renderContract({ seller, buyer, amountFen: 500_000, signedDate: '2024-03-01', goodsCategory: invoice.goodsCategory });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const extracted = await read(await rendered.canvas.encode('png'));
  clearInterval(ticker);
  assert.ok(ticks > 5, `the event loop turned ${ticks} times while the page was read`);
  assert.deepEqual(extracted.fields, rendered.truth.fields);
});
