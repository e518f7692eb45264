/**
 * The loan ledger: pure transitions `applyCommand(state, command, policy) → { state, postings }` over the plain
 * state of ledger-state.ts, with a balanced double-entry posting (journal.ts) for every movement of money.
 *
 * - Idempotency: every command carries a key. A command whose key the loan (or debtor) has already applied
 *   returns the same state and no postings; the same key with a different command is refused. Postings carry
 *   `${commandKey}#${n}`, so a store can hold them under a unique constraint.
 * - Time: a loan's commands must come in date order; each one first brings the loan up to its date (interest
 *   that fell due, penalty interest on what is overdue, money in advance applied to what is due).
 * - Interest is recognised on due dates: an instalment's interest becomes a receivable on its due date.
 *   Penalty interest accrues day by day on overdue principal (and, when the policy says so, overdue interest),
 *   exactly, with fractions of a fen carried to the next accrual.
 * - A repayment goes to the borrower's advance account and is applied at once to what is due, in the policy's
 *   allocation order (past-due first); what is left waits in advance for the next due date.
 */
import { dayNumber, isoDateOfDay } from '../domain/period.ts';
import { accrueExact, annualRateOf, interestFen, rateOfText, rateText, scaleRate } from './arithmetic.ts';
import { accrualDays, dayOfIsoDate, daysInYearOf, dueDayOfMonthFor } from './calendar.ts';
import { classifyPortfolio, daysPastDue } from './classification.ts';
import { LoanError } from './errors.ts';
import { credit, debit, posting, type Account, type Posting, type PostingLine } from './journal.ts';
import { CATEGORIES, type Category, type Component, type EnterpriseSize, type LoanPolicy } from './policy.ts';
import { scheduleOf, scheduleTermsOf, unitFenOf, type Amortisation, type Grace, type Rounding, type ScheduleTerms } from './schedule.ts';
import { interestReceivableFen, principalOutstandingFen, type DebtorRecord, type LedgerState, type LoanInstalment, type LoanRecord, type Offer } from './ledger-state.ts';
import type { DayCount } from './calendar.ts';
import type { DecisionRecord } from '../decision/decide.ts';

interface CommandBase {
  /** Idempotency key: the same key applied twice changes nothing the second time. */
  key: string;
  /** The business date the command takes effect, ISO. */
  date: string;
}

export type PrepaymentMode = 'shorten-term' | 'lower-instalment';

export type LedgerCommand =
  | (CommandBase & { kind: 'book'; loanId: string; offer: Offer; principalFen: number; method: Amortisation; dayCount?: DayCount; rounding?: Partial<Rounding>; grace?: Partial<Grace> })
  | (CommandBase & { kind: 'disburse'; loanId: string })
  | (CommandBase & { kind: 'accrue'; loanId: string })
  | (CommandBase & { kind: 'repay'; loanId: string; amountFen: number })
  | (CommandBase & { kind: 'prepay'; loanId: string; principalFen: number; mode: PrepaymentMode })
  | (CommandBase & { kind: 'charge-fee'; loanId: string; amountFen: number; reason: string })
  | (CommandBase & { kind: 'write-off'; loanId: string; reason: string })
  | (CommandBase & { kind: 'renew'; loanId: string; newLoanId: string; offer: Offer; enterpriseSize: EnterpriseSize; method?: Amortisation })
  | (CommandBase & { kind: 'interest-pause'; loanId: string; periods: number; programme: string })
  | (CommandBase & { kind: 'reschedule'; loanId: string; annualRateBps: number; programme: string })
  | (CommandBase & { kind: 'override-classification'; debtorId: string; category: Category | null; reason: string });

export interface Applied {
  state: LedgerState;
  postings: Posting[];
  /** True when the key had been applied before: nothing changed. */
  duplicate: boolean;
}

/** Longest key accepted, characters. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;

/** The offer a decision record makes, for booking. */
export function offerOfDecision(record: DecisionRecord): Offer {
  const d = record.decision;
  return { debtorId: record.creditCode, decidedOn: record.asOf, outcome: d.outcome, limitFen: d.limitFen, rateBps: d.rateBps, termMonths: d.termMonths, strategy: { id: d.strategy.id, version: d.strategy.version, hash: d.strategy.hash } };
}

