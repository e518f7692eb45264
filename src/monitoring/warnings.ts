/**
 * Post-loan early warning for one enterprise as of one date: the fresh-data signals (signals.ts, point in
 * time), what is known from the booking (ring membership, the probability of default then) and now, through
 * the warning strategy (strategies/early-warning.json) to red/yellow/green with reason codes, the evidence
 * each code rests on, and the actions it asks for.
 */
import { asOfDayOf } from '../features/compute.ts';
import type { CompactDossier } from '../features/compact.ts';
import type { Strategy } from '../decision/strategy.ts';
import { warningSignals, type WarningSignals } from './signals.ts';
import type { WarningCode } from './reasons.ts';
import type { WarningEngine, WarningInput, WarningOutcome } from './strategy.ts';

/** What is known besides the fresh data: anti-fraud and the rescored model, now and at booking (null: unknown). */
export interface WarningContext {
  creditCode: string;
  ringNow?: boolean | null;
  ringAtBooking?: boolean | null;
  pdNow?: number | null;
  pdAtBooking?: number | null;
}

export interface Evidence { signal: string; value: number | string | null }

export interface Warning extends WarningOutcome {
  creditCode: string;
  asOf: string;
  /** Per warning code, the values it was raised on. */
  evidence: Partial<Record<WarningCode, Evidence[]>>;
  signals: WarningSignals;
}

/** Which inputs each code reads, for its evidence. */
const EVIDENCE: Record<WarningCode, readonly string[]> = {
  W_SALES_COLLAPSE: ['signals.declaredChange3mYoy'],
  W_INVOICE_FALLING: ['signals.invoiceChange3mYoy', 'signals.invoiceChange6mYoy'],
  W_BANK_INFLOW_COLLAPSE: ['signals.bankInflowChange3mYoy'],
  W_BANK_INFLOW_FALLING: ['signals.bankInflowChange3mYoy'],
  W_SALES_FALLING: ['signals.declaredChange3mYoy'],
  W_DISHONEST: ['signals.dishonestOpen'],
  W_BUREAU_OVERDUE: ['signals.bureauOverdue'],
  W_BUREAU_INQUIRIES: ['signals.bureauInquiries3m'],
  W_TAX_GRADE_D: ['signals.taxGrade'],
  W_TAX_GRADE_DROP: ['signals.taxGrade', 'signals.taxGradeTrend'],
  W_TAX_ARREARS: ['signals.taxArrearsFen6m'],
  W_LATE_FILINGS: ['signals.lateFilings12m'],
  W_FILING_STOPPED: ['signals.monthsSinceLastReturn'],
  W_COURT_NEW: ['signals.newDefendantCases6m'],
  W_RING_NEW: ['fraud.ringNow', 'fraud.ringAtBooking'],
  W_PD_JUMP: ['model.pdNow', 'model.pdAtBooking'],
  W_PD_RISING: ['model.pdNow', 'model.pdAtBooking'],
};

const flag = (value: boolean | null | undefined): number | null => (value === null || value === undefined ? null : value ? 1 : 0);

export function warningInput(dossier: CompactDossier, asOf: string, context: WarningContext): WarningInput {
  return {
    asOf,
    enterprise: { creditCode: context.creditCode, industrySection: dossier.industrySection, regionCode: dossier.regionCode, taxpayerType: dossier.general ? 'general' : 'small_scale' },
    signals: warningSignals(dossier, asOfDayOf(asOf)),
    fraud: { ringNow: flag(context.ringNow), ringAtBooking: flag(context.ringAtBooking) },
    model: { pdNow: context.pdNow ?? null, pdAtBooking: context.pdAtBooking ?? null },
  };
}

function read(input: WarningInput, path: string): number | string | null {
  const [group, key] = path.split('.') as [keyof WarningInput, string];
  const value = (input[group] as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' || typeof value === 'string' ? value : null;
}

/**
 * The warning for one enterprise as of a date. Reads nothing of the dossier dated after `asOf`; what the
 * context says about fraud and the model must itself be as of that date (the caller's promise).
 */
export async function evaluateWarnings(engine: WarningEngine, strategy: Strategy, dossier: CompactDossier, asOf: string, context: WarningContext): Promise<Warning> {
  const input = warningInput(dossier, asOf, context);
  const outcome = await engine.evaluate(strategy, input);
  const evidence: Warning['evidence'] = {};
  for (const reason of outcome.reasons) evidence[reason.code] = EVIDENCE[reason.code].map((signal) => ({ signal, value: read(input, signal) }));
  return { ...outcome, creditCode: context.creditCode, asOf, evidence, signals: input.signals };
}
