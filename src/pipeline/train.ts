/**
 * Training a scorecard, the steps the CLI, the bench and the HTTP service share:
 * - `trainOnTable`: any CSV or Parquet file with a target column (bring your own table);
 * - `trainOnFeatures`: a feature table of the synthetic economy joined with its outcomes as of a date.
 * Both read typed columns straight from DuckDB (src/data/table-reader.ts), take each variable's type from the
 * user or the feature catalogue, fit with `trainScorecard`, evaluate on a test set and write the model file.
 * Every refusal is a `TrainError` (a user error: one line, exit code 2), raised before any fitting.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PuhuiUserError } from '../domain/errors.ts';
import { badSql, notYetDefaultedSql } from '../data/outcomes.ts';
import { quoteIdent, tableSource } from '../data/sql-checks.ts';
import { columnClassOf, readTypedColumns, TableFile, textSql, type ReadAs, type ReadColumn } from '../data/table-reader.ts';
import { FEATURES } from '../features/index.ts';
import { featureTableSource } from '../features/batch.ts';
import { auc, ks, psi, type PsiBin } from '../models/metrics.ts';
import { ParamChecker } from '../models/params.ts';
import { checkScorecardOptions, scoreRows, trainScorecard, type ColumnValues, type ScorecardFile, type ScorecardOptions, type VariableType } from '../models/scorecard.ts';
import { Rng } from '../synth/random.ts';

export class TrainError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'train');
  }
}

export interface LabelledTable { keys: string[]; columns: Record<string, ColumnValues>; bad: Uint8Array; types: Record<string, VariableType> }

export interface ModelEvaluation {
  train: { rows: number; bads: number; auc: number; ks: number; ksAtScore: number };
  test: { rows: number; bads: number; auc: number; ks: number; ksAtScore: number } | null;
  psi: { psi: number; bins: PsiBin[] } | null;
  /** ROC points (false-positive rate, true-positive rate) and KS curves on the test set (or training). */
  roc: [number, number][];
  ksCurve: { score: number; badShare: number; goodShare: number }[];
}

export const MISSING_TARGET_POLICIES = ['drop', 'refuse'] as const;
export type MissingTargetPolicy = (typeof MISSING_TARGET_POLICIES)[number];
/** The test share is at most this: a model fitted on less than half the rows is not what anyone wants. */
export const TEST_SHARE_MAX = 0.5;
/** Distinct target values listed in a refusal. */
const LISTED_VALUES_MAX = 10;

export interface TableTrainRequest {
  data: string;
  target: string;
  /** The target value that means bad; without it the target must be coded 0/1 or true/false. */
  bad?: string | null;
  /** A key column, kept out of the variables. */
  id?: string | null;
  exclude?: string[];
  /** Columns to bin as categories even though they hold numbers (codes, regions). */
  categorical?: string[];
  /** A separate test table with the same columns; else a stratified random share of the data. */
  test?: string | null;
  testShare?: number;
  seed?: number;
  missingTarget?: MissingTargetPolicy;
  /** Where to write the model file (null: do not write). */
  out?: string | null;
  options?: ScorecardOptions;
}

export interface TargetCoding { target: string; badValue: string; goodValue: string }

export interface TableTrainResult {
  model: ScorecardFile;
  evaluation: ModelEvaluation;
  coding: TargetCoding;
  rows: { read: number; missingTarget: number; train: number; test: number };
  /** Columns not used as variables, and why. */
  ignored: { name: string; reason: string }[];
}

/** Checks the request's own settings (not the data) and that the model can be written, before reading anything. */
export function checkTableTrainRequest(request: TableTrainRequest, checker: ParamChecker): void {
  checker.number('testShare', request.testShare, { min: 0, max: TEST_SHARE_MAX, maxExclusive: true });
  checker.number('seed', request.seed, { min: 0, max: 0xffffffff, integer: true });
  checker.choice('missingTarget', request.missingTarget, MISSING_TARGET_POLICIES);
  if (request.test && request.testShare !== undefined && request.testShare > 0) checker.add('give a test table or a test share, not both');
  if (request.out) checkWritable(request.out, checker);
}