export function applyCommand(state: LedgerState, command: LedgerCommand, policy: LoanPolicy): Applied {
  if (typeof command.key !== 'string' || command.key.length === 0 || command.key.length > IDEMPOTENCY_KEY_LENGTH_MAX) throw new LoanError(`an idempotency key of 1..${IDEMPOTENCY_KEY_LENGTH_MAX} characters is required`, 'loan_terms');
  dayOfIsoDate(command.date, 'the command date');
  const fingerprint = JSON.stringify(command);
  if (command.kind === 'override-classification') return overrideClassification(state, command, fingerprint);
  const existing = state.loans[command.loanId];
  if (existing && command.key in existing.appliedKeys) {
    if (existing.appliedKeys[command.key] !== fingerprint) throw new LoanError(`idempotency key '${command.key}' was used for a different command on loan ${command.loanId}`, 'idempotency_conflict');
    return { state, postings: [], duplicate: true };
  }
  if (command.kind === 'book') return book(state, command, fingerprint);
  if (!existing) throw new LoanError(`no loan ${command.loanId}`, 'loan_state');
  if (dayNumber(command.date) < dayNumber(existing.lastDate)) throw new LoanError(`loan ${existing.id} is already at ${existing.lastDate}; a command dated ${command.date} would go back in time`, 'loan_state');
  const draft = new Draft(structuredClone(existing), command, policy);
  const extraLoans: LoanRecord[] = [];
  switch (command.kind) {
    case 'disburse': disburse(draft); break;
    case 'accrue': draft.requireStatus('active'); draft.bringUpToDate(); break;
    case 'repay': repay(draft, command.amountFen); break;
    case 'prepay': prepay(draft, command.principalFen, command.mode); break;
    case 'charge-fee': chargeFee(draft, command.amountFen, command.reason); break;
    case 'write-off': writeOff(draft, command.reason); break;
    case 'renew': extraLoans.push(renew(draft, state, command)); break;
    case 'interest-pause': interestPause(draft, command.periods, command.programme); break;
    case 'reschedule': reschedule(draft, command.annualRateBps, command.programme); break;
  }
  draft.loan.lastDate = command.date;
  draft.loan.appliedKeys[command.key] = fingerprint;
  const loans = { ...state.loans, [draft.loan.id]: draft.loan };
  for (const loan of extraLoans) {
    if (state.loans[loan.id]) throw new LoanError(`loan ${loan.id} already exists`, 'loan_state');
    loan.appliedKeys[command.key] = fingerprint;
    loans[loan.id] = loan;
  }
  return { state: { ...state, loans }, postings: draft.postings, duplicate: false };
}

/** A loan being changed by one command, with the postings it makes. */
class Draft {
  readonly postings: Posting[] = [];
  readonly day: number;
  readonly unitFen: number;

  constructor(readonly loan: LoanRecord, readonly command: LedgerCommand, readonly policy: LoanPolicy) {
    this.day = dayNumber(command.date);
    this.unitFen = unitFenOf(loan.terms.rounding.decimals);
  }

  /** Posts balanced lines under the command's key, dated the day the movement takes value. */
  post(event: string, lines: PostingLine[], valueDate = this.command.date): void {
    const entry = posting(`${this.command.key}#${this.postings.length}`, valueDate, event, lines);
    if (entry) this.postings.push(entry);
  }

  requireStatus(status: LoanRecord['status']): void {
    if (this.loan.status !== status) throw new LoanError(`loan ${this.loan.id} is ${this.loan.status}, not ${status}`, 'loan_state');
  }

  /**
   * Brings the loan to the command's date, due date by due date: on each, interest falls due, penalty interest
   * accrues to it and money in advance pays what is due, so money paid ahead never lets an instalment go late.
   */
  bringUpToDate(): void {
    const fromDay = dayNumber(this.loan.lastDate);
    const dueDays = [...new Set(this.loan.instalments.map((i) => dayNumber(i.dueDate)).filter((d) => d > fromDay && d < this.day))].sort((a, b) => a - b);
    for (const day of [...dueDays, this.day]) {
      if (this.loan.status !== 'active') return;
      this.postInterestDue(day);
      this.accruePenalty(day);
      this.allocateAdvance(day);
      this.closeIfRepaid(day);
    }
  }

  /** Brings the loan up to date for a command that needs it still open afterwards (it may close on the way). */
  bringUpToDateOpen(): void {
    this.bringUpToDate();
    if (this.loan.status !== 'active') throw new LoanError(`loan ${this.loan.id} was fully repaid by ${this.loan.closedOn}: it is ${this.loan.status}`, 'loan_state');
  }

