/** Loads the invoice network of a dataset as of a date, over a window of months, through DuckDB. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { addMonths, monthIndex } from '../domain/period.ts';
import { quoteText, sqlDayNumber, sqlMonthIndex } from '../data/sql-checks.ts';
import { readColumns } from '../data/columns-reader.ts';
import { buildNetwork, type InvoiceNetwork, WINDOW_MONTHS_MAX } from './network.ts';

export interface LoadedNetwork {
  network: InvoiceNetwork;
  /** Credit code of each node, in node order (sorted codes). */
  codes: string[];
  nodeOf: Map<string, number>;
  windowStartMonth: string;
  windowMonths: number;
}

/**
 * Nodes are the enterprises of the dataset; edges aggregate the invoices (net of red-letter reversals,
 * without voids) issued from the first day of `windowMonths` months before the as-of month to the as-of
 * date itself. Bit k of an edge's month mask is the k-th month of the window.
 */
export async function loadNetwork(connection: DuckDBConnection, asOf: string, windowMonths: number): Promise<LoadedNetwork> {
  if (!(windowMonths >= 1 && windowMonths <= WINDOW_MONTHS_MAX)) throw new RangeError(`window must be 1..${WINDOW_MONTHS_MAX} months`);
  const windowStartMonth = addMonths(asOf.slice(0, 7), -windowMonths);
  const startIndex = monthIndex(windowStartMonth);
  const ids = await readColumns(connection, `SELECT creditCode FROM enterprises ORDER BY creditCode`, { creditCode: 'str' });
  await connection.run(`CREATE OR REPLACE TEMP TABLE node_ids AS SELECT creditCode, (row_number() OVER (ORDER BY creditCode) - 1)::INTEGER AS id FROM enterprises`);
  const month = `(${sqlMonthIndex('issueDate')} - ${startIndex})`;
  const edges = await readColumns(connection, `SELECT s.id, b.id, sum(amountFen)::DOUBLE, count(*)::INTEGER,
      min(${sqlDayNumber('issueDate')}), max(${sqlDayNumber('issueDate')}),
      bit_or((1 << ${month})::INTEGER)::INTEGER
    FROM invoices JOIN node_ids s ON s.creditCode = sellerCode JOIN node_ids b ON b.creditCode = buyerCode
    WHERE status <> 'void' AND issueDate >= ${quoteText(`${windowStartMonth}-01`)} AND issueDate <= ${quoteText(asOf)} AND ${month} < ${windowMonths}
    GROUP BY ALL`, { source: 'i32', target: 'i32', amountFen: 'f64', count: 'i32', firstDay: 'i32', lastDay: 'i32', monthMask: 'i32' });
  const network = buildNetwork(ids.rows, edges);
  return { network, codes: ids.creditCode, nodeOf: new Map(ids.creditCode.map((code, k) => [code, k])), windowStartMonth, windowMonths };
}
