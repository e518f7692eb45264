/**
 * Credit decisions over a dataset as of a date, for one enterprise or all of them: the request checked
 * whole before any work (dataset complete, date within the data, strategies, model, files, terms), then the
 * features, the anti-fraud report and the scores, then the strategy (and a challenger) on every applicant.
 * `puhui decide`, `puhui backtest`, the demo and the bench call these; they only parse and render.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetReader, type DatasetContents } from '../data/index.ts';
import { quoteText, tableSource } from '../data/sql-checks.ts';
import { computeFeatureTable, readIndustryReference, referenceFileOf } from '../features/batch.ts';
import { detectFraud, type FraudReport } from '../fraud/index.ts';
import { readModel, Scorer } from '../models/scorer.ts';
import { applicantFromDossier, prepareDataset, readFraudReport, type PreparedDataset } from '../decision/dataset.ts';
import { DecisionService, type Applicant, type DecisionRecord } from '../decision/decide.ts';
import { StrategyEngine, type StrategyResult } from '../decision/engine.ts';
import { fraudSummaries, marketOn, type Application } from '../decision/inputs.ts';
import { checkExperiment, type Experiment } from '../decision/split.ts';
import { loadStrategy, type Strategy } from '../decision/strategy.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { checkInputFile, checkOutputFile, datasetAsOf, RequestError } from './dataset.ts';
import { featuresReading, featureTableAsParquet, FEATURE_TABLE_EXTENSIONS } from './features.ts';

export const DEFAULT_STRATEGY = fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url));
export const DEFAULT_CHALLENGER = fileURLToPath(new URL('../../strategies/tax-loan-challenger.json', import.meta.url));
export const DECISION_OUTPUT_EXTENSIONS = ['.jsonl', '.csv'] as const;
export const TERM_MONTHS_MAX = 360;

export interface DecisionRequest {
  datasetDir: string;
  asOf: string | null;
  /** Null: strategies/tax-loan.json. */
  strategyFile: string | null;
  challengerFile: string | null;
  /** The challenger's share of the split (default 0.5) and its mode (default shadow); need a challenger. */
  share: number | null;
  mode: string | null;
  experimentId: string | null;
  /** Null: scorecard.json beside the dataset folder when there is one (the demo writes it there). */
  modelFile: string | null;
  /** A feature table of the dataset as of the same date (`puhui features --out`), instead of computing it. */
  featureFile: string | null;
  /** An anti-fraud report as of the same date (`puhui fraud --out`), instead of computing it. */
  fraudFile: string | null;
  amountFen: number | null;
  termMonths: number | null;
  workers?: number;
}

export interface DecisionSetup {
  dir: string;
  contents: DatasetContents;
  asOf: string;
  champion: Strategy;
  experiment: Experiment | null;
  modelFile: string | null;
  featureFile: string | null;
  fraudFile: string | null;
  application: Application;
  workers?: number;
}

/** Everything that can be wrong with a decision request, found before minutes of feature and network work. */
export function setupDecisions(request: DecisionRequest, step: string): DecisionSetup {
  const { contents, asOf } = datasetAsOf(request.datasetDir, request.asOf, ['invoices'], step);
  const champion = loadStrategy(request.strategyFile ?? DEFAULT_STRATEGY);
  let experiment: Experiment | null = null;
  if (request.challengerFile !== null) {
    const challenger = loadStrategy(request.challengerFile);
    const share = request.share ?? 0.5;
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new RequestError(`--share is the challenger's share of applicants, 0..1, got ${share}`);
    const mode = request.mode ?? 'shadow';
    if (mode !== 'shadow' && mode !== 'live') throw new RequestError(`--mode must be shadow or live, got '${mode}'`);
    const id = request.experimentId ?? `${champion.header.id}@${champion.header.version}-vs-${challenger.header.id}@${challenger.header.version}`;
    experiment = checkExperiment({ id, challenger, share, mode });
  } else if (request.share !== null || request.mode !== null) {
    throw new RequestError('--share and --mode need --challenger T.json');
  }
  // The demo writes scorecard.json beside the dataset; anywhere else, name the model.
  const besideDataset = join(dirname(request.datasetDir), 'scorecard.json');
  const modelFile = request.modelFile ?? (existsSync(besideDataset) ? besideDataset : null);
  if (modelFile) readModel(modelFile);
  marketOn(asOf);
  if (request.featureFile !== null) {
    checkInputFile(request.featureFile, '--features');
    checkOutputFile(request.featureFile, '--features', FEATURE_TABLE_EXTENSIONS);
    if (!existsSync(referenceFileOf(request.featureFile))) {
      throw new RequestError(`--features ${request.featureFile} has no industry reference beside it (${referenceFileOf(request.featureFile)}); give a table written by puhui features --out`);
    }
    const reference = readIndustryReference(request.featureFile);
    if (reference.asOf !== asOf) throw new RequestError(`--features ${request.featureFile} is as of ${reference.asOf}, not ${asOf}: a decision must not use another date's features`);
  }
  if (request.fraudFile !== null) {
    checkInputFile(request.fraudFile, '--fraud');
    readFraudReport(request.fraudFile, asOf);
  }
  if (request.amountFen !== null && !(Number.isSafeInteger(request.amountFen) && request.amountFen > 0)) {
    throw new RequestError('--amount is the amount asked for in fen (1 yuan = 100 fen), a whole number above 0');
  }
  if (request.termMonths !== null && !(Number.isSafeInteger(request.termMonths) && request.termMonths >= 1 && request.termMonths <= TERM_MONTHS_MAX)) {
    throw new RequestError(`--term is a number of months, 1..${TERM_MONTHS_MAX}`);
  }
  return {
    dir: contents.dir, contents, asOf, champion, experiment, modelFile, featureFile: request.featureFile, fraudFile: request.fraudFile,
    application: { product: champion.header.product, amountFen: request.amountFen, termMonths: request.termMonths }, workers: request.workers,
  };
}

