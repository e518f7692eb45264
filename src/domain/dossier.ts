import type {
  BankMonth, BureauReport, CitReturn, CourtCase, Enterprise, Invoice, TaxGradeRecord, VatReturn,
} from './entities.ts';

/**
 * Everything known about one enterprise, every fact dated. Invoices are split by side: `salesInvoices`
 * where it is the seller, `purchaseInvoices` where it is the buyer.
 */
export interface Dossier {
  enterprise: Enterprise;
  vatReturns: VatReturn[];
  citReturns: CitReturn[];
  taxGrades: TaxGradeRecord[];
  salesInvoices: Invoice[];
  purchaseInvoices: Invoice[];
  bankMonths: BankMonth[];
  bureauReports: BureauReport[];
  courtCases: CourtCase[];
}