  private postInterestDue(day: number): void {
    let dueFen = 0;
    for (const instalment of this.loan.instalments) {
      if (instalment.interestPosted || dayNumber(instalment.dueDate) > day) continue;
      instalment.interestPosted = true;
      dueFen += instalment.interestFen;
    }
    this.post('interest-due', [debit('interest_receivable', this.loan.id, dueFen), credit('interest_income', this.loan.id, dueFen)], isoDateOfDay(day));
  }

  /** Penalty for each day an amount stays unpaid after its due date, at the contract rate × (1 + markup). */
  private accruePenalty(day: number): void {
    const loan = this.loan;
    const throughDay = dayNumber(loan.penaltyThrough ?? loan.disbursedOn!);
    if (day <= throughDay) return;
    // Σ overdue fen × days, in BigInt: a large loan overdue for years passes 2^53.
    let overdueFenDays = 0n;
    for (const instalment of loan.instalments) {
      const dueDay = dayNumber(instalment.dueDate);
      if (dueDay >= day) break;
      const unpaidInterestFen = instalment.interestPosted && this.policy.penalty.compoundOnOverdueInterest ? instalment.interestFen - instalment.paidInterestFen : 0;
      const baseFen = instalment.principalFen - instalment.paidPrincipalFen + unpaidInterestFen;
      overdueFenDays += BigInt(baseFen) * BigInt(day - Math.max(dueDay, throughDay));
    }
    const accrued = accrueExact(overdueFenDays, penaltyRateOf(loan, this.policy), 1, daysInYearOf(loan.terms.dayCount), loan.penaltyCarryNumerator);
    loan.penaltyCarryNumerator = accrued.carriedNumerator;
    loan.penaltyThrough = isoDateOfDay(day);
    loan.penaltyReceivableFen += accrued.accruedFen;
    this.post('penalty-interest', [debit('penalty_receivable', loan.id, accrued.accruedFen), credit('penalty_income', loan.id, accrued.accruedFen)], isoDateOfDay(day));
  }

  /** Applies money in advance to what is due by the date, in the policy's order. */
  allocateAdvance(day = this.day): void {
    const loan = this.loan;
    let leftFen = loan.advanceFen;
    if (leftFen === 0) return;
    const { order, pastDueFirst } = this.policy.allocation;
    const due = loan.instalments.filter((i) => dayNumber(i.dueDate) <= day);
    const groups = pastDueFirst ? [due.filter((i) => dayNumber(i.dueDate) < day), due.filter((i) => dayNumber(i.dueDate) === day)] : [due];
    const paid: Record<Component, number> = { penalty: 0, fee: 0, interest: 0, principal: 0 };
    for (const [index, group] of groups.entries()) {
      for (const component of order) {
        if (leftFen === 0) break;
        if (component === 'penalty' || component === 'fee') {
          if (index > 0) continue;
          const owedFen = component === 'penalty' ? loan.penaltyReceivableFen : loan.feeReceivableFen;
          const payFen = Math.min(leftFen, owedFen);
          if (component === 'penalty') loan.penaltyReceivableFen -= payFen;
          else loan.feeReceivableFen -= payFen;
          paid[component] += payFen;
          leftFen -= payFen;
          continue;
        }
        for (const instalment of group) {
          const payFen = Math.min(leftFen, component === 'interest' ? instalment.interestFen - instalment.paidInterestFen : instalment.principalFen - instalment.paidPrincipalFen);
          if (component === 'interest') instalment.paidInterestFen += payFen;
          else instalment.paidPrincipalFen += payFen;
          paid[component] += payFen;
          leftFen -= payFen;
        }
      }
    }
    const appliedFen = loan.advanceFen - leftFen;
    loan.advanceFen = leftFen;
    const accountOf: Record<Component, Account> = { penalty: 'penalty_receivable', fee: 'fee_receivable', interest: 'interest_receivable', principal: 'loan_principal' };
    this.post('repayment-allocated', [debit('borrower_advance', loan.id, appliedFen), ...order.map((c) => credit(accountOf[c], loan.id, paid[c]))], isoDateOfDay(day));
  }

