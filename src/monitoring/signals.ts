/**
 * The fresh-data signals post-loan monitoring reads, per enterprise and as-of date, computed on the feature
 * catalogue's point-in-time context (src/features/context.ts): a fact is seen only if it is dated on or before
 * the as-of day; invoice and bank months are the complete calendar months before the as-of month. So a
 * warning as of a date never sees data after it (test/monitoring/warnings.test.ts proves it with future facts).
 *
 * Changes are year on year over 3 or 6 months, so a seasonal trough is compared with the same months a year
 * before rather than with the peak before it.
 */
import { buildContext, sumSlots, WINDOW_MONTHS, type FeatureContext } from '../features/context.ts';
import { FEATURES, type FeatureValue } from '../features/catalogue.ts';
import type { CompactDossier } from '../features/compact.ts';

/** Slot of the month before the as-of month in the context's window. */
const LAST = WINDOW_MONTHS - 1;
const DAYS_6_MONTHS = 183;

export interface WarningSignals {
  /** Net invoiced sales of the 3 months before the as-of month over the same 3 months a year before, minus 1. */
  invoiceChange3mYoy: number | null;
  /** The same over 6 months. */
  invoiceChange6mYoy: number | null;
  /** Declared sales of the latest 3 declared months over the same months a year before, minus 1 (feature vat_sales_growth_3m_yoy). */
  declaredChange3mYoy: number | null;
  /** Bank credits of the 3 months before the as-of month over the same 3 months a year before, minus 1. */
  bankInflowChange3mYoy: number | null;
  /** Latest published tax credit grade (A/B/M/C/D) and its change in score against the previous one. */
  taxGrade: string | null;
  taxGradeTrend: number | null;
  /** VAT payable minus VAT paid over the latest 6 declared months, fen (欠税). */
  taxArrearsFen6m: number;
  /** Original VAT returns filed late in the 365 days before the as-of date. */
  lateFilings12m: number;
  /** Months between the last month covered by a filed return and the month before the as-of date (null: none filed). */
  monthsSinceLastReturn: number | null;
  /** Court cases filed in the 183 days before the as-of date with the enterprise as defendant. */
  newDefendantCases6m: number;
  /** 1 when listed as a dishonest judgment debtor in a case open at the as-of date. */
  dishonestOpen: number;
  /** From the latest credit-bureau report dated by the as-of date (null without one). */
  bureauOverdue: number | null;
  bureauInquiries3m: number | null;
}

const FEATURE_BY_ID = new Map(FEATURES.map((f) => [f.id, f]));

function feature(ctx: FeatureContext, id: string): FeatureValue {
  const spec = FEATURE_BY_ID.get(id);
  if (!spec) throw new Error(`monitoring reads feature '${id}', which the catalogue does not have`);
  const value = spec.compute(ctx, null);
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

const numberOrNull = (value: FeatureValue): number | null => (typeof value === 'number' ? value : null);

/** Sum of [from, to] over the sum of the same slots a year before, minus 1; null when the year before is empty. */
function changeYoy(values: Float64Array, from: number, to: number): number | null {
  const before = sumSlots(values, from - 12, to - 12);
  return before > 0 ? sumSlots(values, from, to) / before - 1 : null;
}

/** Like changeYoy, but only when every month of both spans has a bank statement (a missing month is not a collapse). */
function bankChangeYoy(ctx: FeatureContext, from: number, to: number): number | null {
  for (let k = from; k <= to; k++) if (!ctx.bankPresent[k] || !ctx.bankPresent[k - 12]) return null;
  return changeYoy(ctx.bankInflowFen, from, to);
}

function arrearsFen(ctx: FeatureContext, months: number): number {
  if (ctx.lastFiledSlot < 0) return 0;
  let arrears = 0;
  for (let k = Math.max(0, ctx.lastFiledSlot - months + 1); k <= ctx.lastFiledSlot; k++) {
    if (ctx.covered[k]) arrears += Math.max(0, ctx.payableFen[k]! - ctx.taxPaidFen[k]!);
  }
  return Math.round(arrears);
}

function newDefendantCases(d: CompactDossier, asOfDay: number, days: number): number {
  let count = 0;
  for (let k = 0; k < d.court.count; k++) {
    const filed = d.court.filedDay[k]!;
    if (d.court.defendant[k] && filed <= asOfDay && filed > asOfDay - days) count++;
  }
  return count;
}

export function warningSignals(dossier: CompactDossier, asOfDay: number): WarningSignals {
  const ctx = buildContext(dossier, asOfDay);
  const grade = feature(ctx, 'tax_grade');
  return {
    invoiceChange3mYoy: changeYoy(ctx.sales.netFen, LAST - 2, LAST),
    invoiceChange6mYoy: changeYoy(ctx.sales.netFen, LAST - 5, LAST),
    declaredChange3mYoy: numberOrNull(feature(ctx, 'vat_sales_growth_3m_yoy')),
    bankInflowChange3mYoy: bankChangeYoy(ctx, LAST - 2, LAST),
    taxGrade: typeof grade === 'string' ? grade : null,
    taxGradeTrend: numberOrNull(feature(ctx, 'tax_grade_trend')),
    taxArrearsFen6m: arrearsFen(ctx, 6),
    lateFilings12m: ctx.lateIn12m,
    monthsSinceLastReturn: numberOrNull(feature(ctx, 'vat_months_since_last_return')),
    newDefendantCases6m: newDefendantCases(dossier, asOfDay, DAYS_6_MONTHS),
    dishonestOpen: numberOrNull(feature(ctx, 'court_dishonest_open')) ?? 0,
    bureauOverdue: numberOrNull(feature(ctx, 'bureau_has_overdue')),
    bureauInquiries3m: numberOrNull(feature(ctx, 'bureau_inquiries_3m')),
  };
}
