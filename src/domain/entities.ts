/**
 * The vocabulary of Puhui's data: every entity an enterprise authorises us to read, as column specs.
 * Money is integer fen, dates ISO, months YYYY-MM. Names are the same in files, SQL and TypeScript.
 */
import { col, defineEntity, FEN_MAX, type RecordOf } from './columns.ts';
import { INDUSTRY_SECTIONS, isDivisionOfSection } from './reference.ts';

const FEN_NONNEG = { min: 0, max: FEN_MAX };
const FEN_ANY = { min: -FEN_MAX, max: FEN_MAX };
const HASH_PATTERN = '[0-9a-f]{16}';

export const TAXPAYER_TYPES = ['general', 'small_scale'] as const;
export const TAX_GRADES = ['A', 'B', 'M', 'C', 'D'] as const;
export const INVOICE_KINDS = ['special', 'ordinary'] as const;
export const INVOICE_STATUSES = ['normal', 'red', 'void'] as const;
export const COURT_ROLES = ['plaintiff', 'defendant', 'third_party'] as const;
export const COURT_KINDS = ['contract', 'loan', 'labor', 'tax', 'other'] as const;
export const CASE_STATUSES = ['open', 'closed'] as const;
export const FRAUD_KINDS = ['none', 'ring', 'pass_through', 'shell', 'correction_inflation', 'single_source', 'burst_invoicing'] as const;
export const ENTERPRISE_STATUSES = ['active', 'deregistered'] as const;
export const VAT_RATES_BPS = [0, 100, 300, 500, 600, 900, 1300] as const;

