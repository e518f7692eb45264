/**
 * The point-in-time view of one compact dossier as of a day, built in one pass and read by every feature.
 *
 * Visibility: a fact is seen only if it is dated on or before the as-of day (a return by its filing date,
 * a grade by its publication, a bureau report by its date, a case by its filing date; its closure only if
 * that is dated on or before too). Invoice and bank windows are the complete calendar months before the
 * as-of month. VAT windows end at the last month covered by a return filed by then ("the latest 12 declared
 * months"), so a quarterly filer is not penalised for the quarter it has not yet had to file.
 */
import { monthIndexOfDay } from '../domain/period.ts';
import type { CompactDossier, CompactInvoices } from './compact.ts';
import { INVOICE_STATUS_CODES, NO_DAY } from './compact.ts';

/** Months of history the context keeps; features look back at most 24 months from a window's end. */
export const WINDOW_MONTHS = 30;
/** Invoice amount caps (yuan, excluding tax) of the common invoice versions: 万元版, 十万元版, 百万元版, 千万元版. */
export const INVOICE_CAPS_FEN = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000] as const;
export const AT_CAP_SHARE = 0.95;

export interface MonthlyInvoices {
  netFen: Float64Array; grossFen: Float64Array; redFen: Float64Array; count: Float64Array; voidCount: Float64Array;
  issuedCount: Float64Array; specialFen: Float64Array; atCapCount: Float64Array;
}

export interface FeatureContext {
  asOfDay: number;
  /** Month index of the as-of date; window slot k holds month firstMonth + k. */
  asOfMonth: number;
  firstMonth: number;
  d: CompactDossier;
  declaredFen: Float64Array; taxPaidFen: Float64Array; payableFen: Float64Array; uninvoicedFen: Float64Array; exemptFen: Float64Array;
  covered: Uint8Array;
  /** Slot of the last month covered by a visible return, or -1. */
  lastFiledSlot: number;
  correctionsIn6m: number; correctionsIn12m: number; correctionUpliftFen6m: number; lateIn12m: number;
  lastPaidMonth: number;
  sales: MonthlyInvoices;
  purchases: MonthlyInvoices;
  /** Net sales by customer over the 12 invoice months, and the slot each customer first bought in. */
  customerFen12m: Map<number, number>;
  supplierFen12m: Map<number, number>;
  customerFirstSlot: Map<number, number>;
  customerFen3m: Map<number, number>;
  firstSalesDay: number;
  bankInflowFen: Float64Array; bankOutflowFen: Float64Array; bankBalanceFen: Float64Array; bankTopShare: Float64Array; bankPresent: Uint8Array;
  bureauIndex: number;
  grades: number[];
  citIndex: number;
}

function monthlyInvoices(): MonthlyInvoices {
  const make = () => new Float64Array(WINDOW_MONTHS);
  return { netFen: make(), grossFen: make(), redFen: make(), count: make(), voidCount: make(), issuedCount: make(), specialFen: make(), atCapCount: make() };
}

function atCap(amountFen: number): boolean {
  for (const cap of INVOICE_CAPS_FEN) if (amountFen <= cap && amountFen >= AT_CAP_SHARE * cap) return true;
  return false;
}

function addInvoices(ctx: FeatureContext, invoices: CompactInvoices, into: MonthlyInvoices, byParty: Map<number, number>, isSales: boolean): void {
  for (let k = 0; k < invoices.count; k++) {
    const day = invoices.day[k]!;
    if (day > ctx.asOfDay) continue;
    const month = monthIndexOfDay(day);
    const slot = month - ctx.firstMonth;
    if (slot < 0 || month >= ctx.asOfMonth) continue;
    const amount = invoices.amountFen[k]!;
    const status = invoices.status[k]!;
    into.issuedCount[slot]!++;
    if (status === INVOICE_STATUS_CODES.void) { into.voidCount[slot]!++; continue; }
    into.netFen[slot]! += amount;
    if (status === INVOICE_STATUS_CODES.red) into.redFen[slot]! -= amount;
    else {
      into.grossFen[slot]! += amount;
      into.count[slot]!++;
      if (atCap(amount)) into.atCapCount[slot]!++;
    }
    if (invoices.special[k]) into.specialFen[slot]! += amount;
    const party = invoices.counterparty[k]!;
    if (slot >= WINDOW_MONTHS - 12) byParty.set(party, (byParty.get(party) ?? 0) + amount);
    if (isSales) {
      if (status === INVOICE_STATUS_CODES.normal && day < ctx.firstSalesDay) ctx.firstSalesDay = day;
      const first = ctx.customerFirstSlot.get(party);
      if (first === undefined || slot < first) ctx.customerFirstSlot.set(party, slot);
      if (slot >= WINDOW_MONTHS - 3) ctx.customerFen3m.set(party, (ctx.customerFen3m.get(party) ?? 0) + amount);
    }
  }
}

