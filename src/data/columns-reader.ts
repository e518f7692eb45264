/**
 * Reads a query's result into typed columns. Numeric columns are copied straight from DuckDB's typed vectors
 * (their `items`), with no per-value conversion; the query must not yield NULL in them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export type ColumnKind = 'i32' | 'f64' | 'u8' | 'str';
export type TypedColumn = Int32Array | Float64Array | Uint8Array | string[];
export type ColumnsOf<K extends Record<string, ColumnKind>> = {
  [N in keyof K]: K[N] extends 'i32' ? Int32Array : K[N] extends 'f64' ? Float64Array : K[N] extends 'u8' ? Uint8Array : string[];
};

/** Columns of `sql`, in the order and with the kinds of `kinds` (DuckDB types INTEGER, DOUBLE, UTINYINT, VARCHAR). */
export async function readColumns<K extends Record<string, ColumnKind>>(connection: DuckDBConnection, sql: string, kinds: K): Promise<ColumnsOf<K> & { rows: number }> {
  const entries = Object.entries(kinds);
  const result = await connection.stream(sql);
  const chunks: (ArrayLike<number> | string[])[][] = [];
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunks.push(entries.map(([, kind], c) => (kind === 'str'
      ? (chunk.getColumnValues(c) as string[])
      : (chunk.getColumnVector(c) as unknown as { items: ArrayLike<number> }).items)));
    rows += chunk.rowCount;
  }
  const columns: Record<string, TypedColumn> = {};
  entries.forEach(([name, kind], c) => {
    if (kind === 'str') {
      columns[name] = chunks.flatMap((chunk) => chunk[c] as string[]);
      return;
    }
    const out = kind === 'i32' ? new Int32Array(rows) : kind === 'f64' ? new Float64Array(rows) : new Uint8Array(rows);
    let offset = 0;
    for (const chunk of chunks) {
      const values = chunk[c] as ArrayLike<number>;
      out.set(values, offset);
      offset += values.length;
    }
    columns[name] = out;
  });
  return { ...(columns as ColumnsOf<K>), rows };
}

/** A small query's rows as plain objects (DuckDB → JS conversion: for summaries and lookups, not bulk data). */
export async function queryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
