/**
 * Scorecards: a binning process (binning-process.ts) → WOE → filters (IV, WOE correlation, VIF, optional
 * stepwise) → logistic regression (logistic.ts) → scaling to points and grades (scaling.ts). Each step is an
 * estimator usable and testable alone; `trainScorecard` composes them after checking every parameter of every
 * step at once.
 *
 * score = offset + factor · ln(odds good:bad), factor = PDO / ln 2, offset = baseScore − factor · ln(baseOdds).
 * With logit(P(bad)) = a + Σ βⱼ·WOEⱼ, a bin's points are −factor · βⱼ · WOE(bin) and the base points are
 * offset − factor · a; a score is base points plus one bin's points per variable. The model file holds
 * everything needed to score, so scoring from the file reproduces training-time scores exactly.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { accumulateByBin, type BinningOptions, type BinningTable, type ColumnValues, type VariableType } from './binning.ts';
import { BinningProcess, type FittedVariable, type VariableSpec } from './binning-process.ts';
import { LogisticRegression, ModelFitError, type LogisticFitted } from './logistic.ts';
import { auc, ks } from './metrics.ts';
import { OutcomeError, ParamChecker } from './params.ts';
import { Scaling, type Grade, type ScalingFile } from './scaling.ts';
import { stepwise, varianceInflation, type StepwiseOptions } from './selection.ts';

export { gradeOf, probabilityOfScore, scoreOfProbability, type Grade } from './scaling.ts';

export const SCORECARD_SCHEMA = 'puhui-scorecard/1';

export type { ColumnValues, VariableType };

export interface ScorecardOptions {
  binning?: BinningOptions;
  /** Per-variable binning overrides (method, special values …). */
  binningByFeature?: Record<string, BinningOptions>;
  /**
   * Each variable's type, from the feature catalogue or the user. A variable without one takes its column's
   * representation: a Float64Array or numbers are numeric, strings categorical; a column mixing both is refused.
   */
  types?: Record<string, VariableType>;
  l2?: number;
  ivMin?: number;
  /** Of two variables whose WOE correlate above this, the one with the lower IV is dropped. */
  correlationMax?: number;
  baseScore?: number;
  /** Odds good:bad at the base score. */
  baseOdds?: number;
  pdo?: number;
  /** Number of grades, 2 to 26 (A best). */
  grades?: number;
  /** Variables are dropped, highest first, while any VIF exceeds this (default 10). */
  vifMax?: number;
  /** Optional stepwise selection after the filters. */
  stepwise?: StepwiseOptions;
}

export interface ScorecardFeature { name: string; iv: number; binning: BinningTable; coefficient: number; standardError: number; pValue: number; points: number[] }

export interface ScorecardFile {
  schema: typeof SCORECARD_SCHEMA;
  target: string;
  features: ScorecardFeature[];
  intercept: number;
  basePoints: number;
  scaling: ScalingFile;
  /** Score bands, best first: a score at or above minScore (and below the previous band's) gets the grade. */
  grades: Grade[];
  dropped: { name: string; reason: string }[];
  training: { rows: number; bads: number; auc: number; ks: number };
}

export class ScorecardError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'scorecard');
  }
}

export const STEPWISE_DIRECTIONS = ['forward', 'backward'] as const;
export const STEPWISE_CRITERIA = ['aic', 'bic', 'pvalue'] as const;

