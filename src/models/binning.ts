/**
 * Binning of one variable against a binary outcome, configured in the constructor, learned in `fit`, and
 * exposed as a plain-data table (`BinningTable`) that serialises to JSON and applies identically to new data.
 *
 * Numeric methods: equal frequency (`quantile`), equal width (`uniform`), chi-merge, decision tree (CART on
 * Gini impurity over the fine quantile cuts, with χ²/Bonferroni stopping rules), and `monotonic` (fine quantile bins merged until the bad rate is monotonic, ascending,
 * descending or the better-fitting of both). After any method, bins smaller than `minBinShare` of the rows
 * or with fewer than `minBadsPerBin` bads are merged into their closest neighbour. Missing values (null/NaN)
 * and each declared special value get bins of their own. Categorical variables get a bin per category, with
 * categories rarer than `rareShare` (and categories unseen in training) grouped as OTHER.
 * WOE = ln(share of goods / share of bads), smoothed by adding 0.5 to each non-empty bin's goods and bads;
 * an empty bin has WOE 0 and adds nothing to IV.
 */

import { normalUpperTail } from './logistic.ts';
import { OutcomeError, ParamChecker } from './params.ts';
import { binIndex, equalFrequencyEdges } from './quantiles.ts';

export { equalFrequencyEdges, OutcomeError };

export const BINNING_METHODS = ['quantile', 'uniform', 'chimerge', 'tree', 'monotonic'] as const;
export type BinningMethod = (typeof BINNING_METHODS)[number];
export const MONOTONIC_DIRECTIONS = ['ascending', 'descending', 'auto'] as const;
/** How a variable is binned: the feature catalogue or the user says which, never the values. */
export type VariableType = 'numeric' | 'categorical';
/** A variable's values: an array (null = missing), or a typed numeric column (NaN = missing). */
export type ColumnValues = readonly (number | string | null)[] | Float64Array;
export type Monotonic = (typeof MONOTONIC_DIRECTIONS)[number];

export interface BinningOptions {
  method?: BinningMethod;
  maxBins?: number;
  minBinShare?: number;
  minBadsPerBin?: number;
  monotonic?: Monotonic | null;
  specialValues?: number[];
  rareShare?: number;
  smoothing?: number;
  /**
   * Tree binning: a split is kept only if the χ² test of its two sides against the outcome is significant at
   * this level after a Bonferroni correction for the number of candidate cuts (CHAID's rule), so small
   * samples are not cut into noise. Default 0.05.
   */
  treeSignificance?: number;
}

export const BINS_MAX = 100;

