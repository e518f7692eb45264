/**
 * Vintage curves and roll rates: pure functions over loan-month status rows, the plain shape a ledger (or
 * its store) can give: one row per loan and month-end with the loan's delinquency bucket and balance.
 *
 * - Vintage curve (账龄分析): loans grouped by the month they were booked; at each month on book k (0 = the
 *   booking month), the share of the vintage's loans — by count and by booked balance — that have been bad
 *   (in the bad bucket or worse) at any month up to k. Cumulative "ever bad", so curves of young and old
 *   vintages compare at equal age.
 * - Roll rates (迁徙率): for every loan seen in two consecutive months, where its bucket went, counted and
 *   weighted by the balance it carried from; each row of the matrix sums to 1 over the buckets and "closed"
 *   (repaid, written off or renewed: the loan has no row the next month while the data goes on).
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { isIsoMonth, monthIndex } from '../domain/period.ts';
import type { MonitoringPolicy } from './policy.ts';

export interface LoanMonthRow {
  loanId: string;
  /** YYYY-MM the loan was booked (disbursed). */
  bookedMonth: string;
  /** YYYY-MM of the month-end this row describes. */
  month: string;
  /** Delinquency bucket at that month-end, one of the policy's buckets. */
  bucket: string;
  /** Principal outstanding at that month-end, fen. */
  balanceFen: number;
}

export class PortfolioInputError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'portfolio_input');
  }
}

interface Checked { loanId: string; booked: number; month: number; bucket: number; balanceFen: number }

function checkRows(rows: readonly LoanMonthRow[], policy: MonitoringPolicy): Checked[] {
  if (rows.length > policy.rollRates.rowsMax) throw new PortfolioInputError(`${rows.length} loan-month rows, more than ${policy.rollRates.rowsMax}`);
  const buckets = policy.rollRates.buckets;
  const seen = new Set<string>();
  return rows.map((row, k) => {
    const where = `row ${k} (loan ${row.loanId}, ${row.month})`;
    if (!isIsoMonth(row.bookedMonth) || !isIsoMonth(row.month)) throw new PortfolioInputError(`${where}: months are YYYY-MM`);
    const bucket = buckets.indexOf(row.bucket);
    if (bucket < 0) throw new PortfolioInputError(`${where}: bucket '${row.bucket}' is not one of ${buckets.join(', ')}`);
    if (!Number.isSafeInteger(row.balanceFen) || row.balanceFen < 0) throw new PortfolioInputError(`${where}: balanceFen must be a whole number of fen ≥ 0`);
    const booked = monthIndex(row.bookedMonth);
    const month = monthIndex(row.month);
    if (month < booked) throw new PortfolioInputError(`${where}: a month before the loan was booked`);
    const key = `${row.loanId}\u0000${month}`;
    if (seen.has(key)) throw new PortfolioInputError(`${where}: two rows for the same loan and month`);
    seen.add(key);
    return { loanId: row.loanId, booked, month, bucket, balanceFen: row.balanceFen };
  });
}

export interface VintagePoint { monthsOnBook: number; loansObserved: number; everBadCountShare: number; everBadBalanceShare: number }
export interface Vintage { bookedMonth: string; loans: number; bookedBalanceFen: number; points: VintagePoint[] }

function byLoan(rows: Checked[]): Map<string, Checked[]> {
  const loans = new Map<string, Checked[]>();
  for (const row of rows) {
    const list = loans.get(row.loanId);
    if (list) list.push(row);
    else loans.set(row.loanId, [row]);
  }
  for (const list of loans.values()) list.sort((a, b) => a.month - b.month);
  return loans;
}

