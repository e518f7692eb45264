/**
 * Step 4: what each enterprise files and what others report about it, derived from its trade ledger and
 * latent health: VAT returns (with corrections and late filings), income-tax returns, tax credit grades,
 * bank months, credit-bureau snapshots and court cases. Nothing is emitted that would be dated after the
 * last day of data: a return for the last month is not filed yet.
 */
import { dayOfMonthIndex, isoDateOfDay, isoMonthOfIndex } from '../domain/period.ts';
import type { TaxGrade } from '../domain/entities.ts';
import { INDUSTRY_PROFILES, type SynthConfig } from './config.ts';
import type { CsvFileWriter } from './csv-writer.ts';
import { behaviourKindOf, type Firms } from './firms.ts';
import { NO_DEFAULT, type HealthPaths } from './health.ts';
import { caseNumber, PROVINCE_SHORT } from './names.ts';
import { Rng } from './random.ts';
import { SMALL_SCALE_RATE_BPS, TRADING_MONTHS_AFTER_DEFAULT, type TradeLedger } from './trade.ts';

/** Quarterly sales up to which a small-scale taxpayer is exempt (300,000 yuan; 公告2023年第19号). */
const SMALL_SCALE_EXEMPT_QUARTER_FEN = 30_000_000;
/** Taxable income up to which a small low-profit enterprise pays an effective 5% (公告2023年第12号). */
const SMALL_PROFIT_INCOME_FEN = 300_000_000;
const FILING_DEADLINE_DAY = 15;

export interface FilingWriters {
  vatReturns: CsvFileWriter;
  citReturns: CsvFileWriter;
  taxGrades: CsvFileWriter;
  bankMonths: CsvFileWriter;
  bureauReports: CsvFileWriter;
  courtCases: CsvFileWriter;
}

interface FirmFiling { i: number; lateCount: Int32Array; arrearsCount: Int32Array }

export function writeFilings(
  firms: Firms, paths: HealthPaths, ledger: TradeLedger, config: SynthConfig, writers: FilingWriters, onFirm: (done: number, total: number) => void = () => {},
): void {
  const rng = new Rng(config.seed, 'filings');
  const lastDay = dayOfMonthIndex(firms.startIndex + firms.months) - 1;
  let caseSerial = 0;
  const nextCaseSerial = () => ++caseSerial;
  const years = Math.ceil(firms.months / 12) + 2;
  for (let i = 0; i < firms.count; i++) {
    const filing: FirmFiling = { i, lateCount: new Int32Array(years), arrearsCount: new Int32Array(years) };
    writeVatReturns(firms, paths, ledger, rng, filing, lastDay, writers.vatReturns);
    writeCitReturns(firms, paths, ledger, rng, i, lastDay, writers.citReturns);
    writeTaxGrades(firms, paths, rng, filing, lastDay, writers.taxGrades);
    writeBankMonths(firms, paths, ledger, rng, i, writers.bankMonths);
    writeBureauReports(firms, paths, rng, i, writers.bureauReports);
    writeCourtCases(firms, paths, rng, i, lastDay, nextCaseSerial, writers.courtCases);
    if ((i & 1023) === 1023) onFirm(i + 1, firms.count);
  }
}

/** What a firm really sells in a month: a pass-through company sells exactly what it invoices. */
function revenueOf(firms: Firms, ledger: TradeLedger, i: number, cell: number): number {
  return behaviourKindOf(firms, i) === 'pass_through' ? Math.max(0, ledger.salesInvoicedFen[cell]!) : ledger.revenueFen[cell]!;
}

const yearOf = (firms: Firms, t: number) => 1970 + Math.floor((firms.startIndex + t) / 12);
const health = (firms: Firms, paths: HealthPaths, i: number, t: number) => paths.health[i * firms.months + Math.max(0, Math.min(firms.months - 1, t))]!;

function stopFilingMonth(firms: Firms, paths: HealthPaths, i: number): number {
  const defaultMonth = paths.defaultMonth[i]!;
  return defaultMonth === NO_DEFAULT ? firms.months : Math.min(firms.months, defaultMonth + TRADING_MONTHS_AFTER_DEFAULT);
}

interface Period { start: number; end: number }

