import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulateByBin, applyBinning, Binning, OTHER, OutcomeError, woeOf, type BinningMethod, type NumericBinningTable } from '../../src/models/binning.ts';
import { ModelParamsError } from '../../src/models/params.ts';
import { Rng } from '../../src/synth/random.ts';

/** 4,000 rows: bad rate rising with x, 5% missing, 3% at the special value -1. */
function sample(seed = 3) {
  const rng = new Rng(seed, 'binning');
  const values: (number | null)[] = [];
  const bad: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const roll = rng.next();
    const x = roll < 0.05 ? null : roll < 0.08 ? -1 : Math.round(rng.next() * 1000) / 10;
    values.push(x);
    const p = x === null ? 0.2 : x === -1 ? 0.4 : 0.02 + 0.25 * (x / 100) ** 2;
    bad.push(rng.chance(p) ? 1 : 0);
  }
  return { values, bad };
}

const regularRates = (table: NumericBinningTable) => table.bins.slice(0, table.edges.length + 1).map((b) => b.badRate);

for (const method of ['quantile', 'uniform', 'chimerge', 'tree', 'monotonic'] as BinningMethod[]) {
  test(`${method}: every row falls in exactly one bin, apply(fit(x)) gives the fitted counts, and the table survives JSON`, () => {
    const { values, bad } = sample();
    const table = new Binning({ method, maxBins: 6, specialValues: [-1] }).fit(values, bad) as NumericBinningTable;
    assert.ok(table.edges.length + 1 <= 6);
    assert.equal(table.bins.reduce((s, b) => s + b.count, 0), values.length);
    const index = applyBinning(table, values);
    const counts = new Array(table.bins.length).fill(0);
    for (const k of index) counts[k]++;
    assert.deepEqual(counts, table.bins.map((b) => b.count));
    assert.equal(table.bins.at(-1)!.count, values.filter((v) => v === null).length, 'missing has its own bin');
    assert.equal(table.bins.at(-2)!.count, values.filter((v) => v === -1).length, 'the special value has its own bin');
    const copy = JSON.parse(JSON.stringify(table));
    assert.deepEqual(Array.from(woeOf(copy, values)), Array.from(woeOf(table, values)));
    for (const b of table.bins.slice(0, table.edges.length + 1)) assert.ok(b.count >= 0.05 * values.length, `${method} bin ${b.label} has ${b.count} rows`);
  });
}

test('monotonic binning gives bad rates that rise (or fall) as asked', () => {
  const { values, bad } = sample();
  const up = new Binning({ method: 'monotonic', monotonic: 'ascending', specialValues: [-1] }).fit(values, bad) as NumericBinningTable;
  const rates = regularRates(up);
  for (let k = 1; k < rates.length; k++) assert.ok(rates[k]! >= rates[k - 1]!, JSON.stringify(rates));
  assert.ok(rates.length >= 3);
  const down = new Binning({ method: 'monotonic', monotonic: 'descending' }).fit(values.map((v) => (v === null ? null : -v)), bad) as NumericBinningTable;
  const downRates = regularRates(down);
  for (let k = 1; k < downRates.length; k++) assert.ok(downRates[k]! <= downRates[k - 1]!);
  const auto = new Binning({ method: 'monotonic', specialValues: [-1] }).fit(values, bad) as NumericBinningTable;
  assert.deepEqual(auto.edges, up.edges);
});

test('the tree splits where the bad rate steps', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const bad = values.map((v) => (v >= 600 ? 1 : 0));
  const table = new Binning({ method: 'tree', maxBins: 2, minBinShare: 0.01, minBadsPerBin: 0 }).fit(values, bad) as NumericBinningTable;
  assert.deepEqual(table.edges, [599]);
});

test('WOE and IV of a tiny table, worked out by hand (0.5 smoothing over the two non-empty bins)', () => {
  const table = new Binning({ method: 'quantile', maxBins: 2, minBinShare: 0, minBadsPerBin: 0, monotonic: null }).fit([1, 1, 2, 2], [0, 0, 0, 1]);
  // goods (2, 1) → shares (2.5, 1.5) / 4; bads (0, 1) → (0.5, 1.5) / 2; the empty missing bin has WOE 0
  const woe = [Math.log((2.5 / 4) / (0.5 / 2)), Math.log((1.5 / 4) / (1.5 / 2)), 0];
  table.bins.forEach((b, k) => assert.ok(Math.abs(b.woe - woe[k]!) < 1e-12, b.label));
  const iv = [[2.5, 0.5], [1.5, 1.5]].reduce((s, [g, b], k) => s + (g! / 4 - b! / 2) * woe[k]!, 0);
  assert.ok(Math.abs(table.iv - iv) < 1e-12);
});

