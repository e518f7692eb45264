/**
 * Decisions over a dataset as of a date: the point-in-time feature table, the anti-fraud report, the routed
 * model score and the enterprise's registration become one Applicant per enterprise. One enterprise can
 * also be decided on its own (`applicantFromDossier`): its features are computed online from its dossier, with the
 * same industry reference as the batch, so both paths give the same inputs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetError, datasetFiles } from '../data/index.ts';
import { tableSource } from '../data/sql-checks.ts';
import { registeredBySql } from '../data/outcomes.ts';
import { computeFeatures, FEATURES, type FeatureValue, type IndustryReference } from '../features/index.ts';
import type { Dossier } from '../domain/dossier.ts';
import { computeFeatureTable, featureTableSource, featureValueOf } from '../features/batch.ts';
import { detectFraud, type FraudReport } from '../fraud/index.ts';
import { Scorer } from '../models/scorer.ts';
import type { ColumnValues } from '../models/scorecard.ts';
import type { Applicant } from './decide.ts';
import { fraudSummaries, modelSummary, profileOf, type Application, type EnterpriseProfile, type FraudSummary } from './inputs.ts';

export interface DatasetInputs {
  datasetDir: string;
  asOf: string;
  /** A scorecard, AHP model or model set; without one every enterprise goes without a score. */
  modelFile: string | null;
  /** A feature table of the dataset as of asOf (with its .reference.json); computed when absent. */
  featureFile?: string | null;
  /** A report written by `puhui fraud --out` as of asOf; computed when absent. */
  fraudFile?: string | null;
  /** The anti-fraud report itself, when the caller already has it. */
  fraudReport?: FraudReport | null;
  application: Application;
  workers?: number;
}

export interface PreparedDataset {
  applicants: Applicant[];
  fraudReport: FraudReport;
  seconds: { features: number; fraud: number; /** Reading the feature table with the registrations, and scoring. */ readAndScore: number };
}

export function readFraudReport(path: string, asOf: string): FraudReport {
  let report: FraudReport;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as FraudReport;
  } catch (error) {
    throw new DatasetError(`cannot read the fraud report ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(report.signals) || !Array.isArray(report.enterprises)) throw new DatasetError(`${path} is not a report of 'puhui fraud --out'`);
  if (report.asOf !== asOf) throw new DatasetError(`${path} is as of ${report.asOf}, not ${asOf}: a decision must not use another date's signals`);
  return report;
}

/** Every enterprise of the dataset that is registered by asOf, as an applicant for the same product. */
export async function prepareDataset(options: DatasetInputs): Promise<PreparedDataset> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-decide-'));
  try {
    let started = performance.now();
    const featureFile = options.featureFile ?? join(work, 'features.parquet');
    if (!options.featureFile) await computeFeatureTable({ datasetDir: options.datasetDir, asOf: options.asOf, outFile: featureFile, workers: options.workers });
    const features = performance.now() - started;
    started = performance.now();
    const fraudReport = options.fraudReport ?? (options.fraudFile ? readFraudReport(options.fraudFile, options.asOf) : await detectFraud({ datasetDir: options.datasetDir, asOf: options.asOf, featureFile, workers: options.workers }));
    if (fraudReport.asOf !== options.asOf) throw new DatasetError(`the anti-fraud report is as of ${fraudReport.asOf}, not ${options.asOf}`);
    const fraud = performance.now() - started;
    started = performance.now();
    const rows = await readFeatureRows(options.datasetDir, featureFile, options.asOf);
    const columns: Record<string, ColumnValues> = {};
    for (const f of FEATURES) columns[f.id] = rows.map((r) => r.features[f.id] ?? null);
    const scores = options.modelFile ? new Scorer(options.modelFile).scoreTable(columns, rows.length) : null;
    const summaries = fraudSummaries(fraudReport);
    const applicants = rows.map((r, k): Applicant => ({
      asOf: options.asOf, application: options.application, enterprise: r.profile, features: r.features,
      fraud: summaries.get(r.profile.creditCode) ?? null, model: modelSummary(scores?.[k] ?? null),
    }));
    return { applicants, fraudReport, seconds: { features: features / 1000, fraud: fraud / 1000, readAndScore: (performance.now() - started) / 1000 } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function readFeatureRows(datasetDir: string, featureFile: string, asOf: string): Promise<{ profile: EnterpriseProfile; features: Record<string, FeatureValue> }[]> {
  const enterprises = datasetFiles(datasetDir).find((f) => f.entity === 'enterprises');
  if (!enterprises) throw new DatasetError(`${datasetDir} is not a dataset: it has no enterprises file`);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    const sql = `SELECT e.creditCode, e.status, e.taxpayerType, e.industrySection, e.regionCode, ${FEATURES.map((f) => `f.${f.id}`).join(', ')}
      FROM ${featureTableSource(featureFile)} f JOIN ${tableSource(enterprises.path)} e USING (creditCode)
      WHERE ${registeredBySql('e.establishedDate', asOf)} ORDER BY e.creditCode`;
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    return rows.map((row) => {
      const features: Record<string, FeatureValue> = {};
      for (const f of FEATURES) features[f.id] = featureValueOf(row[f.id]);
      return { profile: { creditCode: String(row.creditCode), status: String(row.status), taxpayerType: String(row.taxpayerType), industrySection: String(row.industrySection), regionCode: String(row.regionCode) }, features };
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export interface OnlineContext {
  asOf: string;
  application: Application;
  /** The dataset's industry reference as of asOf (readIndustryReference beside its feature table). */
  reference: IndustryReference | null;
  fraud: ReadonlyMap<string, FraudSummary>;
  scorer: Scorer | null;
}

/**
 * One enterprise as an applicant, its features computed online from its dossier. The industry reference
 * and the fraud signals come from the whole dataset as of the same date (prepared once, then reused).
 */
export function applicantFromDossier(dossier: Dossier, context: OnlineContext): Applicant {
  const { creditCode, establishedDate } = dossier.enterprise;
  if (establishedDate > context.asOf) throw new DatasetError(`${creditCode} was registered on ${establishedDate}, after ${context.asOf}`);
  const features = computeFeatures(dossier, context.asOf, context.reference);
  return {
    asOf: context.asOf, application: context.application, enterprise: profileOf(dossier.enterprise), features,
    fraud: context.fraud.get(creditCode) ?? null, model: modelSummary(context.scorer ? context.scorer.scoreOne(features) : null),
  };
}