export function checkWritable(path: string, checker: ParamChecker): void {
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) checker.add(`cannot write ${path}: no folder ${folder}`);
  else if (existsSync(path) && statSync(path).isDirectory()) checker.add(`cannot write ${path}: it is a folder`);
}

/** A label's identity: numbers by value ('2', '2.0' and '2e0' are one label), text as written. */
function labelKey(value: string): string {
  const trimmed = value.trim();
  const number = Number(trimmed);
  return trimmed !== '' && Number.isFinite(number) ? String(number) : trimmed;
}

function listValues(values: { value: string | null; rows: number }[]): string {
  const shown = values.slice(0, LISTED_VALUES_MAX).map((v) => `${v.value === null ? '(missing)' : JSON.stringify(v.value)} (${v.rows} rows)`);
  return shown.join(', ') + (values.length > LISTED_VALUES_MAX ? ', …' : '');
}

/** Which value of the target means bad, from --bad or the 0/1 and true/false conventions; anything else is refused. */
export function codeTarget(target: string, distinct: { value: string | null; rows: number }[], bad: string | null): TargetCoding {
  const present = distinct.filter((d) => d.value !== null) as { value: string; rows: number }[];
  if (present.length === 0) throw new TrainError(`the target ${target} has no values`);
  if (bad !== null) {
    const match = present.find((d) => labelKey(d.value) === labelKey(bad));
    if (!match) throw new TrainError(`--bad ${bad} is not a value of ${target}; its values: ${listValues(distinct)}`);
    if (present.length !== 2) {
      throw new TrainError(`${target} has ${present.length > LISTED_VALUES_MAX ? 'more than ' + LISTED_VALUES_MAX : present.length} distinct values (${listValues(distinct)}); a target needs exactly two, the bad one and the good one`);
    }
    return { target, badValue: match.value, goodValue: present.find((d) => d !== match)!.value };
  }
  const keys = new Set(present.map((d) => labelKey(d.value).toLowerCase()));
  const binary = [...keys].every((k) => k === '0' || k === '1') ? ['1', '0'] : [...keys].every((k) => k === 'true' || k === 'false') ? ['true', 'false'] : null;
  if (!binary) {
    throw new TrainError(`${target} is not coded 0/1 or true/false: its values are ${listValues(distinct)}; say which value means bad with --bad VALUE`);
  }
  const badValue = present.find((d) => labelKey(d.value).toLowerCase() === binary[0]);
  const goodValue = present.find((d) => labelKey(d.value).toLowerCase() === binary[1]);
  if (!badValue || !goodValue) throw new TrainError(`${target} has only the value ${present[0]!.value}: a scorecard needs both goods and bads`);
  return { target, badValue: badValue.value, goodValue: goodValue.value };
}

/** 1 for bad, 0 for good; a value that is neither is refused (a test table with a third label, say). */
function outcomes(labels: readonly (string | null)[], coding: TargetCoding, where: string): Uint8Array {
  const badKey = labelKey(coding.badValue).toLowerCase();
  const goodKey = labelKey(coding.goodValue).toLowerCase();
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const key = labelKey(labels[i] ?? '').toLowerCase();
    if (key === badKey) out[i] = 1;
    else if (key !== goodKey) throw new TrainError(`${where}: ${coding.target} has the value ${JSON.stringify(labels[i])}, neither the bad ${JSON.stringify(coding.badValue)} nor the good ${JSON.stringify(coding.goodValue)}`);
  }
  return out;
}

interface Plan { variables: Record<string, VariableType>; ignored: { name: string; reason: string }[] }

