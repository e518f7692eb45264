/** The rating policy and the AHP rating: weights, consistency, bands, and the contributions that explain a score. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildRatingModel, DEFAULT_RATING_POLICY_FILE, defaultRatingModel, RatingPolicyError } from '../../src/platform/rating-policy.ts';
import { gradeOf, rateFeatures } from '../../src/platform/rating.ts';
import { CR_MAX } from '../../src/models/ahp.ts';

const shipped = () => JSON.parse(readFileSync(DEFAULT_RATING_POLICY_FILE, 'utf8')) as Record<string, unknown> & { dimensions: { comparisons: string[][]; indicators: { feature: string }[] }[]; grades: { grade: string; scoreMin: number }[] };

test('the shipped policy: four dimensions, every matrix consistent (CR < 0.1), weights adding up to 1', () => {
  const model = defaultRatingModel();
  assert.deepEqual(model.dimensions.map((d) => d.id), ['government', 'judicial', 'financial', 'enterprise']);
  for (const ratio of model.ahp.ratios) assert.ok(ratio.consistencyRatio < CR_MAX, `${ratio.node}: CR ${ratio.consistencyRatio}`);
  const total = model.indicators.reduce((sum, i) => sum + i.weight, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `weights add up to ${total}`);
  // Financial data is judged the most important dimension, judicial and enterprise the least.
  const weight = (id: string) => model.dimensions.find((d) => d.id === id)!.weight;
  assert.ok(weight('financial') > weight('government') && weight('government') > weight('judicial'));
  assert.match(model.version, /^rating-default@1#[0-9a-f]{12}$/);
  assert.deepEqual(model.scopes, ['bureau', 'court', 'invoices', 'registration', 'tax']);
});

test('refuses a policy whose judgements are inconsistent, naming the matrix and its ratio', () => {
  const policy = shipped();
  // judicial: the first indicator 9× the second, the second 9× the third, yet the third 9× the first.
  policy.dimensions[1]!.comparisons = [
    ['1', '9', '1/9', '1', '1'], ['1/9', '1', '9', '1', '1'], ['9', '1/9', '1', '1', '1'], ['1', '1', '1', '1', '1'], ['1', '1', '1', '1', '1'],
  ];
  assert.throws(() => buildRatingModel(policy), (error: unknown) => error instanceof RatingPolicyError && /rating\/judicial: consistency ratio \d\.\d+ ≥ 0\.1/.test(error.message));
});

test('refuses unknown or categorical features, a repeated indicator, and grade bands out of order', () => {
  const unknown = shipped();
  unknown.dimensions[0]!.indicators[0]!.feature = 'no_such_feature';
  assert.throws(() => buildRatingModel(unknown), /no_such_feature, which is not in the feature catalogue/);
  const category = shipped();
  category.dimensions[0]!.indicators[0]!.feature = 'tax_grade';
  assert.throws(() => buildRatingModel(category), /tax_grade is a category/);
  const twice = shipped();
  twice.dimensions[1]!.indicators[0]!.feature = 'tax_grade_score';
  assert.throws(() => buildRatingModel(twice), /tax_grade_score is an indicator twice/);
  const bands = shipped();
  bands.grades[1]!.scoreMin = 90;
  assert.throws(() => buildRatingModel(bands), /best first with falling scoreMin/);
  const open = shipped();
  open.grades.at(-1)!.scoreMin = 10;
  assert.throws(() => buildRatingModel(open), /last grade band must start at 0/);
});

test('an enterprise at the best end of every indicator scores 100 (A); one with nothing known scores 0 (D)', () => {
  const model = defaultRatingModel();
  const best: Record<string, number> = {};
  for (const i of model.indicators) best[i.feature.id] = i.direction === 'higher_better' ? i.max : i.min;
  const top = rateFeatures(model, '91110000000000000X', '2026-06-30', best);
  assert.equal(top.score, 100);
  assert.equal(top.grade, 'A');
  assert.equal(top.eligible, true);
  const unknown = rateFeatures(model, '91110000000000000X', '2026-06-30', {});
  assert.equal(unknown.score, 0);
  assert.equal(unknown.grade, 'D');
  assert.equal(unknown.eligible, false);
  assert.ok(unknown.contributions.every((c) => c.value === null && c.points === 0));
});

test("each indicator's points are 100 × weight × normalised value and add up to the score", () => {
  const model = defaultRatingModel();
  const features = {
    tax_grade_score: 4, tax_grade_ab_two_years: 1, vat_late_filings_12m: 1, vat_zero_sales_months_12m: 3, vat_months_since_tax_paid: 1,
    vat_tax_paid_12m: 12_000_000, vat_corrections_12m: 0, court_dishonest_open: 0, court_dishonest_ever: 0, court_open_defendant_cases: 1,
    court_open_defendant_amount_fen: 5_000_000, court_cases_12m: 1, bureau_has_overdue: 0, bureau_worst_dpd_24m: 15, bureau_inquiries_3m: 2,
    bureau_lender_count: 2, bureau_debt_to_sales: 0.3, bureau_guarantees_to_sales: 0, age_months: 60, registered_capital_fen: 200_000_000,
    inv_sales_12m: 400_000_000, inv_sales_growth_yoy: 0.1, inv_active_months_12m: 12, inv_customers_12m: 8, inv_top1_customer_share_12m: 0.4,
    inv_red_ratio_12m: null,
  };
  const result = rateFeatures(model, '91110000000000000X', '2026-06-30', features);
  const grade = result.contributions.find((c) => c.feature === 'tax_grade_score')!;
  assert.equal(grade.normalised, 0.75); // (4 − 1) / (5 − 1)
  assert.ok(Math.abs(grade.points - 100 * grade.weight * 0.75) < 1e-4);
  const dpd = result.contributions.find((c) => c.feature === 'bureau_worst_dpd_24m')!;
  assert.ok(Math.abs(dpd.normalised - (1 - 15 / 90)) < 1e-12); // lower is better
  const red = result.contributions.find((c) => c.feature === 'inv_red_ratio_12m')!;
  assert.deepEqual([red.value, red.points], [null, 0]); // missing scores the worst end
  const sum = result.contributions.reduce((s, c) => s + c.points, 0);
  assert.ok(Math.abs(sum - result.score) < 0.01, `points ${sum} vs score ${result.score}`);
  const dimensionSum = result.dimensions.reduce((s, d) => s + d.points, 0);
  assert.ok(Math.abs(dimensionSum - result.score) < 0.01);
  assert.equal(result.grade, gradeOf(model, result.score).grade);
});