/** An applicant's features that read an entity the dataset does not hold are missing, not zero. */
function withUnavailableMissing(applicant: Applicant, blank: readonly string[]): Applicant {
  if (blank.length === 0) return applicant;
  const features = { ...applicant.features };
  for (const id of blank) features[id] = null;
  return { ...applicant, features };
}

/** One enterprise's decision, with the trace: its features online from its dossier, the reference and network the dataset's. */
export async function decideOne(setup: DecisionSetup, creditCode: string, onStage?: (stage: string, done: number, total: number) => void): Promise<DecisionRecord> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-decide-'));
  const reader = await DatasetReader.open(setup.dir);
  const engine = new StrategyEngine();
  try {
    const dossier = await reader.dossier(creditCode);
    const featureFile = setup.featureFile ? await featureTableAsParquet(setup.featureFile, work) : join(work, 'features.parquet');
    onStage?.('industry reference (all features)', 0, 2);
    if (setup.featureFile === null) await computeFeatureTable({ datasetDir: setup.dir, asOf: setup.asOf, outFile: featureFile, workers: setup.workers });
    onStage?.('anti-fraud network', 1, 2);
    const report = setup.fraudFile ? readFraudReport(setup.fraudFile, setup.asOf) : await detectFraud({ datasetDir: setup.dir, asOf: setup.asOf, featureFile, workers: setup.workers });
    onStage?.('decision', 2, 2);
    const applicant = applicantFromDossier(dossier, {
      asOf: setup.asOf, application: setup.application, reference: readIndustryReference(featureFile), fraud: fraudSummaries(report),
      scorer: setup.modelFile ? new Scorer(setup.modelFile) : null,
    });
    return await new DecisionService(engine, { champion: setup.champion, experiment: setup.experiment, trace: true })
      .decide(withUnavailableMissing(applicant, featuresReading(setup.contents.unavailable)));
  } finally {
    engine.dispose();
    reader.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** An enterprise of the dataset that got no decision, and why. */
export interface SkippedEnterprise { creditCode: string; reason: 'registered after the as-of date' | 'not in the feature table' }

export interface PreparedDecisions extends PreparedDataset {
  /** Every enterprise of the dataset that is not an applicant, with the reason. */
  skipped: SkippedEnterprise[];
}

/** Every enterprise registered by the as-of date as an applicant; those left out are listed with the reason. */
export async function prepareDecisions(setup: DecisionSetup, fraudReport: FraudReport | null = null): Promise<PreparedDecisions> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-decide-'));
  try {
    const prepared = await prepareDataset({
      datasetDir: setup.dir, asOf: setup.asOf, modelFile: setup.modelFile, application: setup.application,
      featureFile: setup.featureFile ? await featureTableAsParquet(setup.featureFile, work) : null, fraudFile: setup.fraudFile, fraudReport, workers: setup.workers,
    });
    const blank = featuresReading(setup.contents.unavailable);
    const applicants = prepared.applicants.map((a) => withUnavailableMissing(a, blank));
    return { ...prepared, applicants, skipped: await skippedEnterprises(setup, new Set(applicants.map((a) => a.enterprise.creditCode))) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function skippedEnterprises(setup: DecisionSetup, decided: ReadonlySet<string>): Promise<SkippedEnterprise[]> {
  const enterprises = setup.contents.files.find((f) => f.entity === 'enterprises')!;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(`SELECT creditCode, CAST(establishedDate AS VARCHAR) > ${quoteText(setup.asOf)} AS late
      FROM ${tableSource(enterprises.path)} ORDER BY creditCode`)).getRowObjectsJS();
    return rows.filter((r) => !decided.has(String(r.creditCode)))
      .map((r) => ({ creditCode: String(r.creditCode), reason: r.late === true ? 'registered after the as-of date' : 'not in the feature table' }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The decisions of every applicant under the setup's champion (and challenger as the experiment says). */
export async function decideAll(setup: DecisionSetup, applicants: readonly Applicant[], trace: boolean): Promise<DecisionRecord[]> {
  const engine = new StrategyEngine();
  try {
    return await new DecisionService(engine, { champion: setup.champion, experiment: setup.experiment, trace }).decideMany(applicants);
  } finally {
    engine.dispose();
  }
}

/** Champion and challenger on every applicant, the challenger in shadow (a backtest acts on nobody). */
export async function decideInShadow(setup: DecisionSetup, applicants: readonly Applicant[]): Promise<DecisionRecord[]> {
  const experiment = setup.experiment ? { ...setup.experiment, mode: 'shadow' as const } : null;
  return decideAll({ ...setup, experiment }, applicants, false);
}

export interface DecisionSummary {
  decided: number;
  outcomes: Record<StrategyResult['outcome'], number>;
  approvalRate: number;
  limitFenApproved: number;
  rateBpsMean: number | null;
  topReasons: { code: string; en: string; zh: string; enterprises: number }[];
  challengerActing: number;
}

export function summariseDecisions(records: readonly DecisionRecord[]): DecisionSummary {
  const outcomes = { approve: 0, review: 0, decline: 0 };
  const reasons = new Map<string, { code: string; en: string; zh: string; enterprises: number }>();
  let limit = 0;
  let rateWeighted = 0;
  for (const r of records) {
    outcomes[r.decision.outcome]++;
    if (r.decision.outcome === 'approve') { limit += r.decision.limitFen; rateWeighted += r.decision.limitFen * r.decision.rateBps!; }
    for (const reason of r.decision.reasons) {
      if (reason.kind !== 'decline' && reason.kind !== 'review') continue;
      const entry = reasons.get(reason.code) ?? { code: reason.code, en: reason.en, zh: reason.zh, enterprises: 0 };
      entry.enterprises++;
      reasons.set(reason.code, entry);
    }
  }
  return {
    decided: records.length, outcomes, approvalRate: records.length > 0 ? outcomes.approve / records.length : 0, limitFenApproved: limit,
    rateBpsMean: limit > 0 ? rateWeighted / limit : null, topReasons: [...reasons.values()].sort((a, b) => b.enterprises - a.enterprises).slice(0, 8),
    challengerActing: records.filter((r) => r.arm === 'challenger').length,
  };
}

/** JSONL: the full records with reasons and trace; CSV: one row per decision. */
export function writeDecisions(records: readonly DecisionRecord[], out: string): void {
  if (out.toLowerCase().endsWith('.jsonl')) {
    writeFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return;
  }
  const writer = new CsvFileWriter(out, ['creditCode', 'asOf', 'arm', 'strategyId', 'strategyVersion', 'strategyHash', 'outcome', 'riskGrade', 'limitFen', 'rateBps', 'termMonths', 'reasons', 'modelScore', 'modelPd', 'fraudSignals', 'shadowStrategyVersion', 'shadowOutcome', 'shadowLimitFen', 'shadowRateBps']);
  for (const r of records) {
    const d = r.decision;
    writer.row([r.creditCode, r.asOf, r.arm, d.strategy.id, d.strategy.version, d.strategy.hash, d.outcome, d.riskGrade, d.limitFen, d.rateBps, d.termMonths, d.reasons.map((x) => x.code).join(';'),
      r.model?.score ?? null, r.model?.pd ?? null, r.fraud.codes.join(';'), r.shadow?.strategy.version ?? null, r.shadow?.outcome ?? null, r.shadow?.limitFen ?? null, r.shadow?.rateBps ?? null]);
  }
  writer.close();
}

export interface DecideAllRun {
  out: string;
  records: DecisionRecord[];
  skipped: SkippedEnterprise[];
  summary: DecisionSummary;
  seconds: PreparedDataset['seconds'] & { decisions: number };
}

/** `puhui decide DIR --all`: every enterprise decided and written to `out`; those left out listed with the reason. */
export async function runDecideAll(setup: DecisionSetup, out: string, trace: boolean, onStage?: (stage: string) => void): Promise<DecideAllRun> {
  checkOutputFile(out, '--out', DECISION_OUTPUT_EXTENSIONS);
  onStage?.('features, anti-fraud, scores');
  const prepared = await prepareDecisions(setup);
  onStage?.('decisions');
  const started = performance.now();
  const records = await decideAll(setup, prepared.applicants, trace);
  const decisions = (performance.now() - started) / 1000;
  writeDecisions(records, out);
  return { out, records, skipped: prepared.skipped, summary: summariseDecisions(records), seconds: { ...prepared.seconds, decisions } };
}
