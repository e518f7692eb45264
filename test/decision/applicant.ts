/**
 * A hand-built applicant for the default strategy: a manufacturer in business since 2018, graded A, paying
 * 20,000 yuan of VAT a month on 1,000,000 yuan of sales, 90% of it invoiced, with a clean credit report.
 * Each admission test changes one fact and expects exactly one reason.
 */
import type { Dossier } from '../../src/domain/dossier.ts';
import type { BureauReport, Invoice, VatReturn } from '../../src/domain/entities.ts';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { addMonths } from '../../src/domain/period.ts';
import { computeFeatures } from '../../src/features/index.ts';
import type { Applicant } from '../../src/decision/decide.ts';
import { NO_FRAUD, profileOf, type FraudSummary, type ModelSummary } from '../../src/decision/inputs.ts';

export const AS_OF = '2025-10-01';
export const CODE = composeCreditCode('91', '330106', 'MA2DEC01');
const CUSTOMERS = [composeCreditCode('91', '310115', 'MA1CUT01'), composeCreditCode('91', '440300', 'MA1CUT02'), composeCreditCode('91', '110105', 'MA1CUT03')];
const SUPPLIER = composeCreditCode('91', '320500', 'MA1UPP01');

export const MONTHLY_SALES_FEN = 100_000_000;
export const MONTHLY_TAX_FEN = 2_000_000;
/** Each month three invoices of 30,000,000 fen: 90% of sales. */
export const MONTHLY_INVOICED_FEN = 90_000_000;

export function vatReturn(period: string, change: Partial<VatReturn> = {}): VatReturn {
  return {
    creditCode: CODE, periodStart: period, periodEnd: period, revision: 0, taxableSalesFen: MONTHLY_SALES_FEN, uninvoicedSalesFen: MONTHLY_SALES_FEN - MONTHLY_INVOICED_FEN,
    exemptSalesFen: 0, outputTaxFen: 13_000_000, inputTaxFen: 11_000_000, taxPayableFen: MONTHLY_TAX_FEN, taxPaidFen: MONTHLY_TAX_FEN,
    filedDate: `${addMonths(period, 1)}-10`, late: false, correctedFields: null, ...change,
  };
}

export function bureauReport(change: Partial<BureauReport> = {}): BureauReport {
  return { creditCode: CODE, reportDate: '2025-09-15', lenderCount: 2, loanCount: 2, outstandingLoanFen: 100_000_000, overdueFen: 0, worstDpd24m: 0, inquiries3m: 1, inquiries6m: 2, guaranteesGivenFen: 0, ...change };
}

let invoiceSerial = 0;
function invoice(seller: string, buyer: string, issueDate: string, amountFen: number): Invoice {
  invoiceSerial++;
  return {
    invoiceNumber: `2533${String(invoiceSerial).padStart(16, '0')}`, sellerCode: seller, buyerCode: buyer, issueDate, amountFen, taxFen: Math.round(amountFen * 0.13), taxRateBps: 1300,
    kind: 'special', status: 'normal', originalInvoiceNumber: null, goodsCategory: '13',
  };
}

/** The 25 months 2023-08 … 2025-08, all filed by the as-of date. */
export const PERIODS = Array.from({ length: 25 }, (_, k) => addMonths('2023-08', k));

export function goodDossier(): Dossier {
  const salesInvoices: Invoice[] = [];
  const purchaseInvoices: Invoice[] = [];
  for (const period of [...PERIODS, '2025-09']) {
    for (const customer of CUSTOMERS) salesInvoices.push(invoice(CODE, customer, `${period}-12`, MONTHLY_INVOICED_FEN / 3));
    purchaseInvoices.push(invoice(SUPPLIER, CODE, `${period}-05`, 80_000_000));
  }
  return {
    enterprise: {
      creditCode: CODE, name: '杭州示范制造有限公司', establishedDate: '2018-05-10', industrySection: 'C', industryDivision: '13', regionCode: '330106',
      registeredCapitalFen: 1_000_000_000, taxpayerType: 'general', status: 'active', legalRepIdHash: '00112233445566aa', legalRepBirthYear: 1978,
      phoneHash: '00112233445566bb', addressHash: '00112233445566cc',
    },
    vatReturns: PERIODS.map((p) => vatReturn(p)),
    citReturns: [{ creditCode: CODE, year: 2024, revision: 0, revenueFen: 1_200_000_000, costFen: 1_000_000_000, totalProfitFen: 80_000_000, taxableIncomeFen: 80_000_000, taxPayableFen: 4_000_000, filedDate: '2025-05-20' }],
    taxGrades: [
      { creditCode: CODE, year: 2023, grade: 'A', publishedDate: '2024-04-15' },
      { creditCode: CODE, year: 2024, grade: 'A', publishedDate: '2025-04-15' },
    ],
    salesInvoices, purchaseInvoices,
    bankMonths: PERIODS.map((month) => ({ creditCode: CODE, month, inflowFen: 105_000_000, outflowFen: 98_000_000, endBalanceFen: 60_000_000, inflowCount: 30, inflowCounterparties: 5, outflowCounterparties: 8, topInflowSharePermille: 350 })),
    bureauReports: [bureauReport()],
    courtCases: [],
  };
}

export const LOW_RISK_MODEL: ModelSummary = { model: 'scorecard.json', segment: 'all', score: 680, pd: 0.005, grade: 'A' };

export function applicantFrom(dossier: Dossier, change: { model?: ModelSummary | null; fraud?: FraudSummary; amountFen?: number | null; termMonths?: number | null } = {}): Applicant {
  return {
    asOf: AS_OF, application: { product: 'tax_loan', amountFen: change.amountFen ?? null, termMonths: change.termMonths ?? null },
    enterprise: profileOf(dossier.enterprise), features: computeFeatures(dossier, AS_OF),
    fraud: change.fraud ?? NO_FRAUD, model: change.model === undefined ? LOW_RISK_MODEL : change.model,
  };
}