test('categories rarer than the threshold, and categories never seen, go to OTHER', () => {
  const values = [...Array(50).fill('A'), ...Array(49).fill('B'), 'C'];
  const bad = values.map((_, i) => i % 5 === 0 ? 1 : 0);
  const table = new Binning({ rareShare: 0.05 }).fit(values, bad);
  assert.equal(table.kind, 'categorical');
  if (table.kind !== 'categorical') return;
  assert.deepEqual(table.groups, [['A'], ['B'], [OTHER]]);
  assert.deepEqual(Array.from(applyBinning(table, ['A', 'C', 'Z', null])), [0, 2, 2, 3]);
});

test('refuses an outcome with a single class instead of inventing WOE', () => {
  assert.throws(() => new Binning().fit([1, 2, 3], [0, 0, 0]), OutcomeError);
});

test('a typed column with NaN for missing bins exactly like an array with null', () => {
  const { values, bad } = sample();
  const typed = Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
  const fromArray = new Binning({ specialValues: [-1] }).fit(values, bad);
  const fromTyped = new Binning({ specialValues: [-1] }).fit(typed, bad);
  assert.deepEqual(fromTyped, fromArray);
  assert.deepEqual(Array.from(applyBinning(fromTyped, typed)), Array.from(applyBinning(fromArray, values)));
});

test('accumulating per-bin values gives the same sums as applying the bins', () => {
  const { values, bad } = sample();
  for (const table of [new Binning({ specialValues: [-1] }).fit(values, bad), new Binning().fit(values.map((v) => (v === null ? null : v < 30 ? 'low' : 'high')), bad)]) {
    const perBin = Float64Array.from(table.bins, (_, k) => 10 * k + 1);
    const into = new Float64Array(values.length).fill(5);
    accumulateByBin(table, values.map((v) => (table.kind === 'numeric' || v === null ? v : v < 30 ? 'low' : 'high')), perBin, into);
    const index = applyBinning(table, values.map((v) => (table.kind === 'numeric' || v === null ? v : v < 30 ? 'low' : 'high')));
    assert.deepEqual(Array.from(into), Array.from(index, (k) => 5 + perBin[k]!));
  }
});

test('the tree stops on noise in a German-sized sample (1,000 rows) but still finds a real step there', () => {
  const rng = new Rng(11, 'tree-noise');
  const values = Array.from({ length: 1000 }, () => Math.round(rng.next() * 10_000) / 100);
  const noise = values.map(() => (rng.chance(0.3) ? 1 : 0));
  const fittedOnNoise = new Binning({ method: 'tree', maxBins: 8 }).fit(values, noise) as NumericBinningTable;
  assert.ok(fittedOnNoise.edges.length <= 1, `noise cut into ${fittedOnNoise.edges.length + 1} bins at ${fittedOnNoise.edges.join(', ')}`);
  const stepped = values.map((v) => (rng.chance(v > 60 ? 0.5 : 0.2) ? 1 : 0));
  const fittedOnStep = new Binning({ method: 'tree', maxBins: 8 }).fit(values, stepped) as NumericBinningTable;
  assert.ok(fittedOnStep.edges.some((e) => e > 50 && e < 70), JSON.stringify(fittedOnStep.edges));
  assert.ok(fittedOnStep.edges.length <= 3, JSON.stringify(fittedOnStep.edges));
  // Without the significance rule (α near 1) the same noise is cut much finer: the rule is what stops it.
  const loose = new Binning({ method: 'tree', maxBins: 8, treeSignificance: 0.999 }).fit(values, noise) as NumericBinningTable;
  assert.ok(loose.edges.length > fittedOnNoise.edges.length, JSON.stringify(loose.edges));
});

test('bad binning parameters are all reported at once, in one user error', () => {
  assert.throws(() => new Binning({ method: 'foo' as BinningMethod, maxBins: 1, minBinShare: 5, rareShare: Number.NaN }), (error: Error) => {
    assert.ok(error instanceof ModelParamsError);
    assert.equal(error.problems.length, 4, error.message);
    assert.match(error.message, /method must be one of quantile, uniform, chimerge, tree, monotonic, got 'foo'/);
    assert.match(error.message, /maxBins must be a whole number in \[2, 100\], got 1/);
    assert.match(error.message, /minBinShare must be a number in \[0, 0.5\), got 5/);
    assert.match(error.message, /rareShare .* got NaN/);
    return true;
  });
});

test('a column mixing numbers and text is refused instead of guessed; a declared type is obeyed', () => {
  assert.throws(() => new Binning().fit([1, 'a', 2, 'b'], [0, 1, 0, 1]), OutcomeError);
  const codes = [11, 11, 22, 22, 33, 33, 11, 22];
  const table = new Binning({ rareShare: 0 }).fit(codes, [0, 0, 1, 1, 0, 1, 0, 1], 'categorical');
  assert.equal(table.kind, 'categorical');
  if (table.kind === 'categorical') assert.deepEqual(table.groups, [['11'], ['22'], ['33'], [OTHER]]);
});