/** Which columns are variables and of which type: the user's --categorical, else numbers numeric and text categorical. */
function planVariables(table: TableFile, request: TableTrainRequest, checker: ParamChecker): Plan {
  const known = new Set(table.columns.map((c) => c.name));
  const available = () => table.columns.map((c) => c.name).slice(0, 30).join(', ') + (table.columns.length > 30 ? ', …' : '');
  const unknown = (flag: string, names: string[]) => { for (const name of names) if (!known.has(name)) checker.add(`${flag} ${name}: ${table.path} has no such column (columns: ${available()})`); };
  unknown('target', [request.target]);
  unknown('id', request.id ? [request.id] : []);
  unknown('exclude', request.exclude ?? []);
  unknown('categorical', request.categorical ?? []);
  if (request.id && request.id === request.target) checker.add('the id column cannot be the target');
  if (request.categorical?.includes(request.target)) checker.add('the target cannot be categorical: it is the outcome');
  const kept = new Set([request.target, ...(request.id ? [request.id] : []), ...(request.exclude ?? [])]);
  const variables: Record<string, VariableType> = {};
  const ignored: Plan['ignored'] = (request.exclude ?? []).filter((n) => known.has(n)).map((name) => ({ name, reason: 'excluded' }));
  for (const column of table.columns) {
    if (kept.has(column.name)) continue;
    if (column.columnClass === 'other') ignored.push({ name: column.name, reason: `type ${column.sqlType} is neither numbers nor text (convert it, or --exclude it)` });
    else variables[column.name] = request.categorical?.includes(column.name) || column.columnClass === 'text' ? 'categorical' : 'numeric';
  }
  if (Object.keys(variables).length === 0 && checker.problems.length === 0) checker.add(`${table.path} has no column left to train on`);
  return { variables, ignored };
}

const readAsOf = (variables: Record<string, VariableType>): Record<string, ReadAs> =>
  Object.fromEntries(Object.entries(variables).map(([name, type]) => [name, type === 'numeric' ? 'f64' : 'category']));

/** Reads the labelled rows of a table (missing targets dropped or refused) with the planned variable types. */
async function readLabelled(table: TableFile, request: TableTrainRequest, coding: TargetCoding | null, variables: Record<string, VariableType>):
  Promise<{ labelled: LabelledTable; coding: TargetCoding; read: number; missingTarget: number }> {
  const target = table.column(request.target);
  if (!target) throw new TrainError(`${table.path} has no column ${request.target}`);
  if (target.columnClass === 'other') throw new TrainError(`the target ${request.target} has type ${target.sqlType}; it must hold numbers or text`);
  const distinct = await table.distinct(request.target, LISTED_VALUES_MAX + 1);
  const missingTarget = distinct.find((d) => d.value === null)?.rows ?? 0;
  if (missingTarget > 0 && request.missingTarget === 'refuse') {
    throw new TrainError(`${missingTarget} rows of ${table.path} have no ${request.target}; fill them in, or drop them with --missing-target drop`);
  }
  const code = coding ?? codeTarget(request.target, distinct, request.bad ?? null);
  for (const name of Object.keys(variables)) {
    const column = table.column(name);
    if (!column) throw new TrainError(`${table.path} has no column ${name}, which the training data has`);
    if (variables[name] === 'numeric' && column.columnClass !== 'numeric') throw new TrainError(`${table.path}: column ${name} is ${column.sqlType}, but it holds numbers in the training data`);
  }
  const read = await table.read({ ...readAsOf(variables), [request.target]: 'category', ...(request.id ? { [request.id]: 'category' as const } : {}) },
    `${textSql(quoteIdent(request.target), target.columnClass)} IS NOT NULL`);
  const labels = read.columns[request.target] as (string | null)[];
  const bad = outcomes(labels, code, table.path);
  const keys = request.id ? (read.columns[request.id] as (string | null)[]).map((k) => k ?? '') : Array.from({ length: read.rows }, (_, i) => String(i + 1));
  const columns: Record<string, ColumnValues> = {};
  for (const name of Object.keys(variables)) columns[name] = read.columns[name] as ReadColumn;
  return { labelled: { keys, columns, bad, types: variables }, coding: code, read: read.rows + missingTarget, missingTarget };
}

/** Rows kept where `take` is true, every column sliced the same way. */
function subset(table: LabelledTable, index: number[]): LabelledTable {
  const columns: Record<string, ColumnValues> = {};
  for (const [name, values] of Object.entries(table.columns)) {
    columns[name] = values instanceof Float64Array ? Float64Array.from(index, (k) => values[k]!) : index.map((k) => values[k]!);
  }
  return { keys: index.map((k) => table.keys[k]!), bad: Uint8Array.from(index, (k) => table.bad[k]!), columns, types: table.types };
}