/** Vintage curves, one per booking month, oldest first. */
export function vintageCurves(rows: readonly LoanMonthRow[], policy: MonitoringPolicy): Vintage[] {
  const checked = checkRows(rows, policy);
  const badFrom = policy.rollRates.buckets.indexOf(policy.vintages.badBucketFrom);
  const lastMonth = checked.reduce((max, r) => Math.max(max, r.month), Number.NEGATIVE_INFINITY);
  const vintages = new Map<number, { loans: number; bookedFen: number; badCount: Float64Array; badFen: Float64Array; observed: Float64Array }>();
  const length = policy.vintages.monthsOnBookMax + 1;
  for (const history of byLoan(checked).values()) {
    const booked = history[0]!.booked;
    let v = vintages.get(booked);
    if (!v) vintages.set(booked, (v = { loans: 0, bookedFen: 0, badCount: new Float64Array(length), badFen: new Float64Array(length), observed: new Float64Array(length) }));
    const bookedFen = history[0]!.balanceFen;
    v.loans++;
    v.bookedFen += bookedFen;
    const firstBad = history.find((r) => r.bucket >= badFrom);
    const badAt = firstBad ? firstBad.month - booked : Number.POSITIVE_INFINITY;
    // A loan stays in its vintage's denominator after it closes: the curve asks what share of what was booked went bad.
    for (let mob = 0; mob < length && booked + mob <= lastMonth; mob++) {
      v.observed[mob]!++;
      if (mob >= badAt) { v.badCount[mob]!++; v.badFen[mob]! += bookedFen; }
    }
  }
  return [...vintages.entries()].sort((a, b) => a[0] - b[0]).map(([booked, v]) => {
    const points: VintagePoint[] = [];
    for (let mob = 0; mob < length && v.observed[mob]! > 0; mob++) {
      points.push({ monthsOnBook: mob, loansObserved: v.observed[mob]!, everBadCountShare: v.badCount[mob]! / v.loans, everBadBalanceShare: v.bookedFen > 0 ? v.badFen[mob]! / v.bookedFen : 0 });
    }
    return { bookedMonth: monthLabel(booked), loans: v.loans, bookedBalanceFen: v.bookedFen, points };
  });
}

function monthLabel(index: number): string {
  const year = Math.floor(index / 12) + 1970;
  return `${year}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export interface RollRateMatrix {
  /** Row and column labels: the buckets; columns add the closed bucket. */
  from: string[];
  to: string[];
  counts: number[][];
  balanceFen: number[][];
  /** Rows normalised to 1 (a row with nothing to roll is all zeros). */
  countRates: number[][];
  balanceRates: number[][];
  transitions: number;
}

/** Roll rates between consecutive month-ends over the whole span, or only from month `fromMonth` to the next. */
export function rollRates(rows: readonly LoanMonthRow[], policy: MonitoringPolicy, fromMonth?: string): RollRateMatrix {
  const checked = checkRows(rows, policy);
  const buckets = policy.rollRates.buckets;
  const to = [...buckets, policy.rollRates.closedBucket];
  const counts = buckets.map(() => to.map(() => 0));
  const balances = buckets.map(() => to.map(() => 0));
  const lastMonth = checked.reduce((max, r) => Math.max(max, r.month), Number.NEGATIVE_INFINITY);
  const only = fromMonth === undefined ? null : monthIndex(fromMonth);
  let transitions = 0;
  for (const history of byLoan(checked).values()) {
    for (let k = 0; k < history.length; k++) {
      const row = history[k]!;
      if (row.month >= lastMonth || (only !== null && row.month !== only)) continue;
      const next = history[k + 1];
      const target = next && next.month === row.month + 1 ? next.bucket : next ? -1 : buckets.length;
      if (target < 0) throw new PortfolioInputError(`loan ${row.loanId}: a gap in its months after ${monthLabel(row.month)}`);
      counts[row.bucket]![target]!++;
      balances[row.bucket]![target]! += row.balanceFen;
      transitions++;
    }
  }
  const normalise = (matrix: number[][]) => matrix.map((line) => {
    const sum = line.reduce((a, b) => a + b, 0);
    return line.map((value) => (sum > 0 ? value / sum : 0));
  });
  return { from: [...buckets], to, counts, balanceFen: balances, countRates: normalise(counts), balanceRates: normalise(balances), transitions };
}