function vatPeriods(firms: Firms, i: number, stop: number): Period[] {
  const periods: Period[] = [];
  if (firms.general[i]) {
    for (let t = firms.firstMonth[i]!; t < stop; t++) periods.push({ start: t, end: t });
    return periods;
  }
  for (let t = firms.firstMonth[i]!; t < stop; t++) {
    const calendarMonth0 = (firms.startIndex + t) % 12;
    if (calendarMonth0 % 3 !== 2) continue; // quarter ends in March, June, September, December
    periods.push({ start: Math.max(t - 2, 0), end: t });
  }
  return periods;
}

function writeVatReturns(firms: Firms, paths: HealthPaths, ledger: TradeLedger, rng: Rng, filing: FirmFiling, lastDay: number, writer: CsvFileWriter): void {
  const i = filing.i;
  const months = firms.months;
  const general = firms.general[i] === 1;
  const rateBps = general ? INDUSTRY_PROFILES[firms.profile[i]!]!.vatRateBps : SMALL_SCALE_RATE_BPS;
  const kind = behaviourKindOf(firms, i);
  const obs = firms.observationIndex;
  const obsDay = dayOfMonthIndex(firms.startIndex + obs);
  // Each firm's own burden around its industry's; input tax beyond what SME invoices supply comes from
  // other deductible vouchers (customs import VAT, agricultural purchase deductions).
  const burdenTarget = INDUSTRY_PROFILES[firms.profile[i]!]!.vatBurdenTarget * Math.exp(0.3 * rng.normal());
  let creditCarry = 0;
  for (const period of vatPeriods(firms, i, stopFilingMonth(firms, paths, i))) {
    let invoiced = 0; let salesTax = 0; let revenue = 0; let special = 0; let input = 0;
    for (let t = period.start; t <= period.end; t++) {
      const cell = i * months + t;
      invoiced += ledger.salesInvoicedFen[cell]!; salesTax += ledger.salesTaxFen[cell]!; revenue += revenueOf(firms, ledger, i, cell);
      special += ledger.specialSalesFen[cell]!;
      input += 0.85 * ledger.deductibleInputTaxFen[cell]! + (t > 0 ? 0.15 * ledger.deductibleInputTaxFen[cell - 1]! : 0);
    }
    invoiced = Math.max(0, invoiced);
    // A pass-through company only re-invoices what it buys: nothing is sold without an invoice.
    let uninvoiced = kind === 'pass_through' ? 0 : Math.max(0, revenue - invoiced);
    if (kind === 'single_source' && period.end >= obs - 9 && period.end < obs) {
      uninvoiced += ((firms.revenueYuan[i]! * 100) / 12) * (period.end - period.start + 1) * rng.between(3, 6);
    }
    const figures = general
      ? generalReturn(invoiced, uninvoiced, salesTax, input, rateBps, creditCarry, kind === 'none' ? burdenTarget : 1)
      : smallScaleReturn(invoiced, uninvoiced, special);
    creditCarry = figures.creditCarry;
    const h = health(firms, paths, i, period.end);
    const arrears = figures.payable > 0 && rng.chance(0.015 * Math.exp(-1.5 * h));
    const paid = arrears ? Math.round(figures.payable * rng.between(0, 0.7)) : figures.payable;
    const late = rng.chance(Math.min(0.5, 0.03 * Math.exp(-1.2 * h)));
    const periodEndDay = dayOfMonthIndex(firms.startIndex + period.end + 1) - 1;
    const filedDay = periodEndDay + (late ? FILING_DEADLINE_DAY + 1 + rng.int(45) : 1 + rng.int(FILING_DEADLINE_DAY));
    if (filedDay > lastDay) continue;
    const year = yearOf(firms, period.end) - yearOf(firms, 0);
    if (late) filing.lateCount[year]!++;
    if (arrears) filing.arrearsCount[year]!++;
    const row = (revision: number, taxable: number, uninv: number, output: number, payable: number, paidFen: number, day: number, fields: string | null) =>
      writer.row([firms.code[i]!, isoMonthOfIndex(firms.startIndex + period.start), isoMonthOfIndex(firms.startIndex + period.end), revision,
        taxable, uninv, figures.exempt, output, figures.input, payable, paidFen, isoDateOfDay(day), revision === 0 ? late : false, fields]);
    row(0, figures.taxable, Math.round(uninvoiced), figures.output, figures.payable, paid, filedDay, null);
    // Corrections (更正申报): rare honest ones in either direction; inflating ones shortly before the observation date.
    const inflate = kind === 'correction_inflation' && period.end >= obs - 6 && period.end < obs;
    if (!inflate && !rng.chance(0.01)) continue;
    const factor = inflate ? rng.between(1.4, 2) : rng.between(0.92, 1.08);
    // Inflation adds to all declared sales (exempt included); an honest correction rescales taxable sales.
    const extra = Math.round((inflate ? figures.taxable + figures.exempt : figures.taxable) * (factor - 1));
    const correctedTaxable = figures.taxable + extra;
    const correctedOutput = Math.max(0, figures.output + Math.round((extra * rateBps) / 10_000));
    const correctedPayable = Math.max(0, correctedOutput - figures.input);
    const correctionDay = inflate ? obsDay - 1 - rng.int(55) : filedDay + 20 + rng.int(70);
    if (correctionDay <= filedDay || correctionDay > lastDay) continue;
    row(1, correctedTaxable, Math.max(0, Math.round(uninvoiced) + extra), correctedOutput, correctedPayable, Math.max(paid, correctedPayable),
      correctionDay, 'taxableSalesFen;uninvoicedSalesFen;outputTaxFen;taxPayableFen;taxPaidFen');
  }
}

