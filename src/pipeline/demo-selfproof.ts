/**
 * The demo's self-proof step (issue #15): one enterprise the default strategy approved photographs its largest
 * invoice — rendered from the economy's own records, turned on the desk and photographed (the `rotation`
 * degradation) — which is read offline, verified against the records and raises its limit; then the same
 * invoice forged (its amount tripled, tax and totals made to agree) is read, contradicted by the records and
 * sends the application to review with no uplift. Two pages; the OCR models load once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader } from '../data/index.ts';
import type { Applicant, DecisionRecord } from '../decision/decide.ts';
import { DecisionService } from '../decision/decide.ts';
import { StrategyEngine } from '../decision/engine.ts';
import type { SelfProofSummary } from '../decision/inputs.ts';
import type { Strategy } from '../decision/strategy.ts';
import { selfProofSummary } from '../selfproof/evidence.ts';
import { OcrPool } from '../selfproof/ocr-pool.ts';
import { invoicePhoto, largestSaleOf, type InvoicePhoto } from '../selfproof/photo.ts';
import { readDocument } from '../selfproof/read.ts';
import { verifyDocument, type VerificationStrength } from '../selfproof/verify.ts';

/** Enterprises looked at, in credit-code order, for one whose limit a document can raise. */
const CANDIDATES_MAX = 200;
/** The limit must leave room under the product cap for an uplift to show. */
const LIMIT_ROOM_FEN = 200_000_000;
/** The invoice must be large enough for 30% of it to be at least one limit step (10,000 yuan). */
const SALE_FEN_MIN = 4_000_000;

export interface SelfproofDemoDocument {
  file: string;
  invoiceNumber: string;
  totalFenPrinted: number;
  fieldsRead: number;
  strength: VerificationStrength;
  contradicted: string[];
  selfProof: SelfProofSummary;
  outcome: string;
  limitFen: number | null;
  reasons: string[];
}

export interface SelfproofDemo {
  creditCode: string;
  before: { outcome: string; limitFen: number | null };
  genuine: SelfproofDemoDocument;
  forged: SelfproofDemoDocument;
}

interface Inputs { root: string; dataset: string; champion: Strategy; applicants: readonly Applicant[]; decisions: readonly DecisionRecord[] }

/** The first approved (else reviewed) enterprise with room under its caps and a sale large enough to show an uplift. */
async function chooseApplicant(reader: DatasetReader, inputs: Inputs): Promise<{ applicant: Applicant; record: DecisionRecord; sale: NonNullable<Awaited<ReturnType<typeof largestSaleOf>>> } | null> {
  const rank = (r: DecisionRecord) => (r.decision.outcome === 'approve' ? 0 : 1);
  const candidates = inputs.decisions
    .filter((r) => r.decision.outcome !== 'decline' && r.decision.limitFen !== null && r.decision.limitFen < LIMIT_ROOM_FEN)
    .sort((a, b) => rank(a) - rank(b) || (a.creditCode < b.creditCode ? -1 : 1)).slice(0, CANDIDATES_MAX);
  for (const record of candidates) {
    const sale = await largestSaleOf(reader, record.creditCode);
    if (!sale || sale.amountFen + sale.taxFen < SALE_FEN_MIN) continue;
    const applicant = inputs.applicants.find((a) => a.enterprise.creditCode === record.creditCode);
    if (applicant) return { applicant, record, sale };
  }
  return null;
}

async function readAndDecide(photo: InvoicePhoto, file: string, context: { pool: OcrPool; reader: DatasetReader; service: DecisionService; applicant: Applicant }): Promise<SelfproofDemoDocument> {
  writeFileSync(file, photo.bytes);
  const [page] = await readDocument(photo.bytes, context.pool, file);
  const verification = await verifyDocument(page!.extracted, context.reader);
  const selfProof = selfProofSummary([verification], context.applicant.enterprise.creditCode);
  const { decision } = await context.service.decide({ ...context.applicant, selfProof });
  return {
    file, invoiceNumber: photo.invoice.invoiceNumber, totalFenPrinted: photo.totalFen,
    fieldsRead: Object.values(page!.extracted.fields).filter((v) => v !== null).length,
    strength: verification.strength, contradicted: verification.fields.filter((f) => f.status === 'contradicted').map((f) => f.field),
    selfProof, outcome: decision.outcome, limitFen: decision.limitFen, reasons: decision.reasons.map((r) => r.code),
  };
}

/** Runs the step; null when no enterprise of the economy qualifies (a very small economy). */
export async function runSelfproofDemo(inputs: Inputs): Promise<SelfproofDemo | null> {
  const reader = await DatasetReader.open(inputs.dataset);
  const engine = new StrategyEngine();
  const pool = new OcrPool({ workers: 1, threadsPerWorker: 2, pageTimeoutMs: 120_000 });
  try {
    const chosen = await chooseApplicant(reader, inputs);
    if (!chosen) return null;
    const context = { pool, reader, service: new DecisionService(engine, { champion: inputs.champion }), applicant: chosen.applicant };
    const genuine = await readAndDecide(await invoicePhoto(reader, chosen.sale, { degradation: 'rotation', seed: 1 }), join(inputs.root, 'selfproof-invoice.jpg'), context);
    const forged = await readAndDecide(await invoicePhoto(reader, chosen.sale, { degradation: 'rotation', seed: 2, forgedAmountFactor: 3 }), join(inputs.root, 'selfproof-forged.jpg'), context);
    return { creditCode: chosen.record.creditCode, before: { outcome: chosen.record.decision.outcome, limitFen: chosen.record.decision.limitFen }, genuine, forged };
  } finally {
    await pool.close();
    engine.dispose();
    reader.close();
  }
}

/** The step for people: what was read, how it verified, what it did to the decision. */
export function renderSelfproofDemo(demo: SelfproofDemo | null): string[] {
  if (demo === null) return ['Self-proof 自证: no enterprise in this economy that is not declined, has room under its caps and a large enough invoice'];
  const yuan = (fen: number | null) => (fen === null ? '—' : `¥${(fen / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`);
  const line = (label: string, d: SelfproofDemoDocument) =>
    `  ${label} ${d.file}: invoice ${d.invoiceNumber}, total ${yuan(d.totalFenPrinted)} printed, ${d.fieldsRead} fields read, verification ${d.strength}`
    + `${d.contradicted.length > 0 ? ` (contradicted: ${d.contradicted.join(', ')})` : ''} → ${d.outcome}, limit ${yuan(d.limitFen)}; ${d.reasons.join(', ')}`;
  return [
    `Self-proof 自证: ${demo.creditCode} (${demo.before.outcome}, limit ${yuan(demo.before.limitFen)} on its data) photographs its largest invoice:`,
    line('genuine', demo.genuine),
    line('forged ', demo.forged),
  ];
}
