/** The readable dossier summary of `puhui inspect`: profile, then the last 12 months side by side. */
import type { Dossier } from '../domain/dossier.ts';
import { addMonths, monthIndex, monthOfDate } from '../domain/period.ts';
import { formatYuanShort } from '../domain/money.ts';
import { industrySection } from '../domain/reference.ts';

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

export function renderDossierSummary(summary: DossierSummary): string {
  const lines = [
    `${summary.name}  ${summary.creditCode}`,
    `  established ${summary.establishedDate} · industry ${summary.industry} · region ${summary.regionCode} · ${summary.taxpayerType === 'general' ? 'general taxpayer 一般纳税人' : 'small-scale taxpayer 小规模纳税人'}`,
    `  tax grade 纳税信用 ${summary.latestTaxGrade ?? '—'} · open cases as defendant ${summary.openCasesAsDefendant}${summary.dishonestDebtor ? ' · 失信被执行人 dishonest debtor' : ''}`,
  ];
  const bureau = summary.latestBureau;
  if (bureau) {
    lines.push(`  bureau ${bureau.reportDate}: loans ${formatYuanShort(bureau.outstandingLoanFen)} at ${bureau.lenderCount} lenders · overdue ${formatYuanShort(bureau.overdueFen)} · worst DPD 24m ${bureau.worstDpd24m} · inquiries 3m ${bureau.inquiries3m}`);
  }
  lines.push('', '  amounts in yuan (k = thousand, M = million); quarterly returns are spread evenly over their months');
  const header = ['month', 'sales', 'tax paid', 'inv out', 'out amt', 'inv in', 'in amt', 'bank in'];
  const table = summary.months.map((m) => [
    m.month, m.declaredSalesFen === null ? 'not filed' : formatYuanShort(m.declaredSalesFen), m.taxPaidFen === null ? '—' : formatYuanShort(m.taxPaidFen), String(m.salesInvoiceCount), formatYuanShort(m.salesInvoicedFen),
    String(m.purchaseInvoiceCount), formatYuanShort(m.purchasesInvoicedFen), formatYuanShort(m.bankInflowFen),
  ]);
  lines.push(...renderTable(header, table).map((line) => `  ${line}`));
  return lines.join('\n');
}

export function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const format = (cells: string[]) => cells.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)];
}
