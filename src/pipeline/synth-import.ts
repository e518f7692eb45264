/**
 * The first two steps of the pipeline: a synthetic economy written to a folder, and a folder of raw entity
 * files imported into a dataset. Output folders are checked before any work.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { importDataset, ImportError, type ImportSummary } from '../data/index.ts';
import type { EntityName } from '../domain/columns.ts';
import { generateEconomy, validateSynthConfig, type SynthConfig, type SynthResult, type SynthStage } from '../synth/index.ts';
import { RequestError } from './dataset.ts';

/** A folder the step will create or fill: it may exist (as a folder); its parent must. */
export function checkTargetFolder(dir: string, flag: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new RequestError(`${flag} ${dir} is a file, not a folder`);
    return;
  }
  const parent = dirname(dir);
  if (!existsSync(parent)) throw new RequestError(`${flag} ${dir}: the folder ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new RequestError(`${flag} ${dir}: ${parent} is a file, not a folder`);
}

export function runSynth(config: SynthConfig, dir: string, onProgress?: (stage: SynthStage, done: number, total: number) => void): SynthResult {
  validateSynthConfig(config);
  checkTargetFolder(dir, '--out');
  return generateEconomy(config, dir, onProgress);
}

export interface ImportRequest { sourceDir: string; targetDir: string; allowExternalCounterparties: boolean }

/** Imports, and refuses (after the summary is known) an import whose first failing file broke the dataset. */
export async function runImport(request: ImportRequest, onProgress?: (entity: EntityName, done: number, total: number) => void): Promise<ImportSummary> {
  if (!existsSync(request.sourceDir)) throw new ImportError(`source folder ${request.sourceDir} does not exist`);
  checkTargetFolder(request.targetDir, '--out');
  return importDataset({ ...request, onProgress });
}
