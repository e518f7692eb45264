/**
 * Training on a feature table with its HTML report: the work is `trainOnFeatures` (train.ts); this writes the
 * report beside the model. The demo, `puhui train` and the benches call it, so it lives below the CLI.
 */
import { writeFileSync } from 'node:fs';
import { trainOnFeatures, TrainError, type FeatureTrainRequest, type ModelEvaluation } from './train.ts';
import type { ScorecardFile } from '../models/scorecard.ts';
import { renderModelReport } from './model-report.ts';

export { TrainError };

export interface TrainRequest extends FeatureTrainRequest { report: string | null }

export async function runTraining(request: TrainRequest): Promise<{ model: ScorecardFile; evaluation: ModelEvaluation }> {
  const { report, ...training } = request;
  const result = await trainOnFeatures(training);
  if (report) writeReport(report, result.model, result.evaluation);
  return result;
}

export function writeReport(path: string, model: ScorecardFile, evaluation: ModelEvaluation): void {
  try {
    writeFileSync(path, renderModelReport(model, evaluation));
  } catch (error) {
    throw new TrainError(`cannot write the report ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
