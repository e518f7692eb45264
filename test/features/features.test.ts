import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths } from '../../src/domain/period.ts';
import { buildIndustryReference, computeFeatures, FEATURE_IDS, FEATURES, FeatureInputError } from '../../src/features/index.ts';
import { AS_OF, declaredSeries, fixtureDossier } from './fixture.ts';

const M = 1_000_000;
const series = declaredSeries();
const declared = (from: string, months: number) => { let s = 0; for (let k = 0; k < months; k++) s += series.get(addMonths(from, k)) ?? 0; return s; };
const cv = (values: number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) / mean;
};
// The latest declared month is 2025-08 (the 2025-09 return was filed on 2025-10-10, after the as-of date).
const sales12 = declared('2024-09', 12);
const prior12 = declared('2023-09', 12);
const declared12Months = Array.from({ length: 12 }, (_, k) => series.get(addMonths('2024-09', k))!);

/** Every feature of the fixture as of 2025-10-01, worked out by hand from fixture.ts. */
const EXPECTED: Record<string, number | string | null> = {
  age_months: 66, // 2020-03-15 → 2025-10-01: 67 calendar months, the 15th not yet reached
  industry_section: 'F', region_province: '33', taxpayer_general: 1, individual_business: 0,
  registered_capital_fen: 500 * M, legal_rep_age_years: 2025 - 1975,
  vat_months_since_last_return: 1,
  vat_sales_3m: 120 * M + 80 * M + 120 * M,
  vat_sales_6m: declared('2025-03', 6),
  vat_sales_12m: sales12,
  vat_sales_24m: sales12 + prior12,
  vat_sales_growth_yoy: sales12 / prior12 - 1,
  vat_sales_growth_3m_yoy: (120 + 80 + 120) / (80 * 3) - 1,
  vat_sales_volatility_12m: cv(declared12Months),
  vat_zero_sales_months_12m: 1, // 2024-09
  vat_tax_paid_12m: 0.02 * (sales12 - 120 * M), // August's tax was not paid
  vat_tax_paid_24m: 0.02 * (sales12 - 120 * M) + 0.02 * prior12,
  vat_burden_12m: 0.02,
  vat_burden_dev_industry: null, // no reference given
  vat_uninvoiced_share_12m: 0.1,
  vat_exempt_share_12m: 0,
  vat_corrections_6m: 1, // 2025-08-20; the 2025-10-15 correction comes after the as-of date
  vat_corrections_12m: 2, // and 2024-12-01
  vat_correction_uplift_6m: (100 * M - 80 * M) / sales12,
  vat_late_filings_12m: 1, // 2025-02-20; the 2024-07-25 late filing is 433 days old
  vat_months_since_tax_paid: 2, // last paid period 2025-07, month before the as-of date 2025-09
  tax_grade: 'B', tax_grade_score: 4, tax_grade_trend: 4 - 5, tax_grade_ab_two_years: 1, // the 2025 D is published in 2026
  inv_sales_3m: (6 + 4 + 10) * M,
  inv_sales_12m: (2 - 0.5 + 6 + 4 + 10) * M,
  inv_sales_growth_yoy: 21.5 / 5 - 1,
  inv_sales_volatility_12m: cv([0, 0, 0, 0, 2, -0.5, 0, 0, 0, 6, 4, 10]),
  inv_purchases_12m: 10 * M,
  inv_purchase_sales_ratio_12m: 10 / 21.5,
  inv_count_12m: 4,
  inv_avg_amount_12m: 5.5 * M,
  inv_customers_12m: 3, inv_suppliers_12m: 2,
  inv_top1_customer_share_12m: 16 / 21.5,
  inv_top5_customer_share_12m: 1,
  inv_customer_hhi_12m: (16 ** 2 + 4 ** 2 + 1.5 ** 2) / 21.5 ** 2,
  inv_top1_supplier_share_12m: 0.8,
  inv_red_ratio_12m: 0.5 / 22,
  inv_void_ratio_12m: 1 / 6,
  inv_at_cap_share_12m: 1 / 4, // 100,000 yuan exactly on the 十万元版 cap
  inv_special_share_12m: 17.5 / 21.5,
  inv_new_customer_share_3m: 16 / 20, // X first bought in 2025-07; Y already in 2024-05
  inv_active_months_12m: 4,
  inv_months_since_first_sale: 16, // 2024-05-05 → 2025-10-01
  bank_months_present_12m: 11,
  bank_inflow_12m: 35 * M,
  bank_outflow_inflow_ratio_12m: 22 / 35,
  bank_inflow_volatility_12m: cv([3, 3, 3, 0, 3, 3, 3, 3, 3, 3, 3, 5]),
  bank_balance_latest_fen: 15 * M,
  bank_balance_trend_6m: 1 / 12.5,
  bank_balance_months_of_inflow: 125 / 35,
  bank_top_payer_share_12m: (10 * 0.5 + 0.8) / 11,
  bureau_has_report: 1, bureau_report_age_days: 1, bureau_overdue_fen: 1 * M, bureau_has_overdue: 1, bureau_worst_dpd_24m: 15,
  bureau_inquiries_3m: 3, bureau_inquiries_6m: 4, bureau_lender_count: 3, bureau_outstanding_fen: 40 * M,
  bureau_debt_to_sales: (40 * M) / sales12, bureau_guarantees_to_sales: 0,
  court_open_defendant_cases: 2, // one open, one closed only on 2025-11-01
  court_open_defendant_amount_fen: 3 * M,
  court_cases_12m: 2,
  court_dishonest_open: 1, court_dishonest_ever: 1,
  xs_declared_vs_invoiced_12m: sales12 / (11.5 * M),
  xs_bank_vs_invoiced_12m: 30 / 11.5,
  xs_bank_vs_declared_12m: (30 * M) / sales12,
  xs_cit_vs_vat_revenue: 1000 * M / declared('2024-01', 12),
};

