/**
 * What Puhui hands a strategy: the application, the enterprise's profile, its point-in-time features, its
 * fraud signals, its routed model score and the market (LPR). Field names are the strategy's vocabulary:
 * a table column reads `features.tax_grade`, `fraud.high`, `model.pd`, `market.lpr1yBps`.
 */
import type { Enterprise } from '../domain/entities.ts';
import type { FeatureValue } from '../features/index.ts';
import type { FraudReport } from '../fraud/index.ts';
import type { ModelScore } from '../models/scorer.ts';
import { LPR_CEILING_MULTIPLE, lprOn } from './lpr.ts';

export interface Application { product: string; amountFen: number | null; termMonths: number | null }

export interface FraudSummary { typology: string | null; high: number; medium: number; codes: string[] }

export interface ModelSummary { model: string; segment: string; score: number; pd: number | null; grade: string | null }

export interface EnterpriseProfile { creditCode: string; status: string; taxpayerType: string; industrySection: string; regionCode: string }

/**
 * Self-proof (自证) evidence: documents the owner uploaded, read by OCR and verified against the records
 * (src/selfproof). Only documents about the applicant count as evidence; a contradicted one counts whoever
 * it names. Absent means no documents.
 */
export interface SelfProofSummary {
  documents: number;
  strong: number;
  partial: number;
  contradicted: number;
  /** Sales evidenced by strongly verified documents (invoices whose every key field matches the records), in fen. */
  strongEvidenceFen: number;
  /** Sales evidenced by partially verified documents (contracts with a real trading partner), in fen. */
  partialEvidenceFen: number;
}

export const NO_SELF_PROOF: SelfProofSummary = Object.freeze({ documents: 0, strong: 0, partial: 0, contradicted: 0, strongEvidenceFen: 0, partialEvidenceFen: 0 });

export interface StrategyInput {
  asOf: string;
  application: Application;
  enterprise: EnterpriseProfile;
  features: Record<string, FeatureValue>;
  fraud: FraudSummary;
  model: ModelSummary | null;
  market: { lpr1yBps: number; lprCeilingBps: number };
  selfProof?: SelfProofSummary;
}

export const NO_FRAUD: FraudSummary = Object.freeze({ typology: null, high: 0, medium: 0, codes: [] }) as FraudSummary;

/** Fraud signals per enterprise: its typology (if any), how many high and medium signals, and their codes. */
export function fraudSummaries(report: Pick<FraudReport, 'enterprises' | 'signals'>): Map<string, FraudSummary> {
  const summaries = new Map<string, FraudSummary>();
  for (const flagged of report.enterprises) summaries.set(flagged.creditCode, { typology: flagged.typology, high: 0, medium: 0, codes: [] });
  for (const s of report.signals) {
    let summary = summaries.get(s.creditCode);
    if (!summary) summaries.set(s.creditCode, (summary = { typology: null, high: 0, medium: 0, codes: [] }));
    if (s.severity === 'high') summary.high++;
    else if (s.severity === 'medium') summary.medium++;
    if (!summary.codes.includes(s.code)) summary.codes.push(s.code);
  }
  return summaries;
}

export function profileOf(enterprise: Pick<Enterprise, 'creditCode' | 'status' | 'taxpayerType' | 'industrySection' | 'regionCode'>): EnterpriseProfile {
  return { creditCode: enterprise.creditCode, status: enterprise.status, taxpayerType: enterprise.taxpayerType, industrySection: enterprise.industrySection, regionCode: enterprise.regionCode };
}

export function modelSummary(score: ModelScore | null): ModelSummary | null {
  if (!score || !Number.isFinite(score.score)) return null;
  return { model: score.model, segment: score.segment, score: score.score, pd: score.probability, grade: score.grade };
}

export function marketOn(asOf: string): StrategyInput['market'] {
  const lpr = lprOn(asOf).rateBps;
  return { lpr1yBps: lpr, lprCeilingBps: lpr * LPR_CEILING_MULTIPLE };
}

/** Magnitudes the rules engine's decimal numbers hold exactly; beyond them its native layer aborts the process. */
export const ENGINE_NUMBER_MAX = 1e15;
export const ENGINE_NUMBER_MIN_MAGNITUDE = 1e-12;

/**
 * A number the engine can take: NaN and infinities become null, magnitudes under 1e-12 become 0 and
 * magnitudes over 1e15 (a thousand times any enterprise's sales in fen) are clamped. Found by test: the
 * engine's native binding panics, killing the process, on 1e-30 or 1e20.
 */
export function engineNumber(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  const magnitude = Math.abs(value);
  if (magnitude < ENGINE_NUMBER_MIN_MAGNITUDE) return 0;
  if (magnitude > ENGINE_NUMBER_MAX) return Math.sign(value) * ENGINE_NUMBER_MAX;
  return value;
}

/** A deep copy of a strategy input with every number made safe for the engine. */
export function engineSafe(value: unknown): unknown {
  if (typeof value === 'number') return engineNumber(value);
  if (typeof value === 'bigint') return engineNumber(Number(value));
  if (Array.isArray(value)) return value.map(engineSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = engineSafe((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