function addReturns(ctx: FeatureContext): void {
  const v = ctx.d.vat;
  // The latest revision filed by the as-of day wins for each period.
  const chosen = new Map<number, number>();
  for (let k = 0; k < v.count; k++) {
    if (v.filedDay[k]! > ctx.asOfDay) continue;
    const current = chosen.get(v.periodStart[k]!);
    if (current === undefined || v.revision[k]! > v.revision[current]!) chosen.set(v.periodStart[k]!, k);
    const ageDays = ctx.asOfDay - v.filedDay[k]!;
    if (v.revision[k]! > 0) {
      if (ageDays < 365) ctx.correctionsIn12m++;
      if (ageDays < 183) {
        ctx.correctionsIn6m++;
        const previous = previousRevision(ctx, v.periodStart[k]!, v.revision[k]!);
        if (previous >= 0) ctx.correctionUpliftFen6m += v.taxableFen[k]! + v.exemptFen[k]! - v.taxableFen[previous]! - v.exemptFen[previous]!;
      }
    } else if (v.late[k] && ageDays < 365) ctx.lateIn12m++;
  }
  for (const k of chosen.values()) {
    const span = v.periodEnd[k]! - v.periodStart[k]! + 1;
    if (v.paidFen[k]! > 0 && v.periodEnd[k]! > ctx.lastPaidMonth) ctx.lastPaidMonth = v.periodEnd[k]!;
    for (let m = v.periodStart[k]!; m <= v.periodEnd[k]!; m++) {
      const slot = m - ctx.firstMonth;
      if (slot < 0 || slot >= WINDOW_MONTHS) continue;
      ctx.covered[slot] = 1;
      ctx.declaredFen[slot]! += (v.taxableFen[k]! + v.exemptFen[k]!) / span;
      ctx.taxPaidFen[slot]! += v.paidFen[k]! / span;
      ctx.payableFen[slot]! += v.payableFen[k]! / span;
      ctx.uninvoicedFen[slot]! += v.uninvoicedFen[k]! / span;
      ctx.exemptFen[slot]! += v.exemptFen[k]! / span;
      if (slot > ctx.lastFiledSlot) ctx.lastFiledSlot = slot;
    }
  }
}

/** The highest revision below `revision` of a period that was filed by the as-of day. */
function previousRevision(ctx: FeatureContext, periodStart: number, revision: number): number {
  const v = ctx.d.vat;
  let best = -1;
  for (let k = 0; k < v.count; k++) {
    if (v.periodStart[k] !== periodStart || v.revision[k]! >= revision || v.filedDay[k]! > ctx.asOfDay) continue;
    if (best < 0 || v.revision[k]! > v.revision[best]!) best = k;
  }
  return best;
}

export function buildContext(d: CompactDossier, asOfDay: number): FeatureContext {
  const asOfMonth = monthIndexOfDay(asOfDay);
  const make = () => new Float64Array(WINDOW_MONTHS);
  const ctx: FeatureContext = {
    asOfDay, asOfMonth, firstMonth: asOfMonth - WINDOW_MONTHS, d,
    declaredFen: make(), taxPaidFen: make(), payableFen: make(), uninvoicedFen: make(), exemptFen: make(), covered: new Uint8Array(WINDOW_MONTHS),
    lastFiledSlot: -1, correctionsIn6m: 0, correctionsIn12m: 0, correctionUpliftFen6m: 0, lateIn12m: 0, lastPaidMonth: -1,
    sales: monthlyInvoices(), purchases: monthlyInvoices(), customerFen12m: new Map(), supplierFen12m: new Map(), customerFirstSlot: new Map(),
    customerFen3m: new Map(), firstSalesDay: Number.POSITIVE_INFINITY,
    bankInflowFen: make(), bankOutflowFen: make(), bankBalanceFen: make(), bankTopShare: make(), bankPresent: new Uint8Array(WINDOW_MONTHS),
    bureauIndex: -1, grades: [], citIndex: -1,
  };
  addReturns(ctx);
  addInvoices(ctx, d.sales, ctx.sales, ctx.customerFen12m, true);
  addInvoices(ctx, d.purchases, ctx.purchases, ctx.supplierFen12m, false);
  for (let k = 0; k < d.bank.count; k++) {
    const slot = d.bank.month[k]! - ctx.firstMonth;
    if (slot < 0 || d.bank.month[k]! >= asOfMonth) continue;
    ctx.bankPresent[slot] = 1;
    ctx.bankInflowFen[slot]! += d.bank.inflowFen[k]!;
    ctx.bankOutflowFen[slot]! += d.bank.outflowFen[k]!;
    ctx.bankBalanceFen[slot] = d.bank.balanceFen[k]!;
    ctx.bankTopShare[slot] = d.bank.topSharePermille[k]! / 1000;
  }
  for (let k = 0; k < d.bureau.count; k++) {
    if (d.bureau.day[k]! <= asOfDay && (ctx.bureauIndex < 0 || d.bureau.day[k]! > d.bureau.day[ctx.bureauIndex]!)) ctx.bureauIndex = k;
  }
  const grades: [number, number][] = [];
  for (let k = 0; k < d.grades.count; k++) if (d.grades.publishedDay[k]! <= asOfDay) grades.push([d.grades.year[k]!, d.grades.grade[k]!]);
  ctx.grades = grades.sort((a, b) => a[0] - b[0]).map(([, grade]) => grade);
  for (let k = 0; k < d.cit.count; k++) {
    if (d.cit.filedDay[k]! > asOfDay) continue;
    const best = ctx.citIndex;
    if (best < 0 || d.cit.year[k]! > d.cit.year[best]! || (d.cit.year[k] === d.cit.year[best] && d.cit.revision[k]! > d.cit.revision[best]!)) ctx.citIndex = k;
  }
  return ctx;
}

/** Sum of slots [from, to] of an array, clipped to the window. */
export function sumSlots(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let k = Math.max(0, from); k <= Math.min(WINDOW_MONTHS - 1, to); k++) sum += values[k]!;
  return sum;
}

export function isCaseOpen(d: CompactDossier, k: number, asOfDay: number): boolean {
  return d.court.filedDay[k]! <= asOfDay && (d.court.closedDay[k] === NO_DAY || d.court.closedDay[k]! > asOfDay);
}
