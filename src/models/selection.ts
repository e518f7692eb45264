/**
 * Variable selection on prepared (e.g. WOE) columns: variance inflation factors, and stepwise logistic
 * selection forward or backward on AIC, BIC or Wald p-value.
 */
import { inverse, Matrix } from 'ml-matrix';
import { fitLogistic, ModelFitError } from './logistic.ts';

/** VIF of each column: the diagonal of the inverse correlation matrix (1 / (1 − R²) of each on the others). */
export function varianceInflation(columns: readonly Float64Array[]): number[] {
  const p = columns.length;
  if (p < 2) return columns.map(() => 1);
  const n = columns[0]!.length;
  const centred = columns.map((c) => { let m = 0; for (let i = 0; i < n; i++) m += c[i]!; m /= n; const out = new Float64Array(n); let ss = 0; for (let i = 0; i < n; i++) { out[i] = c[i]! - m; ss += out[i]! ** 2; } const sd = Math.sqrt(ss); for (let i = 0; i < n; i++) out[i]! /= sd || 1; return out; });
  const r = new Matrix(p, p);
  for (let a = 0; a < p; a++) for (let b = a; b < p; b++) { let s = 0; for (let i = 0; i < n; i++) s += centred[a]![i]! * centred[b]![i]!; r.set(a, b, s); r.set(b, a, s); }
  try {
    const inv = inverse(r);
    return Array.from({ length: p }, (_, j) => inv.get(j, j));
  } catch {
    return columns.map(() => Number.POSITIVE_INFINITY);
  }
}

export type StepwiseCriterion = 'aic' | 'bic' | 'pvalue';

export interface StepwiseOptions { direction: 'forward' | 'backward'; criterion: StepwiseCriterion; pValueMax?: number; stepsMax?: number }

export interface StepwiseResult { selected: number[]; steps: { action: 'add' | 'remove'; column: number; criterion: number }[] }

function fitSubset(columns: readonly Float64Array[], subset: number[], y: ArrayLike<number | boolean>) {
  const n = y.length;
  const p = subset.length;
  const x = new Float64Array(n * p);
  subset.forEach((c, j) => { const col = columns[c]!; for (let i = 0; i < n; i++) x[i * p + j] = col[i]!; });
  if (p === 0) {
    let bads = 0;
    for (let i = 0; i < n; i++) if (y[i]) bads++;
    const rate = bads / n;
    const ll = bads * Math.log(rate) + (n - bads) * Math.log(1 - rate);
    return { aic: 2 - 2 * ll, bic: Math.log(n) - 2 * ll, pValues: [] as number[] };
  }
  return fitLogistic(x, y, p);
}

const score = (fit: { aic: number; bic: number }, criterion: StepwiseCriterion) => (criterion === 'bic' ? fit.bic : fit.aic);

export function stepwise(columns: readonly Float64Array[], y: ArrayLike<number | boolean>, options: StepwiseOptions): StepwiseResult {
  const pMax = options.pValueMax ?? 0.05;
  const stepsMax = options.stepsMax ?? 2 * columns.length;
  let selected = options.direction === 'forward' ? [] as number[] : columns.map((_, k) => k);
  const steps: StepwiseResult['steps'] = [];
  let current = fitSubset(columns, selected, y);
  for (let step = 0; step < stepsMax; step++) {
    let best: { column: number; fit: ReturnType<typeof fitSubset>; value: number } | null = null;
    const candidates = options.direction === 'forward' ? columns.map((_, k) => k).filter((k) => !selected.includes(k)) : [...selected];
    for (const column of candidates) {
      const subset = options.direction === 'forward' ? [...selected, column] : selected.filter((k) => k !== column);
      let fit;
      try { fit = fitSubset(columns, subset, y); } catch (error) { if (error instanceof ModelFitError) continue; throw error; }
      const value = options.criterion === 'pvalue'
        ? (options.direction === 'forward' ? fit.pValues.at(-1)! : -current.pValues[selected.indexOf(column)]!)
        : score(fit, options.criterion);
      if (!best || value < best.value) best = { column, fit, value };
    }
    if (!best) break;
    const improves = options.criterion === 'pvalue'
      ? (options.direction === 'forward' ? best.value < pMax : -best.value > pMax)
      : best.value < score(current, options.criterion);
    if (!improves) break;
    selected = options.direction === 'forward' ? [...selected, best.column] : selected.filter((k) => k !== best!.column);
    current = best.fit;
    steps.push({ action: options.direction === 'forward' ? 'add' : 'remove', column: best.column, criterion: best.value });
  }
  return { selected: [...selected].sort((a, b) => a - b), steps };
}