/** A stratified random split: the same share of bads and of goods goes to the test set. */
export function stratifiedSplit(bad: Uint8Array, testShare: number, seed: number): { train: number[]; test: number[] } {
  const rng = new Rng(seed, 'train-test-split');
  const inTest = new Uint8Array(bad.length);
  for (const outcome of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < bad.length; i++) if (bad[i] === outcome) rows.push(i);
    for (let k = rows.length - 1; k > 0; k--) { const j = rng.int(k + 1); [rows[k], rows[j]] = [rows[j]!, rows[k]!]; }
    const take = Math.round(testShare * rows.length);
    for (let k = 0; k < take; k++) inTest[rows[k]!] = 1;
  }
  const train: number[] = []; const test: number[] = [];
  for (let i = 0; i < bad.length; i++) (inTest[i] ? test : train).push(i);
  return { train, test };
}

function requireBothOutcomes(table: LabelledTable, what: string): void {
  const bads = table.bad.reduce((a, b) => a + b, 0);
  if (bads === 0 || bads === table.bad.length) throw new TrainError(`the ${what} has ${bads === 0 ? 'no bads' : 'no goods'} among ${table.bad.length} rows: it cannot ${what === 'training set' ? 'train' : 'test'} a scorecard`);
}

/** `puhui train DATA --target COL`: a scorecard from any CSV or Parquet table. */
export async function trainOnTable(request: TableTrainRequest): Promise<TableTrainResult> {
  const early = new ParamChecker();
  checkTableTrainRequest(request, early);
  early.throwIfAny();
  const table = await TableFile.open(request.data);
  let testTable: TableFile | null = null;
  try {
    const checker = new ParamChecker();
    const plan = planVariables(table, request, checker);
    checkScorecardOptions(request.options ?? {}, Object.entries(plan.variables).map(([name, type]) => ({ name, type })), checker);
    checker.throwIfAny();
    const all = await readLabelled(table, request, null, plan.variables);
    if (all.labelled.keys.length === 0) throw new TrainError(`${request.data} has no rows with a target`);
    let train = all.labelled;
    let test: LabelledTable | null = null;
    if (request.test) {
      testTable = await TableFile.open(request.test);
      test = (await readLabelled(testTable, request, all.coding, plan.variables)).labelled;
    } else if ((request.testShare ?? 0) > 0) {
      const split = stratifiedSplit(all.labelled.bad, request.testShare!, request.seed ?? 1);
      train = subset(all.labelled, split.train);
      test = subset(all.labelled, split.test);
    }
    requireBothOutcomes(train, 'training set');
    if (test) requireBothOutcomes(test, 'test set');
    const model = trainScorecard(train.columns, train.bad, request.target, { ...request.options, types: plan.variables });
    const evaluation = evaluate(model, train, test);
    if (request.out) writeModel(request.out, model);
    return {
      model, evaluation, coding: all.coding, ignored: plan.ignored,
      rows: { read: all.read, missingTarget: all.missingTarget, train: train.keys.length, test: test?.keys.length ?? 0 },
    };
  } finally {
    table.close();
    testTable?.close();
  }
}

