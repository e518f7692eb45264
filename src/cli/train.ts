/** `puhui train` and `puhui score`: scorecards from a feature table and outcomes, and scoring with a model file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { ahpScore, buildAhpModel, type AhpModel } from '../models/ahp.ts';
import { routeModel, type ModelSet } from '../models/routing.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { addMonths } from '../domain/period.ts';
import { quoteText } from '../data/sql-checks.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { Rng } from '../synth/random.ts';
import { auc, ks, psi } from '../models/metrics.ts';
import { gradeOf, probabilityOfScore, SCORECARD_SCHEMA, scoreRows, trainScorecard, type ColumnValues, type ScorecardFile, type ScorecardOptions } from '../models/scorecard.ts';
import { tableSource } from './feature-report.ts';
import { renderModelReport, type ModelEvaluation } from './model-report.ts';

export class TrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainError';
  }
}

export interface LabelledTable { keys: string[]; columns: Record<string, ColumnValues>; bad: Uint8Array }

/**
 * Features joined with outcomes. The target is a 0/1 (or true/false) column of the labels or the features,
 * or, with `asOf` and labels carrying `defaultMonth`, "defaults within the 12 months after asOf" among the
 * enterprises not already in default.
 */
export async function readLabelledTable(featureFile: string, labelsFile: string | null, target: string | null, asOf: string | null): Promise<LabelledTable> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE VIEW f AS SELECT * FROM ${featureFile.endsWith('.csv') ? `read_csv(${quoteText(featureFile)}, header = true)` : `read_parquet(${quoteText(featureFile)})`}`);
    const featureColumns = (await connection.runAndReadAll('DESCRIBE f')).getRowObjectsJS().map((r) => String(r.column_name));
    if (!featureColumns.includes('creditCode')) throw new TrainError(`${featureFile} has no creditCode column`);
    let badSql: string;
    let where = 'true';
    if (labelsFile) await connection.run(`CREATE VIEW l AS SELECT * FROM ${tableSource(labelsFile)}`);
    if (!target && !labelsFile && !asOf) {
      badSql = '0'; // unlabelled: scoring
    } else if (target) {
      badSql = featureColumns.includes(target) ? `f."${target}"` : `l."${target}"`;
      if (!featureColumns.includes(target) && !labelsFile) throw new TrainError(`no column ${target} in the features, and no --labels`);
    } else {
      if (!labelsFile || !asOf) throw new TrainError('give --target COLUMN, or --labels with defaultMonth and --as-of YYYY-MM-DD');
      const first = asOf.slice(0, 7);
      badSql = `(l.defaultMonth IS NOT NULL AND CAST(l.defaultMonth AS VARCHAR) BETWEEN ${quoteText(first)} AND ${quoteText(addMonths(first, 11))})`;
      where = `(l.defaultMonth IS NULL OR CAST(l.defaultMonth AS VARCHAR) >= ${quoteText(first)})`;
      // The cohort is the enterprises trading on the date: not yet founded ones are not goods.
      if (featureColumns.includes('age_months')) where += ' AND f.age_months >= 0';
    }
    const rows = (await connection.runAndReadAll(`SELECT f.*, CAST(CAST(${badSql} AS VARCHAR) IN ('1', 'true', '1.0') AS INTEGER) AS __bad
      FROM f ${labelsFile ? 'JOIN l USING (creditCode)' : ''} WHERE ${where} ORDER BY creditCode`)).getRowObjectsJS() as Record<string, unknown>[];
    if (rows.length === 0) throw new TrainError('no rows after joining the features with the outcomes');
    const names = featureColumns.filter((c) => c !== 'creditCode' && c !== target);
    const columns: Record<string, ColumnValues> = {};
    for (const name of names) columns[name] = rows.map((r) => { const v = r[name]; return v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'bigint' ? Number(v) : String(v); });
    return { keys: rows.map((r) => String(r.creditCode)), columns, bad: Uint8Array.from(rows, (r) => Number(r.__bad)) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function subset(table: LabelledTable, take: (k: number) => boolean): LabelledTable {
  const index = table.keys.map((_, k) => k).filter(take);
  return {
    keys: index.map((k) => table.keys[k]!), bad: Uint8Array.from(index, (k) => table.bad[k]!),
    columns: Object.fromEntries(Object.entries(table.columns).map(([n, v]) => [n, index.map((k) => v[k]!)])),
  };
}

function curves(scores: Float64Array, bad: Uint8Array): Pick<ModelEvaluation, 'roc' | 'ksCurve'> {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!); // riskiest (lowest score) first
  const bads = bad.reduce((a, b) => a + b, 0);
  const goods = bad.length - bads;
  const roc: [number, number][] = [[0, 0]];
  const ksCurve: ModelEvaluation['ksCurve'] = [];
  let tp = 0; let fp = 0;
  const step = Math.max(1, Math.floor(order.length / 200));
  order.forEach((i, k) => {
    if (bad[i]) tp++; else fp++;
    if (k % step === 0 || k === order.length - 1) {
      roc.push([fp / goods, tp / bads]);
      ksCurve.push({ score: scores[i]!, badShare: tp / bads, goodShare: fp / goods });
    }
  });
  return { roc, ksCurve };
}

export function evaluate(model: ScorecardFile, train: LabelledTable, test: LabelledTable | null): ModelEvaluation {
  const stats = (table: LabelledTable) => {
    const scores = scoreRows(model, table.columns);
    const risk = Float64Array.from(scores, (s) => -s);
    const k = ks(risk, table.bad);
    return { scores, summary: { rows: table.keys.length, bads: table.bad.reduce((a, b) => a + b, 0), auc: auc(risk, table.bad), ks: k.ks, ksAtScore: -k.atRisk } };
  };
  const trained = stats(train);
  const tested = test ? stats(test) : null;
  return {
    train: trained.summary, test: tested?.summary ?? null, psi: tested ? psi(trained.scores, tested.scores, 10) : null,
    ...curves(tested?.scores ?? trained.scores, test?.bad ?? train.bad),
  };
}

export interface TrainRequest {
  features: string; labels: string | null; target: string | null; asOf: string | null;
  testFeatures: string | null; testAsOf: string | null; testShare: number; seed: number;
  out: string; report: string | null; options: ScorecardOptions;
}

export async function runTraining(request: TrainRequest): Promise<{ model: ScorecardFile; evaluation: ModelEvaluation }> {
  const all = await readLabelledTable(request.features, request.labels, request.target, request.asOf);
  let train = all;
  let test: LabelledTable | null = null;
  if (request.testFeatures) {
    test = await readLabelledTable(request.testFeatures, request.labels, request.target, request.testAsOf);
  } else if (request.testShare > 0) {
    const rng = new Rng(request.seed, 'train-test-split');
    const inTest = all.keys.map(() => rng.next() < request.testShare);
    train = subset(all, (k) => !inTest[k]);
    test = subset(all, (k) => inTest[k]!);
  }
  const model = trainScorecard(train.columns, train.bad, request.target ?? `default within 12 months after ${request.asOf}`, request.options);
  const evaluation = evaluate(model, train, test);
  writeFileSync(request.out, JSON.stringify(model, null, 2) + '\n');
  if (request.report) writeFileSync(request.report, renderModelReport(model, evaluation));
  return { model, evaluation };
}

export type AnyModel = ScorecardFile | AhpModel | ModelSet;

const MODEL_SCHEMAS = [SCORECARD_SCHEMA, 'puhui-ahp/1', 'puhui-modelset/1'];

export function readModel(path: string): AnyModel {
  let model: AnyModel;
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as AnyModel;
  } catch {
    throw new TrainError(`${path} is not a ${SCORECARD_SCHEMA} model file (not JSON)`);
  }
  if (!MODEL_SCHEMAS.includes(model?.schema)) throw new TrainError(`${path} is not a ${SCORECARD_SCHEMA} model file (schema ${String(model?.schema)}; also accepted: ${MODEL_SCHEMAS.slice(1).join(', ')})`);
  if (model.schema === 'puhui-ahp/1') return buildAhpModel(model.root, false); // re-checks consistency
  return model;
}

interface ScoredRow { segment: string; score: number; probability: number | null; grade: string | null }

/** Scores rows with a scorecard or an AHP model; a model set routes each row to one of them by segment. */
function scoreWith(model: AnyModel, table: LabelledTable, rows: number[], baseDir: string, out: ScoredRow[], segment: string): void {
  const pick = Object.fromEntries(Object.entries(table.columns).map(([name, values]) => [name, rows.map((k) => values[k]!)])) as Record<string, ColumnValues>;
  if (model.schema === SCORECARD_SCHEMA) {
    const scores = scoreRows(model, pick);
    rows.forEach((k, j) => { out[k] = { segment, score: scores[j]!, probability: probabilityOfScore(model, scores[j]!), grade: gradeOf(model, scores[j]!) }; });
  } else if (model.schema === 'puhui-ahp/1') {
    rows.forEach((k, j) => {
      const values = Object.fromEntries(model.leaves.map((l) => { const v = pick[l.indicator.feature]?.[j]; return [l.indicator.feature, typeof v === 'number' ? v : null]; }));
      out[k] = { segment, score: ahpScore(model, values), probability: null, grade: null };
    });
  } else {
    const bySegment = new Map<string, { model: string; rows: number[] }>();
    for (const k of rows) {
      const value = (name: string) => table.columns[name]?.[k];
      const sales = value('vat_sales_12m');
      const routed = routeModel(model, {
        taxpayerType: value('taxpayer_general') === 1 ? 'general' : 'small_scale', industrySection: String(value('industry_section') ?? ''),
        regionCode: String(value('region_province') ?? ''), salesFen12m: typeof sales === 'number' && Number.isFinite(sales) ? sales : null,
      });
      const entry = bySegment.get(routed.segment) ?? { model: routed.model, rows: [] };
      entry.rows.push(k);
      bySegment.set(routed.segment, entry);
    }
    for (const [name, entry] of bySegment) {
      const path = resolvePath(baseDir, entry.model);
      const inner = readModel(path);
      if (inner.schema === 'puhui-modelset/1') throw new TrainError(`${path}: a model set cannot route to another model set`);
      scoreWith(inner, table, entry.rows, dirname(path), out, name);
    }
  }
}

/**
 * Scores every row of a feature table and writes creditCode, segment, score, probability of bad and grade
 * (an AHP expert score is 0..100 and has no probability or grade).
 */
export async function runScoring(modelFile: string, featureFile: string, outFile: string): Promise<{ rows: number; seconds: number }> {
  const model = readModel(modelFile);
  const table = await readLabelledTable(featureFile, null, null, null);
  const started = performance.now();
  const scored: ScoredRow[] = new Array(table.keys.length);
  scoreWith(model, table, table.keys.map((_, k) => k), dirname(modelFile), scored, model.schema === 'puhui-modelset/1' ? 'default' : 'all');
  const seconds = (performance.now() - started) / 1000;
  const work = mkdtempSync(join(tmpdir(), 'puhui-score-'));
  try {
    const csv = outFile.endsWith('.csv') ? outFile : join(work, 'scores.csv');
    const writer = new CsvFileWriter(csv, ['creditCode', 'segment', 'score', 'probability', 'grade']);
    table.keys.forEach((key, i) => writer.row([key, scored[i]!.segment, scored[i]!.score, scored[i]!.probability, scored[i]!.grade]));
    writer.close();
    if (!outFile.endsWith('.csv')) {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await connection.run(`COPY (SELECT * FROM read_csv(${quoteText(csv)}, header = true, columns = {'creditCode': 'VARCHAR', 'segment': 'VARCHAR', 'score': 'DOUBLE', 'probability': 'DOUBLE', 'grade': 'VARCHAR'})) TO ${quoteText(outFile)} (FORMAT parquet)`);
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { rows: table.keys.length, seconds };
}
