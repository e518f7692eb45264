/**
 * Weight of evidence and information value of one variable against a binary outcome.
 *
 * WOE of a bin = ln(share of goods in the bin / share of bads in the bin) (Siddiqi's convention: positive
 * means better than average). Empty classes are smoothed by adding `smoothing` (default 0.5) to the good
 * and bad count of every non-empty bin, so no bin has an infinite WOE. IV = Σ (share of goods − share of bads) × WOE.
 * Numbers are cut into equal-frequency bins (ties never split); missing values get a bin of their own;
 * each category is a bin.
 */

import { Binning } from './binning.ts';

export { equalFrequencyEdges } from './binning.ts';

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

/**
 * IV of one variable: equal-frequency bins with no merging (the binning module's `quantile` method, so WOE
 * and IV are computed in one place), categories and missing values in bins of their own; empty bins omitted.
 */
export function informationValue(values: readonly (number | string | null)[], bad: ArrayLike<number | boolean>, options: IvOptions = {}): IvResult {
  if (values.length !== bad.length) throw new RangeError(`values (${values.length}) and outcomes (${bad.length}) differ in length`);
  const table = new Binning({
    method: 'quantile', maxBins: options.bins ?? 10, monotonic: null, minBinShare: 0, minBadsPerBin: 0, rareShare: 0, smoothing: options.smoothing ?? 0.5,
  }).fit(values.map((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v)), bad);
  return { iv: table.iv, bins: table.bins.filter((b) => b.count > 0) };
}
