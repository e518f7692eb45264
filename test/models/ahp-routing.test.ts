import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AhpError, ahpScore, buildAhpModel, priorities } from '../../src/models/ahp.ts';
import { routeModel, type ModelSet } from '../../src/models/routing.ts';

test("reproduces Saaty's classic 3×3 example: weights 0.637/0.258/0.105, λmax 3.039, CR 0.033", () => {
  const p = priorities([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]);
  [0.637, 0.258, 0.105].forEach((w, k) => assert.ok(Math.abs(p.weights[k]! - w) < 5e-4, `w${k}: ${p.weights[k]}`));
  assert.ok(Math.abs(p.lambdaMax - 3.0385) < 5e-4, String(p.lambdaMax));
  assert.ok(Math.abs(p.consistencyRatio - 0.0332) < 5e-4, String(p.consistencyRatio));
});

test('a perfectly consistent matrix gives back its weights with CR 0', () => {
  const w = [0.5, 0.3, 0.2];
  const p = priorities(w.map((a) => w.map((b) => a / b)));
  p.weights.forEach((v, k) => assert.ok(Math.abs(v - w[k]!) < 1e-12));
  assert.ok(Math.abs(p.consistencyRatio) < 1e-12);
});

test('refuses an inconsistent hierarchy unless forced, composes leaf weights, and scores 0..100', () => {
  const inconsistent = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]];
  const leaf = (feature: string) => ({ name: feature, indicator: { feature, direction: 'higher_better' as const, min: 0, max: 100 } });
  const root = { name: 'credit', comparisons: inconsistent, children: [leaf('a'), leaf('b'), leaf('c')] };
  assert.throws(() => buildAhpModel(root), AhpError);
  assert.equal(buildAhpModel(root, true).leaves.length, 3);
  const model = buildAhpModel({
    name: 'credit', comparisons: [[1, 3], [1 / 3, 1]],
    children: [
      { name: 'tax', comparisons: [[1, 1], [1, 1]], children: [leaf('paid'), leaf('grade')] },
      { name: 'bank', children: [{ name: 'inflow', indicator: { feature: 'inflow', direction: 'lower_better', min: 0, max: 10 } }] },
    ],
  });
  assert.deepEqual(model.leaves.map((l) => [l.path, l.weight]), [['credit/tax/paid', 0.375], ['credit/tax/grade', 0.375], ['credit/bank/inflow', 0.25]]);
  assert.ok(Math.abs(ahpScore(model, { paid: 100, grade: 50, inflow: 10 }) - (37.5 + 18.75 + 0)) < 1e-9);
  assert.ok(Math.abs(ahpScore(model, { paid: null, grade: 200, inflow: -5 }) - (0 + 37.5 + 25)) < 1e-9);
  assert.throws(() => priorities([[1, 2], [2, 1]]), AhpError);
});

test('routes each enterprise to the first matching segment, or the default', () => {
  const set: ModelSet = {
    schema: 'puhui-modelset/1', defaultModel: 'general.json',
    segments: [
      { name: 'small-scale', model: 'small.json', when: { taxpayerType: 'small_scale' } },
      { name: 'zhejiang manufacturing', model: 'zj-c.json', when: { industrySections: ['C'], regionPrefixes: ['33'] } },
      { name: 'large', model: 'large.json', when: { salesFenMin: 2_000_000_000 } },
    ],
  };
  const firm = { taxpayerType: 'general', industrySection: 'C', regionCode: '330106', salesFen12m: 5_000_000_000 };
  assert.equal(routeModel(set, firm).segment, 'zhejiang manufacturing');
  assert.equal(routeModel(set, { ...firm, taxpayerType: 'small_scale' }).model, 'small.json');
  assert.equal(routeModel(set, { ...firm, regionCode: '440300' }).model, 'large.json');
  assert.deepEqual(routeModel(set, { ...firm, regionCode: '440300', salesFen12m: null }), { model: 'general.json', segment: 'default' });
});
