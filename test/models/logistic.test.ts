import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLogistic, ModelFitError, normalUpperTail, predictLogistic } from '../../src/models/logistic.ts';

const logit = (p: number) => Math.log(p / (1 - p));
const close = (a: number, b: number, tolerance: number, what: string) => assert.ok(Math.abs(a - b) < tolerance, `${what}: ${a} vs ${b}`);

/** Rows of one binary feature: (x, y) repeated count times. */
function table(cells: [number, number, number][]): { x: number[]; y: number[] } {
  const x: number[] = []; const y: number[] = [];
  for (const [xv, yv, count] of cells) for (let k = 0; k < count; k++) { x.push(xv); y.push(yv); }
  return { x, y };
}

test('one binary feature: the MLE and its standard errors have closed forms', () => {
  // x = 0: 10 bads, 90 goods; x = 1: 30 bads, 70 goods.
  const { x, y } = table([[0, 1, 10], [0, 0, 90], [1, 1, 30], [1, 0, 70]]);
  const model = fitLogistic(x, y, 1);
  close(model.intercept, logit(0.1), 1e-9, 'intercept = logit of the x=0 bad rate');
  close(model.coefficients[0]!, logit(0.3) - logit(0.1), 1e-9, 'coefficient = log odds ratio');
  close(model.interceptStandardError, Math.sqrt(1 / 10 + 1 / 90), 1e-9, 'SE of the intercept');
  close(model.standardErrors[0]!, Math.sqrt(1 / 10 + 1 / 90 + 1 / 30 + 1 / 70), 1e-9, 'SE of the log odds ratio');
  const z = model.coefficients[0]! / model.standardErrors[0]!;
  close(model.pValues[0]!, 2 * normalUpperTail(z), 1e-12, 'Wald p-value');
  close(predictLogistic(model, [1]), 0.3, 1e-9, 'fitted rate at x = 1');
  // log-likelihood of the saturated two-group model
  const ll = 10 * Math.log(0.1) + 90 * Math.log(0.9) + 30 * Math.log(0.3) + 70 * Math.log(0.7);
  close(model.logLikelihood, ll, 1e-9, 'log-likelihood');
  close(model.aic, 4 - 2 * ll, 1e-9, 'AIC');
});

test('sample weights act like repeated rows', () => {
  const repeated = table([[0, 1, 2], [0, 0, 6], [1, 1, 4], [1, 0, 4]]);
  const weighted = fitLogistic([0, 0, 1, 1], [1, 0, 1, 0], 1, { weights: [2, 6, 4, 4] });
  const plain = fitLogistic(repeated.x, repeated.y, 1);
  close(weighted.coefficients[0]!, plain.coefficients[0]!, 1e-9, 'coefficient');
  close(weighted.standardErrors[0]!, plain.standardErrors[0]!, 1e-9, 'standard error');
});

test('an L2 penalty shrinks the coefficient toward zero and keeps a separable problem finite', () => {
  const { x, y } = table([[0, 1, 10], [0, 0, 90], [1, 1, 30], [1, 0, 70]]);
  const plain = fitLogistic(x, y, 1);
  const shrunk = fitLogistic(x, y, 1, { l2: 10 });
  assert.ok(Math.abs(shrunk.coefficients[0]!) < Math.abs(plain.coefficients[0]!));
  const separable = table([[0, 0, 20], [1, 1, 20]]);
  assert.ok(Number.isFinite(fitLogistic(separable.x, separable.y, 1, { l2: 1 }).coefficients[0]!));
});

test('refuses separable data and singular designs with a typed error', () => {
  const separable = table([[0, 0, 20], [1, 1, 20]]);
  assert.throws(() => fitLogistic(separable.x, separable.y, 1), (e: unknown) => e instanceof ModelFitError && e.reason === 'separation');
  // Two identical columns.
  const rows = table([[0, 1, 10], [0, 0, 90], [1, 1, 30], [1, 0, 70]]);
  const doubled = rows.x.flatMap((v) => [v, v]);
  assert.throws(() => fitLogistic(doubled, rows.y, 2), (e: unknown) => e instanceof ModelFitError && e.reason === 'singular');
  assert.throws(() => fitLogistic([1, 2, 3], [0, 1], 1), (e: unknown) => e instanceof ModelFitError && e.reason === 'input');
});

test('the normal tail matches published values', () => {
  close(normalUpperTail(1.959963985), 0.025, 1e-7, 'z 1.96');
  close(normalUpperTail(0), 0.5, 1e-7, 'z 0');
  close(normalUpperTail(3), 0.0013498980, 1e-7, 'z 3');
});
