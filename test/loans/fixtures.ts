/** Shared loan fixtures: the shipped policy, offers as a decision would make them, and a book of loans. */
import { loadLoanPolicy, type LoanPolicy } from '../../src/loans/policy.ts';
import { LoanBook, type LedgerCommand } from '../../src/loans/ledger.ts';
import type { Offer } from '../../src/loans/ledger-state.ts';

export const POLICY: LoanPolicy = loadLoanPolicy();

export function offer(change: Partial<Offer> = {}): Offer {
  return { debtorId: '91310000MA1FL8XQ3B', decidedOn: '2025-01-10', outcome: 'approve', limitFen: 100_000_000, rateBps: 1_200, termMonths: 18, strategy: { id: 'tax-loan', version: '1.0.0', hash: 'abc123' }, ...change };
}

let keyCounter = 0;
/** A fresh idempotency key. */
export function key(prefix = 'k'): string {
  keyCounter += 1;
  return `${prefix}-${keyCounter}`;
}

/** A book with one loan booked and disbursed on a date. */
export function bookWithLoan(options: { loanId?: string; principalFen?: number; date?: string; offer?: Partial<Offer>; method?: Extract<LedgerCommand, { kind: 'book' }>['method']; policy?: LoanPolicy; rounding?: { instalmentMultipleFen?: number } } = {}): LoanBook {
  const book = new LoanBook(options.policy ?? POLICY);
  const loanId = options.loanId ?? 'L1';
  const date = options.date ?? '2025-01-15';
  book.apply({ kind: 'book', key: key(), date, loanId, offer: offer(options.offer), principalFen: options.principalFen ?? 500_000, method: options.method ?? 'equal-instalment', rounding: options.rounding ?? { instalmentMultipleFen: 100 } });
  book.apply({ kind: 'disburse', key: key(), date, loanId });
  return book;
}

/** Pays every instalment of a loan in full on its due date, up to and including a date. */
export function payOnSchedule(book: LoanBook, loanId: string, through: string): void {
  for (const instalment of book.state.loans[loanId]!.instalments) {
    if (instalment.dueDate > through) break;
    const owed = instalment.principalFen - instalment.paidPrincipalFen + instalment.interestFen - instalment.paidInterestFen;
    if (owed > 0) book.apply({ kind: 'repay', key: key('pay'), date: instalment.dueDate, loanId, amountFen: owed });
  }
}
