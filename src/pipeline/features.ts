/**
 * The feature table of a dataset as of a date, and optionally its information-value report: what
 * `puhui features`, the demo and the decisions over a dataset share.
 *
 * Features whose source entity the dataset does not hold (never imported: bank statements, bureau reports …)
 * are written as missing, not as the zeros an absent file would otherwise look like, and the run names
 * those entities.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { EntityName } from '../domain/columns.ts';
import { FEATURES } from '../features/index.ts';
import { computeFeatureTable, featureSqlType, featureTableSource, referenceFileOf, WORKERS_MAX } from '../features/batch.ts';
import { quoteText } from '../data/sql-checks.ts';
import { checkInputFile, checkOutputFile, datasetAsOf, entityPath, RequestError } from './dataset.ts';
import { featureReport, type FeatureReport } from './feature-report.ts';

export const FEATURE_TABLE_EXTENSIONS = ['.parquet', '.csv'] as const;

export interface FeatureTableRequest {
  datasetDir: string;
  /** Null: the manifest's observation date. */
  asOf: string | null;
  /** Null: computed into a scratch folder (for the report alone). */
  outFile: string | null;
  report: boolean;
  /** Outcomes for the report; null: the dataset's own labels. */
  labelsFile: string | null;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface FeatureTableRun {
  asOf: string;
  enterprises: number;
  seconds: number;
  outFile: string | null;
  referenceFile: string | null;
  referenceGroups: number;
  /** Entities the dataset does not hold; the features that read them are missing. */
  unavailable: EntityName[];
  /** Features written as missing because an entity they read is unavailable. */
  featuresUnavailable: string[];
  report: FeatureReport | null;
}

/** Everything that can be wrong with a request, found before minutes of computing. */
function checkRequest(request: FeatureTableRequest) {
  const opened = datasetAsOf(request.datasetDir, request.asOf, ['invoices'], 'the feature table');
  if (request.outFile !== null) checkOutputFile(request.outFile, '--out', FEATURE_TABLE_EXTENSIONS);
  if (request.workers !== undefined && (!Number.isSafeInteger(request.workers) || request.workers < 0 || request.workers > WORKERS_MAX)) {
    throw new RequestError(`--workers must be a whole number 0..${WORKERS_MAX}, got ${request.workers}`);
  }
  let labels: string | null = null;
  if (request.report) {
    if (request.labelsFile !== null) checkInputFile(request.labelsFile, '--labels');
    labels = request.labelsFile ?? entityPath(opened.contents, 'labels');
    if (labels === null) throw new RequestError('the report needs outcomes: give --labels FILE (creditCode, defaultMonth …); the dataset has none');
  }
  return { ...opened, labels };
}

export async function runFeatureTable(request: FeatureTableRequest): Promise<FeatureTableRun> {
  const { contents, asOf, labels } = checkRequest(request);
  const scratch = request.outFile === null ? mkdtempSync(join(tmpdir(), 'puhui-features-')) : null;
  const outFile = request.outFile ?? join(scratch!, 'features.parquet');
  try {
    const result = await computeFeatureTable({ datasetDir: contents.dir, asOf, outFile, workers: request.workers, onProgress: request.onProgress });
    const featuresUnavailable = await blankUnavailable(outFile, contents.unavailable);
    const report = request.report
      ? await featureReport(outFile, labels!, entityPath(contents, 'enterprises')!, asOf)
      : null;
    return {
      asOf, enterprises: result.enterprises, seconds: result.seconds, outFile: scratch ? null : result.outFile, referenceFile: scratch ? null : result.referenceFile,
      referenceGroups: result.referenceGroups, unavailable: contents.unavailable.filter((e) => e !== 'labels'), featuresUnavailable, report,
    };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The features that read an unavailable entity. */
export function featuresReading(unavailable: readonly EntityName[]): string[] {
  return FEATURES.filter((f) => f.reads.some((entity) => unavailable.includes(entity))).map((f) => f.id);
}

/** Rewrites the feature table with the features that read an unavailable entity set to missing. */
async function blankUnavailable(featureFile: string, unavailable: readonly EntityName[]): Promise<string[]> {
  const blank = featuresReading(unavailable);
  if (blank.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
  const connection = await instance.connect();
  const rewritten = `${featureFile}.writing`;
  try {
    const replace = blank.map((id) => `NULL::${featureSqlType(FEATURES.find((f) => f.id === id)!)} AS ${id}`).join(', ');
    const format = featureFile.toLowerCase().endsWith('.csv') ? 'csv, HEADER' : 'parquet, COMPRESSION zstd';
    await connection.run(`COPY (SELECT * REPLACE (${replace}) FROM ${featureTableSource(featureFile)}) TO ${quoteText(rewritten)} (FORMAT ${format})`);
    renameSync(rewritten, featureFile);
    return blank;
  } finally {
    rmSync(rewritten, { force: true });
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * A feature table as Parquet, for readers that take only Parquet (the anti-fraud step reads it): a CSV table
 * written by `puhui features --out x.csv` is converted with the catalogue's types into `workDir`, its industry
 * reference copied beside it. A Parquet table is returned as it is.
 */
export async function featureTableAsParquet(featureFile: string, workDir: string): Promise<string> {
  if (!featureFile.toLowerCase().endsWith('.csv')) return featureFile;
  const converted = join(workDir, 'features-from-csv.parquet');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (SELECT * FROM ${featureTableSource(featureFile)}) TO ${quoteText(converted)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  copyFileSync(referenceFileOf(featureFile), referenceFileOf(converted));
  return converted;
}
