/** The loan ledger: booking, repayment and its allocation, penalty interest, prepayment, write-off, idempotency. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoanBook, reconcile, applyCommand, offerOfDecision } from '../../src/loans/ledger.ts';
import type { DecisionRecord } from '../../src/decision/decide.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { accountBalances, balanceOf } from '../../src/loans/journal.ts';
import { principalOutstandingFen } from '../../src/loans/ledger-state.ts';
import { daysPastDue } from '../../src/loans/classification.ts';
import { dayNumber } from '../../src/domain/period.ts';
import { bookWithLoan, key, offer, payOnSchedule, POLICY } from './fixtures.ts';

test('a loan booked from an approved offer and repaid on schedule closes with the golden interest, the journal reconciled', () => {
  const book = bookWithLoan();
  assert.deepEqual(reconcile(book.state, book.journal), []);
  assert.equal(balanceOf(accountBalances(book.journal), 'L1', 'loan_principal'), 500_000);
  payOnSchedule(book, 'L1', '2026-07-15');
  const loan = book.state.loans.L1!;
  assert.equal(loan.status, 'closed');
  assert.equal(loan.closedOn, '2026-07-15');
  const balances = accountBalances(book.journal);
  assert.equal(balanceOf(balances, 'L1', 'interest_income'), -48_822);
  assert.equal(balanceOf(balances, 'L1', 'cash'), -500_000 + 500_000 + 48_822);
  assert.equal(balanceOf(balances, 'L1', 'loan_principal'), 0);
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('booking refuses a declined offer, a missing rate and a principal above the limit', () => {
  const book = new LoanBook(POLICY);
  const cases = [
    offer({ outcome: 'decline', limitFen: 0, rateBps: null, termMonths: null }),
    offer({ outcome: 'approve', rateBps: null }),
    offer({ limitFen: 400_000 }),
  ];
  for (const o of cases) assert.throws(() => book.apply({ kind: 'book', key: key(), date: '2025-01-15', loanId: 'X', offer: o, principalFen: 500_000, method: 'flat' }), LoanError);
  assert.deepEqual(book.state.loans, {});
});

test('an overdue instalment bears penalty interest at the contract rate + 50 % per day, compounding on overdue interest', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'accrue', key: key(), date: '2025-02-25', loanId: 'L1' });
  const loan = book.state.loans.L1!;
  assert.equal(daysPastDue(loan, dayNumber('2025-02-25')), 10);
  // 305.00 overdue (255.00 principal + 50.00 interest) × 18 %/yr × 10 days / 360 = 1.525 yuan: 152 fen, 0.5 fen carried.
  assert.equal(loan.penaltyReceivableFen, 152);
  assert.ok(loan.penaltyCarryNumerator > 0);
  book.apply({ kind: 'accrue', key: key(), date: '2025-02-27', loanId: 'L1' });
  // Two more days: 30.5 fen, with the carried half: 31 fen more.
  assert.equal(book.state.loans.L1!.penaltyReceivableFen, 183);
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('a repayment pays penalty, then interest, then principal of the oldest past-due instalment', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'repay', key: key(), date: '2025-02-25', loanId: 'L1', amountFen: 30_500 });
  const first = book.state.loans.L1!.instalments[0]!;
  assert.equal(book.state.loans.L1!.penaltyReceivableFen, 0);
  assert.equal(first.paidInterestFen, 5_000);
  assert.equal(first.paidPrincipalFen, 25_500 - 152);
  assert.equal(daysPastDue(book.state.loans.L1!, dayNumber('2025-02-26')), 11);
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('past-due first: a part payment clears the oldest instalment before the one due today', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'repay', key: key(), date: '2025-03-15', loanId: 'L1', amountFen: 31_000 });
  const [first, second] = book.state.loans.L1!.instalments;
  const penaltyFen = (30_500 * 28 * 18) / 100 / 360; // 28 days overdue at 18 %: 427 fen, paid first
  assert.equal(penaltyFen, 427);
  assert.equal(first!.paidInterestFen + first!.paidPrincipalFen, 30_500);
  assert.equal(second!.paidInterestFen, 31_000 - 30_500 - 427);
  assert.equal(second!.paidPrincipalFen, 0);
});

test('the allocation order is policy: principal first when the policy says so', () => {
  const policy = { ...POLICY, allocation: { ...POLICY.allocation, order: ['principal', 'interest', 'fee', 'penalty'] as const } };
  const book = bookWithLoan({ policy: { ...policy, allocation: { ...policy.allocation, order: [...policy.allocation.order] } } });
  book.apply({ kind: 'repay', key: key(), date: '2025-02-25', loanId: 'L1', amountFen: 26_000 });
  const loan = book.state.loans.L1!;
  assert.equal(loan.instalments[0]!.paidPrincipalFen, 25_500);
  assert.equal(loan.instalments[0]!.paidInterestFen, 500);
  assert.equal(loan.penaltyReceivableFen, 152);
});

test('money paid ahead waits in advance and pays each instalment on its due date', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'repay', key: key(), date: '2025-01-20', loanId: 'L1', amountFen: 61_000 });
  assert.equal(book.state.loans.L1!.advanceFen, 61_000);
  assert.equal(balanceOf(accountBalances(book.journal), 'L1', 'borrower_advance'), -61_000);
  book.apply({ kind: 'accrue', key: key(), date: '2025-02-15', loanId: 'L1' });
  book.apply({ kind: 'accrue', key: key(), date: '2025-03-16', loanId: 'L1' });
  const loan = book.state.loans.L1!;
  assert.equal(loan.advanceFen, 0);
  assert.equal(daysPastDue(loan, dayNumber('2025-03-16')), 0);
  assert.equal(loan.penaltyReceivableFen, 0);
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('prepayment lowering the instalment keeps the term; shortening the term keeps the instalment', () => {
  for (const mode of ['lower-instalment', 'shorten-term'] as const) {
    const book = bookWithLoan();
    payOnSchedule(book, 'L1', '2025-04-15');
    const balanceBefore = principalOutstandingFen(book.state.loans.L1!);
    const cashBefore = balanceOf(accountBalances(book.journal), 'L1', 'cash');
    book.apply({ kind: 'prepay', key: key(), date: '2025-05-01', loanId: 'L1', principalFen: 100_000, mode });
    // Interest on the prepaid 1,000 yuan for 16 days (30/360) at 12 %: 5.33 yuan.
    assert.equal(balanceOf(accountBalances(book.journal), 'L1', 'cash') - cashBefore, 100_533);
    const loan = book.state.loans.L1!;
    const future = loan.instalments.slice(3);
    const newBalance = balanceBefore - 100_000;
    assert.equal(future.reduce((s, i) => s + i.principalFen, 0), newBalance);
    assert.equal(future[0]!.dueDate, '2025-05-15');
    assert.equal(future[0]!.interestFen, Math.round(newBalance / 100));
    if (mode === 'lower-instalment') {
      assert.equal(future.length, 15);
      assert.ok(future[0]!.principalFen + future[0]!.interestFen < 30_500);
      assert.equal(future.at(-1)!.dueDate, '2026-07-15');
    } else {
      assert.ok(future.length < 15);
      assert.ok(future.slice(0, -1).every((i) => i.principalFen + i.interestFen === 30_500));
    }
    assert.deepEqual(reconcile(book.state, book.journal), []);
  }
});

test('a prepayment is refused while amounts are due, and a full prepayment closes the loan', () => {
  const book = bookWithLoan();
  assert.throws(() => book.apply({ kind: 'prepay', key: key(), date: '2025-02-20', loanId: 'L1', principalFen: 10_000, mode: 'shorten-term' }), /amounts due/);
  payOnSchedule(book, 'L1', '2025-02-15');
  book.apply({ kind: 'prepay', key: key(), date: '2025-02-20', loanId: 'L1', principalFen: principalOutstandingFen(book.state.loans.L1!), mode: 'shorten-term' });
  assert.equal(book.state.loans.L1!.status, 'closed');
  assert.deepEqual(reconcile(book.state, book.journal), []);
});

test('fees are charged, paid in the allocation order, and a write-off moves every balance to the loss account', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'charge-fee', key: key(), date: '2025-01-20', loanId: 'L1', amountFen: 2_000, reason: 'account management' });
  book.apply({ kind: 'accrue', key: key(), date: '2025-06-01', loanId: 'L1' });
  const before = book.state.loans.L1!;
  const owedFen = principalOutstandingFen(before) + before.instalments.filter((i) => i.interestPosted).reduce((s, i) => s + i.interestFen, 0) + before.penaltyReceivableFen + before.feeReceivableFen;
  book.apply({ kind: 'write-off', key: key(), date: '2025-06-01', loanId: 'L1', reason: 'debtor insolvent' });
  const balances = accountBalances(book.journal);
  assert.equal(book.state.loans.L1!.status, 'written_off');
  assert.equal(balanceOf(balances, 'L1', 'write_off_expense'), owedFen);
  for (const account of ['loan_principal', 'interest_receivable', 'penalty_receivable', 'fee_receivable'] as const) assert.equal(balanceOf(balances, 'L1', account), 0);
  assert.deepEqual(reconcile(book.state, book.journal), []);
  assert.throws(() => book.apply({ kind: 'repay', key: key(), date: '2025-06-02', loanId: 'L1', amountFen: 100 }), /written_off/);
});

test('the same idempotency key twice changes nothing; the same key for another command is refused', () => {
  const book = bookWithLoan();
  const command = { kind: 'repay' as const, key: 'bank-txn-77', date: '2025-02-15', loanId: 'L1', amountFen: 30_500 };
  const first = book.apply(command);
  const snapshot = structuredClone(book.state);
  const journalLength = book.journal.length;
  const second = book.apply(command);
  assert.equal(first.duplicate, false);
  assert.equal(second.duplicate, true);
  assert.deepEqual(second.postings, []);
  assert.equal(second.state, first.state);
  assert.deepEqual(book.state, snapshot);
  assert.equal(book.journal.length, journalLength);
  assert.throws(() => book.apply({ ...command, amountFen: 99 }), (e: LoanError) => e.code === 'idempotency_conflict');
  assert.ok(first.postings.every((p) => p.key.startsWith('bank-txn-77#')));
});

test('commands never go back in time, and a refused command leaves the state untouched', () => {
  const book = bookWithLoan();
  book.apply({ kind: 'accrue', key: key(), date: '2025-03-01', loanId: 'L1' });
  const before = book.state;
  assert.throws(() => book.apply({ kind: 'repay', key: key(), date: '2025-02-01', loanId: 'L1', amountFen: 100 }), /back in time/);
  assert.throws(() => applyCommand(before, { kind: 'repay', key: key(), date: '2025-03-02', loanId: 'L1', amountFen: -5 }, POLICY), LoanError);
  assert.throws(() => applyCommand(before, { kind: 'repay', key: key(), date: '2025-03-32', loanId: 'L1', amountFen: 5 }, POLICY), LoanError);
  assert.equal(book.state, before);
});

test('the ledger state is plain data: a JSON round trip gives the same state and the same next transition', () => {
  const book = bookWithLoan();
  payOnSchedule(book, 'L1', '2025-05-15');
  book.apply({ kind: 'accrue', key: key(), date: '2025-06-20', loanId: 'L1' });
  const copy = JSON.parse(JSON.stringify(book.state));
  assert.deepEqual(copy, book.state);
  const command = { kind: 'repay' as const, key: key(), date: '2025-06-21', loanId: 'L1', amountFen: 12_345 };
  assert.deepEqual(applyCommand(copy, command, POLICY), applyCommand(book.state, command, POLICY));
});

test("a loan is booked from a decision record's limit, rate and term", () => {
  const record = {
    creditCode: '91310000MA1FL8XQ3B', asOf: '2025-01-10', application: { product: 'tax-loan', amountFen: null, termMonths: null },
    decision: { strategy: { id: 'tax-loan', version: '1.2.0', hash: 'f00d', product: 'tax-loan' }, outcome: 'approve', riskGrade: 'B', limitFen: 30_000_000, rateBps: 480, termMonths: 12, reasons: [] },
  } as unknown as DecisionRecord;
  const book = new LoanBook(POLICY);
  book.apply({ kind: 'book', key: key(), date: '2025-01-12', loanId: 'D1', offer: offerOfDecision(record), principalFen: 20_000_000, method: 'equal-principal' });
  book.apply({ kind: 'disburse', key: key(), date: '2025-01-12', loanId: 'D1' });
  const loan = book.state.loans.D1!;
  assert.deepEqual([loan.debtorId, loan.offer.strategy.hash, loan.instalments.length, loan.terms.rate], ['91310000MA1FL8XQ3B', 'f00d', 12, '6/125']);
  // 200,000 yuan at 4.8 % for a month of 30/360: 800.00 yuan.
  assert.equal(loan.instalments[0]!.interestFen, 80_000);
  assert.throws(() => book.apply({ kind: 'book', key: key(), date: '2025-01-12', loanId: 'D2', offer: offerOfDecision(record), principalFen: 30_000_001, method: 'flat' }), /above the offered limit/);
});
