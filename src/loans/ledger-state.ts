/**
 * The loan ledger's state: a plain, JSON-serialisable value (no classes, no BigInt, no Dates), changed only by
 * the pure transition in ledger.ts. A store persists it, with the postings a transition returns, in one
 * transaction; the idempotency keys it records make a replayed command a no-op.
 */
import type { Amortisation, Grace, Rounding } from './schedule.ts';
import type { DayCount } from './calendar.ts';
import type { Category } from './policy.ts';

/** What a loan is booked from: an accepted decision (see offerOfDecision). */
export interface Offer {
  debtorId: string;
  decidedOn: string;
  outcome: 'approve' | 'review' | 'decline';
  limitFen: number;
  rateBps: number | null;
  termMonths: number | null;
  strategy: { id: string; version: string; hash: string };
}

export interface LoanInstalment {
  number: number;
  dueDate: string;
  principalFen: number;
  interestFen: number;
  paidPrincipalFen: number;
  paidInterestFen: number;
  /** True once the interest has fallen due and been posted as a receivable. */
  interestPosted: boolean;
}

export interface LoanTerms {
  principalFen: number;
  termMonths: number;
  method: Amortisation;
  dayCount: DayCount;
  rounding: Rounding;
  grace: Grace;
  /** The annual rate now in force, as an exact fraction 'numerator/denominator' of 1. */
  rate: string;
  dueDayOfMonth: number;
}

export interface Relief {
  kind: 'interest-pause' | 'reschedule';
  programme: string;
  date: string;
  /** interest-pause: the due dates whose interest is waived, inclusive. */
  fromDueDate?: string;
  toDueDate?: string;
  /** reschedule: the rate before and after, basis points. */
  rateBefore?: string;
  rateAfter?: string;
  /** Interest the borrower no longer owes, as scheduled at the time of the relief. */
  interestWaivedFen: number;
}

export type LoanStatus = 'booked' | 'active' | 'closed' | 'written_off' | 'renewed';

export interface LoanRecord {
  id: string;
  debtorId: string;
  status: LoanStatus;
  offer: Offer;
  terms: LoanTerms;
  bookedOn: string;
  disbursedOn: string | null;
  /** The last date a command for this loan took effect: commands never go back in time. */
  lastDate: string;
  instalments: LoanInstalment[];
  /** The level instalment of the schedule now in force (equal-instalment, flat), else null. */
  levelInstalmentFen: number | null;
  penaltyReceivableFen: number;
  feeReceivableFen: number;
  /** Money the borrower paid ahead of what was due: a liability, applied as amounts fall due. */
  advanceFen: number;
  /** Penalty interest is accrued through this date; fractions of a fen carried as a numerator. */
  penaltyThrough: string | null;
  penaltyCarryNumerator: number;
  renewedFrom: string | null;
  renewedTo: string | null;
  /** A renewed loan keeps at least the category its predecessor had at renewal (neither lower nor higher for it). */
  renewalFloor: Category | null;
  reliefs: Relief[];
  writeOff: { date: string; reason: string; principalFen: number; receivablesFen: number } | null;
  closedOn: string | null;
  /** Idempotency keys of the commands applied to this loan, each with the command's fingerprint. */
  appliedKeys: Record<string, string>;
}

export interface ClassificationOverride {
  category: Category;
  reason: string;
  date: string;
}

export interface DebtorRecord {
  id: string;
  override: ClassificationOverride | null;
  appliedKeys: Record<string, string>;
}

export interface LedgerState {
  loans: Record<string, LoanRecord>;
  debtors: Record<string, DebtorRecord>;
}

export const EMPTY_LEDGER: LedgerState = { loans: {}, debtors: {} };

/** Principal not yet repaid (due or not). */
export function principalOutstandingFen(loan: LoanRecord): number {
  let total = 0;
  for (const instalment of loan.instalments) total += instalment.principalFen - instalment.paidPrincipalFen;
  return total;
}

/** Interest fallen due and not paid. */
export function interestReceivableFen(loan: LoanRecord): number {
  let total = 0;
  for (const instalment of loan.instalments) if (instalment.interestPosted) total += instalment.interestFen - instalment.paidInterestFen;
  return total;
}

/** Whether a loan carries a balance (it is classified, monitored and reconciled as open). */
export function isOpen(loan: LoanRecord): boolean {
  return loan.status === 'active';
}
