/**
 * The synthetic economy's training call kept where the demo and the decision bench import it: the work is
 * `trainOnFeatures` (src/pipeline/train.ts); this adds the HTML report, which is rendering.
 */
import { writeFileSync } from 'node:fs';
import { trainOnFeatures, TrainError, type FeatureTrainRequest, type ModelEvaluation } from '../pipeline/train.ts';
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