const actual = computeFeatures(fixtureDossier(), AS_OF);

test('the hand-worked expectations cover every feature of the catalogue', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...FEATURE_IDS].sort());
  assert.ok(FEATURES.length >= 60);
});

for (const feature of FEATURES) {
  test(`${feature.id}: ${feature.descriptionEn}`, () => {
    const expected = EXPECTED[feature.id];
    const value = actual[feature.id];
    if (typeof expected === 'number' && typeof value === 'number') {
      assert.ok(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${feature.id}: ${value} ≠ ${expected}`);
    } else {
      assert.equal(value, expected);
    }
  });
}

test('vat_burden_dev_industry compares with the median of the same section, taxpayer type and size band', () => {
  const group = `F|general|small`; // 11.2M yuan of sales in 12 months: the 3M–20M band
  const reference = buildIndustryReference(AS_OF, [0.01, 0.012, 0.015, 0.02, 0.03].map((burden) => ({ group, burden })));
  assert.ok(Math.abs((computeFeatures(fixtureDossier(), AS_OF, reference).vat_burden_dev_industry as number) - (0.02 - 0.015)) < 1e-12);
  const thin = buildIndustryReference(AS_OF, [{ group, burden: 0.01 }]);
  assert.equal(computeFeatures(fixtureDossier(), AS_OF, thin).vat_burden_dev_industry, null);
});

test('an empty dossier gives nulls and zeros where documented, never NaN or Infinity', () => {
  const dossier = { ...fixtureDossier(), vatReturns: [], citReturns: [], taxGrades: [], salesInvoices: [], purchaseInvoices: [], bankMonths: [], bureauReports: [], courtCases: [] };
  const values = computeFeatures(dossier, AS_OF);
  for (const [id, value] of Object.entries(values)) {
    assert.ok(value === null || typeof value === 'string' || Number.isFinite(value), `${id}: ${value}`);
  }
  assert.equal(values.vat_sales_12m, null);
  assert.equal(values.inv_sales_12m, 0);
  assert.equal(values.bureau_has_report, 0);
  assert.equal(values.tax_grade, null);
});

test('rejects an as-of date that is not an ISO date', () => {
  assert.throws(() => computeFeatures(fixtureDossier(), '2025-13-01'), FeatureInputError);
});
