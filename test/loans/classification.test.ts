/** Days past due, buckets, five-category classification with the debtor-wide rule and overrides; renewal; relief. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoanBook, reconcile } from '../../src/loans/ledger.ts';
import { bucketOf, categoryByDays, classifyPortfolio } from '../../src/loans/classification.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { parsePolicy } from '../../src/loans/policy.ts';
import { accountBalances, balanceOf } from '../../src/loans/journal.ts';
import { bookWithLoan, key, offer, payOnSchedule, POLICY } from './fixtures.ts';

test('day thresholds of the 2023 rules: 1 day 关注, 91 次级, 271 可疑, 361 损失, with their buckets', () => {
  const cases: [number, string, string][] = [[0, 'normal', 'M0'], [1, 'special_mention', 'M1'], [90, 'special_mention', 'M3'], [91, 'substandard', 'M4'], [270, 'substandard', 'M7+'], [271, 'doubtful', 'M7+'], [360, 'doubtful', 'M7+'], [361, 'loss', 'M7+']];
  for (const [days, category, bucket] of cases) {
    assert.equal(categoryByDays(days, POLICY.classification), category, `${days} days`);
    assert.equal(bucketOf(days, POLICY.classification), bucket, `${days} days`);
  }
});

test('a loan is classified by its own days past due as the days go by', () => {
  const book = bookWithLoan();
  const at = (date: string) => classifyPortfolio(book.state, date, POLICY.classification).loans[0]!;
  assert.equal(at('2025-02-15').category, 'normal');
  assert.equal(at('2025-02-16').category, 'special_mention');
  assert.equal(at('2025-05-17').daysPastDue, 91);
  assert.equal(at('2025-05-17').category, 'substandard');
  assert.equal(at('2025-05-17').basis[0]!.zh, '逾期91天，按逾期天数归为次级类');
});

function twoLoanDebtor(smallPrincipalFen: number): LoanBook {
  const book = bookWithLoan({ loanId: 'BIG', principalFen: 9_000_000 });
  book.apply({ kind: 'book', key: key(), date: '2025-01-15', loanId: 'SMALL', offer: offer(), principalFen: smallPrincipalFen, method: 'interest-only' });
  book.apply({ kind: 'disburse', key: key(), date: '2025-01-15', loanId: 'SMALL' });
  payOnSchedule(book, 'BIG', '2025-06-15');
  return book;
}

test('debtor-wide rule: when over 10 % of a debtor\'s claims are non-performing, all of them are at least 次级', () => {
  const large = classifyPortfolio(twoLoanDebtor(2_000_000).state, '2025-06-15', POLICY.classification);
  const big = large.loans.find((l) => l.loanId === 'BIG')!;
  assert.equal(big.categoryByDays, 'normal');
  assert.equal(big.category, 'substandard');
  assert.ok(big.basis.some((b) => b.code === 'DEBTOR_NPL_SHARE'));
  assert.equal(large.debtors[0]!.debtorWideRuleApplied, true);
  // The small loan is under 10 % of the debtor's claims: its default does not drag the other loan down.
  const small = classifyPortfolio(twoLoanDebtor(100_000).state, '2025-06-15', POLICY.classification);
  assert.equal(small.loans.find((l) => l.loanId === 'BIG')!.category, 'normal');
  assert.equal(small.loans.find((l) => l.loanId === 'SMALL')!.category, 'substandard');
  assert.equal(small.debtors[0]!.category, 'substandard');
  assert.equal(small.debtors[0]!.debtorWideRuleApplied, false);
});

test('a manual override with its reason makes a debtor worse, never better than the rules', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'override-classification', key: key(), date: '2025-02-01', debtorId: offer().debtorId, category: 'doubtful', reason: '法院冻结主要账户 main accounts frozen by a court' });
  const worse = classifyPortfolio(book.state, '2025-02-01', POLICY.classification);
  assert.equal(worse.loans[0]!.category, 'doubtful');
  assert.ok(worse.loans[0]!.basis.some((b) => b.code === 'MANUAL_OVERRIDE' && b.en.includes('frozen')));
  book.apply({ kind: 'override-classification', key: key(), date: '2025-06-01', debtorId: offer().debtorId, category: 'normal', reason: 'borrower says all is well' });
  const floor = classifyPortfolio(book.state, '2025-06-01', POLICY.classification);
  assert.equal(floor.loans[0]!.category, 'substandard');
  assert.equal(floor.debtors[0]!.override!.category, 'normal');
  assert.throws(() => book.apply({ kind: 'override-classification', key: key(), date: '2025-06-01', debtorId: 'X', category: 'loss', reason: ' ' }), LoanError);
});

function payInterestOnly(book: LoanBook, through: string): void {
  for (const i of book.state.loans.L1!.instalments) if (i.dueDate <= through && i.interestFen > i.paidInterestFen) book.apply({ kind: 'repay', key: key(), date: i.dueDate, loanId: 'L1', amountFen: i.interestFen - i.paidInterestFen });
}

test('无还本续贷: at maturity the principal moves to a linked new loan, no cash moves, and it is not downgraded', () => {
  const book = bookWithLoan({ principalFen: 50_000_000, date: '2025-01-10', method: 'interest-only', offer: { rateBps: 450, termMonths: 12 } });
  payInterestOnly(book, '2026-01-10');
  const cashBefore = balanceOf(accountBalances(book.journal), 'L1', 'cash');
  const applied = book.apply({ kind: 'renew', key: key(), date: '2026-01-10', loanId: 'L1', newLoanId: 'L1-R1', offer: offer({ decidedOn: '2026-01-05', rateBps: 420, termMonths: 12 }), enterpriseSize: 'small' });
  assert.ok(applied.postings.every((p) => p.lines.every((line) => line.account !== 'cash')));
  const balances = accountBalances(book.journal);
  assert.equal(balanceOf(balances, 'L1', 'cash'), cashBefore);
  assert.equal(balanceOf(balances, 'L1', 'loan_principal'), 0);
  assert.equal(balanceOf(balances, 'L1-R1', 'loan_principal'), 50_000_000);
  assert.equal(book.state.loans.L1!.status, 'renewed');
  assert.equal(book.state.loans.L1!.renewedTo, 'L1-R1');
  assert.equal(book.state.loans['L1-R1']!.renewedFrom, 'L1');
  assert.equal(book.state.loans['L1-R1']!.instalments[0]!.interestFen, 175_000);
  const classified = classifyPortfolio(book.state, '2026-01-11', POLICY.classification).loans;
  assert.deepEqual(classified.map((c) => [c.loanId, c.category]), [['L1-R1', 'normal']]);
  assert.ok(classified[0]!.basis.some((b) => b.code === 'RENEWAL_NOT_DOWNGRADED'));
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('a 关注 loan renewed stays at least 关注 after the reason for it is lifted: renewal neither lowers nor raises', () => {
  const book = bookWithLoan({ principalFen: 50_000_000, date: '2025-01-10', method: 'interest-only', offer: { rateBps: 450, termMonths: 12 } });
  payInterestOnly(book, '2026-01-10');
  book.apply({ kind: 'override-classification', key: key(), date: '2025-12-01', debtorId: offer().debtorId, category: 'special_mention', reason: '主要客户流失 lost its main customer' });
  book.apply({ kind: 'renew', key: key(), date: '2026-01-10', loanId: 'L1', newLoanId: 'L1-R1', offer: offer({ rateBps: 420, termMonths: 12 }), enterpriseSize: 'micro' });
  book.apply({ kind: 'override-classification', key: key(), date: '2026-02-01', debtorId: offer().debtorId, category: null, reason: 'customer base recovered' });
  const renewed = classifyPortfolio(book.state, '2026-02-01', POLICY.classification).loans[0]!;
  assert.deepEqual([renewed.loanId, renewed.categoryByDays, renewed.category], ['L1-R1', 'normal', 'special_mention']);
});

test('无还本续贷 is refused when past due, before maturity, for a large firm, or for a medium firm after the window', () => {
  const late = bookWithLoan({ principalFen: 50_000_000, date: '2025-01-10', method: 'interest-only', offer: { rateBps: 450, termMonths: 12 } });
  payInterestOnly(late, '2025-11-10');
  const renewal = { kind: 'renew' as const, loanId: 'L1', newLoanId: 'R', offer: offer({ rateBps: 420, termMonths: 12 }), enterpriseSize: 'small' as const };
  assert.throws(() => late.apply({ ...renewal, key: key(), date: '2026-01-10' }), (e: LoanError) => e.code === 'loan_renewal' && /days past due/.test(e.message));
  const onTime = bookWithLoan({ principalFen: 50_000_000, date: '2025-01-10', method: 'interest-only', offer: { rateBps: 450, termMonths: 12 } });
  payInterestOnly(onTime, '2025-12-10');
  assert.throws(() => onTime.apply({ ...renewal, key: key(), date: '2025-12-20' }), /maturity date 2026-01-10/);
  payInterestOnly(onTime, '2026-01-10');
  assert.throws(() => onTime.apply({ ...renewal, key: key(), date: '2026-01-10', enterpriseSize: 'large' }), /large enterprise is not eligible/);
  const medium = bookWithLoan({ principalFen: 50_000_000, date: '2027-01-10', method: 'interest-only', offer: { rateBps: 450, termMonths: 12 } });
  payInterestOnly(medium, '2028-01-10');
  assert.throws(() => medium.apply({ ...renewal, key: key(), date: '2028-01-10', enterpriseSize: 'medium' }), /medium enterprise is not eligible on 2028-01-10/);
  assert.equal(medium.apply({ ...renewal, key: key(), date: '2028-01-10', enterpriseSize: 'micro' }).duplicate, false);
});

test('relief: three interest-free months, then the rest at a 20 % lower rate, the journal reconciled', () => {
  const book = bookWithLoan({ principalFen: 1_200_000, offer: { rateBps: 1_000, termMonths: 12 }, method: 'equal-principal' });
  payOnSchedule(book, 'L1', '2025-03-15');
  book.apply({ kind: 'interest-pause', key: key(), date: '2025-03-20', loanId: 'L1', periods: 3, programme: '火神山' });
  const paused = book.state.loans.L1!.instalments.slice(2, 5);
  assert.deepEqual(paused.map((i) => [i.dueDate, i.interestFen]), [['2025-04-15', 0], ['2025-05-15', 0], ['2025-06-15', 0]]);
  book.apply({ kind: 'reschedule', key: key(), date: '2025-03-20', loanId: 'L1', annualRateBps: 800, programme: '火神山' });
  const loan = book.state.loans.L1!;
  assert.deepEqual(loan.instalments.slice(2, 5).map((i) => i.interestFen), [0, 0, 0]);
  // Instalment 7 (2025-08-15): balance 6,000.00 yuan after six principal payments, at 8 % for a month = 40.00 yuan.
  assert.deepEqual([loan.instalments[6]!.dueDate, loan.instalments[6]!.interestFen], ['2025-08-15', 4_000]);
  assert.equal(loan.instalments.reduce((s, i) => s + i.principalFen, 0), 1_200_000);
  assert.equal(loan.reliefs.length, 2);
  assert.ok(loan.reliefs.every((r) => r.interestWaivedFen > 0));
  payOnSchedule(book, 'L1', '2026-01-15');
  assert.equal(book.state.loans.L1!.status, 'closed');
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('a policy that breaks its own rules is refused with the reason', () => {
  const bad = structuredClone(POLICY.classification) as Record<string, unknown> & typeof POLICY.classification;
  bad.minimumDaysPastDue = { ...bad.minimumDaysPastDue, doubtful: 60 };
  assert.throws(() => parsePolicy('classification', bad), /must rise/);
  const gap = structuredClone(POLICY.classification);
  gap.delinquencyBuckets[2]!.minDays = 35;
  assert.throws(() => parsePolicy('classification', gap), /must start at 31/);
  assert.throws(() => parsePolicy('allocation', { ...POLICY.allocation, order: ['fee', 'fee', 'interest', 'principal'] }), LoanError);
  assert.throws(() => parsePolicy('penalty', { ...POLICY.penalty, penaltyRateMarkup: -1 }), LoanError);
});
