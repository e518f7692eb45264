/**
 * A hand-built dossier with round numbers, as of 2025-10-01, whose every feature is worked out by hand in
 * features.test.ts. Facts dated after the as-of date are included on purpose: they must be ignored.
 */
import type { Dossier } from '../../src/domain/dossier.ts';
import type { BankMonth, BureauReport, CourtCase, Invoice, VatReturn } from '../../src/domain/entities.ts';
import { addMonths } from '../../src/domain/period.ts';
import { composeCreditCode } from '../../src/domain/credit-code.ts';

export const AS_OF = '2025-10-01';
export const CODE = composeCreditCode('91', '330106', 'MA2AB3CD');
export const X = '91310000631696382C';
export const Y = '91110000600037341L';
export const Z = '9144030071526726XG';
export const P = '91440300568520498A';
export const Q = '91310115MA1K3BTP2B';

/** Declared monthly sales (fen) as finally visible on 2025-10-01, 2023-09 … 2025-08. */
export function declaredSeries(): Map<string, number> {
  const series = new Map<string, number>();
  for (let k = 0; k < 12; k++) series.set(addMonths('2023-09', k), 80_000_000);
  series.set('2024-09', 0);
  for (let k = 0; k < 11; k++) series.set(addMonths('2024-10', k), k % 2 === 0 ? 120_000_000 : 80_000_000);
  series.set('2025-05', 100_000_000); // corrected upward from 80,000,000 on 2025-08-20
  return series;
}

function vat(period: string, taxable: number, filedDate: string, change: Partial<VatReturn> = {}): VatReturn {
  const payable = Math.round(taxable * 0.02);
  return {
    creditCode: CODE, periodStart: period, periodEnd: period, revision: 0, taxableSalesFen: taxable, uninvoicedSalesFen: Math.round(taxable * 0.1),
    exemptSalesFen: 0, outputTaxFen: Math.round(taxable * 0.13), inputTaxFen: Math.round(taxable * 0.11), taxPayableFen: payable, taxPaidFen: payable,
    filedDate, late: false, correctedFields: null, ...change,
  };
}

function invoice(n: number, seller: string, buyer: string, issueDate: string, amountFen: number, change: Partial<Invoice> = {}): Invoice {
  return {
    invoiceNumber: `25330000000000000${String(n).padStart(3, '0')}`, sellerCode: seller, buyerCode: buyer, issueDate, amountFen,
    taxFen: Math.round(amountFen * 0.13), taxRateBps: 1300, kind: 'special', status: 'normal', originalInvoiceNumber: null, goodsCategory: '51', ...change,
  };
}

function bank(month: string, inflowFen: number, balanceFen: number, topPermille = 500): BankMonth {
  return { creditCode: CODE, month, inflowFen, outflowFen: 2_000_000, endBalanceFen: balanceFen, inflowCount: 10, inflowCounterparties: 3, outflowCounterparties: 4, topInflowSharePermille: topPermille };
}

function bureau(reportDate: string, change: Partial<BureauReport>): BureauReport {
  return { creditCode: CODE, reportDate, lenderCount: 2, loanCount: 2, outstandingLoanFen: 30_000_000, overdueFen: 0, worstDpd24m: 0, inquiries3m: 1, inquiries6m: 2, guaranteesGivenFen: 5_000_000, ...change };
}

function court(caseId: string, change: Partial<CourtCase>): CourtCase {
  return { caseId, creditCode: CODE, filedDate: '2025-03-01', role: 'defendant', kind: 'contract', amountFen: 2_000_000, status: 'open', closedDate: null, dishonestDebtor: false, ...change };
}

