/**
 * Loan calendar arithmetic on day numbers (days since 1970-01-01, UTC calendar; never local time).
 *
 * Due dates are anchored, not chained: instalment k falls in the k-th month after the anchor month on the
 * due day, clamped to the month's last day (anchor 31 Jan → 28/29 Feb → 31 Mar → 30 Apr …). A loan that
 * starts on the last day of a month keeps paying on month ends (30 Apr → 31 May → 30 Jun): the due day is 31.
 */
import { daysFromCivil, daysInMonth, dayNumber, monthIndexOfDay } from '../domain/period.ts';
import { LoanError } from './errors.ts';

export const DAY_COUNTS = ['30/360', 'actual/365', 'actual/360'] as const;
export type DayCount = (typeof DAY_COUNTS)[number];

/** The denominator of a day count: days in a year. actual/365 is "Actual/365 Fixed": 365 in leap years too. */
export function daysInYearOf(dayCount: DayCount): number {
  return dayCount === 'actual/365' ? 365 : 360;
}

/** Year, month (1-12) and day of a day number. */
export function civilOfDay(day: number): { year: number; month: number; dayOfMonth: number } {
  const monthIndex = monthIndexOfDay(day);
  const year = 1970 + Math.floor(monthIndex / 12);
  const month = monthIndex - (year - 1970) * 12 + 1;
  return { year, month, dayOfMonth: day - daysFromCivil(year, month, 1) + 1 };
}

export function isLastDayOfMonth(day: number): boolean {
  const { year, month, dayOfMonth } = civilOfDay(day);
  return dayOfMonth === daysInMonth(year, month);
}

/** The due day of month a schedule starting on `startDay` uses: its day of month, or 31 from a month end. */
export function dueDayOfMonthFor(startDay: number): number {
  return isLastDayOfMonth(startDay) ? 31 : civilOfDay(startDay).dayOfMonth;
}

/** Day number of the k-th month after the anchor's month on dueDayOfMonth, clamped to the month's end. */
export function addMonthsAnchored(anchorDay: number, months: number, dueDayOfMonth: number): number {
  if (!Number.isInteger(dueDayOfMonth) || dueDayOfMonth < 1 || dueDayOfMonth > 31) throw new LoanError(`due day of month must be 1..31, got ${dueDayOfMonth}`);
  const monthIndex = monthIndexOfDay(anchorDay) + months;
  const year = 1970 + Math.floor(monthIndex / 12);
  const month = monthIndex - (year - 1970) * 12 + 1;
  return daysFromCivil(year, month, Math.min(dueDayOfMonth, daysInMonth(year, month)));
}

/**
 * Days between two dates under 30/360 (the US/NASD rule): a 31st start counts as the 30th; a 31st end
 * counts as the 30th when the start is the 30th or 31st. Whole scheduled months are always 30 days (see
 * schedule.ts); this is for broken periods such as a prepayment between due dates.
 */
export function days30360(fromDay: number, toDay: number): number {
  const from = civilOfDay(fromDay);
  const to = civilOfDay(toDay);
  const d1 = Math.min(from.dayOfMonth, 30);
  const d2 = to.dayOfMonth === 31 && d1 === 30 ? 30 : to.dayOfMonth;
  return (to.year - from.year) * 360 + (to.month - from.month) * 30 + (d2 - d1);
}

/** Days of interest between two dates under a day count (actual days for actual/365 and actual/360). */
export function accrualDays(fromDay: number, toDay: number, dayCount: DayCount): number {
  if (toDay <= fromDay) return 0;
  return dayCount === '30/360' ? days30360(fromDay, toDay) : toDay - fromDay;
}

/** An ISO date given by a caller, as a day number; bad text is the caller's error. */
export function dayOfIsoDate(isoDate: string, what: string): number {
  try {
    return dayNumber(isoDate);
  } catch {
    throw new LoanError(`${what} must be an ISO date YYYY-MM-DD, got '${isoDate}'`);
  }
}