interface ReturnFigures { taxable: number; exempt: number; output: number; input: number; payable: number; creditCarry: number }

function generalReturn(
  invoiced: number, uninvoiced: number, salesTax: number, invoiceInput: number, rateBps: number, carry: number, burdenTarget: number,
): ReturnFigures {
  const taxable = Math.round(invoiced + uninvoiced);
  const output = Math.max(0, Math.round(salesTax + (uninvoiced * rateBps) / 10_000));
  const otherVouchers = Math.max(0, output - burdenTarget * taxable - invoiceInput);
  const inputFen = Math.max(0, Math.round(invoiceInput + otherVouchers));
  const payable = Math.max(0, output - inputFen - carry);
  return { taxable, exempt: 0, output, input: inputFen, payable, creditCarry: Math.max(0, carry + inputFen - output) };
}

function smallScaleReturn(invoiced: number, uninvoiced: number, special: number): ReturnFigures {
  const sales = Math.round(invoiced + uninvoiced);
  const exemptAll = sales <= SMALL_SCALE_EXEMPT_QUARTER_FEN;
  const taxable = exemptAll ? Math.max(0, Math.round(special)) : sales; // special invoices are taxed even under the threshold
  const output = Math.round((taxable * SMALL_SCALE_RATE_BPS) / 10_000);
  return { taxable, exempt: sales - taxable, output, input: 0, payable: output, creditCarry: 0 };
}

function writeCitReturns(firms: Firms, paths: HealthPaths, ledger: TradeLedger, rng: Rng, i: number, lastDay: number, writer: CsvFileWriter): void {
  if (firms.individual[i]) return; // individual businesses pay individual income tax instead
  const profile = INDUSTRY_PROFILES[firms.profile[i]!]!;
  for (let t0 = 0; t0 + 12 <= firms.months; t0++) {
    if ((firms.startIndex + t0) % 12 !== 0) continue;
    if (t0 + 11 < firms.firstMonth[i]!) continue;
    let revenue = 0; let healthSum = 0;
    for (let t = t0; t < t0 + 12; t++) { revenue += revenueOf(firms, ledger, i, i * firms.months + t); healthSum += health(firms, paths, i, t); }
    if (revenue <= 0) continue;
    const year = yearOf(firms, t0);
    const h = health(firms, paths, i, t0 + 11);
    const late = rng.chance(Math.min(0.5, 0.03 * Math.exp(-1.2 * h)));
    const filedDay = dayOfMonthIndex((year + 1 - 1970) * 12 + 2, 1) + (late ? 92 + rng.int(60) : rng.int(91));
    if (filedDay > lastDay) continue;
    const declared = Math.round(revenue * Math.exp(0.02 * rng.normal()));
    const margin = profile.margin + 0.03 * (healthSum / 12) + 0.02 * rng.normal();
    const profit = Math.round(declared * margin);
    const cost = Math.round(declared * Math.max(0, 1 - margin - 0.1));
    const taxableIncome = Math.max(0, profit);
    const tax = Math.round(taxableIncome * (taxableIncome <= SMALL_PROFIT_INCOME_FEN ? 0.05 : 0.25));
    writer.row([firms.code[i]!, year, 0, declared, cost, profit, taxableIncome, tax, isoDateOfDay(filedDay)]);
  }
}

