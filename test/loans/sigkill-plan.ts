/**
 * The 10,000 operations of the SIGKILL test, each a pure function of its index (the killed process and its
 * successor post the same operation under the same key): 50 loans booked and disbursed, then repayments, fees,
 * accruals and prepayments spread over 250 days, some of which the ledger refuses (a prepayment while an
 * instalment is due, a repayment on a loan already repaid).
 */
import type { LoanRequest } from '../../src/loans/store.ts';
import { loanIdOf } from '../../src/loans/store.ts';
import { dayNumber, isoDateOfDay } from '../../src/domain/period.ts';
import { creditCode } from '../store/backends.ts';
import { offerFor } from './store-fixtures.ts';

export const SIGKILL_OPERATIONS = 10_000;
export const SIGKILL_TENANT = 'tn_sigkill_bank';
const LOANS = 50;
const OPERATIONS_PER_DAY = 40;
const START_DAY = dayNumber('2026-01-05');

export function sigkillOperation(index: number): LoanRequest {
  const key = `op-${index}`;
  const date = isoDateOfDay(START_DAY + Math.floor(index / OPERATIONS_PER_DAY));
  if (index < 2 * LOANS) {
    const loan = Math.floor(index / 2);
    if (index % 2 === 0) {
      return { kind: 'book', key, date, source: { kind: 'offer', id: `sigkill-offer-${loan}`, offer: offerFor(creditCode(33_000 + (loan % 20)), { rateBps: 500 + 20 * loan, termMonths: 6 + (loan % 7) }) }, principalFen: 100_000 * (5 + (loan % 11)), method: loan % 3 === 0 ? 'equal-principal' : 'equal-instalment' };
    }
    return { kind: 'disburse', key, date, loanId: loanIdOf(SIGKILL_TENANT, `op-${index - 1}`) };
  }
  const loanId = loanIdOf(SIGKILL_TENANT, `op-${2 * (index % LOANS)}`);
  const roll = (index * 7_919) % 100;
  if (roll < 70) return { kind: 'repay', key, date, loanId, amountFen: 2_000 + ((index * 31) % 3_000) };
  if (roll < 85) return { kind: 'accrue', key, date, loanId };
  if (roll < 95) return { kind: 'charge-fee', key, date, loanId, amountFen: 300 + (index % 500), reason: 'SMS reminder' };
  return { kind: 'prepay', key, date, loanId, principalFen: 10_000, mode: index % 2 === 0 ? 'shorten-term' : 'lower-instalment' };
}
