/**
 * Any CSV or Parquet table → typed columns, read by DuckDB (which detects the CSV dialect and each column's
 * type) and copied straight from its vectors: numbers as Float64Array (NaN for a missing value), text as
 * string arrays (null for missing). The caller says how each column is to be read; nothing is guessed from
 * a few values. Bad files end in a `TableError` (one line, naming the file), never in a DuckDB dump.
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { PuhuiUserError } from '../domain/errors.ts';
import { quoteIdent, quoteText } from './sql-checks.ts';

export class TableError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'table');
  }
}

/** How a column can be used: numbers, text-like values (categories), or neither (dates, lists …). */
export type ColumnClass = 'numeric' | 'text' | 'other';

export interface TableColumn { name: string; sqlType: string; columnClass: ColumnClass }

/** How to read a column: as numbers, as categories (text; numbers become their shortest decimal form), as text keys. */
export type ReadAs = 'f64' | 'category';
export type ReadColumn = Float64Array | (string | null)[];

/** Limits: wider or longer tables are refused before any work. */
export const TABLE_COLUMNS_MAX = 5_000;
export const TABLE_ROWS_MAX = 50_000_000;

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/;
const TEXT_TYPES = /^(VARCHAR|BOOLEAN|ENUM\(.*\))$/;

export function columnClassOf(sqlType: string): ColumnClass {
  return NUMERIC_TYPES.test(sqlType) ? 'numeric' : TEXT_TYPES.test(sqlType) ? 'text' : 'other';
}

/** The DuckDB source of a table file, by extension: CSV (and TSV/TXT, dialect detected) or Parquet. */
export function tableFileSource(path: string): string {
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet') return `read_parquet(${quoteText(path)})`;
  if (extension === '.csv' || extension === '.tsv' || extension === '.txt') return `read_csv(${quoteText(path)}, header = true)`;
  throw new TableError(`${path}: give a .csv or .parquet file (a ${extension || 'file without an extension'} cannot be read as a table)`);
}

/** DuckDB's error, first line only, without its internal prefixes. */
export function duckdbReason(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  return message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '').slice(0, 300);
}

/** A table file loaded into an in-memory DuckDB as the table `t`. Close it when done. */
export class TableFile {
  private constructor(readonly path: string, private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection,
    readonly columns: TableColumn[], readonly rows: number) {}

