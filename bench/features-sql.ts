/**
 * The baseline for the feature benchmark: a subset of the catalogue written directly in DuckDB SQL, as an
 * analyst would without Puhui, with the same definitions (latest declared months for VAT, complete months
 * before the as-of month for invoices and bank, facts dated by the as-of date). The benchmark times it
 * against the batch path, and a test checks both give the same values.
 */
import { addMonths, monthIndex } from '../src/domain/period.ts';

export const SQL_FEATURES = [
  'vat_sales_3m', 'vat_sales_6m', 'vat_sales_12m', 'vat_sales_24m', 'vat_tax_paid_12m', 'vat_burden_12m', 'vat_sales_growth_yoy',
  'inv_sales_12m', 'inv_purchases_12m', 'inv_customers_12m', 'inv_top1_customer_share_12m', 'inv_customer_hhi_12m', 'inv_red_ratio_12m',
  'bank_inflow_12m', 'bureau_inquiries_6m', 'court_open_defendant_cases',
] as const;

/** SQL over views named after the entities (see attachDataset) giving creditCode and SQL_FEATURES. */
export function featuresSql(asOf: string): string {
  const d = `'${asOf}'`;
  const asOfMonth = monthIndex(asOf.slice(0, 7));
  const first = asOfMonth - 30;
  const midx = (c: string) => `((CAST(substr(${c}, 1, 4) AS INTEGER) - 1970) * 12 + CAST(substr(${c}, 6, 2) AS INTEGER) - 1)`;
  const invoiceFrom = `'${addMonths(asOf.slice(0, 7), -12)}-01'`;
  return `
WITH latest AS (
  SELECT * FROM vatReturns WHERE filedDate <= ${d}
  QUALIFY row_number() OVER (PARTITION BY creditCode, periodStart ORDER BY revision DESC) = 1),
spread AS (
  SELECT creditCode, unnest(range(${midx('periodStart')}, ${midx('periodEnd')} + 1)) AS m,
    (taxableSalesFen + exemptSalesFen)::DOUBLE / (${midx('periodEnd')} - ${midx('periodStart')} + 1) AS sales,
    taxPaidFen::DOUBLE / (${midx('periodEnd')} - ${midx('periodStart')} + 1) AS paid,
    taxPayableFen::DOUBLE / (${midx('periodEnd')} - ${midx('periodStart')} + 1) AS payable
  FROM latest),
vat_months AS (SELECT creditCode, m, sum(sales) AS sales, sum(paid) AS paid, sum(payable) AS payable FROM spread WHERE m >= ${first} AND m < ${asOfMonth} GROUP BY ALL),
vat AS (
  SELECT creditCode,
    sum(sales) FILTER (WHERE m > last - 3) AS vat_sales_3m, sum(sales) FILTER (WHERE m > last - 6) AS vat_sales_6m,
    sum(sales) FILTER (WHERE m > last - 12) AS vat_sales_12m, sum(sales) FILTER (WHERE m > last - 24) AS vat_sales_24m,
    sum(paid) FILTER (WHERE m > last - 12) AS vat_tax_paid_12m,
    sum(payable) FILTER (WHERE m > last - 12) AS payable_12m,
    sum(sales) FILTER (WHERE m BETWEEN last - 23 AND last - 12) AS prior_12m,
    count(*) FILTER (WHERE m BETWEEN last - 23 AND last - 12) AS prior_months
  FROM (SELECT *, max(m) OVER (PARTITION BY creditCode) AS last FROM vat_months) GROUP BY creditCode),
inv AS (SELECT * FROM invoices WHERE status <> 'void' AND issueDate >= ${invoiceFrom} AND issueDate < '${asOf.slice(0, 7)}-01' AND issueDate <= ${d}),
pairs AS (SELECT sellerCode AS creditCode, buyerCode, sum(amountFen)::DOUBLE AS amount FROM inv GROUP BY ALL),
concentration AS (
  SELECT creditCode, count(*) FILTER (WHERE amount > 0) AS customers, max(amount) FILTER (WHERE amount > 0) AS top,
    sum(amount) FILTER (WHERE amount > 0) AS positive, sum(amount * amount) FILTER (WHERE amount > 0) AS squares
  FROM pairs GROUP BY creditCode),
sales AS (SELECT sellerCode AS creditCode, sum(amountFen)::DOUBLE AS net, sum(-amountFen) FILTER (WHERE status = 'red') AS red,
    sum(amountFen) FILTER (WHERE status = 'normal') AS gross FROM inv GROUP BY ALL),
purchases AS (SELECT buyerCode AS creditCode, sum(amountFen)::DOUBLE AS net FROM inv GROUP BY ALL),
bank AS (SELECT creditCode, sum(inflowFen)::DOUBLE AS inflow FROM bankMonths
  WHERE month >= '${addMonths(asOf.slice(0, 7), -12)}' AND month < '${asOf.slice(0, 7)}' GROUP BY ALL),
bureau AS (SELECT creditCode, inquiries6m FROM bureauReports WHERE reportDate <= ${d}
  QUALIFY row_number() OVER (PARTITION BY creditCode ORDER BY reportDate DESC) = 1),
court AS (SELECT creditCode, count(*) AS open_cases FROM courtCases
  WHERE role = 'defendant' AND filedDate <= ${d} AND (closedDate IS NULL OR closedDate > ${d}) GROUP BY ALL)
SELECT e.creditCode,
  vat.vat_sales_3m, vat.vat_sales_6m, vat.vat_sales_12m, vat.vat_sales_24m, vat.vat_tax_paid_12m,
  CASE WHEN vat.vat_sales_12m > 0 THEN vat.payable_12m / vat.vat_sales_12m END AS vat_burden_12m,
  CASE WHEN vat.prior_months > 0 AND vat.prior_12m > 0 THEN vat.vat_sales_12m / vat.prior_12m - 1 END AS vat_sales_growth_yoy,
  coalesce(sales.net, 0) AS inv_sales_12m, coalesce(purchases.net, 0) AS inv_purchases_12m, coalesce(concentration.customers, 0) AS inv_customers_12m,
  concentration.top / concentration.positive AS inv_top1_customer_share_12m, concentration.squares / (concentration.positive * concentration.positive) AS inv_customer_hhi_12m,
  CASE WHEN sales.gross > 0 THEN coalesce(sales.red, 0) / sales.gross END AS inv_red_ratio_12m,
  bank.inflow AS bank_inflow_12m, bureau.inquiries6m AS bureau_inquiries_6m, coalesce(court.open_cases, 0) AS court_open_defendant_cases
FROM enterprises e
LEFT JOIN vat USING (creditCode) LEFT JOIN sales USING (creditCode) LEFT JOIN purchases USING (creditCode)
LEFT JOIN concentration USING (creditCode) LEFT JOIN bank USING (creditCode) LEFT JOIN bureau USING (creditCode) LEFT JOIN court USING (creditCode)
ORDER BY e.creditCode`;
}
