/**
 * The early-warning step of the nightly close (src/loans/close.ts `CloseStep`): for every enterprise with
 * loans, its warning as of the close date, kept by the close under (date, enterprise, "early-warning",
 * strategy version#hash). Fresh data comes from a `DossierSource`; what is known about fraud and the
 * rescored model, from an optional `WarningContextSource` (unknown otherwise: those signals stay silent).
 */
import type { ClosedLoan, CloseStep } from '../loans/close.ts';
import type { Json } from '../store/index.ts';
import { readCompactDossiers } from '../features/batch.ts';
import type { CompactDossier } from '../features/compact.ts';
import type { Strategy } from '../decision/strategy.ts';
import { loadWarningStrategy, WarningEngine } from './strategy.ts';
import { evaluateWarnings, type Warning, type WarningContext } from './warnings.ts';
import { Rescorer } from './rescore.ts';

export const WARNING_STEP = 'early-warning';

export interface DossierSource { dossierOf(creditCode: string, asOf: string): Promise<CompactDossier | null> }

/** What is known besides fresh data for a borrower on a date; `loans`, when the close calls it, are its open loans. */
export type WarningContextSource = (creditCode: string, asOf: string, loans?: readonly ClosedLoan[]) => Promise<Omit<WarningContext, 'creditCode'>>;

/** Every enterprise's compact dossier as of a date, by credit code. */
export interface DatasetDossiers extends DossierSource { dossiersAt(asOf: string): Promise<ReadonlyMap<string, CompactDossier>> }

/** Dates whose dossiers a dataset source keeps: the close date and the booking dates rescoring reads beside it. */
const DOSSIER_DATES_KEPT = 4;

/**
 * Compact dossiers of a dataset, read once per as-of date and kept for a few dates (the close runs one date at a
 * time; the warning step and rescoring read the same dates), shared by every step given this source.
 */
export function datasetDossierSource(datasetDir: string): DatasetDossiers {
  const dates = new Map<string, Promise<Map<string, CompactDossier>>>();
  const dossiersAt = (asOf: string) => {
    let found = dates.get(asOf);
    if (!found) {
      found = readCompactDossiers(datasetDir, asOf).then(({ codes, dossiers }) => new Map(codes.map((c, k) => [c, dossiers[k]!])));
      dates.set(asOf, found);
      if (dates.size > DOSSIER_DATES_KEPT) dates.delete(dates.keys().next().value!);
    }
    return found;
  };
  return { dossiersAt, async dossierOf(creditCode, asOf) { return (await dossiersAt(asOf)).get(creditCode) ?? null; } };
}

/** What the close keeps of a warning: plain JSON, the evidence included. */
export function warningRecord(warning: Warning): Json {
  return JSON.parse(JSON.stringify({
    level: warning.level, codes: warning.reasons.map((r) => r.code), actions: warning.actions, evidence: warning.evidence,
    strategy: `${warning.strategy.id}@${warning.strategy.version}#${warning.strategy.hash.slice(0, 12)}`,
  })) as Json;
}

export interface WarningStepOptions {
  dossiers: DossierSource;
  context?: WarningContextSource;
  strategy?: Strategy;
  engine?: WarningEngine;
}

export function warningCloseStep(options: WarningStepOptions): CloseStep {
  const strategy = options.strategy ?? loadWarningStrategy();
  const engine = options.engine ?? new WarningEngine();
  const version = `${strategy.header.version}#${strategy.hash.slice(0, 12)}`;
  return async ({ date, enterpriseId, loans }) => {
    const dossier = await options.dossiers.dossierOf(enterpriseId, date);
    if (!dossier) return null; // no fresh data for it: nothing to warn on, nothing kept
    const context = { creditCode: enterpriseId, ...(options.context ? await options.context(enterpriseId, date, loans) : {}) };
    const warning = await evaluateWarnings(engine, strategy, dossier, date, context);
    return { step: WARNING_STEP, version, result: warningRecord(warning) };
  };
}

/**
 * `closeSteps` for worker processes (queue.ts loads modules exporting it): the early-warning step over the
 * dataset named by PUHUI_MONITORING_DATASET, when set, rescored with the model file PUHUI_MONITORING_MODEL when that is set.
 */
export const closeSteps: CloseStep[] = process.env.PUHUI_MONITORING_DATASET
  ? [datasetWarningStep(datasetDossierSource(process.env.PUHUI_MONITORING_DATASET), process.env.PUHUI_MONITORING_MODEL ?? null)]
  : [];

/** The warning step over a dataset's dossiers, rescored with a model file when one is given. */
export function datasetWarningStep(dossiers: DatasetDossiers, modelFile: string | null): CloseStep {
  return warningCloseStep({ dossiers, ...(modelFile ? { context: new Rescorer(dossiers, modelFile).context() } : {}) });
}

/** Ring members of an anti-fraud report (src/fraud `detectFraud`): enterprises whose typology is a ring. */
export function ringMembersOf(report: { enterprises: readonly { creditCode: string; typology: string | null }[] }): Set<string> {
  return new Set(report.enterprises.filter((e) => e.typology === 'ring').map((e) => e.creditCode));
}

/**
 * A context source for the warning step from two anti-fraud runs: the one at booking and the latest one dated
 * by the close (`W_RING_NEW` fires for a member now that was not one at booking). A report dated after the
 * close is refused: the warning would see the future.
 */
export function ringContext(atBooking: { asOf: string; enterprises: readonly { creditCode: string; typology: string | null }[] }, latest: typeof atBooking): WarningContextSource {
  const before = ringMembersOf(atBooking);
  const now = ringMembersOf(latest);
  return async (creditCode, asOf) => {
    if (latest.asOf > asOf) throw new RangeError(`the anti-fraud report of ${latest.asOf} is after the close of ${asOf}`);
    return { ringNow: now.has(creditCode), ringAtBooking: before.has(creditCode) };
  };
}