function writeTaxGrades(firms: Firms, paths: HealthPaths, rng: Rng, filing: FirmFiling, lastDay: number, writer: CsvFileWriter): void {
  const i = filing.i;
  const firstYear = yearOf(firms, 0);
  for (let year = firstYear; year <= yearOf(firms, firms.months - 1); year++) {
    const publishedDay = dayOfMonthIndex((year + 1 - 1970) * 12 + 3, 10 + rng.int(15));
    if (publishedDay > lastDay) continue;
    const yearEndDay = dayOfMonthIndex((year + 1 - 1970) * 12) - 1;
    if (firms.establishedDay[i]! > yearEndDay) continue;
    const ageMonths = (yearEndDay - firms.establishedDay[i]!) / 30.4;
    let healthSum = 0; let covered = 0;
    for (let t = 0; t < firms.months; t++) if (yearOf(firms, t) === year) { healthSum += health(firms, paths, i, t); covered++; }
    const defaulted = paths.defaultMonth[i]! !== NO_DEFAULT && yearOf(firms, paths.defaultMonth[i]!) <= year;
    const y = year - firstYear;
    const late = y >= 0 ? filing.lateCount[y]! : 0;
    const arrears = y >= 0 ? filing.arrearsCount[y]! : 0;
    const score = 86 + 8 * (covered > 0 ? healthSum / covered : firms.healthBase[i]!) - 5 * late - 11 * arrears - (defaulted ? 30 : 0) + 4 * rng.normal();
    writer.row([firms.code[i]!, year, gradeOf(score, ageMonths), isoDateOfDay(publishedDay)]);
  }
}

/** Score to grade by the published bands (domain.md §1d); new firms are M, A needs 3 years of operation. */
function gradeOf(score: number, ageMonths: number): TaxGrade {
  if (ageMonths < 12) return 'M';
  if (score >= 90) return ageMonths >= 36 ? 'A' : 'B';
  if (score >= 70) return 'B';
  if (score >= 40) return 'C';
  return 'D';
}

function writeBankMonths(firms: Firms, paths: HealthPaths, ledger: TradeLedger, rng: Rng, i: number, writer: CsvFileWriter): void {
  const months = firms.months;
  const profile = INDUSTRY_PROFILES[firms.profile[i]!]!;
  const rate = (firms.general[i] ? profile.vatRateBps : SMALL_SCALE_RATE_BPS) / 10_000;
  let balance = 0;
  let previousBilled = 0;
  for (let t = firms.firstMonth[i]!; t < months; t++) {
    const cell = i * months + t;
    const revenue = revenueOf(firms, ledger, i, cell);
    const invoiced = Math.max(0, ledger.salesInvoicedFen[cell]!);
    const billed = invoiced + Math.max(0, ledger.salesTaxFen[cell]!) + Math.max(0, revenue - invoiced) * (1 + rate);
    if (t === firms.firstMonth[i]) balance = Math.max(revenue, 1_000_000) * rng.between(0.3, 1.5);
    const inflow = Math.round((0.55 * billed + 0.45 * previousBilled) * Math.exp(0.08 * rng.normal()));
    previousBilled = billed;
    const purchases = Math.max(0, ledger.purchasesFen[cell]!) * (1 + rate);
    const operating = revenue * Math.max(0.02, 1 - profile.margin - 0.75);
    let outflow = Math.round((purchases + operating) * Math.exp(0.08 * rng.normal()) + 0.02 * balance);
    if (balance + inflow - outflow < 0) outflow = Math.round(balance + inflow);
    balance = balance + inflow - outflow;
    const invoiceCount = ledger.salesInvoiceCount[cell]!;
    const cashSales = revenue > invoiced * 1.05;
    const inflowCount = inflow > 0 ? invoiceCount + (cashSales ? 30 : 0) + rng.poisson(2) + 1 : 0;
    const counterparties = Math.min(inflowCount, ledger.customerCount[cell]! + (cashSales ? 1 : 0) + rng.poisson(1));
    const topShare = inflow > 0 ? Math.min(1000, Math.round((1000 * ledger.topCustomerFen[cell]! * (1 + rate)) / Math.max(inflow, billed))) : 0;
    writer.row([firms.code[i]!, isoMonthOfIndex(firms.startIndex + t), inflow, outflow, Math.round(balance), inflowCount, counterparties,
      outflow > 0 ? 2 + rng.poisson(3) : 0, topShare]);
  }
}

