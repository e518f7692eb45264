/** PSI/CSI verdicts: the chi-square critical value against published tables, and sample size in the verdict. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { characteristicStability, chiSquareQuantile, loadMonitoringPolicy, psiCriticalValue, stabilityOf, StabilityInputError } from '../../src/monitoring/index.ts';
import { Rng } from '../../src/synth/random.ts';

const policy = loadMonitoringPolicy().stability;

test('chi-square quantiles match the published table to 3 decimals', () => {
  // NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.4 (upper critical values of the chi-square distribution).
  const table: [number, number, number][] = [[1, 0.95, 3.841], [1, 0.99, 6.635], [4, 0.95, 9.488], [9, 0.95, 16.919], [9, 0.99, 21.666], [19, 0.99, 36.191], [49, 0.95, 66.339]];
  for (const [degrees, p, value] of table) assert.ok(Math.abs(chiSquareQuantile(p, degrees) - value) < 0.0015, `χ²(${degrees}; ${p}) = ${chiSquareQuantile(p, degrees)}`);
});

test('the critical PSI shrinks with the samples: 10 bins at 1%: 0.217 for 200 + 200, 0.0022 for 20,000 + 20,000', () => {
  assert.ok(Math.abs(psiCriticalValue(10, 200, 200, 0.01) - 21.666 * (2 / 200)) < 0.001);
  assert.ok(Math.abs(psiCriticalValue(10, 20_000, 20_000, 0.01) - 21.666 * (2 / 20_000)) < 0.00001);
});

function normals(rng: Rng, n: number, mean: number): number[] {
  return Array.from({ length: n }, () => mean + rng.normal());
}

test('two small samples of one population can pass 0.1 by chance: the rule of thumb says watch, the verdict stable', () => {
  const rng = new Rng(5, 'psi-small');
  let watchedByThumb = 0;
  let shifted = 0;
  for (let trial = 0; trial < 200; trial++) {
    const r = stabilityOf('score', normals(rng, 100, 0), normals(rng, 100, 0), policy);
    if (r.ruleOfThumb !== 'stable') watchedByThumb++;
    if (r.verdict !== 'stable') shifted++;
  }
  assert.ok(watchedByThumb >= 40, `the rule of thumb alarms often on 100 vs 100: ${watchedByThumb}/200`);
  assert.ok(shifted <= 6, `the test alarms at about its 1% level: ${shifted}/200`);
});

test('a real shift is called a shift; a tiny shift in a huge sample is significant but stable', () => {
  const rng = new Rng(6, 'psi-shift');
  const moved = stabilityOf('score', normals(rng, 2_000, 0), normals(rng, 2_000, 0.8), policy);
  assert.equal(moved.verdict, 'shift');
  assert.ok(moved.psi > 0.25 && moved.significant);
  const tiny = stabilityOf('score', normals(rng, 200_000, 0), normals(rng, 200_000, 0.05), policy);
  assert.ok(tiny.significant, 'a 0.05 sd shift is detectable in 200,000');
  assert.equal(tiny.verdict, 'stable');
  assert.ok(tiny.psi < 0.01);
});

test('CSI per feature skips missing values, and bad input is refused with the variable named', () => {
  const rng = new Rng(7, 'csi');
  const base = Array.from({ length: 1_000 }, () => ({ sales: rng.normal(), grade: rng.chance(0.1) ? null : rng.normal() }));
  const current = Array.from({ length: 1_000 }, () => ({ sales: rng.normal() + 1, grade: rng.normal() }));
  const results = characteristicStability(base, current, ['sales', 'grade', 'absent'], policy);
  assert.deepEqual(results.map((r) => [r.name, r.verdict]), [['sales', 'shift'], ['grade', 'stable']]);
  assert.ok(results[1]!.baseCount < 1_000);
  assert.throws(() => stabilityOf('pd', [0.1, Number.NaN], [0.2], policy), (e: unknown) => e instanceof StabilityInputError && /pd: base value 1/.test((e as Error).message));
  assert.throws(() => stabilityOf('pd', [], [0.2], policy), /base sample is empty/);
  // One base value is one bin: nothing to compare, stable (found by the API's tenancy matrix, which sent [0] and [0]).
  const single = stabilityOf('pd', [0, 0, 0], [0, 5, -1], policy);
  assert.deepEqual([single.psi, single.criticalValue, single.significant, single.verdict], [0, 0, false, 'stable']);
});
