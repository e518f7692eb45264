/**
 * The economy a platform simulation runs over: a synthetic economy (src/synth) generated and imported once into
 * a work folder, its snapshot as of the observation date (what the platform knows when the simulation starts:
 * the rating and every bank decision read it), and the ground truth the simulation takes its defaults from —
 * each enterprise's first month in default, from the economy's own outcomes (labels). Nothing after the
 * observation date is visible to any decision; only the defaults the world then produces are.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetReader, datasetFiles, importDataset, readManifest } from '../data/index.ts';
import { addMonths } from '../domain/period.ts';
import { runFeatureTable } from '../pipeline/features.ts';
import { runTraining } from '../pipeline/train-report.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { buildSnapshot, openSnapshot, type Snapshot } from '../pipeline/snapshot.ts';
import { DEFAULT_SYNTH_CONFIG, generateEconomy, validateSynthConfig, type SynthConfig } from '../synth/index.ts';

export class SimulationError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'simulation');
  }
}

export interface SimulationFirm {
  creditCode: string;
  name: string;
  industrySection: string;
  regionCode: string;
  /** First month in default (YYYY-MM) or null: the world's outcome, never shown to a decision. */
  defaultMonth: string | null;
}

export interface SimulationEconomy {
  config: SynthConfig;
  datasetDir: string;
  snapshot: Snapshot;
  /** Every enterprise registered and active by the snapshot's date, by credit code (sorted). */
  firms: SimulationFirm[];
  /** The scorecard the banks' strategies read: trained as of a year before the start on the outcomes known by then. */
  modelFile: string;
}

/** Generates, imports and snapshots the economy in `workDir` (reused when it is already there, complete). */
export async function prepareEconomy(input: { enterprises: number; seed: number; workDir: string; onProgress?: (step: string) => void }): Promise<SimulationEconomy> {
  const config: SynthConfig = { ...DEFAULT_SYNTH_CONFIG, enterprises: input.enterprises, seed: input.seed };
  validateSynthConfig(config);
  const root = resolve(input.workDir, `economy-${config.enterprises}-${config.seed}`);
  const rawDir = join(root, 'raw');
  const datasetDir = join(root, 'dataset');
  if (!readManifest(datasetDir)) {
    input.onProgress?.('generating the economy');
    if (!existsSync(join(rawDir, 'labels.csv'))) generateEconomy(config, rawDir);
    input.onProgress?.('importing it');
    const summary = await importDataset({ sourceDir: rawDir, targetDir: datasetDir });
    if (summary.rootCause) throw new SimulationError(`the synthetic economy did not import: ${summary.rootCause}`);
  }
  const asOf = readManifest(datasetDir)?.observationDate;
  if (!asOf) throw new SimulationError(`${datasetDir} has no observation date`);
  input.onProgress?.('building the snapshot');
  const info = await buildSnapshot({ datasetDir, asOf, outDir: join(root, 'snapshots'), workers: 1 });
  const modelFile = await trainScorecard(root, datasetDir, asOf, join(info.dir, 'features.parquet'), input.onProgress);
  const snapshot = openSnapshot(info.dir);
  const reader = await DatasetReader.open(datasetDir);
  try {
    const rows = await reader.query(`SELECT e.creditCode, e.name, e.industrySection, e.regionCode, CAST(l.defaultMonth AS VARCHAR) AS defaultMonth
      FROM enterprises e LEFT JOIN labels l USING (creditCode) WHERE e.status = 'active' ORDER BY e.creditCode`);
    const firms = rows.map((r) => ({
      creditCode: String(r.creditCode), name: String(r.name), industrySection: String(r.industrySection), regionCode: String(r.regionCode),
      defaultMonth: r.defaultMonth === null || r.defaultMonth === undefined ? null : String(r.defaultMonth).slice(0, 7),
    })).filter((firm) => snapshot.has(firm.creditCode));
    return { config, datasetDir, snapshot, firms, modelFile };
  } finally {
    reader.close();
  }
}

/** A small L2 penalty: a small economy's defaults are few, and a feature may separate them perfectly. */
const SCORECARD_L2 = 1;

/**
 * The scorecard banks decide with, as the demo trains it (src/pipeline/demo.ts): features a year before the start,
 * the defaults of the following 12 months — all known by the start — and the start's own features as the test
 * set. Kept in the economy folder; a second run reuses it.
 */
async function trainScorecard(root: string, datasetDir: string, asOf: string, featuresNow: string, onProgress?: (step: string) => void): Promise<string> {
  const modelFile = join(root, 'scorecard.json');
  if (existsSync(modelFile)) return modelFile;
  const labels = datasetFiles(datasetDir).find((file) => file.entity === 'labels');
  if (!labels) throw new SimulationError(`${datasetDir} has no labels: the simulation takes its defaults from them`);
  const trainAsOf = `${addMonths(asOf.slice(0, 7), -12)}-01`;
  const featuresBefore = join(root, `features-${trainAsOf}.parquet`);
  onProgress?.('training the banks\' scorecard');
  await runFeatureTable({ datasetDir, asOf: trainAsOf, outFile: featuresBefore, report: false, labelsFile: null });
  await runTraining({
    features: featuresBefore, labels: labels.path, target: null, asOf: trainAsOf, testFeatures: featuresNow, testAsOf: asOf,
    testShare: 0, seed: 1, out: modelFile, report: null, options: { l2: SCORECARD_L2 },
  });
  return modelFile;
}