  /** A loan with nothing left to pay closes; money left in advance goes back to the borrower. */
  closeIfRepaid(day = this.day): void {
    const loan = this.loan;
    if (loan.status !== 'active' || principalOutstandingFen(loan) > 0 || interestReceivableFen(loan) > 0 || loan.penaltyReceivableFen > 0 || loan.feeReceivableFen > 0) return;
    if (loan.instalments.some((i) => !i.interestPosted && i.interestFen > i.paidInterestFen)) return;
    this.refundAdvance(isoDateOfDay(day));
    loan.status = 'closed';
    loan.closedOn = isoDateOfDay(day);
  }

  refundAdvance(date = this.command.date): void {
    const refundFen = this.loan.advanceFen;
    this.loan.advanceFen = 0;
    this.post('advance-refunded', [debit('borrower_advance', this.loan.id, refundFen), credit('cash', this.loan.id, refundFen)], date);
  }
}

function penaltyRateOf(loan: LoanRecord, policy: LoanPolicy) {
  const markup = annualRateOf({ annualRateDecimal: policy.penalty.penaltyRateMarkup });
  return scaleRate(rateOfText(loan.terms.rate), markup.numerator + markup.denominator, markup.denominator);
}

function book(state: LedgerState, command: Extract<LedgerCommand, { kind: 'book' }>, fingerprint: string): Applied {
  if (state.loans[command.loanId]) throw new LoanError(`loan ${command.loanId} already exists`, 'loan_state');
  const { offer } = command;
  if (offer.outcome !== 'approve') throw new LoanError(`only an approved offer can be booked (this one is '${offer.outcome}')`, 'loan_terms');
  if (offer.rateBps === null || offer.termMonths === null) throw new LoanError('an approved offer needs a rate and a term', 'loan_terms');
  if (command.principalFen > offer.limitFen) throw new LoanError(`principal ${command.principalFen} fen is above the offered limit ${offer.limitFen} fen`, 'loan_terms');
  const terms = scheduleTermsOf({ principalFen: command.principalFen, annualRateBps: offer.rateBps, termMonths: offer.termMonths, startDate: command.date, method: command.method, dayCount: command.dayCount, rounding: command.rounding, grace: command.grace });
  const loan: LoanRecord = {
    id: command.loanId, debtorId: offer.debtorId, status: 'booked', offer, bookedOn: command.date, disbursedOn: null, lastDate: command.date,
    terms: { principalFen: terms.principalFen, termMonths: terms.termMonths, method: terms.method, dayCount: terms.dayCount, rounding: terms.rounding, grace: terms.grace, rate: rateText(terms.rate), dueDayOfMonth: terms.dueDayOfMonth },
    instalments: [], levelInstalmentFen: null, penaltyReceivableFen: 0, feeReceivableFen: 0, advanceFen: 0, penaltyThrough: null, penaltyCarryNumerator: 0,
    renewedFrom: null, renewedTo: null, renewalFloor: null, reliefs: [], writeOff: null, closedOn: null, appliedKeys: { [command.key]: fingerprint },
  };
  return { state: { ...state, loans: { ...state.loans, [loan.id]: loan } }, postings: [], duplicate: false };
}

/** Schedule terms of a loan from a start day, for a balance over a number of periods. */
function termsFrom(loan: LoanRecord, startDay: number, principalFen: number, termMonths: number, grace: Grace, instalmentFen: number | null = null): ScheduleTerms {
  const t = loan.terms;
  return { principalFen, termMonths, startDay, method: t.method, rate: rateOfText(t.rate), dayCount: t.dayCount, rounding: t.rounding, grace: t.method === 'interest-only' ? { principalPeriods: termMonths - 1, interestPeriods: 0 } : grace, dueDayOfMonth: t.dueDayOfMonth, instalmentFen };
}

function instalmentsOf(terms: ScheduleTerms, firstNumber: number): { instalments: LoanInstalment[]; levelFen: number | null } {
  const schedule = scheduleOf(terms);
  return {
    instalments: schedule.instalments.map((i) => ({ number: firstNumber + i.number - 1, dueDate: i.dueDate, principalFen: i.principalFen, interestFen: i.interestFen, paidPrincipalFen: 0, paidInterestFen: 0, interestPosted: false })),
    levelFen: schedule.levelInstalmentFen,
  };
}

