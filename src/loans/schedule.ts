/**
 * Repayment schedules as a pure function of the terms: principal (fen), annual rate, monthly term, day
 * count, rounding, amortisation and grace. No clock, no store: the same terms give the same schedule.
 *
 * Conventions (docs/loans.md has the worked cases):
 * - Each period's interest is balance × annual rate × days / days-in-year, computed exactly and rounded half
 *   up once to the rounding unit (1 fen at 2 decimals, 1 yuan at 0). Under 30/360 a scheduled month is 30
 *   days; under actual/365 and actual/360 it is the calendar days between due dates.
 * - The level instalment (equal-instalment: P·r/(1−(1+r)^−n) with r = annual rate / 12; flat: principal / n
 *   plus the flat interest per period) is rounded half up to the instalment multiple.
 * - Every instalment but the last pays level − interest of principal (never below 0 nor above the
 *   balance); the last instalment pays the whole remaining balance, so principal always sums exactly.
 *   The schedule ends early if the balance reaches 0 (a rounding overshoot never leaves empty instalments).
 * - Totals are sums of the rounded instalments, never recomputed from formulas.
 */
import { annualRateOf, interestFen, rateAsNumber, roundFenToUnit, type AnnualRate, type RateInput } from './arithmetic.ts';
import { accrualDays, addMonthsAnchored, DAY_COUNTS, dayOfIsoDate, daysInYearOf, dueDayOfMonthFor, type DayCount } from './calendar.ts';
import { isoDateOfDay } from '../domain/period.ts';
import { LoanError } from './errors.ts';
import { AMOUNT_FEN_ABS_MAX } from '../domain/money.ts';

export const AMORTISATIONS = ['equal-instalment', 'equal-principal', 'interest-only', 'flat'] as const;
/** 等额本息 equal instalment, 等额本金 equal principal, 先息后本 interest-only then bullet, flat (add-on) interest. */
export type Amortisation = (typeof AMORTISATIONS)[number];

/** Longest term accepted: 30 years of monthly instalments. */
export const TERM_MONTHS_MAX = 360;

export interface Rounding {
  /** Decimal places of yuan amounts are kept to: 2 (fen), 1 (jiao) or 0 (yuan). */
  decimals: 0 | 1 | 2;
  /** The level instalment is rounded to a multiple of this many fen (a multiple of the rounding unit). */
  instalmentMultipleFen: number;
}

export interface Grace {
  /** Leading periods that pay no principal (interest only). */
  principalPeriods: number;
  /** Leading periods that pay no interest: it accrues and is due with the first instalment after them. */
  interestPeriods: number;
}

export interface ScheduleInput extends RateInput {
  principalFen: number;
  termMonths: number;
  /** The day interest starts (the disbursement date), ISO. The first instalment is due a month later. */
  startDate: string;
  method: Amortisation;
  dayCount?: DayCount;
  rounding?: Partial<Rounding>;
  grace?: Partial<Grace>;
  /** Day of month instalments fall on; default the start's day (31 when the start is a month end). */
  dueDayOfMonth?: number;
  /** equal-instalment only: a given level instalment instead of the formula's (prepayment that shortens). */
  instalmentFen?: number;
}

/** The validated terms with the rate as an exact fraction: what the generator and the ledger work with. */
export interface ScheduleTerms {
  principalFen: number;
  termMonths: number;
  startDay: number;
  method: Amortisation;
  rate: AnnualRate;
  dayCount: DayCount;
  rounding: Rounding;
  grace: Grace;
  dueDayOfMonth: number;
  instalmentFen: number | null;
}

export interface Instalment {
  number: number;
  dueDate: string;
  /** Days of interest in the period under the day count. */
  days: number;
  principalFen: number;
  interestFen: number;
  totalFen: number;
  /** Principal outstanding after this instalment is paid. */
  balanceFen: number;
}

export interface Schedule {
  instalments: Instalment[];
  /** The level instalment (equal-instalment, flat), null when instalments are not level by design. */
  levelInstalmentFen: number | null;
  totalPrincipalFen: number;
  totalInterestFen: number;
  totalFen: number;
}

