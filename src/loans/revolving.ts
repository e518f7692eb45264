/**
 * Revolving credit lines (随借随还): draw and repay on any day up to the limit; interest accrues day by day on
 * the drawn balance, exactly, with fractions of a fen carried (never rounded away day after day).
 *
 * - Interest for a day is charged on the balance held overnight: money drawn and repaid the same day costs
 *   nothing; drawn on day d and repaid on day e it costs e − d days. Interest is payable at any time and all
 *   of it, with the principal, at expiry.
 * - A repayment pays interest first, then principal; more than is owed is refused.
 * - A line may be drawn through its expiry date. After it, nothing more may be drawn; whatever is still owed
 *   is past due from the day after expiry. Renewal on or before expiry, with nothing past due, sets a later
 *   expiry and may change the limit and the rate; a limit below the balance leaves nothing available.
 * - Like the loan ledger, the state is plain data and each transition is pure, keyed for idempotency, and
 *   posts balanced fen to the journal (Dr loan_principal / Cr cash on a draw, and so on).
 */
import { dayNumber, isoDateOfDay } from '../domain/period.ts';
import { accrueExact, annualRateOf, rateOfText, rateText } from './arithmetic.ts';
import { accrualDays, dayOfIsoDate, daysInYearOf, DAY_COUNTS, type DayCount } from './calendar.ts';
import { LoanError } from './errors.ts';
import { credit, debit, posting, type Posting } from './journal.ts';
import type { Offer } from './ledger-state.ts';
import { AMOUNT_FEN_ABS_MAX } from '../domain/money.ts';

export interface CreditLine {
  id: string;
  debtorId: string;
  status: 'open' | 'closed';
  limitFen: number;
  /** Annual rate as an exact fraction 'numerator/denominator'. */
  rate: string;
  dayCount: DayCount;
  openedOn: string;
  /** Last day the line may be drawn; everything owed is due on it. */
  expiresOn: string;
  drawnFen: number;
  interestReceivableFen: number;
  /** Interest accrued through this date; fractions of a fen carried as a numerator. */
  accruedThrough: string;
  interestCarryNumerator: number;
  lastDate: string;
  renewals: { date: string; expiresOnBefore: string; expiresOn: string; limitFen: number; rate: string }[];
  appliedKeys: Record<string, string>;
}

interface LineCommandBase {
  key: string;
  date: string;
}

export type LineCommand =
  | (LineCommandBase & { kind: 'draw'; amountFen: number })
  | (LineCommandBase & { kind: 'repay'; amountFen: number })
  | (LineCommandBase & { kind: 'accrue' })
  | (LineCommandBase & { kind: 'renew'; expiresOn: string; limitFen?: number; annualRateBps?: number })
  | (LineCommandBase & { kind: 'close' });

export interface LineApplied {
  line: CreditLine;
  postings: Posting[];
  duplicate: boolean;
}

/** Longest life of a line or a renewal, days (about 5 years). */
export const LINE_DAYS_MAX = 1_830;

/** Opens a line from an approved offer: the offer's limit and rate, expiring after the offer's term. */
export function openCreditLine(input: { lineId: string; offer: Offer; openedOn: string; expiresOn: string; dayCount?: DayCount }): CreditLine {
  const { offer } = input;
  if (offer.outcome !== 'approve' || offer.rateBps === null) throw new LoanError('a credit line opens only on an approved offer with a rate', 'loan_terms');
  const dayCount = input.dayCount ?? 'actual/360';
  if (!(DAY_COUNTS as readonly string[]).includes(dayCount)) throw new LoanError(`day count must be one of ${DAY_COUNTS.join(', ')}`, 'loan_terms');
  const openedDay = dayOfIsoDate(input.openedOn, 'opening date');
  const expiresDay = dayOfIsoDate(input.expiresOn, 'expiry date');
  if (expiresDay <= openedDay || expiresDay - openedDay > LINE_DAYS_MAX) throw new LoanError(`a line expires 1..${LINE_DAYS_MAX} days after it opens`, 'loan_terms');
  if (!Number.isSafeInteger(offer.limitFen) || offer.limitFen <= 0 || offer.limitFen > AMOUNT_FEN_ABS_MAX) throw new LoanError('a line needs a limit in whole fen above 0', 'loan_terms');
  return {
    id: input.lineId, debtorId: offer.debtorId, status: 'open', limitFen: offer.limitFen, rate: rateText(annualRateOf({ annualRateBps: offer.rateBps })), dayCount,
    openedOn: input.openedOn, expiresOn: input.expiresOn, drawnFen: 0, interestReceivableFen: 0, accruedThrough: input.openedOn, interestCarryNumerator: 0,
    lastDate: input.openedOn, renewals: [], appliedKeys: {},
  };
}

