/**
 * A Dossier in compact numeric form: dates as day numbers, months as month indexes, counterparties as
 * small integers, statuses as codes, amounts in typed arrays. Feature code reads only this form, so the
 * online path (one Dossier) and the batch path (columns straight from DuckDB) compute identically.
 * A Dossier's records are validated where they entered, so dates are read without re-checking.
 */
import type { Dossier } from '../domain/dossier.ts';
import { dayNumberTrusted as dayNumber, monthIndexTrusted as monthIndex } from '../domain/period.ts';
import { TAX_GRADES } from '../domain/entities.ts';

export const INVOICE_STATUS_CODES = { normal: 0, red: 1, void: 2 } as const;
export const NO_DAY = -1;

export interface CompactInvoices {
  count: number;
  day: Int32Array;
  counterparty: Int32Array;
  amountFen: Float64Array;
  status: Uint8Array;
  special: Uint8Array;
}

export interface CompactDossier {
  establishedDay: number;
  industrySection: string;
  industryDivision: string;
  regionCode: string;
  general: boolean;
  individual: boolean;
  registeredCapitalFen: number;
  legalRepBirthYear: number;
  vat: {
    count: number; periodStart: Int32Array; periodEnd: Int32Array; revision: Int32Array; taxableFen: Float64Array; uninvoicedFen: Float64Array;
    exemptFen: Float64Array; payableFen: Float64Array; paidFen: Float64Array; filedDay: Int32Array; late: Uint8Array;
  };
  cit: { count: number; year: Int32Array; revision: Int32Array; revenueFen: Float64Array; filedDay: Int32Array };
  /** Grade codes index TAX_GRADES (A=0 … D=4). */
  grades: { count: number; year: Int32Array; grade: Uint8Array; publishedDay: Int32Array };
  sales: CompactInvoices;
  purchases: CompactInvoices;
  bank: { count: number; month: Int32Array; inflowFen: Float64Array; outflowFen: Float64Array; balanceFen: Float64Array; topSharePermille: Int32Array };
  bureau: {
    count: number; day: Int32Array; overdueFen: Float64Array; worstDpd: Int32Array; inquiries3m: Int32Array; inquiries6m: Int32Array;
    lenders: Int32Array; outstandingFen: Float64Array; guaranteesFen: Float64Array;
  };
  court: { count: number; filedDay: Int32Array; closedDay: Int32Array; defendant: Uint8Array; amountFen: Float64Array; dishonest: Uint8Array };
}

function invoicesOf(list: Dossier['salesInvoices'], counterpartyOf: (i: Dossier['salesInvoices'][number]) => string, ids: Map<string, number>): CompactInvoices {
  const n = list.length;
  const out: CompactInvoices = { count: n, day: new Int32Array(n), counterparty: new Int32Array(n), amountFen: new Float64Array(n), status: new Uint8Array(n), special: new Uint8Array(n) };
  for (let k = 0; k < n; k++) {
    const invoice = list[k]!;
    const code = counterpartyOf(invoice);
    let id = ids.get(code);
    if (id === undefined) { id = ids.size; ids.set(code, id); }
    out.day[k] = dayNumber(invoice.issueDate);
    out.counterparty[k] = id;
    out.amountFen[k] = invoice.amountFen;
    out.status[k] = INVOICE_STATUS_CODES[invoice.status];
    out.special[k] = invoice.kind === 'special' ? 1 : 0;
  }
  return out;
}

export function compactDossier(dossier: Dossier): CompactDossier {
  const e = dossier.enterprise;
  const ids = new Map<string, number>();
  const v = dossier.vatReturns;
  const b = dossier.bureauReports;
  const c = dossier.courtCases;
  return {
    establishedDay: dayNumber(e.establishedDate), industrySection: e.industrySection, industryDivision: e.industryDivision, regionCode: e.regionCode,
    general: e.taxpayerType === 'general', individual: e.creditCode.startsWith('92'), registeredCapitalFen: e.registeredCapitalFen, legalRepBirthYear: e.legalRepBirthYear,
    vat: {
      count: v.length, periodStart: Int32Array.from(v, (r) => monthIndex(r.periodStart)), periodEnd: Int32Array.from(v, (r) => monthIndex(r.periodEnd)),
      revision: Int32Array.from(v, (r) => r.revision), taxableFen: Float64Array.from(v, (r) => r.taxableSalesFen), uninvoicedFen: Float64Array.from(v, (r) => r.uninvoicedSalesFen),
      exemptFen: Float64Array.from(v, (r) => r.exemptSalesFen), payableFen: Float64Array.from(v, (r) => r.taxPayableFen), paidFen: Float64Array.from(v, (r) => r.taxPaidFen),
      filedDay: Int32Array.from(v, (r) => dayNumber(r.filedDate)), late: Uint8Array.from(v, (r) => (r.late ? 1 : 0)),
    },
    cit: {
      count: dossier.citReturns.length, year: Int32Array.from(dossier.citReturns, (r) => r.year), revision: Int32Array.from(dossier.citReturns, (r) => r.revision),
      revenueFen: Float64Array.from(dossier.citReturns, (r) => r.revenueFen), filedDay: Int32Array.from(dossier.citReturns, (r) => dayNumber(r.filedDate)),
    },
    grades: {
      count: dossier.taxGrades.length, year: Int32Array.from(dossier.taxGrades, (g) => g.year),
      grade: Uint8Array.from(dossier.taxGrades, (g) => TAX_GRADES.indexOf(g.grade)), publishedDay: Int32Array.from(dossier.taxGrades, (g) => dayNumber(g.publishedDate)),
    },
    sales: invoicesOf(dossier.salesInvoices, (i) => i.buyerCode, ids),
    purchases: invoicesOf(dossier.purchaseInvoices, (i) => i.sellerCode, ids),
    bank: {
      count: dossier.bankMonths.length, month: Int32Array.from(dossier.bankMonths, (m) => monthIndex(m.month)), inflowFen: Float64Array.from(dossier.bankMonths, (m) => m.inflowFen),
      outflowFen: Float64Array.from(dossier.bankMonths, (m) => m.outflowFen), balanceFen: Float64Array.from(dossier.bankMonths, (m) => m.endBalanceFen),
      topSharePermille: Int32Array.from(dossier.bankMonths, (m) => m.topInflowSharePermille),
    },
    bureau: {
      count: b.length, day: Int32Array.from(b, (r) => dayNumber(r.reportDate)), overdueFen: Float64Array.from(b, (r) => r.overdueFen), worstDpd: Int32Array.from(b, (r) => r.worstDpd24m),
      inquiries3m: Int32Array.from(b, (r) => r.inquiries3m), inquiries6m: Int32Array.from(b, (r) => r.inquiries6m), lenders: Int32Array.from(b, (r) => r.lenderCount),
      outstandingFen: Float64Array.from(b, (r) => r.outstandingLoanFen), guaranteesFen: Float64Array.from(b, (r) => r.guaranteesGivenFen),
    },
    court: {
      count: c.length, filedDay: Int32Array.from(c, (r) => dayNumber(r.filedDate)), closedDay: Int32Array.from(c, (r) => (r.closedDate ? dayNumber(r.closedDate) : NO_DAY)),
      defendant: Uint8Array.from(c, (r) => (r.role === 'defendant' ? 1 : 0)), amountFen: Float64Array.from(c, (r) => r.amountFen), dishonest: Uint8Array.from(c, (r) => (r.dishonestDebtor ? 1 : 0)),
    },
  };
}
