/** `puhui train` and `puhui score`: scorecards from a feature table and outcomes, and scoring with a model file. */
import { PuhuiUserError } from '../domain/errors.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Scorer } from '../models/scorer.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { addMonths } from '../domain/period.ts';
import { quoteText, tableSource } from '../data/sql-checks.ts';
import { badSql, notYetDefaultedSql } from '../data/outcomes.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { Rng } from '../synth/random.ts';
import { auc, ks, psi } from '../models/metrics.ts';
import { SCORECARD_SCHEMA, scoreRows, trainScorecard, type ColumnValues, type ScorecardFile, type ScorecardOptions } from '../models/scorecard.ts';
import { featureTableSource, featureValueOf } from '../features/batch.ts';
import { renderModelReport, type ModelEvaluation } from './model-report.ts';

export class TrainError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'train');
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
    await connection.run(`CREATE VIEW f AS SELECT * FROM ${featureTableSource(featureFile)}`);
    const featureColumns = (await connection.runAndReadAll('DESCRIBE f')).getRowObjectsJS().map((r) => String(r.column_name));
    if (!featureColumns.includes('creditCode')) throw new TrainError(`${featureFile} has no creditCode column`);
    let badExpression: string;
    let where = 'true';
    if (labelsFile) await connection.run(`CREATE VIEW l AS SELECT * FROM ${tableSource(labelsFile)}`);
    if (!target && !labelsFile && !asOf) {
      badExpression = '0'; // unlabelled: scoring
    } else if (target) {
      badExpression = featureColumns.includes(target) ? `f."${target}"` : `l."${target}"`;
      if (!featureColumns.includes(target) && !labelsFile) throw new TrainError(`no column ${target} in the features, and no --labels`);
    } else {
      if (!labelsFile || !asOf) throw new TrainError('give --target COLUMN, or --labels with defaultMonth and --as-of YYYY-MM-DD');
      badExpression = badSql('l.defaultMonth', asOf);
      where = notYetDefaultedSql('l.defaultMonth', asOf);
      // The cohort is the enterprises registered by the date (age_months >= 0 is registeredBySql on the features).
      if (featureColumns.includes('age_months')) where += ' AND f.age_months >= 0';
    }
    const rows = (await connection.runAndReadAll(`SELECT f.*, CAST(CAST(${badExpression} AS VARCHAR) IN ('1', 'true', '1.0') AS INTEGER) AS __bad
      FROM f ${labelsFile ? 'JOIN l USING (creditCode)' : ''} WHERE ${where} ORDER BY creditCode`)).getRowObjectsJS() as Record<string, unknown>[];
    if (rows.length === 0) throw new TrainError('no rows after joining the features with the outcomes');
    const names = featureColumns.filter((c) => c !== 'creditCode' && c !== target);
    const columns: Record<string, ColumnValues> = {};
    for (const name of names) columns[name] = rows.map((r) => featureValueOf(r[name]));
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

/**
 * Scores every row of a feature table and writes creditCode, segment, score, probability of bad and grade
 * (an AHP expert score is 0..100 and has no probability or grade).
 */
export async function runScoring(modelFile: string, featureFile: string, outFile: string): Promise<{ rows: number; seconds: number }> {
  const scorer = new Scorer(modelFile);
  const table = await readLabelledTable(featureFile, null, null, null);
  const started = performance.now();
  const scored = scorer.scoreTable(table.columns, table.keys.length);
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