export function fixtureDossier(): Dossier {
  const series = declaredSeries();
  const vatReturns: VatReturn[] = [];
  for (const [period, taxable] of series) {
    const filed = `${addMonths(period, 1)}-10`;
    if (period === '2025-05') {
      vatReturns.push(vat(period, 80_000_000, filed));
      vatReturns.push(vat(period, 100_000_000, '2025-08-20', { revision: 1, correctedFields: 'taxableSalesFen' }));
    } else if (period === '2024-10') {
      vatReturns.push(vat(period, taxable, filed));
      vatReturns.push(vat(period, taxable, '2024-12-01', { revision: 1, correctedFields: 'inputTaxFen' }));
    } else if (period === '2025-08') {
      vatReturns.push(vat(period, taxable, filed, { taxPaidFen: 0 }));
    } else if (period === '2025-01') {
      vatReturns.push(vat(period, taxable, '2025-02-20', { late: true }));
    } else if (period === '2024-06') {
      vatReturns.push(vat(period, taxable, '2024-07-25', { late: true }));
    } else {
      vatReturns.push(vat(period, taxable, filed));
    }
  }
  vatReturns.push(vat('2025-09', 500_000_000, '2025-10-10')); // filed after the as-of date
  vatReturns.push(vat('2025-07', 900_000_000, '2025-10-15', { revision: 1, correctedFields: 'taxableSalesFen' })); // likewise
  const salesInvoices: Invoice[] = [
    invoice(1, CODE, Y, '2024-05-05', 5_000_000),
    invoice(2, CODE, Y, '2024-11-05', 3_000_000, { status: 'void' }),
    invoice(3, CODE, Z, '2025-02-05', 2_000_000),
    invoice(4, CODE, Z, '2025-03-01', -500_000, { status: 'red', taxFen: -65_000, originalInvoiceNumber: '25330000000000000003' }),
    invoice(5, CODE, X, '2025-07-05', 6_000_000),
    invoice(6, CODE, Y, '2025-08-05', 4_000_000, { kind: 'ordinary' }),
    invoice(7, CODE, X, '2025-09-10', 10_000_000),
    invoice(8, CODE, X, '2025-10-02', 9_999_999), // after the as-of date
  ];
  const purchaseInvoices: Invoice[] = [
    invoice(20, Q, CODE, '2025-01-10', 2_000_000, { kind: 'ordinary' }),
    invoice(21, P, CODE, '2025-06-10', 8_000_000),
    invoice(22, P, CODE, '2025-10-20', 50_000_000), // after
  ];
  const bankMonths: BankMonth[] = [];
  for (const month of ['2024-10', '2024-11', '2024-12', '2025-02', '2025-03']) bankMonths.push(bank(month, 3_000_000, 10_000_000));
  for (let k = 0; k < 6; k++) bankMonths.push(bank(addMonths('2025-04', k), k === 5 ? 5_000_000 : 3_000_000, 10_000_000 + 1_000_000 * k, k === 5 ? 800 : 500));
  bankMonths.push(bank('2025-10', 90_000_000, 0)); // the as-of month itself is not complete
  return {
    enterprise: {
      creditCode: CODE, name: '杭州示例商贸有限公司', establishedDate: '2020-03-15', industrySection: 'F', industryDivision: '51', regionCode: '330106',
      registeredCapitalFen: 500_000_000, taxpayerType: 'general', status: 'active', legalRepIdHash: '0123456789abcdef', legalRepBirthYear: 1975,
      phoneHash: '0123456789abcdef', addressHash: '0123456789abcdef',
    },
    vatReturns,
    citReturns: [
      { creditCode: CODE, year: 2024, revision: 0, revenueFen: 1_000_000_000, costFen: 900_000_000, totalProfitFen: 30_000_000, taxableIncomeFen: 30_000_000, taxPayableFen: 1_500_000, filedDate: '2025-05-20' },
      { creditCode: CODE, year: 2025, revision: 0, revenueFen: 1, costFen: 1, totalProfitFen: 0, taxableIncomeFen: 0, taxPayableFen: 0, filedDate: '2026-05-20' },
    ],
    taxGrades: [
      { creditCode: CODE, year: 2023, grade: 'A', publishedDate: '2024-04-15' },
      { creditCode: CODE, year: 2024, grade: 'B', publishedDate: '2025-04-15' },
      { creditCode: CODE, year: 2025, grade: 'D', publishedDate: '2026-04-15' },
    ],
    salesInvoices, purchaseInvoices, bankMonths,
    bureauReports: [
      bureau('2025-06-30', {}),
      bureau('2025-09-30', { overdueFen: 1_000_000, worstDpd24m: 15, inquiries3m: 3, inquiries6m: 4, lenderCount: 3, outstandingLoanFen: 40_000_000, guaranteesGivenFen: 0 }),
      bureau('2025-12-31', { overdueFen: 99_000_000, worstDpd24m: 120 }),
    ],
    courtCases: [
      court('(2025)浙0106民初1001号', {}),
      court('(2024)浙0106民初1002号', { role: 'plaintiff', filedDate: '2024-12-01', status: 'closed', closedDate: '2025-02-01' }),
      court('(2023)浙0106执1003号', { filedDate: '2023-05-01', status: 'closed', closedDate: '2025-11-01', amountFen: 1_000_000, dishonestDebtor: true }),
      court('(2025)浙0106民初1004号', { filedDate: '2025-10-05', amountFen: 70_000_000, dishonestDebtor: true }),
    ],
  };
}
