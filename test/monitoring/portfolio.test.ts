/** Vintage curves, roll rates and the annual review, on hand-built loan histories worked out by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annualReview, loadMonitoringPolicy, PortfolioInputError, rollRates, vintageCurves, type LoanMonthRow } from '../../src/monitoring/index.ts';
import { addMonths } from '../../src/domain/period.ts';

const policy = loadMonitoringPolicy();

/** One loan's month-ends from its booking month: a bucket per month, balance falling by 100 yuan a month. */
function history(loanId: string, bookedMonth: string, buckets: string[], startFen = 1_000_000): LoanMonthRow[] {
  return buckets.map((bucket, k) => ({ loanId, bookedMonth, month: addMonths(bookedMonth, k), bucket, balanceFen: startFen - 10_000 * k }));
}

const rows: LoanMonthRow[] = [
  ...history('a', '2026-01', ['M0', 'M0', 'M1', 'M2', 'M3', 'M4']),
  ...history('b', '2026-01', ['M0', 'M0', 'M0', 'M0', 'M0', 'M0'], 3_000_000),
  ...history('c', '2026-01', ['M0', 'M1', 'M0']), // repaid after March
  ...history('d', '2026-03', ['M0', 'M1', 'M2', 'M2']),
];

test('vintage curves: the share of each booking month ever 31+ days past due (M2), by count and by booked balance', () => {
  const [january, march] = vintageCurves(rows, policy);
  assert.equal(january!.bookedMonth, '2026-01');
  assert.equal(january!.loans, 3);
  assert.equal(january!.bookedBalanceFen, 5_000_000);
  // Loan a is first 31+ at month on book 3; c closed at MOB 2 but stays in the denominator.
  assert.deepEqual(january!.points.map((p) => Number(p.everBadCountShare.toFixed(4))), [0, 0, 0, 0.3333, 0.3333, 0.3333]);
  assert.deepEqual(january!.points.map((p) => p.everBadBalanceShare), [0, 0, 0, 0.2, 0.2, 0.2]);
  assert.deepEqual(march!.points.map((p) => p.everBadCountShare), [0, 0, 1, 1]);
});

test('roll rates: where each bucket went the next month, by count and by balance, closed included', () => {
  const m = rollRates(rows, policy);
  assert.deepEqual(m.to, ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+', 'closed']);
  // current → : a (Jan→Feb, Feb→Mar 1-30), b (5 times current), c (Jan→1-30, Mar→closed), d (Mar→1-30)
  assert.deepEqual(m.counts[0], [6, 3, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(m.counts[1], [1, 0, 2, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(m.counts[2], [0, 0, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(m.counts[3], [0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.equal(m.countRates[1]![2], 2 / 3);
  assert.equal(m.transitions, 6 + 3 + 1 + 1 + 2 + 1 + 1 + 1);
  const march = rollRates(rows, policy, '2026-03');
  assert.deepEqual(march.counts[0], [1, 1, 0, 0, 0, 0, 0, 0, 1]);
});

test('rows that are not loan-month statuses are refused with the row named', () => {
  assert.throws(() => rollRates([{ ...rows[0]!, bucket: 'late' }], policy), (e: unknown) => e instanceof PortfolioInputError && /row 0 \(loan a, 2026-01\): bucket 'late'/.test((e as Error).message));
  assert.throws(() => vintageCurves([rows[0]!, rows[0]!], policy), /two rows for the same loan and month/);
  assert.throws(() => rollRates([rows[0]!, { ...rows[0]!, month: '2026-03' }], policy), /a gap in its months/);
  assert.throws(() => rollRates([{ ...rows[0]!, balanceFen: 1.5 }], policy), /whole number of fen/);
});

test('annual review: green renews, yellow adjusts, red or a mostly yellow year withdraws', () => {
  const review = policy.annualReview;
  const green = Array<'green'>(12).fill('green');
  assert.deepEqual(annualReview({ creditCode: 'X', lineFen: 100_000_000, levels: green }, review).outcome, 'renew');
  const adjusted = annualReview({ creditCode: 'X', lineFen: 100_000_000, levels: [...green.slice(0, 11), 'yellow'] }, review);
  assert.deepEqual([adjusted.outcome, adjusted.newLineFen], ['adjust', 70_000_000]);
  assert.match(adjusted.zh, /调减/);
  assert.equal(annualReview({ creditCode: 'X', lineFen: 100_000_000, levels: [...green.slice(0, 11), 'red'] }, review).outcome, 'withdraw');
  const redInMay = annualReview({ creditCode: 'X', lineFen: 100_000_000, levels: ['green', 'green', 'green', 'green', 'red', ...green.slice(0, 7)] }, review);
  assert.equal(redInMay.outcome, 'adjust');
  const longYellow = annualReview({ creditCode: 'X', lineFen: 100_000_000, levels: [...Array(6).fill('yellow'), ...green.slice(0, 6)] }, review);
  assert.equal(longYellow.outcome, 'withdraw');
  assert.throws(() => annualReview({ creditCode: 'X', lineFen: 0, levels: green }, review), /lineFen/);
  assert.throws(() => annualReview({ creditCode: 'X', lineFen: 1, levels: [] }, review), /1 to 12/);
});