function disburse(draft: Draft): void {
  draft.requireStatus('booked');
  const loan = draft.loan;
  const startDay = draft.day;
  loan.terms.dueDayOfMonth = dueDayOfMonthFor(startDay);
  const { instalments, levelFen } = instalmentsOf(termsFrom(loan, startDay, loan.terms.principalFen, loan.terms.termMonths, loan.terms.grace), 1);
  loan.instalments = instalments;
  loan.levelInstalmentFen = levelFen;
  loan.status = 'active';
  loan.disbursedOn = draft.command.date;
  loan.penaltyThrough = draft.command.date;
  draft.post('disbursement', [debit('loan_principal', loan.id, loan.terms.principalFen), credit('cash', loan.id, loan.terms.principalFen)]);
}

function requireAmount(amountFen: number, what: string): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new LoanError(`${what} must be a whole number of fen above 0, got ${amountFen}`, 'loan_terms');
}

function repay(draft: Draft, amountFen: number): void {
  draft.requireStatus('active');
  requireAmount(amountFen, 'a repayment');
  draft.bringUpToDateOpen();
  draft.loan.advanceFen += amountFen;
  draft.post('repayment-received', [debit('cash', draft.loan.id, amountFen), credit('borrower_advance', draft.loan.id, amountFen)]);
  draft.allocateAdvance();
  draft.closeIfRepaid();
}

function chargeFee(draft: Draft, amountFen: number, reason: string): void {
  draft.requireStatus('active');
  requireAmount(amountFen, 'a fee');
  if (reason.trim().length === 0) throw new LoanError('a fee needs a reason', 'loan_terms');
  draft.bringUpToDateOpen();
  draft.loan.feeReceivableFen += amountFen;
  draft.post('fee-charged', [debit('fee_receivable', draft.loan.id, amountFen), credit('fee_income', draft.loan.id, amountFen)]);
  draft.allocateAdvance();
}

/** The instalments still to come (due after the date) and the day their first period starts. */
function futureOf(draft: Draft): { past: LoanInstalment[]; future: LoanInstalment[]; periodStartDay: number } {
  const loan = draft.loan;
  const past = loan.instalments.filter((i) => dayNumber(i.dueDate) <= draft.day);
  const future = loan.instalments.filter((i) => dayNumber(i.dueDate) > draft.day);
  if (future.length === 0) throw new LoanError(`loan ${loan.id} has no instalment left after ${draft.command.date}`, 'loan_state');
  if (future[0]!.number <= loan.terms.grace.interestPeriods) throw new LoanError(`loan ${loan.id} is in its interest grace: its schedule cannot change until the deferred interest falls due`, 'loan_state');
  const periodStartDay = past.length > 0 ? dayNumber(past.at(-1)!.dueDate) : dayNumber(loan.disbursedOn!);
  return { past, future, periodStartDay };
}

/** Replaces the future instalments with a new schedule for a balance; keeps interest pauses in force. */
function regenerate(draft: Draft, past: LoanInstalment[], periodStartDay: number, balanceFen: number, count: number, instalmentFen: number | null = null): void {
  const loan = draft.loan;
  const grace: Grace = { principalPeriods: Math.max(0, loan.terms.grace.principalPeriods - past.length), interestPeriods: 0 };
  const { instalments, levelFen } = instalmentsOf(termsFrom(loan, periodStartDay, balanceFen, count, grace.principalPeriods >= count ? { principalPeriods: count - 1, interestPeriods: 0 } : grace, instalmentFen), past.length + 1);
  for (const relief of loan.reliefs) {
    if (relief.kind !== 'interest-pause') continue;
    for (const instalment of instalments) if (instalment.dueDate >= relief.fromDueDate! && instalment.dueDate <= relief.toDueDate!) instalment.interestFen = 0;
  }
  loan.instalments = [...past, ...instalments];
  loan.levelInstalmentFen = levelFen;
}

/**
 * Prepays principal on any day: the borrower pays the principal and the interest on it from the start of the
 * running period to the date; the rest of the schedule is drawn again from the period start for the lower
 * balance, keeping the instalment (shorter term) or the term (lower instalment).
 */
