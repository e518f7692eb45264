/**
 * Scorecards: binning + WOE + logistic regression + points, each step usable alone.
 *
 * score = offset + factor · ln(odds good:bad), factor = PDO / ln 2, offset = baseScore − factor · ln(baseOdds).
 * With logit(P(bad)) = a + Σ βⱼ·WOEⱼ, a bin's points are −factor · βⱼ · WOE(bin) and the base points are
 * offset − factor · a; a score is base points plus one bin's points per variable. The model file holds
 * everything needed to score, so scoring from the file reproduces training-time scores exactly.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { accumulateByBin, applyBinning, Binning, type BinningOptions, type BinningTable, type ColumnValues } from './binning.ts';
import { fitLogistic, ModelFitError } from './logistic.ts';
import { auc, ks } from './metrics.ts';
import { stepwise, varianceInflation, type StepwiseOptions } from './selection.ts';

export const SCORECARD_SCHEMA = 'puhui-scorecard/1';

export type { ColumnValues };

export interface ScorecardOptions {
  binning?: BinningOptions;
  /** Per-variable binning overrides (method, special values …). */
  binningByFeature?: Record<string, BinningOptions>;
  l2?: number;
  ivMin?: number;
  /** Of two variables whose WOE correlate above this, the one with the lower IV is dropped. */
  correlationMax?: number;
  baseScore?: number;
  /** Odds good:bad at the base score. */
  baseOdds?: number;
  pdo?: number;
  grades?: number;
  /** Variables are dropped, highest first, while any VIF exceeds this (default 10). */
  vifMax?: number;
  /** Optional stepwise selection after the filters. */
  stepwise?: StepwiseOptions;
}

export interface ScorecardFeature { name: string; iv: number; binning: BinningTable; coefficient: number; standardError: number; pValue: number; points: number[] }
/** minScore null: the lowest band, everything below the band above (JSON has no −Infinity). */
export interface Grade { grade: string; minScore: number | null; count: number; bads: number; badRate: number }