  static async open(path: string): Promise<TableFile> {
    if (!existsSync(path)) throw new TableError(`${path}: no such file`);
    if (statSync(path).isDirectory()) throw new TableError(`${path} is a folder, not a table file`);
    const source = tableFileSource(path);
    const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
    const connection = await instance.connect();
    try {
      // Parsed once into DuckDB's columnar storage: the distinct labels, the counts and the columns are then
      // read from it instead of parsing a CSV again for each.
      await connection.run(`CREATE TABLE t AS SELECT * FROM ${source}`);
      const described = (await connection.runAndReadAll('DESCRIBE t')).getRowObjectsJS();
      const columns = described.map((r) => ({ name: String(r.column_name), sqlType: String(r.column_type), columnClass: columnClassOf(String(r.column_type)) }));
      if (columns.length > TABLE_COLUMNS_MAX) throw new TableError(`${path} has ${columns.length} columns, more than ${TABLE_COLUMNS_MAX}`);
      const rows = Number((await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()[0]!.n);
      if (rows > TABLE_ROWS_MAX) throw new TableError(`${path} has ${rows} rows, more than ${TABLE_ROWS_MAX}`);
      return new TableFile(path, instance, connection, columns, rows);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      if (error instanceof PuhuiUserError) throw error;
      throw new TableError(`${path} cannot be read as a table: ${duckdbReason(error)}`);
    }
  }

  column(name: string): TableColumn | undefined {
    return this.columns.find((c) => c.name === name);
  }

  /** Reads the asked columns of the rows passing `where` (SQL over the table t), in file order. */
  async read(columns: Record<string, ReadAs>, where = 'true'): Promise<{ rows: number; columns: Record<string, ReadColumn> }> {
    try {
      return await readTypedColumns(this.connection, 't', columns, (name) => this.column(name)?.columnClass ?? 'other', where);
    } catch (error) {
      if (error instanceof PuhuiUserError) throw error;
      throw new TableError(`${this.path} cannot be read: ${duckdbReason(error)}`);
    }
  }

  /** Distinct values of a column as text (numbers in their shortest decimal form), with counts, most frequent first. */
  async distinct(name: string, limit: number): Promise<{ value: string | null; rows: number }[]> {
    const column = this.column(name);
    if (!column) throw new TableError(`${this.path} has no column ${name}`);
    const rows = (await this.connection.runAndReadAll(`SELECT ${textSql(quoteIdent(name), column.columnClass)} AS v, count(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`))
      .getRowObjectsJS();
    return rows.map((r) => ({ value: r.v === null ? null : String(r.v), rows: Number(r.n) }));
  }

  /** The first non-missing value of a text column that is not a number, or null if every value is one. */
  async firstNonNumber(name: string): Promise<string | null> {
    const expression = textSql(quoteIdent(name), this.column(name)?.columnClass ?? 'text');
    const rows = (await this.connection.runAndReadAll(`SELECT ${expression} AS v FROM t WHERE ${expression} IS NOT NULL AND TRY_CAST(${expression} AS DOUBLE) IS NULL LIMIT 1`)).getRowObjectsJS();
    return rows.length > 0 ? String(rows[0]!.v) : null;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * A column as text for categories and labels. DuckDB's own number formatting is kept for integer types
 * ('2'); a DOUBLE that holds a whole number is written without '.0', so 2 and 2.0 are one category.
 */
export function textSql(expression: string, columnClass: ColumnClass): string {
  if (columnClass !== 'numeric') return `NULLIF(trim(CAST(${expression} AS VARCHAR)), '')`;
  return `CASE WHEN ${expression} IS NULL THEN NULL WHEN CAST(${expression} AS DOUBLE) = trunc(CAST(${expression} AS DOUBLE)) AND abs(CAST(${expression} AS DOUBLE)) < 1e15
    THEN CAST(CAST(${expression} AS BIGINT) AS VARCHAR) ELSE CAST(CAST(${expression} AS DOUBLE) AS VARCHAR) END`;
}

/**
 * Streams `columns` of `from` chunk by chunk. A numeric column arrives as DuckDB DOUBLE with missing values
 * already NaN, so its vector's items are copied as one block per chunk; text comes as strings.
 */
export async function readTypedColumns(connection: DuckDBConnection, from: string, columns: Record<string, ReadAs>, classOf: (name: string) => ColumnClass, where = 'true'):
  Promise<{ rows: number; columns: Record<string, ReadColumn> }> {
  const entries = Object.entries(columns);
  for (const [name, as] of entries) {
    const columnClass = classOf(name);
    if (columnClass === 'other') throw new TableError(`column ${name} has a type that is neither numbers nor text`);
  }
  if (entries.length === 0) {
    const n = Number((await connection.runAndReadAll(`SELECT count(*) AS n FROM ${from} WHERE ${where}`)).getRowObjectsJS()[0]!.n);
    return { rows: n, columns: {} };
  }
  // Text read as numbers (a CSV column DuckDB typed as text because it is empty, say) goes through TRY_CAST:
  // callers check first that no value fails it (see TableFile.firstNonNumber).
  const select = entries.map(([name, as]) => (as === 'f64'
    ? `COALESCE(${classOf(name) === 'numeric' ? 'CAST' : 'TRY_CAST'}(${quoteIdent(name)} AS DOUBLE), 'NaN'::DOUBLE)`
    : textSql(quoteIdent(name), classOf(name)))).join(', ');
  const result = await connection.stream(`SELECT ${select} FROM ${from} WHERE ${where}`);
  const numericChunks: Float64Array[][] = entries.map(() => []);
  const text: (string | null)[][] = entries.map(() => []);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    entries.forEach(([, as], c) => {
      if (as === 'f64') numericChunks[c]!.push((chunk.getColumnVector(c) as unknown as { items: Float64Array }).items.slice(0, chunk.rowCount));
      else for (const value of chunk.getColumnValues(c)) text[c]!.push(value === null ? null : String(value));
    });
    rows += chunk.rowCount;
  }
  const out: Record<string, ReadColumn> = {};
  entries.forEach(([name, as], c) => {
    if (as !== 'f64') { out[name] = text[c]!; return; }
    const values = new Float64Array(rows);
    let offset = 0;
    for (const part of numericChunks[c]!) { values.set(part, offset); offset += part.length; }
    out[name] = values;
  });
  return { rows, columns: out };
}