/** Every problem with the options of every step, for the given variables. */
export function checkScorecardOptions(options: ScorecardOptions, variables: VariableSpec[], checker: ParamChecker): void {
  BinningProcess.check({ variables, binning: options.binning ?? {}, byVariable: options.binningByFeature ?? {} }, checker);
  LogisticRegression.check({ l2: options.l2 }, checker);
  Scaling.check({ baseScore: options.baseScore, baseOdds: options.baseOdds, pdo: options.pdo, grades: options.grades }, checker);
  checker.number('ivMin', options.ivMin, { min: 0, max: 10 });
  checker.number('correlationMax', options.correlationMax, { min: 0, max: 1, minExclusive: true });
  checker.number('vifMax', options.vifMax, { min: 1, max: 1e6 });
  if (options.stepwise) {
    checker.choice('stepwise direction', options.stepwise.direction, STEPWISE_DIRECTIONS);
    checker.choice('stepwise criterion', options.stepwise.criterion, STEPWISE_CRITERIA);
    checker.number('stepwise pValueMax', options.stepwise.pValueMax, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    checker.number('stepwise stepsMax', options.stepwise.stepsMax, { min: 1, max: 10_000, integer: true });
  }
}

/** The type of each column: declared, else its representation (never a guess from a few values). */
function variablesOf(columns: Record<string, ColumnValues>, declared: Record<string, VariableType> | undefined): VariableSpec[] {
  return Object.keys(columns).sort().map((name) => {
    const type = declared?.[name];
    if (type) return { name, type };
    const values = columns[name]!;
    if (values instanceof Float64Array) return { name, type: 'numeric' };
    let numbers = 0; let strings = 0;
    for (const v of values) { if (typeof v === 'number') numbers++; else if (typeof v === 'string') strings++; }
    if (numbers > 0 && strings > 0) throw new OutcomeError(`column ${name} mixes numbers and text; declare its type`);
    return { name, type: strings > 0 ? 'categorical' : 'numeric' };
  });
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0; let mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0; let saa = 0; let sbb = 0;
  for (let i = 0; i < n; i++) { const da = a[i]! - ma; const db = b[i]! - mb; sab += da * db; saa += da * da; sbb += db * db; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

interface Candidate { name: string; fitted: FittedVariable; woe: Float64Array }
type Dropped = ScorecardFile['dropped'];

export function trainScorecard(columns: Record<string, ColumnValues>, bad: ArrayLike<number | boolean>, target: string, options: ScorecardOptions = {}): ScorecardFile {
  const n = bad.length;
  if (Object.keys(columns).length === 0) throw new ScorecardError('no features to train on');
  for (const name in columns) if (columns[name]!.length !== n) throw new ScorecardError(`feature ${name} has ${columns[name]!.length} rows, the target ${n}`);
  const variables = variablesOf(columns, options.types);
  const checker = new ParamChecker();
  checkScorecardOptions(options, variables, checker);
  checker.throwIfAny();
  const dropped: Dropped = [];
  // 1. Bin every variable; keep those with enough information value.
  const fitted = new BinningProcess({ variables, binning: options.binning ?? {}, byVariable: options.binningByFeature ?? {} }).fit(columns, bad);
  const woe = BinningProcess.transform(fitted, columns);
  const ivMin = options.ivMin ?? 0.02;
  const candidates: Candidate[] = [];
  for (const variable of fitted) {
    const column = woe[variable.name]!;
    if (variable.table.iv < ivMin) dropped.push({ name: variable.name, reason: `IV ${variable.table.iv.toFixed(4)} below ${ivMin}` });
    else if (column.every((v) => v === column[0])) dropped.push({ name: variable.name, reason: 'one bin only after binning' });
    else candidates.push({ name: variable.name, fitted: variable, woe: column });
  }
  // 2. Filters and selection.
  const kept = selectVariables(candidates, bad, options, dropped);
  if (kept.length === 0) throw new ScorecardError(`no feature reaches IV ${ivMin}`);
  // 3. Logistic regression on the WOE columns.
  const regression = fitSigned(kept, bad, options.l2 ?? 0, dropped);
  // 4. Points and grades.
  const scaling = new Scaling({ baseScore: options.baseScore, baseOdds: options.baseOdds, pdo: options.pdo, grades: options.grades });
  const file: ScorecardFile = {
    schema: SCORECARD_SCHEMA, target,
    features: kept.map((c, j) => ({
      name: c.name, iv: c.fitted.table.iv, binning: c.fitted.table, coefficient: regression.coefficients[j]!, standardError: regression.standardErrors[j]!,
      pValue: regression.pValues[j]!, points: scaling.points(regression.coefficients[j]!, c.fitted.table.bins.map((b) => b.woe)),
    })),
    intercept: regression.intercept, basePoints: scaling.basePoints(regression.intercept), scaling: scaling.scaling,
    grades: [], dropped, training: { rows: n, bads: 0, auc: 0, ks: 0 },
  };
  const scores = scoreRows(file, columns);
  const risk = Float64Array.from(scores, (s) => -s);
  let bads = 0;
  for (let i = 0; i < n; i++) if (bad[i]) bads++;
  file.training = { rows: n, bads, auc: auc(risk, bad), ks: ks(risk, bad).ks };
  file.grades = scaling.fitGrades(scores, bad);
  return file;
}

/** WOE correlation filter (strongest first), variance inflation, then optional stepwise selection. */
function selectVariables(candidates: Candidate[], bad: ArrayLike<number | boolean>, options: ScorecardOptions, dropped: Dropped): Candidate[] {
  const correlationMax = options.correlationMax ?? 0.7;
  const vifMax = options.vifMax ?? 10;
  candidates.sort((x, y) => y.fitted.table.iv - x.fitted.table.iv);
  const kept: Candidate[] = [];
  for (const c of candidates) {
    const clash = kept.find((k) => Math.abs(correlation(k.woe, c.woe)) > correlationMax);
    if (clash) dropped.push({ name: c.name, reason: `WOE correlates with ${clash.name} above ${correlationMax}` });
    else kept.push(c);
  }
  // Drop the most inflated variable until all are below the limit.
  while (kept.length >= 2) {
    const vif = varianceInflation(kept.map((c) => c.woe));
    const worst = vif.reduce((w, v, k) => (v > vif[w]! ? k : w), 0);
    if (vif[worst]! <= vifMax) break;
    dropped.push({ name: kept[worst]!.name, reason: `VIF ${vif[worst]!.toFixed(1)} above ${vifMax}` });
    kept.splice(worst, 1);
  }
  if (options.stepwise && kept.length > 0) {
    const chosen = new Set(stepwise(kept.map((c) => c.woe), bad, options.stepwise).selected);
    kept.forEach((c, k) => { if (!chosen.has(k)) dropped.push({ name: c.name, reason: `not selected by ${options.stepwise!.direction} stepwise on ${options.stepwise!.criterion}` }); });
    const selected = kept.filter((_, k) => chosen.has(k));
    if (selected.length === 0) throw new ScorecardError('stepwise selection kept no variable');
    return selected;
  }
  return kept;
}

/**
 * The regression, refitted without the variables whose coefficient comes out positive (against their WOE:
 * collinear with the others), all wrong-signed variables of a round at once.
 */
function fitSigned(kept: Candidate[], bad: ArrayLike<number | boolean>, l2: number, dropped: Dropped): LogisticFitted {
  const regression = new LogisticRegression({ l2 });
  for (;;) {
    let model: LogisticFitted;
    try {
      model = regression.fit(Object.fromEntries(kept.map((c) => [c.name, c.woe])), bad);
    } catch (error) {
      if (error instanceof ModelFitError) throw new ScorecardError(`the regression failed: ${error.message}`);
      throw error;
    }
    const wrong = model.coefficients.map((b, j) => (b > 0 ? j : -1)).filter((j) => j >= 0);
    if (wrong.length === 0 || wrong.length === kept.length) return model;
    for (const j of wrong.reverse()) {
      dropped.push({ name: kept[j]!.name, reason: 'coefficient has the wrong sign (collinear with the others)' });
      kept.splice(j, 1);
    }
  }
}

/** Scores of every row: base points plus each variable's bin points. */
export function scoreRows(model: ScorecardFile, columns: Record<string, ColumnValues>): Float64Array {
  const n = columns[model.features[0]!.name]?.length ?? 0;
  const scores = new Float64Array(n).fill(model.basePoints);
  for (const feature of model.features) {
    const values = columns[feature.name];
    if (!values) throw new ScorecardError(`the data has no column ${feature.name}`);
    accumulateByBin(feature.binning, values, Float64Array.from(feature.points), scores);
  }
  return scores;
}
