/**
 * The pure parts of the marketplace: the policy file and its validation, the red/yellow/green light, the
 * supermarket's ranking rule and the statistics CSV.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlatformPolicy, parsePlatformPolicy, riskLightOf, statisticsCsv, type StatisticsRow } from '../../src/platform/market.ts';
import { rank } from '../../src/platform/supermarket.ts';
import type { SnapshotEntry } from '../../src/pipeline/snapshot.ts';

const policy = loadPlatformPolicy();

test('the shipped policy is valid, versioned, and claims tax loans first-wins and invoice loans by up to three banks', () => {
  assert.equal(policy.schema, 'puhui-platform/1');
  assert.match(policy.version, /^\d{4}\.\d{2}/);
  assert.deepEqual(policy.productLines.tax_loan, { claimMode: 'first_wins', offersMax: 1, claimWindowHours: 168, claimSlaHours: 48 });
  assert.equal(policy.productLines.invoice_loan!.claimMode, 'multi_offer');
});

test('a policy is refused with the field that is wrong', () => {
  assert.throws(() => parsePlatformPolicy({ ...policy, productLines: { tax_loan: { claimMode: 'first_wins', offersMax: 2, claimWindowHours: 1, claimSlaHours: 1 } } }), /productLines\.tax_loan.*first_wins means offersMax 1/);
  assert.throws(() => parsePlatformPolicy({ ...policy, supermarket: { ...policy.supermarket, weights: { price: 0.5, approvalChance: 0.6 } } }), /supermarket\.weights.*add up to 1/);
  assert.throws(() => parsePlatformPolicy({ ...policy, schema: 'puhui-platform/2' }), { code: 'platform_policy' });
  assert.throws(() => parsePlatformPolicy({ ...policy, extra: 1 }), { code: 'platform_policy' });
});

function entry(overrides: { status?: string; high?: number; medium?: number; grade?: string | null }): SnapshotEntry {
  return {
    creditCode: '91350203000000017X', establishedDate: '2018-01-01', refreshed: false,
    enterprise: { creditCode: '91350203000000017X', status: overrides.status ?? 'active', taxpayerType: 'general', industrySection: 'F', regionCode: '350203' },
    features: { tax_grade: overrides.grade ?? 'A' },
    fraud: { typology: null, high: overrides.high ?? 0, medium: overrides.medium ?? 0, codes: [] },
  };
}

test('the light is red for a closed firm, high fraud signals or a D grade; yellow for medium signals or a C/M grade; green otherwise', () => {
  assert.deepEqual(riskLightOf(entry({}), policy), { light: 'green', reasons: [] });
  assert.deepEqual(riskLightOf(entry({ status: 'deregistered' }), policy), { light: 'red', reasons: ['status_deregistered'] });
  assert.deepEqual(riskLightOf(entry({ high: 1, medium: 2 }), policy), { light: 'red', reasons: ['fraud_high_1'] });
  assert.deepEqual(riskLightOf(entry({ grade: 'D' }), policy), { light: 'red', reasons: ['tax_grade_D'] });
  assert.deepEqual(riskLightOf(entry({ medium: 1 }), policy), { light: 'yellow', reasons: ['fraud_medium_1'] });
  assert.deepEqual(riskLightOf(entry({ grade: 'M' }), policy), { light: 'yellow', reasons: ['tax_grade_M'] });
  assert.deepEqual(riskLightOf(null, policy), { light: null, reasons: ['not_in_snapshot'] });
});

function candidate(id: string, prescreen: 'approve' | 'review', rateBps: number) {
  return {
    product: { id, productLine: 'tax_loan', bankName: `bank ${id}`, nameZh: id, nameEn: id, strategyId: 's', strategyVersion: '1', strategyHash: 'f'.repeat(64) } as never,
    prescreen, limitFen: 10_000_000, rateBps, reasons: [],
  };
}

test('the supermarket ranks by the weighted price and approval chance, with a new product\'s record at one half', () => {
  // Weights 0.4 price, 0.6 chance. cheap: price 1, chance 0.5·0.5 → 0.55; dear: price 0, chance 1·(9/10) → 0.54;
  // middle: price 0.5, chance 1·0.5 → 0.5.
  const items = rank([candidate('cheap', 'review', 400), candidate('dear', 'approve', 600), candidate('middle', 'approve', 500)],
    new Map([['dear', { offers: 8, declines: 0 }]]), policy);
  assert.deepEqual(items.map((i) => [i.productId, i.score, i.approvalChance]), [['cheap', 0.55, 0.25], ['dear', 0.54, 0.9], ['middle', 0.5, 0.5]]);
  assert.deepEqual(items.map((i) => i.rank), [1, 2, 3]);
  assert.deepEqual(rank([], new Map(), policy), []);
});

test('statistics as CSV quote what needs quoting and leave missing figures empty', () => {
  const row: StatisticsRow = {
    key: 'Bank, "A"', label: '银行', needs: 2, needAmountFen: 100, claims: 3, needsClaimed: 2, timeToClaimHoursMean: null, timeToClaimHoursMedian: 1.5,
    offers: 1, approvals: 1, approvedAmountFen: 50, rateBpsMean: 420, defaults: 0, defaultedAmountFen: 0,
  };
  const [header, line] = statisticsCsv([row]).split('\r\n');
  assert.equal(header, 'key,label,needs,needAmountFen,claims,needsClaimed,timeToClaimHoursMean,timeToClaimHoursMedian,offers,approvals,approvedAmountFen,rateBpsMean,defaults,defaultedAmountFen');
  assert.equal(line, '"Bank, ""A""",银行,2,100,3,2,,1.5,1,1,50,420,0,0');
});
