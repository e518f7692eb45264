/**
 * One rule for cutting numbers into equal-frequency bins and for finding a value's bin. Binning (fine bins and
 * the `quantile` method), PSI and scorecard grades all cut with these two functions, so a bin means the same
 * thing everywhere: bin k holds the values in (edges[k-1], edges[k]]; the last bin holds everything above the
 * last edge. Equal values are never split across bins, and no bin is left empty.
 */

/** Upper edges of at most `bins` equal-frequency bins over numbers sorted ascending (no NaN). */
export function equalFrequencyEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  const n = sorted.length;
  if (n === 0) return edges;
  for (let b = 1; b < bins; b++) {
    const at = Math.floor((b * n) / bins) - 1;
    if (at < 0) continue;
    const edge = sorted[at]!;
    if (edges.length === 0 || edge > edges.at(-1)!) edges.push(edge);
  }
  // An edge at the maximum would leave the last bin empty.
  while (edges.length > 0 && edges.at(-1)! >= sorted[n - 1]!) edges.pop();
  return edges;
}

/** The bin of a value under upper edges sorted ascending: the first k with value ≤ edges[k], else edges.length. */
export function binIndex(edges: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value <= edges[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}
