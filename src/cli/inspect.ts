/** The readable dossier summary of `puhui inspect`: profile, then the last months side by side. */
import { formatYuanShort } from '../domain/money.ts';
import { resolve } from 'node:path';
import { inspectEnterprise, INSPECT_MONTHS_MAX, type DossierSummary } from '../pipeline/inspect.ts';
import { boundedIntFlag, parse, print, UsageError } from './args.ts';
import { renderTable } from './table.ts';

export { renderTable };

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

export async function commandInspect(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { months: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('usage: puhui inspect DIR CREDIT_CODE [--months N]');
  const summary = await inspectEnterprise(resolve(positionals[0]!), positionals[1]!, boundedIntFlag(flags, 'months', 1, INSPECT_MONTHS_MAX) ?? 12);
  print(flags.json === true, summary, () => renderDossierSummary(summary));
}
