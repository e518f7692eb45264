/** The lab's arithmetic on hand-made decisions: cohort, bad rates, losses, breakdowns and the swap set. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRecord } from '../../src/decision/decide.ts';
import type { StrategyResult } from '../../src/decision/engine.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { badSql, badWithin, notYetDefaultedSql } from '../../src/data/outcomes.ts';
import { runBacktest } from '../../src/lab/backtest.ts';

const ref = (version: string) => ({ id: 'tax-loan', version, hash: version.padEnd(64, '0'), product: 'tax_loan' });
function result(version: string, outcome: StrategyResult['outcome'], limitFen = 0, grade = 'R1'): StrategyResult {
  return { strategy: ref(version), outcome, riskGrade: grade, limitFen, rateBps: outcome === 'decline' ? null : 400, termMonths: outcome === 'decline' ? null : 12, reasons: outcome === 'decline' ? [{ code: 'D_SCORE', kind: 'decline', en: 'e', zh: '中' }] : [] };
}
function record(code: string, champion: StrategyResult, challenger: StrategyResult, pd = 0.02): DecisionRecord {
  return { creditCode: code, asOf: '2025-10-01', application: { product: 'tax_loan', amountFen: null, termMonths: null }, arm: 'champion', decision: champion, shadow: challenger, model: { model: 'm', segment: 'all', score: 600, pd, grade: 'A' }, fraud: { typology: null, high: 0, medium: 0, codes: [] },
    enterprise: { creditCode: code, status: 'active', taxpayerType: 'general', industrySection: 'C', regionCode: '330106' }, features: {}, market: { lpr1yBps: 300, lprCeilingBps: 1200 } };
}

test('bad means a default in the 12 months from the as-of month; earlier defaults leave the cohort', () => {
  assert.equal(badWithin({ defaultMonth: null }, '2025-10-01'), false);
  assert.equal(badWithin({ defaultMonth: '2025-09' }, '2025-10-01'), null);
  assert.equal(badWithin({ defaultMonth: '2025-10' }, '2025-10-01'), true);
  assert.equal(badWithin({ defaultMonth: '2026-09' }, '2025-10-01'), true);
  assert.equal(badWithin({ defaultMonth: '2026-10' }, '2025-10-01'), false);
});

test('the SQL and the TypeScript definitions of cohort and bad agree on every month around the window', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const months: (string | null)[] = [null];
    for (let year = 2024; year <= 2027; year++) for (let m = 1; m <= 12; m++) months.push(`${year}-${String(m).padStart(2, '0')}`);
    for (const asOf of ['2025-10-01', '2025-01-31', '2026-12-15']) {
      const values = months.map((m) => `(${m === null ? 'NULL' : `'${m}'`})`).join(', ');
      const rows = (await connection.runAndReadAll(`SELECT d, ${notYetDefaultedSql('d', asOf)} AS inCohort, ${badSql('d', asOf)} AS bad FROM (VALUES ${values}) t(d)`)).getRowObjectsJS();
      for (const row of rows) {
        const expected = badWithin({ defaultMonth: (row.d as string | null) ?? null }, asOf);
        assert.equal(row.inCohort, expected !== null, `${asOf} ${String(row.d)}`);
        if (expected !== null) assert.equal(row.bad, expected, `${asOf} ${String(row.d)}`);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('approval, bad rates, expected and realised loss, breakdowns and the swap set add up', () => {
  const records = [
    record('A', result('1', 'approve', 1_000_000), result('2', 'approve', 2_000_000)), // good, both approve
    record('B', result('1', 'approve', 3_000_000, 'R2'), result('2', 'decline'), 0.1), // bad, champion only
    record('C', result('1', 'decline'), result('2', 'approve', 500_000)), // good, challenger only
    record('D', result('1', 'decline'), result('2', 'decline')), // bad, neither
    record('E', result('1', 'review', 1_000_000), result('2', 'review', 1_000_000)), // fraud, reviewed
    record('F', result('1', 'approve', 9_000_000), result('2', 'approve', 9_000_000)), // defaulted before: not in the cohort
  ];
  const outcomes = new Map([
    ['A', { defaultMonth: null, fraudKind: 'none' }], ['B', { defaultMonth: '2026-03', fraudKind: 'none' }], ['C', { defaultMonth: '2027-01', fraudKind: 'none' }],
    ['D', { defaultMonth: '2025-10', fraudKind: 'none' }], ['E', { defaultMonth: null, fraudKind: 'ring' }], ['F', { defaultMonth: '2024-01', fraudKind: 'none' }],
  ]);
  const profiles = new Map(['A', 'B', 'C', 'D', 'E', 'F'].map((c, k) => [c, { taxpayerType: k % 2 ? 'general' : 'small_scale', regionCode: k < 3 ? '330106' : '440300' }]));
  const report = runBacktest({ asOf: '2025-10-01', records, outcomes, profiles, lossGivenDefault: { champion: 0.5, challenger: 0.4 } });
  assert.deepEqual(report.cohort, { enterprises: 5, bads: 2, frauds: 1, badRate: 0.4, excludedDefaulted: 1, excludedUnlabelled: 0 });
  const c = report.champion.overall;
  assert.equal(c.approved, 2);
  assert.deepEqual([c.goods, c.goodsApproved, c.badsApproved], [2, 1, 1]);
  assert.equal(c.reviewed, 1);
  assert.equal(c.declined, 2);
  assert.equal(c.approvalRate, 0.4);
  assert.equal(c.badRateApproved, 0.5);
  assert.equal(c.badRateDeclined, 0.5);
  assert.equal(c.limitFenApproved, 4_000_000);
  assert.equal(c.fraudsReviewed, 1);
  assert.equal(c.expectedLossFen, Math.round(0.02 * 0.5 * 1_000_000 + 0.1 * 0.5 * 3_000_000));
  assert.equal(c.realisedLossFen, 0.5 * 3_000_000);
  const h = report.challenger!.overall;
  assert.equal(h.approved, 2);
  assert.equal(h.badRateApproved, 0);
  assert.equal(h.realisedLossFen, 0);
  const cmp = report.comparison!;
  assert.deepEqual([cmp.approvedByBoth.enterprises, cmp.championOnly.enterprises, cmp.challengerOnly.enterprises, cmp.neither.enterprises], [1, 1, 1, 2]);
  assert.equal(cmp.championOnly.badRate, 1);
  assert.equal(cmp.challengerOnly.badRate, 0);
  assert.equal(cmp.challengerOnly.limitFen, 500_000);
  assert.deepEqual(report.champion.byGrade.map((g) => [g.key, g.tally.enterprises]), [['R1', 4], ['R2', 1]]);
  assert.deepEqual(report.champion.byRegion.map((g) => [g.key, g.tally.enterprises]), [['33', 3], ['44', 2]]);
  assert.match(report.champion.byRegion[0]!.label, /Zhejiang 浙江/);
  assert.deepEqual(report.champion.reasons.map((r) => [r.code, r.enterprises, r.bads]), [['D_SCORE', 2, 1]]);
});
