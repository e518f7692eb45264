/** Loads the invoice network of a dataset as of a date, over a window of months, through DuckDB. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { addMonths, monthIndex } from '../domain/period.ts';
import { quoteText, sqlDayNumber, sqlMonthIndex } from '../data/sql-checks.ts';
import { readColumns } from '../data/columns-reader.ts';
import { popcount } from './cycles.ts';
import { buildNetwork, type EdgeList, type InvoiceList, type InvoiceNetwork, WINDOW_MONTHS_MAX } from './network.ts';

export interface LoadedNetwork {
  network: InvoiceNetwork;
  /** Credit code of each node, in node order (sorted codes). */
  codes: string[];
  nodeOf: Map<string, number>;
  windowStartMonth: string;
  windowMonths: number;
  /** Months of the window (as-of month included) in which any invoice was issued. */
  monthsWithInvoices: number;
}

/**
 * Nodes are the enterprises of the dataset; edges aggregate the invoices (net of red-letter reversals,
 * without voids) issued from the first day of the month `windowMonths` months before the as-of month to the
 * as-of date itself, the as-of month's own invoices included. Bit k of an edge's month mask is the k-th
 * month of the window (bit windowMonths is the as-of month). Each edge keeps its normal (not red, not void)
 * invoices for ring evidence. Without an invoices file the network has no edges.
 */
export async function loadNetwork(connection: DuckDBConnection, asOf: string, windowMonths: number, hasInvoices = true): Promise<LoadedNetwork> {
  if (!(windowMonths >= 1 && windowMonths <= WINDOW_MONTHS_MAX)) throw new RangeError(`window must be 1..${WINDOW_MONTHS_MAX} months`);
  const windowStartMonth = addMonths(asOf.slice(0, 7), -windowMonths);
  const startIndex = monthIndex(windowStartMonth);
  const ids = await readColumns(connection, `SELECT creditCode FROM enterprises ORDER BY creditCode`, { creditCode: 'str' });
  const nodeOf = new Map(ids.creditCode.map((code, k) => [code, k]));
  const empty = { network: buildNetwork(ids.rows, emptyEdges(), emptyInvoices()), codes: ids.creditCode, nodeOf, windowStartMonth, windowMonths, monthsWithInvoices: 0 };
  if (!hasInvoices) return empty;
  await connection.run(`CREATE OR REPLACE TEMP TABLE node_ids AS SELECT creditCode, (row_number() OVER (ORDER BY creditCode) - 1)::INTEGER AS id FROM enterprises`);
  const month = `(${sqlMonthIndex('issueDate')} - ${startIndex})`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE window_invoices AS SELECT s.id AS source, b.id AS target, amountFen, status, issueDate, ${month} AS month
    FROM invoices JOIN node_ids s ON s.creditCode = sellerCode JOIN node_ids b ON b.creditCode = buyerCode
    WHERE status <> 'void' AND issueDate >= ${quoteText(`${windowStartMonth}-01`)} AND issueDate <= ${quoteText(asOf)}`);
  const edges = await readColumns(connection, `SELECT source, target, sum(amountFen)::DOUBLE, count(*)::INTEGER,
      min(${sqlDayNumber('issueDate')}), max(${sqlDayNumber('issueDate')}), bit_or((1 << month)::INTEGER)::INTEGER
    FROM window_invoices GROUP BY ALL`, { source: 'i32', target: 'i32', amountFen: 'f64', count: 'i32', firstDay: 'i32', lastDay: 'i32', monthMask: 'i32' });
  const invoices = await readColumns(connection, `SELECT source, target, amountFen::DOUBLE, month::INTEGER FROM window_invoices WHERE status = 'normal' AND amountFen > 0`,
    { source: 'i32', target: 'i32', amountFen: 'f64', month: 'i32' });
  await connection.run('DROP TABLE window_invoices');
  const network = buildNetwork(ids.rows, edges, { source: invoices.source, target: invoices.target, amountFen: invoices.amountFen, month: Uint8Array.from(invoices.month) });
  let months = 0;
  for (let e = 0; e < network.edgeCount; e++) months |= network.monthMask[e]!;
  return { ...empty, network, monthsWithInvoices: popcount(months) };
}

function emptyEdges(): EdgeList {
  return { source: new Int32Array(0), target: new Int32Array(0), amountFen: new Float64Array(0), count: new Int32Array(0), firstDay: new Int32Array(0), lastDay: new Int32Array(0), monthMask: new Int32Array(0) };
}

function emptyInvoices(): InvoiceList {
  return { source: new Int32Array(0), target: new Int32Array(0), amountFen: new Float64Array(0), month: new Uint8Array(0) };
}
