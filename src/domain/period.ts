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

/** Day number of a proleptic Gregorian date, by arithmetic (no Date object); month 1-12. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Month index (months since 1970-01) of a day number, by arithmetic. */
export function monthIndexOfDay(dayNumberValue: number): number {
  const z = dayNumberValue + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return (year - 1970) * 12 + month - 1;
}

const TABLE_FIRST_YEAR = 1900;
const TABLE_YEARS = 300;
let monthStartDays: Int32Array | null = null;

/** Day numbers of the first day of each month from 1900 to 2199, built on first use. */
function monthStarts(): Int32Array {
  if (monthStartDays === null) {
    monthStartDays = new Int32Array(TABLE_YEARS * 12);
    for (let k = 0; k < TABLE_YEARS * 12; k++) monthStartDays[k] = daysFromCivil(TABLE_FIRST_YEAR + Math.floor(k / 12), (k % 12) + 1, 1);
  }
  return monthStartDays;
}

/**
 * Day number of an ISO date already validated at the edge (a record that passed its schema): digits
 * are read directly, with no checks. Use dayNumber() for untrusted text.
 */
export function dayNumberTrusted(isoDate: string): number {
  const year = (isoDate.charCodeAt(0) - 48) * 1000 + (isoDate.charCodeAt(1) - 48) * 100 + (isoDate.charCodeAt(2) - 48) * 10 + isoDate.charCodeAt(3) - 48;
  const month = (isoDate.charCodeAt(5) - 48) * 10 + isoDate.charCodeAt(6) - 48;
  const day = (isoDate.charCodeAt(8) - 48) * 10 + isoDate.charCodeAt(9) - 48;
  const slot = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
  return slot >= 0 && slot < TABLE_YEARS * 12 ? monthStarts()[slot]! + day - 1 : daysFromCivil(year, month, day);
}

/** Month index of a validated 'YYYY-MM' (or 'YYYY-MM-DD'), with no checks. */
export function monthIndexTrusted(isoMonth: string): number {
  const year = (isoMonth.charCodeAt(0) - 48) * 1000 + (isoMonth.charCodeAt(1) - 48) * 100 + (isoMonth.charCodeAt(2) - 48) * 10 + isoMonth.charCodeAt(3) - 48;
  return (year - 1970) * 12 + (isoMonth.charCodeAt(5) - 48) * 10 + isoMonth.charCodeAt(6) - 48 - 1;
}