/** What may still be drawn on a date: the limit less the balance, nothing after expiry or on a closed line. */
export function availableFen(line: CreditLine, date: string): number {
  if (line.status !== 'open' || date > line.expiresOn || date < line.openedOn) return 0;
  return Math.max(0, line.limitFen - line.drawnFen);
}

/** Days past due: owed after expiry counts from the day after it. */
export function lineDaysPastDue(line: CreditLine, date: string): number {
  if (line.drawnFen + line.interestReceivableFen === 0 || date <= line.expiresOn) return 0;
  return dayNumber(date) - dayNumber(line.expiresOn);
}

function requireAmount(amountFen: number, what: string): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new LoanError(`${what} must be a whole number of fen above 0, got ${amountFen}`, 'loan_terms');
}

export function applyLineCommand(line: CreditLine, command: LineCommand): LineApplied {
  if (typeof command.key !== 'string' || command.key.length === 0 || command.key.length > 200) throw new LoanError('an idempotency key of 1..200 characters is required', 'loan_terms');
  const fingerprint = JSON.stringify(command);
  if (command.key in line.appliedKeys) {
    if (line.appliedKeys[command.key] !== fingerprint) throw new LoanError(`idempotency key '${command.key}' was used for a different command on line ${line.id}`, 'idempotency_conflict');
    return { line, postings: [], duplicate: true };
  }
  const day = dayOfIsoDate(command.date, 'the command date');
  if (day < dayNumber(line.lastDate)) throw new LoanError(`line ${line.id} is already at ${line.lastDate}; a command dated ${command.date} would go back in time`, 'loan_state');
  if (line.status !== 'open') throw new LoanError(`line ${line.id} is ${line.status}`, 'loan_state');
  const next: CreditLine = { ...line, renewals: [...line.renewals], appliedKeys: { ...line.appliedKeys, [command.key]: fingerprint }, lastDate: command.date };
  const postings: Posting[] = [];
  const post = (event: string, lines: Parameters<typeof posting>[3]) => {
    const entry = posting(`${command.key}#${postings.length}`, command.date, event, lines);
    if (entry) postings.push(entry);
  };
  accrue(next, day, post);
  switch (command.kind) {
    case 'draw': {
      requireAmount(command.amountFen, 'a draw');
      const available = availableFen(next, command.date);
      if (command.amountFen > available) throw new LoanError(`a draw of ${command.amountFen} fen is above what line ${line.id} has available on ${command.date} (${available} fen)`, 'loan_state');
      next.drawnFen += command.amountFen;
      post('draw', [debit('loan_principal', line.id, command.amountFen), credit('cash', line.id, command.amountFen)]);
      break;
    }
    case 'repay': {
      requireAmount(command.amountFen, 'a repayment');
      const owedFen = next.drawnFen + next.interestReceivableFen;
      if (command.amountFen > owedFen) throw new LoanError(`a repayment of ${command.amountFen} fen is above what line ${line.id} owes (${owedFen} fen)`, 'loan_terms');
      const interestFen = Math.min(command.amountFen, next.interestReceivableFen);
      const principalFen = command.amountFen - interestFen;
      next.interestReceivableFen -= interestFen;
      next.drawnFen -= principalFen;
      post('repayment', [debit('cash', line.id, command.amountFen), credit('interest_receivable', line.id, interestFen), credit('loan_principal', line.id, principalFen)]);
      break;
    }
    case 'accrue':
      break;
    case 'renew':
      renew(next, command);
      break;
    case 'close':
      if (next.drawnFen + next.interestReceivableFen > 0) throw new LoanError(`line ${line.id} still owes ${next.drawnFen + next.interestReceivableFen} fen`, 'loan_state');
      next.status = 'closed';
      break;
  }
  return { line: next, postings, duplicate: false };
}

