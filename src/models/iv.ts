/**
 * Weight of evidence and information value of one variable against a binary outcome.
 *
 * WOE of a bin = ln(share of goods in the bin / share of bads in the bin) (Siddiqi's convention: positive
 * means better than average). Empty classes are smoothed by adding `smoothing` (default 0.5) to the good
 * and bad count of every bin, so no bin has an infinite WOE. IV = Σ (share of goods − share of bads) × WOE.
 * Numbers are cut into equal-frequency bins (ties never split); missing values get a bin of their own;
 * each category is a bin.
 */

export interface IvBin {
  label: string;
  count: number;
  bads: number;
  goods: number;
  badRate: number;
  woe: number;
  iv: number;
}

export interface IvResult { iv: number; bins: IvBin[] }

export interface IvOptions { bins?: number; smoothing?: number }

export const MISSING_BIN = 'missing';

function summarise(groups: Map<string, { goods: number; bads: number }>, order: string[], smoothing: number): IvResult {
  let goodTotal = 0;
  let badTotal = 0;
  for (const g of groups.values()) { goodTotal += g.goods; badTotal += g.bads; }
  const k = groups.size;
  const bins: IvBin[] = [];
  let iv = 0;
  for (const label of order) {
    const g = groups.get(label);
    if (!g) continue;
    const goodShare = (g.goods + smoothing) / (goodTotal + smoothing * k);
    const badShare = (g.bads + smoothing) / (badTotal + smoothing * k);
    const woe = Math.log(goodShare / badShare);
    const binIv = (goodShare - badShare) * woe;
    iv += binIv;
    bins.push({ label, count: g.goods + g.bads, bads: g.bads, goods: g.goods, badRate: g.bads / (g.goods + g.bads), woe, iv: binIv });
  }
  return { iv, bins };
}

/** Upper edges of equal-frequency bins over sorted numbers, never splitting equal values. */
export function equalFrequencyEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins) - 1)];
    if (edge !== undefined && (edges.length === 0 || edge > edges.at(-1)!)) edges.push(edge);
  }
  return edges;
}

export function informationValue(values: readonly (number | string | null)[], bad: ArrayLike<number | boolean>, options: IvOptions = {}): IvResult {
  if (values.length !== bad.length) throw new RangeError(`values (${values.length}) and outcomes (${bad.length}) differ in length`);
  const binCount = options.bins ?? 10;
  const smoothing = options.smoothing ?? 0.5;
  const numbers = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const edges = equalFrequencyEdges(numbers, binCount);
  const labelOf = (value: number | string | null): string => {
    if (value === null || (typeof value === 'number' && Number.isNaN(value))) return MISSING_BIN;
    if (typeof value === 'string') return value;
    let b = 0;
    while (b < edges.length && value > edges[b]!) b++;
    return b === 0 ? `≤ ${edges[0] ?? value}` : b === edges.length ? `> ${edges.at(-1)}` : `(${edges[b - 1]}, ${edges[b]}]`;
  };
  const groups = new Map<string, { goods: number; bads: number }>();
  const order: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const label = labelOf(values[i]!);
    let g = groups.get(label);
    if (!g) { g = { goods: 0, bads: 0 }; groups.set(label, g); }
    if (bad[i]) g.bads++;
    else g.goods++;
  }
  const numericOrder = [...(edges.length === 0 ? [] : [`≤ ${edges[0]}`]), ...edges.slice(1).map((e, k) => `(${edges[k]}, ${e}]`), ...(edges.length > 0 ? [`> ${edges.at(-1)}`] : [])];
  for (const label of numericOrder) if (groups.has(label)) order.push(label);
  for (const label of [...groups.keys()].sort()) if (!order.includes(label) && label !== MISSING_BIN) order.push(label);
  if (groups.has(MISSING_BIN)) order.push(MISSING_BIN);
  return summarise(groups, order, smoothing);
}
