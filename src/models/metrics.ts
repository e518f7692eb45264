/**
 * The statistics risk teams read, each computed by one function: AUC and Gini, KS (with the score where it
 * peaks), PSI/CSI (with their bins), the lift and gains table, calibration (Brier, observed vs expected by
 * band) and the confusion matrix at a cut-off. Convention: `risk` is larger for riskier cases (a probability
 * of default, or minus a scorecard score); `bad` is 1/true for a bad outcome.
 */
import { OutcomeError } from './params.ts';
import { binIndex, equalFrequencyEdges } from './quantiles.ts';

function assertSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: ${a.length} values but ${b.length} outcomes`);
  if (a.length === 0) throw new RangeError(`${what}: no values`);
}

function counts(bad: ArrayLike<number | boolean>): { bads: number; goods: number } {
  let bads = 0;
  for (let i = 0; i < bad.length; i++) if (bad[i]) bads++;
  return { bads, goods: bad.length - bads };
}

/** Indexes sorted by risk, ascending. */
function orderByRisk(risk: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: risk.length }, (_, i) => i);
  return order.sort((a, b) => risk[a]! - risk[b]!);
}

/** Area under the ROC curve: the chance a random bad is riskier than a random good (ties count half). */
export function auc(risk: ArrayLike<number>, bad: ArrayLike<number | boolean>): number {
  assertSameLength(risk, bad, 'auc');
  const { bads, goods } = counts(bad);
  if (bads === 0 || goods === 0) throw new OutcomeError('auc needs both bad and good outcomes');
  const order = orderByRisk(risk);
  let rankSumBads = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && risk[order[end + 1]!] === risk[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (bad[order[k]!]) rankSumBads += averageRank;
    start = end + 1;
  }
  return (rankSumBads - (bads * (bads + 1)) / 2) / (bads * goods);
}

export function gini(risk: ArrayLike<number>, bad: ArrayLike<number | boolean>): number {
  return 2 * auc(risk, bad) - 1;
}

/** Kolmogorov–Smirnov: the largest gap between the cumulative shares of bads and goods, and where it is. */
export function ks(risk: ArrayLike<number>, bad: ArrayLike<number | boolean>): { ks: number; atRisk: number } {
  assertSameLength(risk, bad, 'ks');
  const { bads, goods } = counts(bad);
  if (bads === 0 || goods === 0) throw new OutcomeError('ks needs both bad and good outcomes');
  const order = orderByRisk(risk);
  let cumBads = 0;
  let cumGoods = 0;
  let best = { ks: 0, atRisk: risk[order[0]!]! };
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && risk[order[end + 1]!] === risk[order[start]!]) end++;
    for (let k = start; k <= end; k++) if (bad[order[k]!]) cumBads++; else cumGoods++;
    const gap = Math.abs(cumBads / bads - cumGoods / goods);
    if (gap > best.ks + 1e-12) best = { ks: gap, atRisk: risk[order[start]!]! }; // a tie keeps the first peak
    start = end + 1;
  }
  return best;
}

/** Bin b holds the values in (from, to]: the equal-frequency bins of quantiles.ts. */
export interface PsiBin { from: number; to: number; expectedShare: number; actualShare: number; psi: number }

/** Share floor for an empty bin, so PSI stays finite (a common convention). */
export const PSI_SHARE_FLOOR = 1e-4;

/**
 * Population stability index of `actual` against `expected` over `bins` equal-frequency bins of the expected
 * values: Σ (a − e) · ln(a / e). Read: < 0.1 stable, 0.1–0.25 shifting, > 0.25 shifted. CSI is the same
 * computed on one variable.
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): { psi: number; bins: PsiBin[] } {
  if (expected.length === 0 || actual.length === 0) throw new RangeError('psi needs values on both sides');
  const edges = equalFrequencyEdges(Float64Array.from(expected).sort(), bins);
  const binOf = (v: number) => binIndex(edges, v);
  const e = new Float64Array(edges.length + 1);
  const a = new Float64Array(edges.length + 1);
  for (let i = 0; i < expected.length; i++) e[binOf(expected[i]!)]!++;
  for (let i = 0; i < actual.length; i++) a[binOf(actual[i]!)]!++;
  const out: PsiBin[] = [];
  let total = 0;
  for (let b = 0; b <= edges.length; b++) {
    const es = Math.max(PSI_SHARE_FLOOR, e[b]! / expected.length);
    const as = Math.max(PSI_SHARE_FLOOR, a[b]! / actual.length);
    const value = (as - es) * Math.log(as / es);
    total += value;
    out.push({ from: b === 0 ? Number.NEGATIVE_INFINITY : edges[b - 1]!, to: b === edges.length ? Number.POSITIVE_INFINITY : edges[b]!, expectedShare: e[b]! / expected.length, actualShare: a[b]! / actual.length, psi: value });
  }
  return { psi: total, bins: out };
}

export interface GainsRow { band: number; count: number; bads: number; badRate: number; cumulativeBadShare: number; cumulativePopulationShare: number; lift: number }

/** Gains and lift by risk band, riskiest first (deciles by default). */
export function gainsTable(risk: ArrayLike<number>, bad: ArrayLike<number | boolean>, bands = 10): GainsRow[] {
  assertSameLength(risk, bad, 'gains');
  const order = orderByRisk(risk).reverse();
  const { bads } = counts(bad);
  const overall = bads / risk.length;
  const rows: GainsRow[] = [];
  let cumBads = 0;
  for (let band = 0; band < bands; band++) {
    const from = Math.floor((band * order.length) / bands);
    const to = Math.floor(((band + 1) * order.length) / bands);
    if (to <= from) continue;
    let bandBads = 0;
    for (let k = from; k < to; k++) if (bad[order[k]!]) bandBads++;
    cumBads += bandBads;
    const badRate = bandBads / (to - from);
    rows.push({ band: band + 1, count: to - from, bads: bandBads, badRate, cumulativeBadShare: bads > 0 ? cumBads / bads : 0, cumulativePopulationShare: to / order.length, lift: overall > 0 ? badRate / overall : 0 });
  }
  return rows;
}

export interface CalibrationBand { band: number; count: number; expectedBadRate: number; observedBadRate: number }

/** Brier score of probabilities, and observed against expected bad rates by equal-count band of probability. */
export function calibration(probability: ArrayLike<number>, bad: ArrayLike<number | boolean>, bands = 10): { brier: number; bands: CalibrationBand[] } {
  assertSameLength(probability, bad, 'calibration');
  let brier = 0;
  for (let i = 0; i < probability.length; i++) brier += ((bad[i] ? 1 : 0) - probability[i]!) ** 2;
  const order = orderByRisk(probability);
  const out: CalibrationBand[] = [];
  for (let band = 0; band < bands; band++) {
    const from = Math.floor((band * order.length) / bands);
    const to = Math.floor(((band + 1) * order.length) / bands);
    if (to <= from) continue;
    let expected = 0;
    let observed = 0;
    for (let k = from; k < to; k++) { expected += probability[order[k]!]!; if (bad[order[k]!]) observed++; }
    out.push({ band: band + 1, count: to - from, expectedBadRate: expected / (to - from), observedBadRate: observed / (to - from) });
  }
  return { brier: brier / probability.length, bands: out };
}

/** Confusion at a cut-off: risk at or above it is predicted bad. */
export function confusion(risk: ArrayLike<number>, bad: ArrayLike<number | boolean>, cutoff: number) {
  assertSameLength(risk, bad, 'confusion');
  let tp = 0; let fp = 0; let tn = 0; let fn = 0;
  for (let i = 0; i < risk.length; i++) {
    const predicted = risk[i]! >= cutoff;
    if (bad[i]) { if (predicted) tp++; else fn++; } else if (predicted) fp++; else tn++;
  }
  return {
    truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0, recall: tp + fn > 0 ? tp / (tp + fn) : 0, accuracy: (tp + tn) / risk.length,
  };
}