export interface ScorecardFile {
  schema: typeof SCORECARD_SCHEMA;
  target: string;
  features: ScorecardFeature[];
  intercept: number;
  basePoints: number;
  scaling: { baseScore: number; baseOdds: number; pdo: number; factor: number; offset: number };
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

const GRADE_LETTERS = 'ABCDEFGHIJ';

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0; let mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0; let saa = 0; let sbb = 0;
  for (let i = 0; i < n; i++) { const da = a[i]! - ma; const db = b[i]! - mb; sab += da * db; saa += da * da; sbb += db * db; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export function trainScorecard(columns: Record<string, ColumnValues>, bad: ArrayLike<number | boolean>, target: string, options: ScorecardOptions = {}): ScorecardFile {
  const names = Object.keys(columns).sort();
  const n = bad.length;
  if (names.length === 0) throw new ScorecardError('no features to train on');
  for (const name of names) if (columns[name]!.length !== n) throw new ScorecardError(`feature ${name} has ${columns[name]!.length} rows, the target ${n}`);
  const ivMin = options.ivMin ?? 0.02;
  const dropped: { name: string; reason: string }[] = [];
  // 1. Bin every variable; keep those with enough information value.
  const candidates: { name: string; table: BinningTable; woe: Float64Array }[] = [];
  for (const name of names) {
    const table = new Binning({ ...options.binning, ...options.binningByFeature?.[name] }).fit(columns[name]!, bad);
    if (table.iv < ivMin) { dropped.push({ name, reason: `IV ${table.iv.toFixed(4)} below ${ivMin}` }); continue; }
    const index = applyBinning(table, columns[name]!);
    const woe = Float64Array.from(index, (k) => table.bins[k]!.woe);
    if (woe.every((v) => v === woe[0])) { dropped.push({ name, reason: 'one bin only after binning' }); continue; }
    candidates.push({ name, table, woe });
  }
  // 2. Correlation filter, strongest first.
  candidates.sort((x, y) => y.table.iv - x.table.iv);
  const kept: typeof candidates = [];
  for (const c of candidates) {
    const clash = kept.find((k) => Math.abs(correlation(k.woe, c.woe)) > (options.correlationMax ?? 0.7));
    if (clash) dropped.push({ name: c.name, reason: `WOE correlates with ${clash.name} above ${options.correlationMax ?? 0.7}` });
    else kept.push(c);
  }
  if (kept.length === 0) throw new ScorecardError(`no feature reaches IV ${ivMin}`);
  // 3. Variance inflation: drop the most inflated variable until all are below the limit.
  for (;;) {
    const vif = varianceInflation(kept.map((c) => c.woe));
    const worst = vif.reduce((w, v, k) => (v > vif[w]! ? k : w), 0);
    if (kept.length < 2 || vif[worst]! <= (options.vifMax ?? 10)) break;
    dropped.push({ name: kept[worst]!.name, reason: `VIF ${vif[worst]!.toFixed(1)} above ${options.vifMax ?? 10}` });
    kept.splice(worst, 1);
  }
  if (options.stepwise) {
    const chosen = new Set(stepwise(kept.map((c) => c.woe), bad, options.stepwise).selected);
    kept.forEach((c, k) => { if (!chosen.has(k)) dropped.push({ name: c.name, reason: `not selected by ${options.stepwise!.direction} stepwise on ${options.stepwise!.criterion}` }); });
    for (let k = kept.length - 1; k >= 0; k--) if (!chosen.has(k)) kept.splice(k, 1);
    if (kept.length === 0) throw new ScorecardError('stepwise selection kept no variable');
  }
  // 4. Logistic regression on the WOE columns; variables whose coefficient comes out positive (against their WOE) are dropped and the fit redone.
  let model;
  for (;;) {
    const p = kept.length;
    const x = new Float64Array(n * p);
    kept.forEach((c, j) => { for (let i = 0; i < n; i++) x[i * p + j] = c.woe[i]!; });
    try {
      model = fitLogistic(x, bad, p, { l2: options.l2 ?? 0 });
    } catch (error) {
      if (error instanceof ModelFitError) throw new ScorecardError(`the regression failed: ${error.message}`);
      throw error;
    }
    // All wrong-signed variables go in one round (one refit per round, not per variable).
    const wrong = model.coefficients.map((b, j) => (b > 0 ? j : -1)).filter((j) => j >= 0);
    if (wrong.length === 0 || wrong.length === kept.length) break;
    for (const j of wrong.reverse()) {
      dropped.push({ name: kept[j]!.name, reason: 'coefficient has the wrong sign (collinear with the others)' });
      kept.splice(j, 1);
    }
  }
  const baseScore = options.baseScore ?? 600;
  const baseOdds = options.baseOdds ?? 50;
  const pdo = options.pdo ?? 20;
  const factor = pdo / Math.LN2;
  const offset = baseScore - factor * Math.log(baseOdds);
  const file: ScorecardFile = {
    schema: SCORECARD_SCHEMA, target,
    features: kept.map((c, j) => ({
      name: c.name, iv: c.table.iv, binning: c.table, coefficient: model.coefficients[j]!, standardError: model.standardErrors[j]!, pValue: model.pValues[j]!,
      points: c.table.bins.map((b) => -factor * model.coefficients[j]! * b.woe),
    })),
    intercept: model.intercept, basePoints: offset - factor * model.intercept, scaling: { baseScore, baseOdds, pdo, factor, offset },
    grades: [], dropped, training: { rows: n, bads: 0, auc: 0, ks: 0 },
  };
  const scores = scoreRows(file, columns);
  const risk = Float64Array.from(scores, (s) => -s);
  let bads = 0;
  for (let i = 0; i < n; i++) if (bad[i]) bads++;
  file.training = { rows: n, bads, auc: auc(risk, bad), ks: ks(risk, bad).ks };
  file.grades = gradesOf(scores, bad, options.grades ?? 8);
  return file;
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

export function probabilityOfScore(model: Pick<ScorecardFile, 'scaling'>, score: number): number {
  return 1 / (1 + Math.exp((score - model.scaling.offset) / model.scaling.factor));
}

export function scoreOfProbability(model: Pick<ScorecardFile, 'scaling'>, probability: number): number {
  return model.scaling.offset + model.scaling.factor * Math.log((1 - probability) / probability);
}

export function gradeOf(model: Pick<ScorecardFile, 'grades'>, score: number): string {
  return (model.grades.find((g) => g.minScore === null || score >= g.minScore) ?? model.grades.at(-1)!).grade;
}

function gradesOf(scores: Float64Array, bad: ArrayLike<number | boolean>, count: number): Grade[] {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const grades: Grade[] = [];
  let start = 0;
  for (let g = 0; g < count && start < order.length; g++) {
    let end = g === count - 1 ? order.length : Math.floor(((g + 1) * order.length) / count);
    while (end < order.length && end > start && scores[order[end]!] === scores[order[end - 1]!]) end++; // ties stay together
    if (end <= start) continue;
    let bads = 0;
    for (let k = start; k < end; k++) if (bad[order[k]!]) bads++;
    grades.push({ grade: GRADE_LETTERS[grades.length]!, minScore: scores[order[end - 1]!]!, count: end - start, bads, badRate: bads / (end - start) });
    start = end;
  }
  grades[grades.length - 1]!.minScore = null;
  return grades;
}
