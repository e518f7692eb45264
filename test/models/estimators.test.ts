import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinningProcess } from '../../src/models/binning-process.ts';
import { LogisticRegression } from '../../src/models/logistic.ts';
import { ModelParamsError } from '../../src/models/params.ts';
import { gradeOf, Scaling } from '../../src/models/scaling.ts';
import { scoreRows, trainScorecard } from '../../src/models/scorecard.ts';
import { Rng } from '../../src/synth/random.ts';

/** 5,000 applicants: income lowers the risk, a region code (numbers that are categories) raises it in one region. */
function applicants(seed = 7) {
  const rng = new Rng(seed, 'estimators');
  const income = new Float64Array(5000);
  const region: number[] = [];
  const debt = new Float64Array(5000);
  const age = new Float64Array(5000);
  const bad = new Uint8Array(5000);
  for (let i = 0; i < 5000; i++) {
    income[i] = Math.round(rng.next() * 100_000);
    region.push(rng.pick([11, 31, 44]));
    debt[i] = Math.round(rng.next() * 50_000);
    age[i] = 20 + Math.floor(rng.next() * 45);
    const logit = -1 - income[i]! / 40_000 + (region[i] === 44 ? 1 : 0) + debt[i]! / 40_000 - (age[i]! - 40) / 30;
    bad[i] = rng.chance(1 / (1 + Math.exp(-logit))) ? 1 : 0;
  }
  return { income, region, debt, age, bad };
}

test('every bad parameter of every step is reported at once', () => {
  const { income, bad } = applicants();
  assert.throws(() => trainScorecard({ income }, bad, 'bad', {
    binning: { maxBins: 0, minBinShare: 5 }, l2: -1, grades: 40, pdo: Number.NaN, ivMin: -0.1, stepwise: { direction: 'sideways' as 'forward', criterion: 'foo' as 'aic' },
  }), (error: Error) => {
    assert.ok(error instanceof ModelParamsError, String(error));
    assert.equal(error.problems.length, 8, error.message);
    for (const name of ['binning maxBins', 'binning minBinShare', 'l2', 'grades', 'pdo', 'ivMin', 'stepwise direction', 'stepwise criterion']) {
      assert.ok(error.problems.some((p) => p.startsWith(name)), `${name} in ${error.message}`);
    }
    return true;
  });
  assert.throws(() => new LogisticRegression({ l2: Number.POSITIVE_INFINITY, maxIterations: 0.5 }), /l2 must be .*got Infinity; maxIterations must be a whole number/);
  assert.throws(() => new BinningProcess({ variables: [{ name: 'x', type: 'guess' as 'numeric' }, { name: 'x', type: 'numeric' }], byVariable: { y: {} } }),
    /listed twice.*type 'guess'.*options for y, which is not a variable|type 'guess'.*listed twice/);
});

test('the variable type comes from the caller: region codes declared categorical get a bin per region', () => {
  const { income, region, bad } = applicants();
  const [incomeBins, regionBins] = new BinningProcess({ variables: [{ name: 'income', type: 'numeric' }, { name: 'region', type: 'categorical' }], binning: { rareShare: 0 } })
    .fit({ income, region }, bad);
  assert.equal(incomeBins!.table.kind, 'numeric');
  assert.equal(regionBins!.table.kind, 'categorical');
  if (regionBins!.table.kind === 'categorical') assert.deepEqual(regionBins!.table.groups.slice(0, 3), [['11'], ['31'], ['44']]);
  const woe = BinningProcess.transform([incomeBins!, regionBins!], { income, region });
  const region44 = region.findIndex((r) => r === 44);
  const region11 = region.findIndex((r) => r === 11);
  assert.ok(woe.region![region44]! < woe.region![region11]!, 'the risky region has the lower WOE');
  // The same numbers declared numeric are cut into ranges instead.
  const asNumbers = new BinningProcess({ variables: [{ name: 'region', type: 'numeric' }] }).fit({ region }, bad);
  assert.equal(asNumbers[0]!.table.kind, 'numeric');
  // Fitted bins are plain data.
  assert.deepEqual(JSON.parse(JSON.stringify([incomeBins, regionBins])), [incomeBins, regionBins]);
});

test('logistic regression as an estimator: named columns in, plain data out, the same as the data says', () => {
  const { income, bad } = applicants();
  const fitted = new LogisticRegression().fit({ incomeTenThousands: Float64Array.from(income, (v) => v / 10_000) }, bad);
  assert.deepEqual(fitted.features, ['incomeTenThousands']);
  assert.ok(fitted.coefficients[0]! < -0.15 && fitted.coefficients[0]! > -0.4, String(fitted.coefficients[0]));
  assert.deepEqual(JSON.parse(JSON.stringify(fitted)), fitted);
});

test('scaling gives more than ten grades, each one letter, equal-frequency and ordered by bad rate at the ends', () => {
  const { income, region, debt, age, bad } = applicants();
  const model = trainScorecard({ income, region, debt, age }, bad, 'bad', { types: { region: 'categorical' }, grades: 15 });
  assert.equal(model.grades.length, 15);
  assert.deepEqual(model.grades.map((g) => g.grade).join(''), 'ABCDEFGHIJKLMNO');
  assert.ok(model.grades[0]!.badRate < model.grades.at(-1)!.badRate);
  const scores = scoreRows(model, { income, region, debt, age });
  // Every training row's grade, recomputed from the bands, gives the band counts.
  const counts = new Map<string, number>();
  for (const s of scores) counts.set(gradeOf(model, s), (counts.get(gradeOf(model, s)) ?? 0) + 1);
  assert.deepEqual(model.grades.map((g) => counts.get(g.grade)), model.grades.map((g) => g.count));
  assert.throws(() => new Scaling({ grades: 27 }), /grades must be a whole number in \[2, 26\], got 27/);
});

test('separated data is refused with advice naming a flag the CLI offers (--l2), and the penalty then fits', () => {
  const x = Float64Array.from({ length: 200 }, (_, i) => i);
  const y = Uint8Array.from(x, (v) => (v >= 100 ? 1 : 0));
  assert.throws(() => new LogisticRegression().fit({ x }, y), /separated.*--l2/);
  const penalised = new LogisticRegression({ l2: 1 }).fit({ x }, y);
  assert.ok(Number.isFinite(penalised.coefficients[0]!) && penalised.coefficients[0]! > 0);
});