function prepay(draft: Draft, principalFen: number, mode: PrepaymentMode): void {
  draft.requireStatus('active');
  requireAmount(principalFen, 'a prepayment');
  draft.bringUpToDateOpen();
  const loan = draft.loan;
  if (loan.instalments.some((i) => dayNumber(i.dueDate) <= draft.day && (i.principalFen > i.paidPrincipalFen || i.interestFen > i.paidInterestFen)) || loan.penaltyReceivableFen > 0 || loan.feeReceivableFen > 0) {
    throw new LoanError(`loan ${loan.id} has amounts due: they are paid before a prepayment`, 'loan_state');
  }
  const { past, future, periodStartDay } = futureOf(draft);
  const balanceFen = future.reduce((sum, i) => sum + i.principalFen, 0);
  if (principalFen > balanceFen) throw new LoanError(`a prepayment of ${principalFen} fen is above the principal outstanding (${balanceFen} fen)`, 'loan_terms');
  if (principalFen % draft.unitFen !== 0) throw new LoanError(`a prepayment must be a multiple of ${draft.unitFen} fen`, 'loan_terms');
  const days = accrualDays(periodStartDay, draft.day, loan.terms.dayCount);
  const interestOnPrepaidFen = interestFen(principalFen, rateOfText(loan.terms.rate), days, daysInYearOf(loan.terms.dayCount), draft.unitFen);
  draft.post('prepayment', [debit('cash', loan.id, principalFen + interestOnPrepaidFen), credit('loan_principal', loan.id, principalFen), credit('interest_income', loan.id, interestOnPrepaidFen)]);
  const newBalanceFen = balanceFen - principalFen;
  if (newBalanceFen === 0) {
    loan.instalments = past;
    draft.closeIfRepaid();
    return;
  }
  let count = future.length;
  let instalmentFen: number | null = null;
  if (mode === 'shorten-term' && loan.terms.method === 'equal-instalment') instalmentFen = loan.levelInstalmentFen;
  if (mode === 'shorten-term' && loan.terms.method === 'equal-principal') count = Math.min(count, Math.ceil(newBalanceFen / Math.max(future[0]!.principalFen, 1)));
  regenerate(draft, past, periodStartDay, newBalanceFen, count, instalmentFen);
}

function writeOff(draft: Draft, reason: string): void {
  draft.requireStatus('active');
  if (reason.trim().length === 0) throw new LoanError('a write-off needs a reason', 'loan_terms');
  draft.bringUpToDate();
  const loan = draft.loan;
  if (loan.status !== 'active') return;
  const principalFen = principalOutstandingFen(loan);
  const interestFen = interestReceivableFen(loan);
  draft.post('write-off', [
    debit('write_off_expense', loan.id, principalFen + interestFen + loan.penaltyReceivableFen + loan.feeReceivableFen),
    credit('loan_principal', loan.id, principalFen), credit('interest_receivable', loan.id, interestFen),
    credit('penalty_receivable', loan.id, loan.penaltyReceivableFen), credit('fee_receivable', loan.id, loan.feeReceivableFen),
  ]);
  loan.writeOff = { date: draft.command.date, reason, principalFen, receivablesFen: interestFen + loan.penaltyReceivableFen + loan.feeReceivableFen };
  loan.penaltyReceivableFen = 0;
  loan.feeReceivableFen = 0;
  draft.refundAdvance();
  loan.status = 'written_off';
}

/**
 * 无还本续贷: on the maturity date, a borrower who has paid everything but the principal, is not past due,
 * is of an eligible size and whose claims are in an eligible category gets a new loan for the principal,
 * linked to the old one. No cash moves: the new loan's principal pays the old one's.
 */
