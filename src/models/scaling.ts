/**
 * Scaling of a logistic model on WOE to points and grades (the scorecard's last step), usable alone.
 * Score = offset + factor · ln(odds good:bad) with factor = PDO / ln 2 and offset = base score − factor ·
 * ln(base odds); a variable's points in a bin are −factor · coefficient · WOE, and the base points are
 * offset − factor · intercept. Grades are equal-frequency bands of the training scores, cut by the one
 * quantile rule (quantiles.ts) on the risk (minus the score), best grade first.
 */
import { ParamChecker } from './params.ts';
import { binIndex, equalFrequencyEdges } from './quantiles.ts';

export interface ScalingParams { baseScore?: number; baseOdds?: number; pdo?: number; grades?: number }

export interface ScalingFile { baseScore: number; baseOdds: number; pdo: number; factor: number; offset: number }

/** minScore null: the lowest band, everything below the band above (JSON has no −Infinity). */
export interface Grade { grade: string; minScore: number | null; count: number; bads: number; badRate: number }

/** Grade names, best first: one letter each, so at most 26 grades. */
export const GRADE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class Scaling {
  readonly scaling: ScalingFile;
  readonly gradeCount: number;

  constructor(params: ScalingParams = {}) {
    const checker = new ParamChecker();
    Scaling.check(params, checker);
    checker.throwIfAny();
    const baseScore = params.baseScore ?? 600;
    const baseOdds = params.baseOdds ?? 50;
    const pdo = params.pdo ?? 20;
    const factor = pdo / Math.LN2;
    this.scaling = { baseScore, baseOdds, pdo, factor, offset: baseScore - factor * Math.log(baseOdds) };
    this.gradeCount = params.grades ?? 8;
  }

  static check(params: ScalingParams, checker: ParamChecker): void {
    checker.number('baseScore', params.baseScore, { min: -1e6, max: 1e6 });
    checker.number('baseOdds', params.baseOdds, { min: 0, max: 1e6, minExclusive: true });
    checker.number('pdo', params.pdo, { min: 0, max: 1e4, minExclusive: true });
    checker.number('grades', params.grades, { min: 2, max: GRADE_LETTERS.length, integer: true });
  }

  basePoints(intercept: number): number {
    return this.scaling.offset - this.scaling.factor * intercept;
  }

  points(coefficient: number, woe: readonly number[]): number[] {
    return woe.map((w) => -this.scaling.factor * coefficient * w);
  }

  /** Equal-frequency grades of the training scores (ties stay in one grade), with their bad rates. */
  fitGrades(scores: ArrayLike<number>, bad: ArrayLike<number | boolean>): Grade[] {
    const risk = Float64Array.from(scores as ArrayLike<number>, (s) => -s);
    const edges = equalFrequencyEdges(risk.slice().sort(), this.gradeCount);
    const counts = new Float64Array(edges.length + 1);
    const bads = new Float64Array(edges.length + 1);
    for (let i = 0; i < risk.length; i++) { const k = binIndex(edges, risk[i]!); counts[k]!++; if (bad[i]) bads[k]!++; }
    return Array.from(counts, (count, k) => ({
      grade: GRADE_LETTERS[k]!, minScore: k < edges.length ? -edges[k]! : null, count, bads: bads[k]!, badRate: count > 0 ? bads[k]! / count : 0,
    }));
  }
}

export function probabilityOfScore(model: { scaling: Pick<ScalingFile, 'offset' | 'factor'> }, score: number): number {
  return 1 / (1 + Math.exp((score - model.scaling.offset) / model.scaling.factor));
}

export function scoreOfProbability(model: { scaling: Pick<ScalingFile, 'offset' | 'factor'> }, probability: number): number {
  return model.scaling.offset + model.scaling.factor * Math.log((1 - probability) / probability);
}

/** The grade of a score: the first band, best first, whose minimum the score reaches. */
export function gradeOf(model: { grades: readonly Grade[] }, score: number): string {
  return (model.grades.find((g) => g.minScore === null || score >= g.minScore) ?? model.grades.at(-1)!).grade;
}
