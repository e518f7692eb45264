/**
 * What "the cohort" and "bad" mean everywhere outcomes are read (the IV report, training, the lab, the demo):
 * the cohort of an as-of date is every enterprise registered on or before it and not already in default in an
 * earlier month; bad = its first default month falls in the 12 months from the as-of month. One definition,
 * in SQL for DuckDB and in TypeScript, held equal by test.
 */
import { addMonths } from '../domain/period.ts';
import { quoteText } from './sql-checks.ts';

export const OUTCOME_HORIZON_MONTHS = 12;

export function outcomeMonths(asOf: string): { first: string; last: string } {
  const first = asOf.slice(0, 7);
  return { first, last: addMonths(first, OUTCOME_HORIZON_MONTHS - 1) };
}

/** SQL: registered on or before the as-of date (the feature `age_months >= 0` says the same). */
export function registeredBySql(establishedDateColumn: string, asOf: string): string {
  return `CAST(${establishedDateColumn} AS VARCHAR) <= ${quoteText(asOf)}`;
}

/** SQL: not in default before the as-of month (a YYYY-MM column, NULL when never in default). */
export function notYetDefaultedSql(defaultMonthColumn: string, asOf: string): string {
  return `(${defaultMonthColumn} IS NULL OR CAST(${defaultMonthColumn} AS VARCHAR) >= ${quoteText(outcomeMonths(asOf).first)})`;
}

/** SQL, a boolean: the first default falls in the outcome window. */
export function badSql(defaultMonthColumn: string, asOf: string): string {
  const { first, last } = outcomeMonths(asOf);
  return `(${defaultMonthColumn} IS NOT NULL AND CAST(${defaultMonthColumn} AS VARCHAR) BETWEEN ${quoteText(first)} AND ${quoteText(last)})`;
}

/** The same in TypeScript: bad or not, or null when the enterprise defaulted before the as-of month (not in the cohort). */
export function badWithin(outcome: { defaultMonth: string | null }, asOf: string): boolean | null {
  const { first, last } = outcomeMonths(asOf);
  if (outcome.defaultMonth === null) return false;
  if (outcome.defaultMonth < first) return null;
  return outcome.defaultMonth <= last;
}