function renew(draft: Draft, state: LedgerState, command: Extract<LedgerCommand, { kind: 'renew' }>): LoanRecord {
  draft.requireStatus('active');
  const loan = draft.loan;
  const rules = draft.policy.renewal;
  const maturity = loan.instalments.at(-1)!.dueDate;
  if (command.date !== maturity) throw new LoanError(`a renewal takes effect on the maturity date ${maturity}, not ${command.date}`, 'loan_renewal');
  const before = daysPastDue(loan, draft.day);
  draft.bringUpToDateOpen();
  const refusals: string[] = [];
  if (before > rules.maxDaysPastDue) refusals.push(`${before} days past due (at most ${rules.maxDaysPastDue})`);
  if (interestReceivableFen(loan) > 0 || loan.penaltyReceivableFen > 0 || loan.feeReceivableFen > 0) refusals.push('interest, penalty or fees unpaid');
  if (loan.instalments.slice(0, -1).some((i) => i.principalFen > i.paidPrincipalFen)) refusals.push('principal of earlier instalments unpaid');
  const until = rules.sizesUntil[command.enterpriseSize];
  if (!rules.eligibleSizes.includes(command.enterpriseSize) || (until !== undefined && command.date > until)) refusals.push(`a ${command.enterpriseSize} enterprise is not eligible on ${command.date}`);
  const classified = classifyPortfolio({ ...state, loans: { ...state.loans, [loan.id]: loan } }, command.date, draft.policy.classification).loans.find((c) => c.loanId === loan.id);
  if (classified && !rules.eligibleCategories.includes(classified.category)) refusals.push(`classified ${classified.category}`);
  if (command.offer.debtorId !== loan.debtorId) refusals.push('the new offer is for another debtor');
  const principalFen = principalOutstandingFen(loan);
  if (principalFen === 0) refusals.push('no principal left to renew');
  if (refusals.length > 0) throw new LoanError(`loan ${loan.id} cannot be renewed without repaying principal: ${refusals.join('; ')}`, 'loan_renewal');
  const booked = book(state, { kind: 'book', key: command.key, date: command.date, loanId: command.newLoanId, offer: command.offer, principalFen, method: command.method ?? loan.terms.method, dayCount: loan.terms.dayCount, rounding: loan.terms.rounding }, '');
  const renewed = booked.state.loans[command.newLoanId]!;
  const { instalments, levelFen } = instalmentsOf(termsFrom(renewed, draft.day, principalFen, renewed.terms.termMonths, renewed.terms.grace), 1);
  Object.assign(renewed, { instalments, levelInstalmentFen: levelFen, status: 'active', disbursedOn: command.date, penaltyThrough: command.date, renewedFrom: loan.id, renewalFloor: classified?.category ?? null, appliedKeys: {} });
  renewed.terms.dueDayOfMonth = dueDayOfMonthFor(draft.day);
  const last = loan.instalments.at(-1)!;
  last.paidPrincipalFen = last.principalFen;
  draft.post('renewal', [debit('loan_principal', renewed.id, principalFen), credit('loan_principal', loan.id, principalFen)]);
  renewed.advanceFen = loan.advanceFen;
  draft.post('advance-transferred', [debit('borrower_advance', loan.id, loan.advanceFen), credit('borrower_advance', renewed.id, loan.advanceFen)]);
  loan.advanceFen = 0;
  loan.status = 'renewed';
  loan.renewedTo = renewed.id;
  loan.closedOn = command.date;
  return renewed;
}

/** Relief: no interest on the next `periods` instalments (e.g. three interest-free months). */
function interestPause(draft: Draft, periods: number, programme: string): void {
  draft.requireStatus('active');
  if (!Number.isInteger(periods) || periods < 1 || periods > 36) throw new LoanError(`an interest pause covers 1..36 instalments, got ${periods}`, 'loan_terms');
  draft.bringUpToDateOpen();
  const { future } = futureOf(draft);
  const paused = future.slice(0, periods);
  let waivedFen = 0;
  for (const instalment of paused) {
    waivedFen += instalment.interestFen;
    instalment.interestFen = 0;
  }
  draft.loan.reliefs.push({ kind: 'interest-pause', programme, date: draft.command.date, fromDueDate: paused[0]!.dueDate, toDueDate: paused.at(-1)!.dueDate, interestWaivedFen: waivedFen });
  draft.closeIfRepaid();
}

/** Relief: the rest of the schedule drawn again at a new rate, from the start of the running period. */
function reschedule(draft: Draft, annualRateBps: number, programme: string): void {
  draft.requireStatus('active');
  const loan = draft.loan;
  const newRate = annualRateOf({ annualRateBps });
  draft.bringUpToDateOpen();
  const { past, future, periodStartDay } = futureOf(draft);
  const before = future.reduce((sum, i) => sum + i.interestFen, 0);
  const rateBefore = loan.terms.rate;
  loan.terms.rate = rateText(newRate);
  regenerate(draft, past, periodStartDay, future.reduce((sum, i) => sum + i.principalFen, 0), future.length, null);
  const after = loan.instalments.slice(past.length).reduce((sum, i) => sum + i.interestFen, 0);
  loan.reliefs.push({ kind: 'reschedule', programme, date: draft.command.date, rateBefore, rateAfter: loan.terms.rate, interestWaivedFen: before - after });
}

