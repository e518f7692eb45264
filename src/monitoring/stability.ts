/**
 * Score and feature stability: the PSI of a score (or the CSI of one feature) between a base sample (the
 * development or booking population) and a current one, judged by two rules at once.
 *
 * - The rule of thumb (Siddiqi, Credit Risk Scorecards, Wiley 2006): < 0.1 stable, 0.1–0.25 a shift to
 *   watch, ≥ 0.25 a major shift. It ignores sample size: 200 loans drawn from an unchanged population give
 *   a PSI above 0.1 quite often by chance, and a million give a significant but immaterial 0.01.
 * - The test (Yurdakul, "Statistical properties of the population stability index", PhD thesis, Western
 *   Michigan University 2018; Yurdakul & Naranjo, Journal of Risk Model Validation 14(4), 2020): with
 *   B bins, N base and M current values drawn from one distribution, PSI / (1/N + 1/M) is asymptotically
 *   χ² with B − 1 degrees of freedom. So PSI is significant at level α when it exceeds
 *   χ²(B−1; 1−α) · (1/N + 1/M).
 *
 * Verdict: `shift` when significant and ≥ the action threshold, `watch` when significant and ≥ the watch
 * threshold, else `stable` — a small sample must show a real difference, a large one a material one.
 * Bins are the equal-frequency bins of the base sample (src/models/quantiles.ts), the PSI is
 * src/models/metrics.ts's: one rule everywhere.
 */
import { psi, type PsiBin } from '../models/metrics.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import type { MonitoringPolicy } from './policy.ts';

export type StabilityVerdict = 'stable' | 'watch' | 'shift';

export interface StabilityResult {
  name: string;
  psi: number;
  bins: PsiBin[];
  baseCount: number;
  currentCount: number;
  /** The PSI a sample pair of these sizes exceeds by chance with probability `significance`. */
  criticalValue: number;
  significant: boolean;
  ruleOfThumb: StabilityVerdict;
  verdict: StabilityVerdict;
}

export class StabilityInputError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'stability_input');
  }
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms): enough for the regularised gamma below. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let k = 1; k < 9; k++) sum += c[k]! / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const GAMMA_ITERATIONS_MAX = 500;

/** Regularised lower incomplete gamma P(a, x): a series below a + 1, a continued fraction above. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < GAMMA_ITERATIONS_MAX && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return sum * Math.exp(logPrefix);
  }
  // Lentz's method for the continued fraction of Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < GAMMA_ITERATIONS_MAX; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return 1 - Math.exp(logPrefix) * h;
}

/** The p-quantile of the χ² distribution with `degrees` degrees of freedom, by bisection on its CDF. */
export function chiSquareQuantile(p: number, degrees: number): number {
  if (!(p > 0 && p < 1) || !(degrees > 0)) throw new RangeError('chiSquareQuantile needs 0 < p < 1 and degrees > 0');
  let low = 0;
  let high = Math.max(1, degrees);
  while (regularizedGammaP(degrees / 2, high / 2) < p) high *= 2;
  for (let iteration = 0; iteration < 100; iteration++) {
    const mid = (low + high) / 2;
    if (regularizedGammaP(degrees / 2, mid / 2) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** The PSI two samples of these sizes exceed by chance with probability `significance`, over `bins` bins. */
export function psiCriticalValue(bins: number, baseCount: number, currentCount: number, significance: number): number {
  return chiSquareQuantile(1 - significance, bins - 1) * (1 / baseCount + 1 / currentCount);
}

/** PSI (a score) or CSI (a feature) of `current` against `base`, with both verdicts. Non-finite values are refused. */
export function stabilityOf(name: string, base: ArrayLike<number>, current: ArrayLike<number>, policy: MonitoringPolicy['stability']): StabilityResult {
  for (const [side, values] of [['base', base], ['current', current]] as const) {
    if (values.length === 0) throw new StabilityInputError(`${name}: the ${side} sample is empty`);
    if (values.length > policy.valuesMax) throw new StabilityInputError(`${name}: the ${side} sample has ${values.length} values, more than ${policy.valuesMax}`);
    for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) throw new StabilityInputError(`${name}: ${side} value ${k} is not a finite number`);
  }
  const result = psi(base, current, policy.bins);
  // A base sample of one value gives one bin: every value falls in it, PSI is 0 and there is nothing to test.
  const criticalValue = result.bins.length < 2 ? 0 : psiCriticalValue(result.bins.length, base.length, current.length, policy.significance);
  const significant = result.bins.length >= 2 && result.psi > criticalValue;
  const ruleOfThumb: StabilityVerdict = result.psi >= policy.psiAct ? 'shift' : result.psi >= policy.psiWatch ? 'watch' : 'stable';
  const verdict: StabilityVerdict = significant ? ruleOfThumb : 'stable';
  return { name, psi: result.psi, bins: result.bins, baseCount: base.length, currentCount: current.length, criticalValue, significant, ruleOfThumb, verdict };
}

/** CSI of every named feature present in both samples (values that are null are left out per feature). */
export function characteristicStability(
  base: readonly Record<string, number | null>[], current: readonly Record<string, number | null>[], features: readonly string[], policy: MonitoringPolicy['stability'],
): StabilityResult[] {
  const column = (rows: readonly Record<string, number | null>[], id: string) => {
    const values: number[] = [];
    for (const row of rows) { const v = row[id]; if (typeof v === 'number' && Number.isFinite(v)) values.push(v); }
    return values;
  };
  const out: StabilityResult[] = [];
  for (const id of features) {
    const b = column(base, id);
    const c = column(current, id);
    if (b.length > 0 && c.length > 0) out.push(stabilityOf(id, b, c, policy));
  }
  return out;
}