/** Adds every problem with binning options to `checker` (names prefixed as the caller shows them). */
export function checkBinningOptions(options: BinningOptions, checker: ParamChecker): void {
  checker.choice('method', options.method, BINNING_METHODS);
  checker.number('maxBins', options.maxBins, { min: 2, max: BINS_MAX, integer: true });
  // A minimum share of a half or more leaves at most one bin: the variable would be wiped silently.
  checker.number('minBinShare', options.minBinShare, { min: 0, max: 0.5, maxExclusive: true });
  checker.number('minBadsPerBin', options.minBadsPerBin, { min: 0, max: 1_000_000, integer: true });
  if (options.monotonic !== null) checker.choice('monotonic', options.monotonic, MONOTONIC_DIRECTIONS);
  checker.numbers('specialValues', options.specialValues);
  checker.number('rareShare', options.rareShare, { min: 0, max: 0.5, maxExclusive: true });
  checker.number('smoothing', options.smoothing, { min: 0, max: 10, minExclusive: true });
  checker.number('treeSignificance', options.treeSignificance, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
}

export interface BinStats { label: string; count: number; bads: number; goods: number; badRate: number; woe: number; iv: number }

export interface NumericBinningTable {
  kind: 'numeric';
  /** Upper edges: bin k holds values in (edges[k-1], edges[k]]; the last bin is unbounded above. */
  edges: number[];
  specialValues: number[];
  /** Regular bins, then one per special value, then missing. */
  bins: BinStats[];
  iv: number;
}

export interface CategoricalBinningTable {
  kind: 'categorical';
  /** Categories of each bin; OTHER gathers rare and unseen ones. */
  groups: string[][];
  bins: BinStats[];
  iv: number;
}

export type BinningTable = NumericBinningTable | CategoricalBinningTable;

export const OTHER = '__other__';
export const MISSING_LABEL = 'missing';
export const FINE_BINS = 20;
const CHI2_95 = 3.841;

export class Binning {
  readonly options: Required<BinningOptions>;

  constructor(options: BinningOptions = {}) {
    const checker = new ParamChecker('binning ');
    checkBinningOptions(options, checker);
    checker.throwIfAny();
    this.options = {
      method: options.method ?? 'monotonic', maxBins: options.maxBins ?? 8, minBinShare: options.minBinShare ?? 0.05,
      minBadsPerBin: options.minBadsPerBin ?? 1,
      monotonic: options.monotonic !== undefined ? options.monotonic : options.method === undefined || options.method === 'monotonic' ? 'auto' : null,
      specialValues: options.specialValues ?? [], rareShare: options.rareShare ?? 0.01, smoothing: options.smoothing ?? 0.5,
      treeSignificance: options.treeSignificance ?? 0.05,
    };
  }

  /**
   * Fits the bins of one variable. `type` says how to bin it; without it, the column's representation says:
   * a Float64Array or numbers are numeric, strings categorical, and a column mixing both is refused.
   */
  fit(values: ColumnValues, bad: ArrayLike<number | boolean>, type?: VariableType): BinningTable {
    if (values.length !== bad.length) throw new RangeError(`${values.length} values for ${bad.length} outcomes`);
    let bads = 0;
    for (let i = 0; i < bad.length; i++) if (bad[i]) bads++;
    if (bads === 0 || bads === bad.length) throw new OutcomeError(`binning needs both outcomes: ${bads} bads among ${bad.length} rows`);
    const kind = type ?? representationOf(values);
    if (kind === 'categorical') {
      const strings = values instanceof Float64Array ? Array.from(values, (v) => (Number.isNaN(v) ? null : String(v))) : values;
      return this.fitCategorical(strings, bad);
    }
    if (!(values instanceof Float64Array) && values.some((v) => typeof v === 'string')) {
      throw new OutcomeError('a numeric variable holds text values; declare it categorical');
    }
    return this.fitNumeric(values as readonly (number | null)[] | Float64Array, bad);
  }

  private fitNumeric(values: readonly (number | null)[] | Float64Array, bad: ArrayLike<number | boolean>): NumericBinningTable {
    const o = this.options;
    const specials = new Set(o.specialValues);
    const usable = (v: number | null): v is number => v !== null && !Number.isNaN(v) && !specials.has(v);
    let m = 0;
    for (let i = 0; i < values.length; i++) if (usable(values[i]!)) m++;
    const regular = new Float64Array(m);
    const regularBad = new Uint8Array(m);
    m = 0;
    for (let i = 0; i < values.length; i++) { const v = values[i]!; if (usable(v)) { regular[m] = v; regularBad[m++] = bad[i] ? 1 : 0; } }
    const sorted = regular.slice().sort();
    // Every merge below works on a histogram over the initial edges: coarser edges are always a subset of
    // them, so the counts are exactly what recounting the rows would give.
    let h = histogram(regular, regularBad, this.initialEdges(sorted, regular, regularBad));
    if (o.method === 'chimerge') h = chiMerge(h, o.maxBins);
    if (o.monotonic) h = enforceMonotonic(h, o.monotonic);
    h = enforceMinimums(h, Math.ceil(o.minBinShare * values.length), o.minBadsPerBin);
    while (h.cells.length > o.maxBins) h = merge(h, closestPair(h));
    const table: NumericBinningTable = { kind: 'numeric', edges: h.edges, specialValues: [...o.specialValues], bins: [], iv: 0 };
    const index = applyNumeric(table, values);
    return { ...table, ...statistics(index, bad, binLabels(table), o.smoothing) };
  }

  private initialEdges(sorted: Float64Array, values: Float64Array, bads: Uint8Array): number[] {
    const o = this.options;
    if (sorted.length === 0) return [];
    switch (o.method) {
      case 'quantile': return equalFrequencyEdges(sorted, o.maxBins);
      case 'uniform': {
        const low = sorted[0]!; const high = sorted[sorted.length - 1]!;
        return high > low ? Array.from({ length: o.maxBins - 1 }, (_, k) => low + ((k + 1) * (high - low)) / o.maxBins) : [];
      }
      case 'tree': return treeEdges(values, bads, equalFrequencyEdges(sorted, Math.max(FINE_BINS, o.maxBins)), { maxBins: o.maxBins, minLeaf: Math.max(1, Math.ceil(o.minBinShare * values.length)), minBads: o.minBadsPerBin, significance: o.treeSignificance });
      default: return equalFrequencyEdges(sorted, Math.max(FINE_BINS, o.maxBins));
    }
  }

  private fitCategorical(values: readonly (number | string | null)[], bad: ArrayLike<number | boolean>): CategoricalBinningTable {
    const o = this.options;
    const counts = new Map<string, number>();
    for (const v of values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const groups = [...counts.entries()].filter(([, n]) => n >= o.rareShare * values.length).map(([c]) => [c]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    groups.push([OTHER]);
    const table: CategoricalBinningTable = { kind: 'categorical', groups, bins: [], iv: 0 };
    const index = applyCategorical(table, values);
    return { ...table, ...statistics(index, bad, [...groups.map((g) => g.join('|')), MISSING_LABEL], o.smoothing) };
  }
}

function representationOf(values: ColumnValues): VariableType {
  if (values instanceof Float64Array) return 'numeric';
  let numbers = 0; let strings = 0;
  for (const v of values) { if (typeof v === 'number') numbers++; else if (typeof v === 'string') strings++; }
  if (numbers > 0 && strings > 0) throw new OutcomeError('a column mixes numbers and text; say whether it is numeric or categorical');
  return strings > 0 ? 'categorical' : 'numeric';
}

function binLabels(table: NumericBinningTable): string[] {
  const e = table.edges;
  const regular = e.length === 0 ? ['all'] : [`≤ ${e[0]}`, ...e.slice(1).map((edge, k) => `(${e[k]}, ${edge}]`), `> ${e.at(-1)}`];
  return [...regular, ...table.specialValues.map((s) => `= ${s}`), MISSING_LABEL];
}

/** Bin index of each value under a fitted numeric table (a hot path: one plain loop, no allocation per value). */
export function applyNumeric(table: NumericBinningTable, values: ColumnValues): Int32Array {
  const edges = table.edges;
  const edgeCount = edges.length;
  const regularBins = edgeCount + 1;
  const specials = table.specialValues;
  const missingBin = regularBins + specials.length;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    const v = typeof raw === 'number' ? raw : raw === null || raw === undefined ? Number.NaN : Number(raw);
    if (v !== v) { out[i] = missingBin; continue; } // NaN: missing
    if (specials.length > 0) {
      const special = specials.indexOf(v);
      if (special >= 0) { out[i] = regularBins + special; continue; }
    }
    out[i] = binIndex(edges, v);
  }
  return out;
}

/**
 * Adds each row's value of its bin to `into` (a scorecard's points), in one pass and without an index array:
 * the scoring hot path. Same bins as applyBinning.
 */
export function accumulateByBin(table: BinningTable, values: ColumnValues, perBin: Float64Array, into: Float64Array): void {
  if (table.kind === 'categorical') {
    const index = applyCategorical(table, values);
    for (let i = 0; i < index.length; i++) into[i]! += perBin[index[i]!]!;
    return;
  }
  const edges = table.edges;
  const edgeCount = edges.length;
  const regularBins = edgeCount + 1;
  const specials = table.specialValues;
  const missing = perBin[regularBins + specials.length]!;
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    const v = typeof raw === 'number' ? raw : raw === null || raw === undefined ? Number.NaN : Number(raw);
    if (v !== v) { into[i]! += missing; continue; }
    if (specials.length > 0) {
      const special = specials.indexOf(v);
      if (special >= 0) { into[i]! += perBin[regularBins + special]!; continue; }
    }
    into[i]! += perBin[binIndex(edges, v)]!;
  }
}

export function applyCategorical(table: CategoricalBinningTable, values: ColumnValues): Int32Array {
  const lookup = new Map<string, number>();
  table.groups.forEach((group, k) => group.forEach((c) => lookup.set(c, k)));
  const other = table.groups.findIndex((g) => g.includes(OTHER));
  return Int32Array.from(values as ArrayLike<number | string | null>, (v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? table.groups.length : lookup.get(String(v)) ?? other));
}

export function applyBinning(table: BinningTable, values: ColumnValues): Int32Array {
  return table.kind === 'numeric' ? applyNumeric(table, values) : applyCategorical(table, values);
}

/** The WOE of each value's bin. */
export function woeOf(table: BinningTable, values: ColumnValues): Float64Array {
  const index = applyBinning(table, values);
  return Float64Array.from(index, (k) => table.bins[k]!.woe);
}

function statistics(index: Int32Array, bad: ArrayLike<number | boolean>, labels: string[], smoothing: number): { bins: BinStats[]; iv: number } {
  const bads = new Float64Array(labels.length);
  const goods = new Float64Array(labels.length);
  for (let i = 0; i < index.length; i++) { if (bad[i]) bads[index[i]!]!++; else goods[index[i]!]!++; }
  let badTotal = 0; let goodTotal = 0; let k = 0;
  for (let b = 0; b < labels.length; b++) { badTotal += bads[b]!; goodTotal += goods[b]!; if (bads[b]! + goods[b]! > 0) k++; }
  let iv = 0;
  const bins = labels.map((label, b) => {
    // An empty bin (no missing values, an unused special value) carries no evidence: WOE 0, IV 0.
    if (goods[b]! + bads[b]! === 0) return { label, count: 0, bads: 0, goods: 0, badRate: 0, woe: 0, iv: 0 };
    const goodShare = (goods[b]! + smoothing) / (goodTotal + smoothing * k);
    const badShare = (bads[b]! + smoothing) / (badTotal + smoothing * k);
    const woe = Math.log(goodShare / badShare);
    const binIv = (goodShare - badShare) * woe;
    iv += binIv;
    const count = goods[b]! + bads[b]!;
    return { label, count, bads: bads[b]!, goods: goods[b]!, badRate: count > 0 ? bads[b]! / count : 0, woe, iv: binIv };
  });
  return { bins, iv };
}

interface Cell { count: number; bads: number }
/** Bins as upper edges and their counts: cells[k] holds the rows in (edges[k-1], edges[k]]. */
interface Histogram { edges: number[]; cells: Cell[] }

function histogram(values: Float64Array, bads: Uint8Array, edges: number[]): Histogram {
  const cells: Cell[] = Array.from({ length: edges.length + 1 }, () => ({ count: 0, bads: 0 }));
  for (let i = 0; i < values.length; i++) {
    const cell = cells[binIndex(edges, values[i]!)]!;
    cell.count++;
    cell.bads += bads[i]!;
  }
  return { edges, cells };
}

/** Merges bins k and k+1. */
function merge(h: Histogram, k: number): Histogram {
  const cells = h.cells.slice();
  cells.splice(k, 2, { count: h.cells[k]!.count + h.cells[k + 1]!.count, bads: h.cells[k]!.bads + h.cells[k + 1]!.bads });
  return { edges: h.edges.filter((_, j) => j !== k), cells };
}

const rate = (c: Cell) => (c.count > 0 ? c.bads / c.count : 0);

/** The adjacent pair whose bad rates are closest. */
function closestPair(h: Histogram): number {
  let best = 0; let bestGap = Number.POSITIVE_INFINITY;
  for (let k = 0; k + 1 < h.cells.length; k++) {
    const gap = Math.abs(rate(h.cells[k]!) - rate(h.cells[k + 1]!));
    if (gap < bestGap) { bestGap = gap; best = k; }
  }
  return best;
}

function chiSquare(a: Cell, b: Cell): number {
  const total = a.count + b.count;
  const badTotal = a.bads + b.bads;
  if (total === 0 || badTotal === 0 || badTotal === total) return 0;
  let chi = 0;
  for (const cell of [a, b]) {
    const expectedBads = (cell.count * badTotal) / total;
    const expectedGoods = cell.count - expectedBads;
    chi += (cell.bads - expectedBads) ** 2 / expectedBads + (cell.count - cell.bads - expectedGoods) ** 2 / expectedGoods;
  }
  return chi;
}

/** Chi-merge: merge the adjacent pair with the smallest χ² until every pair differs at 95% and at most maxBins remain. */
function chiMerge(start: Histogram, maxBins: number): Histogram {
  let h = start;
  while (h.cells.length > 1) {
    let best = 0; let bestChi = Number.POSITIVE_INFINITY;
    for (let k = 0; k + 1 < h.cells.length; k++) { const chi = chiSquare(h.cells[k]!, h.cells[k + 1]!); if (chi < bestChi) { bestChi = chi; best = k; } }
    if (bestChi >= CHI2_95 && h.cells.length <= maxBins) break;
    h = merge(h, best);
  }
  return h;
}

/** Pools adjacent bins until bad rates are monotonic in the asked direction (auto: the one keeping more bins). */
function enforceMonotonic(start: Histogram, direction: Monotonic): Histogram {
  if (direction === 'auto') {
    const up = enforceMonotonic(start, 'ascending');
    const down = enforceMonotonic(start, 'descending');
    return up.cells.length >= down.cells.length ? up : down;
  }
  let h = start;
  for (;;) {
    const k = h.cells.findIndex((c, j) => j + 1 < h.cells.length && (direction === 'ascending' ? rate(c) > rate(h.cells[j + 1]!) : rate(c) < rate(h.cells[j + 1]!)));
    if (k < 0) return h;
    h = merge(h, k);
  }
}

function enforceMinimums(start: Histogram, minCount: number, minBads: number): Histogram {
  let h = start;
  while (h.cells.length > 1) {
    const k = h.cells.findIndex((c) => c.count < minCount || c.bads < minBads);
    if (k < 0) break;
    // Merge with the neighbour of the closer bad rate (the only neighbour at either end).
    const left = k > 0 ? Math.abs(rate(h.cells[k]!) - rate(h.cells[k - 1]!)) : Number.POSITIVE_INFINITY;
    const right = k + 1 < h.cells.length ? Math.abs(rate(h.cells[k]!) - rate(h.cells[k + 1]!)) : Number.POSITIVE_INFINITY;
    h = merge(h, left <= right ? k - 1 : k);
  }
  return h;
}

interface TreeRules { maxBins: number; minLeaf: number; minBads: number; significance: number }

/**
 * CART on Gini impurity over candidate cuts (the fine equal-frequency edges, not every distinct value),
 * best-first. Statistical stopping rules keep it from fitting noise in small samples: each side of a split
 * needs at least `minLeaf` rows and `minBads` bads, and the split's 2×2 χ² test against the outcome must be
 * significant at `significance` divided by the number of candidate cuts (Bonferroni, as in CHAID).
 */
function treeEdges(values: Float64Array, bads: Uint8Array, candidates: number[], rules: TreeRules): number[] {
  const h = histogram(values, bads, candidates);
  const prefixCount = new Float64Array(h.cells.length + 1);
  const prefixBads = new Float64Array(h.cells.length + 1);
  h.cells.forEach((c, k) => { prefixCount[k + 1] = prefixCount[k]! + c.count; prefixBads[k + 1] = prefixBads[k]! + c.bads; });
  const side = (from: number, to: number): Cell => ({ count: prefixCount[to]! - prefixCount[from]!, bads: prefixBads[to]! - prefixBads[from]! });
  const impurity = (c: Cell) => (c.count === 0 ? 0 : 2 * c.bads * (1 - c.bads / c.count));
  const alpha = rules.significance / Math.max(1, candidates.length);
  /** Best admissible split of cells [from, to): the cut after cell s − 1. */
  const bestSplit = (from: number, to: number) => {
    let best = { gain: 0, at: -1 };
    const parent = impurity(side(from, to));
    for (let s = from + 1; s < to; s++) {
      const left = side(from, s);
      const right = side(s, to);
      if (left.count < rules.minLeaf || right.count < rules.minLeaf || left.bads < rules.minBads || right.bads < rules.minBads) continue;
      const gain = parent - impurity(left) - impurity(right);
      if (gain <= best.gain + 1e-12) continue;
      if (2 * normalUpperTail(Math.sqrt(chiSquare(left, right))) >= alpha) continue; // p-value of χ² with 1 df
      best = { gain, at: s };
    }
    return best;
  };
  const leaves: [number, number][] = [[0, h.cells.length]];
  const edges: number[] = [];
  while (leaves.length < rules.maxBins) {
    let chosen = -1; let split = { gain: 0, at: -1 };
    leaves.forEach(([from, to], k) => { const s = bestSplit(from, to); if (s.gain > split.gain) { split = s; chosen = k; } });
    if (chosen < 0) break;
    const [from, to] = leaves[chosen]!;
    leaves.splice(chosen, 1, [from, split.at], [split.at, to]);
    edges.push(candidates[split.at - 1]!);
  }
  return edges.sort((a, b) => a - b);
}
