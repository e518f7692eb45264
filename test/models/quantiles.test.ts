import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binIndex, equalFrequencyEdges } from '../../src/models/quantiles.ts';
import { psi } from '../../src/models/metrics.ts';

test('equal-frequency edges: bins of equal size, ties never split, no empty last bin', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(equalFrequencyEdges(sorted, 4), [24, 49, 74]);
  // 60 copies of 1 then 40 distinct values: the tie stays in one bin, so fewer bins come out.
  const tied = [...Array(60).fill(1), ...Array.from({ length: 40 }, (_, i) => 2 + i)];
  const edges = equalFrequencyEdges(tied, 4);
  assert.deepEqual(edges, [1, 16]);
  const counts = new Array(edges.length + 1).fill(0);
  for (const v of tied) counts[binIndex(edges, v)]++;
  assert.deepEqual(counts, [60, 15, 25]);
  // A heavy tie at the maximum would leave the top bin empty: that edge is dropped.
  assert.deepEqual(equalFrequencyEdges([1, 2, 3, 3, 3, 3, 3, 3], 4), [2]);
  assert.deepEqual(equalFrequencyEdges([], 4), []);
});

test('binIndex puts a value equal to an edge in the bin below it, and values above the last edge in the last bin', () => {
  const edges = [10, 20];
  assert.deepEqual([5, 10, 10.5, 20, 21].map((v) => binIndex(edges, v)), [0, 0, 1, 1, 2]);
});

test('PSI cuts with the same rule: its bins are the equal-frequency bins of the expected values', () => {
  const expected = Array.from({ length: 100 }, (_, i) => i);
  const result = psi(expected, expected.map((v) => v + 0.5), 4);
  assert.deepEqual(result.bins.map((b) => b.to), [24, 49, 74, Number.POSITIVE_INFINITY]);
  // 24.5 moves up a bin, 49.5 and 74.5 too: each inner bin keeps 25 values, the first loses one, the last gains one.
  assert.deepEqual(result.bins.map((b) => Math.round(b.actualShare * 100)), [24, 25, 25, 26]);
});
