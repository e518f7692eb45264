/**
 * A strategy (and a challenger) tried on history: every enterprise of the dataset decided as of a date, the
 * challenger in shadow, then compared with what happened in the following months (`puhui backtest`, the demo).
 */
import { writeFileSync } from 'node:fs';
import { readOutcomes, runBacktest, type BacktestReport } from '../lab/backtest.ts';
import type { DecisionRecord } from '../decision/decide.ts';
import { renderBacktestReport } from './backtest-report.ts';
import { checkInputFile, checkOutputFile, entityPath, RequestError } from './dataset.ts';
import { decideInShadow, prepareDecisions, type DecisionSetup, type PreparedDecisions } from './decide.ts';

export interface BacktestRequest {
  /** Outcomes (creditCode, defaultMonth, optionally fraudKind); null: the dataset's labels. */
  labelsFile: string | null;
  /** The HTML report to write, or null. */
  reportFile: string | null;
}

export interface BacktestRun { report: BacktestReport; reportFile: string | null; skipped: PreparedDecisions['skipped'] }

/** The labels file of a backtest, checked before any work. */
export function backtestLabels(setup: DecisionSetup, request: BacktestRequest): string {
  if (request.labelsFile !== null) checkInputFile(request.labelsFile, '--labels');
  const labels = request.labelsFile ?? entityPath(setup.contents, 'labels');
  if (labels === null) throw new RequestError('a backtest needs outcomes: give --labels FILE (creditCode, defaultMonth and optionally fraudKind); the dataset has none');
  if (request.reportFile !== null) checkOutputFile(request.reportFile, '--report', ['.html']);
  return labels;
}

/** The backtest of decisions already made on prepared applicants. */
export async function backtestRecords(setup: DecisionSetup, prepared: PreparedDecisions, records: readonly DecisionRecord[], labelsFile: string): Promise<BacktestReport> {
  return runBacktest({
    asOf: setup.asOf, records, outcomes: await readOutcomes(labelsFile),
    profiles: new Map(prepared.applicants.map((a) => [a.enterprise.creditCode, a.enterprise])),
    lossGivenDefault: { champion: setup.champion.header.lossGivenDefault, challenger: setup.experiment?.challenger.header.lossGivenDefault ?? null },
  });
}

export async function runBacktestOn(setup: DecisionSetup, request: BacktestRequest, onStage?: (stage: string) => void): Promise<BacktestRun> {
  const labels = backtestLabels(setup, request);
  onStage?.('features, anti-fraud, scores');
  const prepared = await prepareDecisions(setup);
  onStage?.('decisions');
  const report = await backtestRecords(setup, prepared, await decideInShadow(setup, prepared.applicants), labels);
  if (request.reportFile !== null) writeFileSync(request.reportFile, renderBacktestReport(report));
  return { report, reportFile: request.reportFile, skipped: prepared.skipped };
}