function overrideClassification(state: LedgerState, command: Extract<LedgerCommand, { kind: 'override-classification' }>, fingerprint: string): Applied {
  const debtor: DebtorRecord = state.debtors[command.debtorId] ?? { id: command.debtorId, override: null, appliedKeys: {} };
  if (command.key in debtor.appliedKeys) {
    if (debtor.appliedKeys[command.key] !== fingerprint) throw new LoanError(`idempotency key '${command.key}' was used for a different command on debtor ${command.debtorId}`, 'idempotency_conflict');
    return { state, postings: [], duplicate: true };
  }
  if (command.category !== null && !CATEGORIES.includes(command.category)) throw new LoanError(`category must be one of ${CATEGORIES.join(', ')}`, 'loan_terms');
  if (command.reason.trim().length === 0) throw new LoanError('a classification override needs a reason', 'loan_terms');
  const next: DebtorRecord = { ...debtor, override: command.category === null ? null : { category: command.category, reason: command.reason, date: command.date }, appliedKeys: { ...debtor.appliedKeys, [command.key]: fingerprint } };
  return { state: { ...state, debtors: { ...state.debtors, [command.debtorId]: next } }, postings: [], duplicate: false };
}

/**
 * Everything that must hold between the state and the journal: every posting balanced with whole fen, keys
 * unique, and per loan the journal's balances equal the loan's (principal outstanding, interest, penalty and
 * fee receivable, the advance); closed, written-off and renewed loans hold nothing. Empty when sound.
 */
export function reconcile(state: LedgerState, journal: readonly Posting[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const balances = new Map<string, number>();
  for (const entry of journal) {
    let debitFen = 0;
    let creditFen = 0;
    for (const line of entry.lines) {
      if (!Number.isSafeInteger(line.debitFen) || !Number.isSafeInteger(line.creditFen) || line.debitFen < 0 || line.creditFen < 0) problems.push(`posting ${entry.key}: amounts must be whole fen ≥ 0`);
      debitFen += line.debitFen;
      creditFen += line.creditFen;
      const key = `${line.loanId}|${line.account}`;
      balances.set(key, (balances.get(key) ?? 0) + line.debitFen - line.creditFen);
    }
    if (debitFen !== creditFen) problems.push(`posting ${entry.key} is unbalanced: ${debitFen} ≠ ${creditFen}`);
    if (keys.has(entry.key)) problems.push(`posting key ${entry.key} appears twice`);
    keys.add(entry.key);
  }
  const balance = (loanId: string, account: Account) => balances.get(`${loanId}|${account}`) ?? 0;
  for (const loan of Object.values(state.loans)) problems.push(...loanBalanceProblems(loan, (account) => balance(loan.id, account)));
  return problems;
}

/**
 * The balances the journal must hold for a loan (debit-positive): principal outstanding and the receivables while
 * it is active, nothing once closed, written off or renewed; the advance as a liability.
 */
export function expectedLoanBalances(loan: LoanRecord): [Account, number][] {
  const open = loan.status === 'active';
  return [
    ['loan_principal', open ? principalOutstandingFen(loan) : 0],
    ['interest_receivable', open ? interestReceivableFen(loan) : 0],
    ['penalty_receivable', open ? loan.penaltyReceivableFen : 0],
    ['fee_receivable', open ? loan.feeReceivableFen : 0],
    ['borrower_advance', -loan.advanceFen],
  ];
}

/** Where a loan disagrees with its journal balances (given per account) or with itself; empty when sound. */
export function loanBalanceProblems(loan: LoanRecord, journalBalance: (account: Account) => number): string[] {
  const problems: string[] = [];
  for (const [account, fen] of expectedLoanBalances(loan)) if (journalBalance(account) !== fen) problems.push(`loan ${loan.id} (${loan.status}): journal ${account} ${journalBalance(account)} ≠ loan ${fen}`);
  if (loan.status !== 'active' && loan.advanceFen !== 0) problems.push(`loan ${loan.id} is ${loan.status} and still holds ${loan.advanceFen} fen in advance`);
  for (const i of loan.instalments) if (i.paidPrincipalFen > i.principalFen || i.paidInterestFen > i.interestFen || i.paidPrincipalFen < 0 || i.paidInterestFen < 0) problems.push(`loan ${loan.id} instalment ${i.number} paid beyond what it owes`);
  return problems;
}

/** An in-process ledger: the state and its journal, with commands applied one after another. */
export class LoanBook {
  state: LedgerState = { loans: {}, debtors: {} };
  readonly journal: Posting[] = [];

  constructor(readonly policy: LoanPolicy) {}

  apply(command: LedgerCommand): Applied {
    const applied = applyCommand(this.state, command, this.policy);
    this.state = applied.state;
    this.journal.push(...applied.postings);
    return applied;
  }
}