export const enterprises = defineEntity({
  name: 'enterprises',
  description: 'Registration facts of one enterprise (or individual business), keyed by its unified social credit code.',
  columns: {
    creditCode: col.creditCode('Unified social credit code (GB 32100)'),
    name: col.text('Registered name', 200),
    establishedDate: col.date('Date of establishment'),
    industrySection: col.enum('GB/T 4754-2017 section (门类)', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T']),
    industryDivision: col.text('GB/T 4754-2017 division (大类), two digits inside the section', 2, { pattern: '\\d{2}' }),
    regionCode: col.region('GB/T 2260 division code of the registration authority'),
    registeredCapitalFen: col.fen('Registered capital', FEN_NONNEG),
    taxpayerType: col.enum('VAT taxpayer type', TAXPAYER_TYPES),
    status: col.enum('Registration status', ENTERPRISE_STATUSES),
    legalRepIdHash: col.text("Hash of the legal representative's identity number", 16, { pattern: HASH_PATTERN }),
    legalRepBirthYear: col.int("Legal representative's birth year", { min: 1920, max: 2010 }),
    phoneHash: col.text('Hash of the registered phone number', 16, { pattern: HASH_PATTERN }),
    addressHash: col.text('Hash of the normalised registered address', 16, { pattern: HASH_PATTERN }),
  },
  key: ['creditCode'],
  references: [],
  rules: [{
    id: 'division_in_section', column: 'industryDivision',
    message: 'is not a division of the given industry section',
    holds: (r) => isDivisionOfSection(r.industrySection, r.industryDivision),
    sql: `CAST(industryDivision AS INTEGER) BETWEEN CASE industrySection ${sectionBoundsSql('first')} END AND CASE industrySection ${sectionBoundsSql('last')} END`,
  }],
});

export const vatReturns = defineEntity({
  name: 'vatReturns',
  description: 'VAT returns: monthly for general taxpayers, quarterly for most small-scale ones. A correction (更正申报) is a later revision of the same period.',
  columns: {
    creditCode: col.creditCode('Filing enterprise'),
    periodStart: col.month('First month of the tax period'),
    periodEnd: col.month('Last month of the tax period'),
    revision: col.int('0 for the original return, 1.. for each correction', { min: 0, max: 99 }),
    taxableSalesFen: col.fen('Taxable sales excluding VAT, invoiced and uninvoiced', FEN_NONNEG),
    uninvoicedSalesFen: col.fen('Part of the sales (taxable or exempt) declared without an invoice (未开票收入)', FEN_NONNEG),
    exemptSalesFen: col.fen('Exempt sales (e.g. small-scale below the threshold)', FEN_NONNEG),
    outputTaxFen: col.fen('Output tax (销项税额)', FEN_NONNEG),
    inputTaxFen: col.fen('Input tax deducted (进项税额)', FEN_NONNEG),
    taxPayableFen: col.fen('Tax payable for the period (应纳税额合计)', FEN_NONNEG),
    taxPaidFen: col.fen('Tax actually paid for the period', FEN_NONNEG),
    filedDate: col.date('Date the return (or this correction) was filed'),
    late: col.bool('Filed after the statutory deadline (15 days after the period)'),
    correctedFields: col.text('For a correction: the fields it changed, separated by ;', 200, { nullable: true }),
  },
  key: ['creditCode', 'periodStart', 'revision'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [
    {
      id: 'period_length', column: 'periodEnd', message: 'must close a 1-month or 3-month period starting at periodStart',
      holds: (r) => periodLengthOk(r.periodStart, r.periodEnd),
      sql: `(CAST(substr(periodEnd,1,4) AS INTEGER)*12 + CAST(substr(periodEnd,6,2) AS INTEGER)) - (CAST(substr(periodStart,1,4) AS INTEGER)*12 + CAST(substr(periodStart,6,2) AS INTEGER)) IN (0, 2)`,
    },
    {
      id: 'uninvoiced_within_sales', column: 'uninvoicedSalesFen', message: 'cannot exceed taxableSalesFen + exemptSalesFen',
      holds: (r) => r.uninvoicedSalesFen <= r.taxableSalesFen + r.exemptSalesFen,
      sql: 'uninvoicedSalesFen <= taxableSalesFen + exemptSalesFen',
    },
    {
      id: 'filed_after_period', column: 'filedDate', message: 'is before the end of the tax period',
      holds: (r) => r.filedDate.slice(0, 7) > r.periodEnd,
      sql: 'substr(filedDate,1,7) > periodEnd',
    },
    {
      id: 'correction_names_fields', column: 'correctedFields', message: 'must be given for a correction (revision > 0) and only then',
      holds: (r) => (r.revision > 0) === (r.correctedFields !== null),
      sql: '(revision > 0) = (correctedFields IS NOT NULL)',
    },
  ],
});

export const citReturns = defineEntity({
  name: 'citReturns',
  description: 'Annual corporate income tax returns (A100000, 汇算清缴), due by May 31 of the next year.',
  columns: {
    creditCode: col.creditCode('Filing enterprise'),
    year: col.int('Tax year', { min: 1990, max: 2099 }),
    revision: col.int('0 for the original return, 1.. for each correction', { min: 0, max: 99 }),
    revenueFen: col.fen('Operating revenue (营业收入, line 1)', FEN_NONNEG),
    costFen: col.fen('Operating cost (营业成本, line 2)', FEN_NONNEG),
    totalProfitFen: col.fen('Total profit (利润总额, line 13)', FEN_ANY),
    taxableIncomeFen: col.fen('Taxable income (应纳税所得额, line 23)', FEN_NONNEG),
    taxPayableFen: col.fen('Income tax actually payable (实际应纳所得税额, line 31)', FEN_NONNEG),
    filedDate: col.date('Date filed'),
  },
  key: ['creditCode', 'year', 'revision'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [{
    id: 'filed_after_year', column: 'filedDate', message: 'is not after the tax year',
    holds: (r) => Number(r.filedDate.slice(0, 4)) > r.year,
    sql: 'CAST(substr(filedDate,1,4) AS INTEGER) > year',
  }],
});

export const taxGrades = defineEntity({
  name: 'taxGrades',
  description: 'Tax credit grade (纳税信用等级) per evaluation year, published around April of the next year.',
  columns: {
    creditCode: col.creditCode('Rated enterprise'),
    year: col.int('Evaluation year', { min: 2014, max: 2099 }),
    grade: col.enum('A, B, M (new or no revenue), C or D', TAX_GRADES),
    publishedDate: col.date('Date the grade was published'),
  },
  key: ['creditCode', 'year'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [{
    id: 'published_after_year', column: 'publishedDate', message: 'is not after the evaluation year',
    holds: (r) => Number(r.publishedDate.slice(0, 4)) > r.year,
    sql: 'CAST(substr(publishedDate,1,4) AS INTEGER) > year',
  }],
});

export const invoices = defineEntity({
  name: 'invoices',
  description: 'VAT invoices (数电发票). A red-letter invoice carries negative amounts and names the invoice it reverses.',
  columns: {
    invoiceNumber: col.text('20-digit fully-digital invoice number', 20, { pattern: '\\d{20}' }),
    sellerCode: col.creditCode('Seller credit code'),
    buyerCode: col.creditCode('Buyer credit code'),
    issueDate: col.date('Issue date'),
    amountFen: col.fen('Amount excluding tax; negative on a red-letter invoice', FEN_ANY),
    taxFen: col.fen('VAT; negative on a red-letter invoice', FEN_ANY),
    taxRateBps: col.int('VAT rate in basis points (1300, 900, 600, 300, 100, 0 …)', { min: 0, max: 1700 }),
    kind: col.enum('special (专票, deductible) or ordinary (普票)', INVOICE_KINDS),
    status: col.enum('normal, red (a red-letter reversal) or void (作废)', INVOICE_STATUSES),
    originalInvoiceNumber: col.text('For a red-letter invoice: the invoice it reverses', 20, { pattern: '\\d{20}', nullable: true }),
    goodsCategory: col.text('GB/T 4754 division of the goods or service sold', 2, { pattern: '\\d{2}' }),
  },
  key: ['invoiceNumber'],
  references: [
    { column: 'sellerCode', entity: 'enterprises', counterparty: true },
    { column: 'buyerCode', entity: 'enterprises', counterparty: true },
    { column: 'originalInvoiceNumber', entity: 'invoices' },
  ],
  rules: [
    {
      id: 'seller_is_not_buyer', column: 'buyerCode', message: 'is the same as sellerCode',
      holds: (r) => r.sellerCode !== r.buyerCode, sql: 'sellerCode <> buyerCode',
    },
    {
      id: 'sign_matches_status', column: 'amountFen', message: 'must be negative on a red invoice and positive otherwise',
      holds: (r) => (r.status === 'red' ? r.amountFen < 0 && r.taxFen <= 0 : r.amountFen > 0 && r.taxFen >= 0),
      sql: `CASE WHEN status = 'red' THEN amountFen < 0 AND taxFen <= 0 ELSE amountFen > 0 AND taxFen >= 0 END`,
    },
    {
      id: 'red_names_original', column: 'originalInvoiceNumber', message: 'must be given for a red invoice and only then',
      holds: (r) => (r.status === 'red') === (r.originalInvoiceNumber !== null),
      sql: `(status = 'red') = (originalInvoiceNumber IS NOT NULL)`,
    },
    {
      id: 'tax_matches_rate', column: 'taxFen', message: 'differs from amountFen × taxRateBps by more than 1 yuan',
      holds: (r) => Math.abs(r.taxFen - (r.amountFen * r.taxRateBps) / 10_000) <= 100,
      sql: 'abs(taxFen - amountFen * taxRateBps / 10000.0) <= 100',
    },
  ],
});

export const bankMonths = defineEntity({
  name: 'bankMonths',
  description: "Monthly summary of an enterprise's settlement accounts (对公流水).",
  columns: {
    creditCode: col.creditCode('Account holder'),
    month: col.month('Statement month'),
    inflowFen: col.fen('Total credits', FEN_NONNEG),
    outflowFen: col.fen('Total debits', FEN_NONNEG),
    endBalanceFen: col.fen('Balance at month end', FEN_ANY),
    inflowCount: col.int('Number of credit transactions', { min: 0, max: 10_000_000 }),
    inflowCounterparties: col.int('Distinct paying counterparties', { min: 0, max: 10_000_000 }),
    outflowCounterparties: col.int('Distinct receiving counterparties', { min: 0, max: 10_000_000 }),
    topInflowSharePermille: col.int("Largest payer's share of credits, in permille", { min: 0, max: 1000 }),
  },
  key: ['creditCode', 'month'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [{
    id: 'counterparties_within_count', column: 'inflowCounterparties', message: 'exceeds inflowCount',
    holds: (r) => r.inflowCounterparties <= r.inflowCount, sql: 'inflowCounterparties <= inflowCount',
  }],
});

export const bureauReports = defineEntity({
  name: 'bureauReports',
  description: 'Credit-bureau summary (企业征信) as of a report date.',
  columns: {
    creditCode: col.creditCode('Reported enterprise'),
    reportDate: col.date('Date of the report'),
    lenderCount: col.int('Institutions with outstanding credit', { min: 0, max: 1000 }),
    loanCount: col.int('Outstanding loans', { min: 0, max: 10_000 }),
    outstandingLoanFen: col.fen('Outstanding loan balance', FEN_NONNEG),
    overdueFen: col.fen('Amount currently overdue', FEN_NONNEG),
    worstDpd24m: col.int('Worst days past due in the last 24 months', { min: 0, max: 3650 }),
    inquiries3m: col.int('Hard inquiries by lenders in the last 3 months', { min: 0, max: 1000 }),
    inquiries6m: col.int('Hard inquiries by lenders in the last 6 months', { min: 0, max: 1000 }),
    guaranteesGivenFen: col.fen('Guarantees given for others', FEN_NONNEG),
  },
  key: ['creditCode', 'reportDate'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [{
    id: 'inquiries_nested', column: 'inquiries3m', message: 'exceeds inquiries6m',
    holds: (r) => r.inquiries3m <= r.inquiries6m, sql: 'inquiries3m <= inquiries6m',
  }],
});

export const courtCases = defineEntity({
  name: 'courtCases',
  description: 'Court cases an enterprise is party to, with the 失信被执行人 (dishonest judgment debtor) flag.',
  columns: {
    caseId: col.text('Case number', 64),
    creditCode: col.creditCode('Party'),
    filedDate: col.date('Date the case was filed'),
    role: col.enum('Role of the enterprise', COURT_ROLES),
    kind: col.enum('Kind of dispute', COURT_KINDS),
    amountFen: col.fen('Amount in dispute', FEN_NONNEG),
    status: col.enum('open or closed', CASE_STATUSES),
    closedDate: col.date('Date closed', { nullable: true }),
    dishonestDebtor: col.bool('The enterprise was listed as a dishonest judgment debtor (失信被执行人) in this case'),
  },
  key: ['caseId', 'creditCode'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [{
    id: 'closed_has_date', column: 'closedDate', message: 'must be given, on or after filedDate, exactly when status is closed',
    holds: (r) => (r.status === 'closed') === (r.closedDate !== null) && (r.closedDate === null || r.closedDate >= r.filedDate),
    sql: `((status = 'closed') = (closedDate IS NOT NULL)) AND (closedDate IS NULL OR closedDate >= filedDate)`,
  }],
});

export const labels = defineEntity({
  name: 'labels',
  description: 'Ground truth (synthetic data) or observed outcomes: default and fraud per enterprise.',
  columns: {
    creditCode: col.creditCode('Enterprise'),
    defaulted: col.bool('Defaulted (90+ days past due) at some month of the covered span'),
    defaultMonth: col.month('First month in default', { nullable: true }),
    fraudKind: col.enum('Planted fraud typology, none for honest firms', FRAUD_KINDS),
    fraudGroup: col.text('Id of the fraud group (ring, shell cluster …)', 32, { nullable: true }),
  },
  key: ['creditCode'],
  references: [{ column: 'creditCode', entity: 'enterprises' }],
  rules: [
    {
      id: 'default_month_iff_defaulted', column: 'defaultMonth', message: 'must be given exactly when defaulted is true',
      holds: (r) => r.defaulted === (r.defaultMonth !== null), sql: 'defaulted = (defaultMonth IS NOT NULL)',
    },
    {
      id: 'group_iff_fraud', column: 'fraudGroup', message: "must be given exactly when fraudKind is not 'none'",
      holds: (r) => (r.fraudKind !== 'none') === (r.fraudGroup !== null), sql: `(fraudKind <> 'none') = (fraudGroup IS NOT NULL)`,
    },
  ],
});

export const ENTITIES = { enterprises, vatReturns, citReturns, taxGrades, invoices, bankMonths, bureauReports, courtCases, labels } as const;

export type Enterprise = RecordOf<typeof enterprises.columns>;
export type VatReturn = RecordOf<typeof vatReturns.columns>;
export type CitReturn = RecordOf<typeof citReturns.columns>;
export type TaxGradeRecord = RecordOf<typeof taxGrades.columns>;
export type Invoice = RecordOf<typeof invoices.columns>;
export type BankMonth = RecordOf<typeof bankMonths.columns>;
export type BureauReport = RecordOf<typeof bureauReports.columns>;
export type CourtCase = RecordOf<typeof courtCases.columns>;
export type Label = RecordOf<typeof labels.columns>;
export type TaxGrade = (typeof TAX_GRADES)[number];
export type FraudKind = (typeof FRAUD_KINDS)[number];

function periodLengthOk(periodStart: string, periodEnd: string): boolean {
  const start = Number(periodStart.slice(0, 4)) * 12 + Number(periodStart.slice(5, 7));
  const end = Number(periodEnd.slice(0, 4)) * 12 + Number(periodEnd.slice(5, 7));
  return end - start === 0 || end - start === 2;
}

function sectionBoundsSql(which: 'first' | 'last'): string {
  // Built from the same table the TypeScript check reads, so the two cannot drift apart.
  return INDUSTRY_SECTIONS.map((s) => `WHEN '${s.code}' THEN ${which === 'first' ? s.divisionFirst : s.divisionLast}`).join(' ');
}
