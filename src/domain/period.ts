/**
 * Dates and periods, always in UTC calendar terms: ISO days 'YYYY-MM-DD', months 'YYYY-MM'.
 * A day number counts days since 1970-01-01; a month index counts months since 1970-01.
 */

const DAY_MS = 86_400_000;
const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

export function isIsoDate(text: string): boolean {
  const match = ISO_DATE_PATTERN.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function isIsoMonth(text: string): boolean {
  const match = ISO_MONTH_PATTERN.exec(text);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

export function daysInMonth(year: number, month1to12: number): number {
  return new Date(Date.UTC(year, month1to12, 0)).getUTCDate();
}

export function dayNumber(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`not an ISO date: '${isoDate}'`);
  return Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) / DAY_MS;
}

export function isoDateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function monthIndex(isoMonth: string): number {
  if (!isIsoMonth(isoMonth)) throw new RangeError(`not an ISO month: '${isoMonth}'`);
  return (Number(isoMonth.slice(0, 4)) - 1970) * 12 + Number(isoMonth.slice(5, 7)) - 1;
}

export function isoMonthOfIndex(index: number): string {
  const year = 1970 + Math.floor(index / 12);
  const month = index - (year - 1970) * 12 + 1;
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function addMonths(isoMonth: string, count: number): string {
  return isoMonthOfIndex(monthIndex(isoMonth) + count);
}

/** The month an ISO date falls in. */
export function monthOfDate(isoDate: string): string {
  return isoDate.slice(0, 7);
}

export function firstDayOfMonth(isoMonth: string): string {
  return `${isoMonth}-01`;
}

export function lastDayOfMonth(isoMonth: string): string {
  const year = Number(isoMonth.slice(0, 4));
  const month = Number(isoMonth.slice(5, 7));
  return `${isoMonth}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

/** Day number of the first day of a month index. */
export function dayOfMonthIndex(index: number, dayOfMonth = 1): number {
  const year = 1970 + Math.floor(index / 12);
  const month0 = index - (year - 1970) * 12;
  return Date.UTC(year, month0, dayOfMonth) / DAY_MS;
}

/** Whole months from one ISO date to a later one (floor), e.g. an enterprise's age. */
export function monthsBetween(fromIsoDate: string, toIsoDate: string): number {
  const from = monthIndex(monthOfDate(fromIsoDate));
  const to = monthIndex(monthOfDate(toIsoDate));
  const whole = to - from;
  return Number(toIsoDate.slice(8, 10)) >= Number(fromIsoDate.slice(8, 10)) ? whole : whole - 1;
}