/** Interest on the drawn balance for the days since the last accrual, posted in whole fen. */
function accrue(line: CreditLine, day: number, post: (event: string, lines: Parameters<typeof posting>[3]) => void): void {
  const fromDay = dayNumber(line.accruedThrough);
  if (day <= fromDay) return;
  const days = accrualDays(fromDay, day, line.dayCount);
  const accrued = accrueExact(line.drawnFen, rateOfText(line.rate), days, daysInYearOf(line.dayCount), line.interestCarryNumerator);
  line.interestCarryNumerator = accrued.carriedNumerator;
  line.accruedThrough = isoDateOfDay(day);
  line.interestReceivableFen += accrued.accruedFen;
  post('interest-accrued', [debit('interest_receivable', line.id, accrued.accruedFen), credit('interest_income', line.id, accrued.accruedFen)]);
}

function renew(line: CreditLine, command: Extract<LineCommand, { kind: 'renew' }>): void {
  if (command.date > line.expiresOn) throw new LoanError(`line ${line.id} expired on ${line.expiresOn}: it is renewed on or before expiry`, 'loan_renewal');
  const expiresDay = dayOfIsoDate(command.expiresOn, 'new expiry date');
  if (command.expiresOn <= line.expiresOn || expiresDay - dayNumber(command.date) > LINE_DAYS_MAX) throw new LoanError(`a renewal moves expiry later than ${line.expiresOn}, at most ${LINE_DAYS_MAX} days ahead`, 'loan_renewal');
  if (command.limitFen !== undefined) {
    requireAmount(command.limitFen, 'a limit');
    line.limitFen = command.limitFen;
  }
  if (command.annualRateBps !== undefined) line.rate = rateText(annualRateOf({ annualRateBps: command.annualRateBps }));
  line.renewals.push({ date: command.date, expiresOnBefore: line.expiresOn, expiresOn: command.expiresOn, limitFen: line.limitFen, rate: line.rate });
  line.expiresOn = command.expiresOn;
}

/** The journal against the lines: balanced postings, and each line's principal and interest as the journal says. */
export function reconcileLines(lines: readonly CreditLine[], journal: readonly Posting[]): string[] {
  const problems: string[] = [];
  const balances = new Map<string, number>();
  for (const entry of journal) {
    let net = 0;
    for (const line of entry.lines) {
      net += line.debitFen - line.creditFen;
      const key = `${line.loanId}|${line.account}`;
      balances.set(key, (balances.get(key) ?? 0) + line.debitFen - line.creditFen);
    }
    if (net !== 0) problems.push(`posting ${entry.key} is unbalanced by ${net} fen`);
  }
  for (const line of lines) {
    if ((balances.get(`${line.id}|loan_principal`) ?? 0) !== line.drawnFen) problems.push(`line ${line.id}: journal principal ≠ drawn ${line.drawnFen}`);
    if ((balances.get(`${line.id}|interest_receivable`) ?? 0) !== line.interestReceivableFen) problems.push(`line ${line.id}: journal interest ≠ ${line.interestReceivableFen}`);
    if (line.drawnFen < 0 || line.interestReceivableFen < 0) problems.push(`line ${line.id} has a negative balance`);
  }
  return problems;
}
