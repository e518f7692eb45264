import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equalFrequencyEdges, informationValue } from '../../src/models/iv.ts';

test('WOE and IV of a small table, worked out by hand with 0.5 smoothing', () => {
  // Bins 1..4 hold (goods, bads) = (2,0) (1,1) (1,1) (0,2); G = B = 4; shares are (count + 0.5) / 6.
  const result = informationValue([1, 1, 2, 2, 3, 3, 4, 4], [0, 0, 0, 1, 0, 1, 1, 1], { bins: 4 });
  assert.equal(result.bins.length, 4);
  assert.ok(Math.abs(result.bins[0]!.woe - Math.log(5)) < 1e-12);
  assert.ok(Math.abs(result.bins[1]!.woe) < 1e-12);
  assert.ok(Math.abs(result.bins[3]!.woe + Math.log(5)) < 1e-12);
  assert.ok(Math.abs(result.iv - 2 * (2 / 6) * Math.log(5)) < 1e-12);
});

test('missing values and categories get bins of their own; a useless variable has IV 0', () => {
  const result = informationValue(['A', 'A', 'B', 'B', null, null], [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(result.bins.map((b) => b.label), ['A', 'B', 'missing']);
  assert.ok(Math.abs(result.iv) < 1e-12);
});

test('equal-frequency edges never split equal values', () => {
  assert.deepEqual(equalFrequencyEdges([1, 1, 1, 1, 1, 2, 3, 4], 4), [1, 2]); // cuts at ranks 2, 4, 6: values 1, 1 (merged), 2
  assert.deepEqual(equalFrequencyEdges([1, 2, 3, 4, 5, 6, 7, 8], 4), [2, 4, 6]);
});

test('refuses values and outcomes of different lengths', () => {
  assert.throws(() => informationValue([1, 2], [1]), RangeError);
});
