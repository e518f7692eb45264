/**
 * `puhui inspect`: an enterprise's dossier summarised: its profile and its last months side by side (declared
 * sales, tax paid, invoices out and in, bank inflow), read from a complete dataset.
 */
import { DatasetReader, requireEntities } from '../data/index.ts';
import { creditCodeProblem, type CreditCodeProblem } from '../domain/credit-code.ts';
import type { Dossier } from '../domain/dossier.ts';
import { addMonths, monthIndex, monthOfDate } from '../domain/period.ts';
import { industrySection } from '../domain/reference.ts';
import { RequestError } from './dataset.ts';

export const INSPECT_MONTHS_MAX = 120;

const CREDIT_CODE_PROBLEMS: Record<CreditCodeProblem, string> = {
  length: 'it must have 18 characters',
  charset: 'it has a character outside 0-9 and A-Z without I, O, S, V, Z',
  check_char: 'its last character does not match the check character (a typo?)',
};

export async function inspectEnterprise(datasetDir: string, creditCode: string, monthsShown = 12): Promise<DossierSummary> {
  if (!Number.isSafeInteger(monthsShown) || monthsShown < 1 || monthsShown > INSPECT_MONTHS_MAX) throw new RequestError(`--months must be 1..${INSPECT_MONTHS_MAX}, got ${monthsShown}`);
  const code = creditCode.trim().toUpperCase();
  const problem = creditCodeProblem(code);
  if (problem) throw new RequestError(`'${creditCode}' is not a unified social credit code (统一社会信用代码): ${CREDIT_CODE_PROBLEMS[problem]}`);
  requireEntities(datasetDir, [], 'inspect');
  const reader = await DatasetReader.open(datasetDir);
  try {
    return summariseDossier(await reader.dossier(code), monthsShown);
  } finally {
    reader.close();
  }
}

export interface MonthSummary {
  month: string;
  /** Null where no VAT return covers the month (not filed yet, or not filed at all). */
  declaredSalesFen: number | null;
  taxPaidFen: number | null;
  salesInvoiceCount: number;
  salesInvoicedFen: number;
  purchaseInvoiceCount: number;
  purchasesInvoicedFen: number;
  bankInflowFen: number;
}

export interface DossierSummary {
  creditCode: string;
  name: string;
  establishedDate: string;
  industry: string;
  regionCode: string;
  taxpayerType: string;
  latestTaxGrade: string | null;
  latestBureau: Dossier['bureauReports'][number] | null;
  openCasesAsDefendant: number;
  dishonestDebtor: boolean;
  months: MonthSummary[];
}

export function summariseDossier(dossier: Dossier, monthsShown = 12): DossierSummary {
  const lastMonth = latestMonth(dossier);
  const first = lastMonth ? addMonths(lastMonth, -(monthsShown - 1)) : null;
  const rows = new Map<string, MonthSummary>();
  if (first && lastMonth) {
    for (let k = 0; k < monthsShown; k++) {
      const month = addMonths(first, k);
      rows.set(month, { month, declaredSalesFen: null, taxPaidFen: null, salesInvoiceCount: 0, salesInvoicedFen: 0, purchaseInvoiceCount: 0, purchasesInvoicedFen: 0, bankInflowFen: 0 });
    }
  }
  // Latest revision of each period; a quarterly return is spread evenly over its three months.
  const latest = new Map<string, Dossier['vatReturns'][number]>();
  for (const r of dossier.vatReturns) latest.set(r.periodStart, r);
  for (const r of latest.values()) {
    const span = monthIndex(r.periodEnd) - monthIndex(r.periodStart) + 1;
    for (let k = 0; k < span; k++) {
      const row = rows.get(addMonths(r.periodStart, k));
      if (!row) continue;
      row.declaredSalesFen = (row.declaredSalesFen ?? 0) + Math.round((r.taxableSalesFen + r.exemptSalesFen) / span);
      row.taxPaidFen = (row.taxPaidFen ?? 0) + Math.round(r.taxPaidFen / span);
    }
  }
  for (const invoice of dossier.salesInvoices) {
    const row = rows.get(monthOfDate(invoice.issueDate));
    if (row && invoice.status !== 'void') { row.salesInvoiceCount++; row.salesInvoicedFen += invoice.amountFen; }
  }
  for (const invoice of dossier.purchaseInvoices) {
    const row = rows.get(monthOfDate(invoice.issueDate));
    if (row && invoice.status !== 'void') { row.purchaseInvoiceCount++; row.purchasesInvoicedFen += invoice.amountFen; }
  }
  for (const bank of dossier.bankMonths) {
    const row = rows.get(bank.month);
    if (row) row.bankInflowFen += bank.inflowFen;
  }
  const e = dossier.enterprise;
  const section = industrySection(e.industrySection);
  return {
    creditCode: e.creditCode, name: e.name, establishedDate: e.establishedDate,
    industry: `${e.industrySection}${e.industryDivision} ${section ? `${section.nameZh} / ${section.nameEn}` : ''}`.trim(),
    regionCode: e.regionCode, taxpayerType: e.taxpayerType,
    latestTaxGrade: dossier.taxGrades.at(-1) ? `${dossier.taxGrades.at(-1)!.grade} (${dossier.taxGrades.at(-1)!.year})` : null,
    latestBureau: dossier.bureauReports.at(-1) ?? null,
    openCasesAsDefendant: dossier.courtCases.filter((c) => c.role === 'defendant' && c.status === 'open').length,
    dishonestDebtor: dossier.courtCases.some((c) => c.dishonestDebtor),
    months: [...rows.values()],
  };
}

function latestMonth(dossier: Dossier): string | null {
  const months = [
    ...dossier.bankMonths.map((b) => b.month), ...dossier.vatReturns.map((r) => r.periodEnd),
    ...dossier.salesInvoices.map((i) => monthOfDate(i.issueDate)), ...dossier.purchaseInvoices.map((i) => monthOfDate(i.issueDate)),
  ];
  return months.length > 0 ? months.reduce((a, b) => (a > b ? a : b)) : null;
}