export function writeModel(path: string, model: ScorecardFile): void {
  try {
    writeFileSync(path, JSON.stringify(model, null, 2) + '\n');
  } catch (error) {
    throw new TrainError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export interface FeatureTrainRequest {
  features: string; labels: string | null; target: string | null; asOf: string | null;
  testFeatures: string | null; testAsOf: string | null; testShare: number; seed: number;
  out: string; options: ScorecardOptions;
}

/**
 * Features joined with outcomes. The target is a 0/1 (or true/false) column of the labels or the features,
 * or, with `asOf` and labels carrying `defaultMonth`, "defaults within the 12 months after asOf" among the
 * enterprises not already in default. Variable types come from the feature catalogue (a column it does not
 * know: numbers numeric, text categorical).
 */
export async function readLabelledTable(featureFile: string, labelsFile: string | null, target: string | null, asOf: string | null): Promise<LabelledTable> {
  if (!existsSync(featureFile)) throw new TrainError(`${featureFile}: no such file`);
  if (labelsFile && !existsSync(labelsFile)) throw new TrainError(`${labelsFile}: no such file`);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE VIEW f AS SELECT * FROM ${featureTableSource(featureFile)}`).catch((error: Error) => { throw new TrainError(`${featureFile} cannot be read: ${error.message.split('\n')[0]}`); });
    const described = (await connection.runAndReadAll('DESCRIBE f')).getRowObjectsJS().map((r) => ({ name: String(r.column_name), sqlType: String(r.column_type) }));
    const featureColumns = described.map((c) => c.name);
    if (!featureColumns.includes('creditCode')) throw new TrainError(`${featureFile} has no creditCode column`);
    let badExpression: string;
    let where = 'true';
    if (labelsFile) await connection.run(`CREATE VIEW l AS SELECT * FROM ${tableSource(labelsFile)}`);
    if (!target && !labelsFile && !asOf) {
      badExpression = '0'; // unlabelled: scoring
    } else if (target) {
      if (!featureColumns.includes(target) && !labelsFile) throw new TrainError(`no column ${target} in the features, and no --labels`);
      badExpression = featureColumns.includes(target) ? `f.${quoteIdent(target)}` : `l.${quoteIdent(target)}`;
    } else {
      if (!labelsFile || !asOf) throw new TrainError('give --target COLUMN, or --labels with defaultMonth and --as-of YYYY-MM-DD');
      badExpression = badSql('l.defaultMonth', asOf);
      where = notYetDefaultedSql('l.defaultMonth', asOf);
      // The cohort is the enterprises registered by the date (age_months >= 0 is registeredBySql on the features).
      if (featureColumns.includes('age_months')) where += ' AND f.age_months >= 0';
    }
    await connection.run(`CREATE TEMP TABLE q AS SELECT f.*, CAST(CAST(${badExpression} AS VARCHAR) IN ('1', 'true', '1.0') AS INTEGER) AS __bad
      FROM f ${labelsFile ? 'JOIN l USING (creditCode)' : ''} WHERE ${where} ORDER BY creditCode`);
    const catalogue = new Map(FEATURES.map((f) => [f.id, f.type]));
    const types: Record<string, VariableType> = {};
    for (const column of described) {
      if (column.name === 'creditCode' || column.name === target) continue;
      const columnClass = columnClassOf(column.sqlType);
      const known = catalogue.get(column.name);
      if (known) types[column.name] = known === 'category' ? 'categorical' : 'numeric';
      else if (columnClass !== 'other') types[column.name] = columnClass === 'numeric' ? 'numeric' : 'categorical';
    }
    const classOf = (name: string) => (name === '__bad' ? 'numeric' : name === 'creditCode' ? 'text' : columnClassOf(described.find((c) => c.name === name)!.sqlType));
    const read = await readTypedColumns(connection, 'q', { creditCode: 'category', __bad: 'f64', ...readAsOf(types) }, classOf);
    if (read.rows === 0) throw new TrainError('no rows after joining the features with the outcomes');
    const columns: Record<string, ColumnValues> = {};
    for (const name of Object.keys(types)) columns[name] = read.columns[name]!;
    return { keys: (read.columns.creditCode as (string | null)[]).map((k) => k ?? ''), columns, bad: Uint8Array.from(read.columns.__bad as Float64Array), types };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The synthetic economy's path: features as of a date, outcomes in the 12 months after it. */
export async function trainOnFeatures(request: FeatureTrainRequest): Promise<{ model: ScorecardFile; evaluation: ModelEvaluation }> {
  const all = await readLabelledTable(request.features, request.labels, request.target, request.asOf);
  let train = all;
  let test: LabelledTable | null = null;
  if (request.testFeatures) {
    test = await readLabelledTable(request.testFeatures, request.labels, request.target, request.testAsOf);
  } else if (request.testShare > 0) {
    const split = stratifiedSplit(all.bad, request.testShare, request.seed);
    train = subset(all, split.train);
    test = subset(all, split.test);
  }
  requireBothOutcomes(train, 'training set');
  if (test) requireBothOutcomes(test, 'test set');
  const model = trainScorecard(train.columns, train.bad, request.target ?? `default within 12 months after ${request.asOf}`, { ...request.options, types: all.types });
  const evaluation = evaluate(model, train, test);
  writeModel(request.out, model);
  return { model, evaluation };
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