export function scheduleTermsOf(input: ScheduleInput): ScheduleTerms {
  const { principalFen, termMonths, method } = input;
  if (!Number.isSafeInteger(principalFen) || principalFen <= 0 || principalFen > AMOUNT_FEN_ABS_MAX) throw new LoanError(`principal must be a whole number of fen above 0, got ${principalFen}`);
  if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > TERM_MONTHS_MAX) throw new LoanError(`term must be 1..${TERM_MONTHS_MAX} months, got ${termMonths}`);
  if (!(AMORTISATIONS as readonly string[]).includes(method)) throw new LoanError(`amortisation must be one of ${AMORTISATIONS.join(', ')}, got '${method}'`);
  const dayCount = input.dayCount ?? '30/360';
  if (!(DAY_COUNTS as readonly string[]).includes(dayCount)) throw new LoanError(`day count must be one of ${DAY_COUNTS.join(', ')}, got '${dayCount}'`);
  const decimals = input.rounding?.decimals ?? 2;
  if (decimals !== 0 && decimals !== 1 && decimals !== 2) throw new LoanError(`rounding decimals must be 0, 1 or 2, got ${String(decimals)}`);
  const unitFen = unitFenOf(decimals);
  const instalmentMultipleFen = input.rounding?.instalmentMultipleFen ?? unitFen;
  if (!Number.isSafeInteger(instalmentMultipleFen) || instalmentMultipleFen < unitFen || instalmentMultipleFen % unitFen !== 0) throw new LoanError(`the instalment multiple must be a whole multiple of ${unitFen} fen, got ${instalmentMultipleFen}`);
  if (principalFen % unitFen !== 0) throw new LoanError(`principal ${principalFen} fen is not a multiple of the rounding unit (${unitFen} fen)`);
  const grace = graceOf(input.grace, method, termMonths);
  const startDay = dayOfIsoDate(input.startDate, 'start date');
  const dueDayOfMonth = input.dueDayOfMonth ?? dueDayOfMonthFor(startDay);
  const instalmentFen = input.instalmentFen ?? null;
  if (instalmentFen !== null && (method !== 'equal-instalment' || !Number.isSafeInteger(instalmentFen) || instalmentFen <= 0 || instalmentFen % unitFen !== 0)) throw new LoanError('a given instalment needs equal-instalment and a positive multiple of the rounding unit');
  return { principalFen, termMonths, startDay, method, rate: annualRateOf(input), dayCount, rounding: { decimals, instalmentMultipleFen }, grace, dueDayOfMonth, instalmentFen };
}

function graceOf(given: Partial<Grace> | undefined, method: Amortisation, termMonths: number): Grace {
  const principalPeriods = method === 'interest-only' ? termMonths - 1 : (given?.principalPeriods ?? 0);
  const interestPeriods = given?.interestPeriods ?? 0;
  if (method === 'interest-only' && given?.principalPeriods !== undefined && given.principalPeriods !== termMonths - 1) throw new LoanError('interest-only repays all principal at the end: its principal grace is the term less one');
  for (const [name, value] of [['principal', principalPeriods], ['interest', interestPeriods]] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= termMonths) throw new LoanError(`${name} grace must be 0..${termMonths - 1} periods, got ${value}`);
  }
  return { principalPeriods, interestPeriods };
}

export function unitFenOf(decimals: 0 | 1 | 2): number {
  return 10 ** (2 - decimals);
}

/** A schedule from caller-given terms (validated here). */
export function generateSchedule(input: ScheduleInput): Schedule {
  return scheduleOf(scheduleTermsOf(input));
}

