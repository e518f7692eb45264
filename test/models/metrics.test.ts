import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeError } from '../../src/models/params.ts';
import { auc, calibration, confusion, gainsTable, gini, ks, psi } from '../../src/models/metrics.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('AUC counts the pairs a bad outranks a good, ties half', () => {
  // bads at 0.9, 0.4; goods at 0.8, 0.4, 0.1: pairs (bad > good): 0.9 beats all 3; 0.4 beats 0.1, ties 0.4 → 3 + 1 + 0.5 = 4.5 of 6.
  const risk = [0.9, 0.4, 0.8, 0.4, 0.1];
  const bad = [1, 1, 0, 0, 0];
  close(auc(risk, bad), 4.5 / 6, 'auc');
  close(gini(risk, bad), 2 * (4.5 / 6) - 1, 'gini');
  close(auc([1, 2, 3, 4], [0, 0, 1, 1]), 1, 'perfect');
  close(auc([4, 3, 2, 1], [0, 0, 1, 1]), 0, 'inverted');
});

test('KS is the largest gap between the cumulative shares of bads and goods, with the score where it peaks', () => {
  // Ascending risk: 0.1 g, 0.2 g, 0.3 b, 0.5 g, 0.7 b, 0.9 b. Cumulative (bad, good) shares: (0,1/3) (0,2/3) (1/3,2/3) (1/3,1) (2/3,1) (1,1).
  const result = ks([0.3, 0.1, 0.9, 0.5, 0.2, 0.7], [1, 0, 1, 0, 0, 1]);
  close(result.ks, 2 / 3, 'ks');
  assert.equal(result.atRisk, 0.2);
});

test('PSI of a shifted population, worked out bin by bin', () => {
  // Expected 0..99 in quartile bins; actual has 40/30/20/10 in the same bins.
  const expected = Array.from({ length: 100 }, (_, i) => i);
  const actual = [...Array(40).fill(10), ...Array(30).fill(30), ...Array(20).fill(60), ...Array(10).fill(90)];
  const result = psi(expected, actual, 4);
  const manual = [0.4, 0.3, 0.2, 0.1].reduce((sum, a) => sum + (a - 0.25) * Math.log(a / 0.25), 0);
  close(result.psi, manual, 'psi');
  assert.equal(result.bins.length, 4);
  close(psi(expected, expected, 4).psi, 0, 'same population');
});

test('gains, lift, calibration and confusion on a small table', () => {
  const risk = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
  const bad = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
  const gains = gainsTable(risk, bad, 5);
  assert.deepEqual(gains.map((g) => g.bads), [2, 1, 0, 0, 0]);
  close(gains[0]!.lift, 1 / 0.3, 'top lift');
  close(gains[1]!.cumulativeBadShare, 1, 'captured by 40%');
  const cal = calibration(risk, bad, 2);
  close(cal.brier, risk.reduce((s, p, i) => s + ((bad[i] ?? 0) - p) ** 2, 0) / 10, 'brier');
  close(cal.bands[1]!.observedBadRate, 3 / 5, 'observed in the riskier half');
  const c = confusion(risk, bad, 0.6);
  assert.deepEqual([c.truePositives, c.falsePositives, c.trueNegatives, c.falseNegatives], [3, 1, 6, 0]);
});

test('refuses inputs that cannot give a statistic', () => {
  assert.throws(() => auc([1, 2], [1, 1]), OutcomeError);
  assert.throws(() => ks([1], [1, 0]), RangeError);
});