function writeBureauReports(firms: Firms, paths: HealthPaths, rng: Rng, i: number, writer: CsvFileWriter): void {
  const months = firms.months;
  const borrower = rng.chance(firms.general[i] ? 0.65 : 0.45);
  const annualRevenueFen = firms.revenueYuan[i]! * 100;
  const outstandingBase = borrower ? annualRevenueFen * rng.between(0.1, 0.35) : 0;
  const lenders = borrower ? 1 + rng.int(3) : 0;
  const guarantees = rng.chance(0.15) ? Math.round(annualRevenueFen * rng.between(0.05, 0.2)) : 0;
  const defaultMonth = paths.defaultMonth[i]!;
  const dpd = new Int32Array(months);
  const inquiries = new Int32Array(months);
  const kind = behaviourKindOf(firms, i);
  for (let t = 0; t < months; t++) {
    const h = health(firms, paths, i, t);
    if (defaultMonth !== NO_DEFAULT && t >= defaultMonth - 2) dpd[t] = 30 * (t - defaultMonth + 3);
    else if (borrower && h < -1.2 && rng.chance(0.12)) dpd[t] = 1 + rng.int(29);
    const appetite = 0.15 + 0.5 * Math.max(0, -h) + (kind !== 'none' && t >= firms.observationIndex - 3 ? 0.8 : 0);
    inquiries[t] = rng.poisson(appetite);
  }
  for (let t = firms.firstMonth[i]!; t < months; t++) {
    if ((firms.startIndex + t) % 3 !== 2) continue;
    let worst = 0; let last3 = 0; let last6 = 0;
    for (let k = Math.max(0, t - 23); k <= t; k++) worst = Math.max(worst, dpd[k]!);
    for (let k = Math.max(0, t - 2); k <= t; k++) last3 += inquiries[k]!;
    for (let k = Math.max(0, t - 5); k <= t; k++) last6 += inquiries[k]!;
    const outstanding = Math.round(outstandingBase * Math.exp(0.1 * rng.normal()));
    const overdue = dpd[t]! > 0 && borrower ? Math.round(outstanding * (dpd[t]! >= 90 ? rng.between(0.5, 1) : rng.between(0.02, 0.1))) : 0;
    const reportDay = dayOfMonthIndex(firms.startIndex + t + 1) - 1;
    writer.row([firms.code[i]!, isoDateOfDay(reportDay), lenders, borrower ? lenders + rng.int(3) : 0, outstanding, overdue,
      borrower ? worst : 0, last3, last6, guarantees]);
  }
}

function writeCourtCases(firms: Firms, paths: HealthPaths, rng: Rng, i: number, lastDay: number, nextSerial: () => number, writer: CsvFileWriter): void {
  const defaultMonth = paths.defaultMonth[i]!;
  const province = firms.region[i]!.slice(0, 2);
  for (let t = firms.firstMonth[i]!; t < firms.months; t++) {
    const h = health(firms, paths, i, t);
    const afterDefault = defaultMonth !== NO_DEFAULT && t >= defaultMonth;
    const count = rng.poisson(0.004 * Math.exp(-1.2 * h) + (afterDefault ? 0.12 : 0));
    for (let c = 0; c < count; c++) {
      const filedDay = dayOfMonthIndex(firms.startIndex + t, 1 + rng.int(28));
      const defendant = afterDefault || rng.chance(h < 0 ? 0.65 : 0.4);
      const kind = afterDefault && rng.chance(0.6) ? 'loan' : (['contract', 'contract', 'contract', 'labor', 'other'] as const)[rng.int(5)]!;
      const closedDay = filedDay + 60 + rng.int(300);
      const closed = closedDay <= lastDay;
      const dishonest = defendant && (afterDefault ? rng.chance(0.4) : h < -2 && rng.chance(0.2));
      const year = Number(isoDateOfDay(filedDay).slice(0, 4));
      const id = caseNumber(year, PROVINCE_SHORT[province] ?? '京', firms.region[i]!.slice(2), 1000 + nextSerial(), dishonest ? 'enforcement' : 'civil');
      writer.row([id, firms.code[i]!, isoDateOfDay(filedDay), defendant ? 'defendant' : 'plaintiff', kind,
        Math.round(Math.exp(Math.log(20_000_000) + 1.2 * rng.normal())), closed ? 'closed' : 'open', closed ? isoDateOfDay(closedDay) : null, dishonest]);
    }
  }
}