/** A schedule from validated terms. */
export function scheduleOf(terms: ScheduleTerms): Schedule {
  const unitFen = unitFenOf(terms.rounding.decimals);
  const { termMonths, grace, method, rate, dayCount } = terms;
  const daysInYear = daysInYearOf(dayCount);
  const amortisingPeriods = termMonths - grace.principalPeriods;
  const flatInterestTotalFen = method === 'flat' ? flatInterestFen(terms, unitFen) : 0;
  const flatInterestPerPeriodFen = method === 'flat' ? roundFenToUnit(BigInt(flatInterestTotalFen), BigInt(termMonths), unitFen) : 0;
  const levelFen = levelInstalmentFen(terms, amortisingPeriods, flatInterestPerPeriodFen);
  const equalPrincipalFen = roundFenToUnit(BigInt(terms.principalFen), BigInt(amortisingPeriods), unitFen);
  const instalments: Instalment[] = [];
  let balanceFen = terms.principalFen;
  let deferredInterestFen = 0;
  let flatInterestLeftFen = flatInterestTotalFen;
  let previousDay = terms.startDay;
  for (let number = 1; number <= termMonths; number++) {
    const dueDay = addMonthsAnchored(terms.startDay, number, terms.dueDayOfMonth);
    const days = dayCount === '30/360' ? 30 : accrualDays(previousDay, dueDay, dayCount);
    const isLast = number === termMonths;
    let accruedFen = method === 'flat' ? (isLast ? flatInterestLeftFen : Math.min(flatInterestPerPeriodFen, flatInterestLeftFen)) : interestFen(balanceFen, rate, days, daysInYear, unitFen);
    flatInterestLeftFen -= method === 'flat' ? accruedFen : 0;
    let principalFen: number;
    if (number <= grace.principalPeriods) principalFen = 0;
    else if (isLast) principalFen = balanceFen;
    else if (levelFen !== null) principalFen = Math.min(Math.max(levelFen - accruedFen, 0), balanceFen);
    else principalFen = Math.min(equalPrincipalFen, balanceFen);
    balanceFen -= principalFen;
    // A flat loan repaid early by rounding still owes the whole flat interest: it comes with its last instalment.
    if (method === 'flat' && balanceFen === 0 && !isLast) {
      accruedFen += flatInterestLeftFen;
      flatInterestLeftFen = 0;
    }
    let dueInterestFen = 0;
    if (number <= grace.interestPeriods) deferredInterestFen += accruedFen;
    else {
      dueInterestFen = accruedFen + deferredInterestFen;
      deferredInterestFen = 0;
    }
    instalments.push({ number, dueDate: isoDateOfDay(dueDay), days, principalFen, interestFen: dueInterestFen, totalFen: principalFen + dueInterestFen, balanceFen });
    previousDay = dueDay;
    if (balanceFen === 0 && deferredInterestFen === 0) break;
  }
  return summarise(instalments, levelFen);
}

function flatInterestFen(terms: ScheduleTerms, unitFen: number): number {
  const maturityDay = addMonthsAnchored(terms.startDay, terms.termMonths, terms.dueDayOfMonth);
  const days = terms.dayCount === '30/360' ? 30 * terms.termMonths : maturityDay - terms.startDay;
  return interestFen(terms.principalFen, terms.rate, days, daysInYearOf(terms.dayCount), unitFen);
}

function levelInstalmentFen(terms: ScheduleTerms, amortisingPeriods: number, flatInterestPerPeriodFen: number): number | null {
  const multipleFen = terms.rounding.instalmentMultipleFen;
  if (terms.method === 'flat') return roundFenToUnit(BigInt(terms.principalFen) + BigInt(flatInterestPerPeriodFen * amortisingPeriods), BigInt(amortisingPeriods), multipleFen);
  if (terms.method !== 'equal-instalment') return null;
  if (terms.instalmentFen !== null) return terms.instalmentFen;
  const monthlyRate = rateAsNumber(terms.rate) / 12;
  const exactFen = monthlyRate === 0 ? terms.principalFen / amortisingPeriods : (terms.principalFen * monthlyRate) / (1 - Math.pow(1 + monthlyRate, -amortisingPeriods));
  // The one place a double is used: the formula's level payment, rounded half up to the multiple.
  return Math.max(multipleFen, Math.floor(exactFen / multipleFen + 0.5) * multipleFen);
}

function summarise(instalments: Instalment[], levelFen: number | null): Schedule {
  let totalPrincipalFen = 0;
  let totalInterestFen = 0;
  for (const instalment of instalments) {
    totalPrincipalFen += instalment.principalFen;
    totalInterestFen += instalment.interestFen;
  }
  return { instalments, levelInstalmentFen: levelFen, totalPrincipalFen, totalInterestFen, totalFen: totalPrincipalFen + totalInterestFen };
}
