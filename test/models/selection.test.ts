import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepwise, varianceInflation } from '../../src/models/selection.ts';
import { Rng } from '../../src/synth/random.ts';

function data(seed: number) {
  const rng = new Rng(seed, 'selection');
  const n = 4000;
  const cols = Array.from({ length: 5 }, () => new Float64Array(n));
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of cols) c[i] = rng.normal();
    const logit = -1.5 + 0.9 * cols[0]![i]! - 0.7 * cols[1]![i]! + 0.5 * cols[2]![i]!; // columns 3 and 4 are noise
    y[i] = rng.chance(1 / (1 + Math.exp(-logit))) ? 1 : 0;
  }
  return { cols, y };
}

test('forward and backward stepwise selection on AIC, BIC and p-value keep the three real variables', () => {
  // One random draw; with others a noise column can reach p < 0.05 by chance (and AIC's penalty of 2 lets a
  // noise column in about 16% of the time), which any honest method would then keep.
  const { cols, y } = data(4);
  for (const direction of ['forward', 'backward'] as const) {
    for (const criterion of ['bic', 'pvalue'] as const) {
      assert.deepEqual(stepwise(cols, y, { direction, criterion }).selected, [0, 1, 2], `${direction} ${criterion}`);
    }
  }
  const aic = stepwise(cols, y, { direction: 'forward', criterion: 'aic' });
  assert.ok([0, 1, 2].every((k) => aic.selected.includes(k)));
  assert.deepEqual(aic.steps.slice(0, 3).map((s) => s.column), [0, 1, 2]); // strongest first
});

test('VIF is 1 for independent columns and large for a nearly collinear one', () => {
  const { cols } = data(2);
  const independent = varianceInflation(cols);
  independent.forEach((v) => assert.ok(v > 0.99 && v < 1.05, String(v)));
  const rng = new Rng(3, 'vif');
  const almost = Float64Array.from(cols[0]!, (v) => v + 0.1 * rng.normal());
  const vif = varianceInflation([cols[0]!, almost, cols[1]!]);
  assert.ok(vif[0]! > 50 && vif[1]! > 50 && vif[2]! < 1.05, JSON.stringify(vif));
});
