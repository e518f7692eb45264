/**
 * A government whitelist file (issue #13 item 3): CSV with a header, one firm a row, validated by the same column
 * machinery as data import and intake (col specs → zod, validateRows): a bad row is named by its line and field
 * and left out, the valid rows are kept; a file missing a required column, with a ragged row or with no rows is
 * refused whole. DuckDB reads the CSV (every cell as text, strict), so no CSV parsing is written here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { col, defineEntity, type EntityName, type EntitySpec, type RecordOf } from '../domain/columns.ts';
import { FEN_MAX } from '../domain/columns.ts';
import { INDUSTRY_SECTIONS } from '../domain/reference.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { queryRows } from '../data/columns-reader.ts';
import { quoteText } from '../data/sql-checks.ts';
import { duckdbReason } from '../data/table-reader.ts';
import { validateRows, type RejectedRow } from '../store/intake.ts';
import { RATINGS } from './dispatch-model.ts';

export const WHITELIST_ROWS_MAX = 50_000;
export const WHITELIST_CSV_BYTES_MAX = 8 * 1024 * 1024;

const whitelistColumns = {
  creditCode: col.creditCode('Unified social credit code (GB 32100)'),
  name: col.text('Registered name', 200),
  amountFen: col.fen('Financing the firm needs', { min: 1, max: FEN_MAX }),
  termMonths: col.int('Term the firm needs, in months', { min: 1, max: 360 }),
  rating: col.enum('Platform credit rating (A best, D excluded from dispatch)', RATINGS),
  expectedLossBps: col.int('Expected loss (PD × LGD) as a share of the amount, in basis points', { min: 0, max: 10_000 }),
  industrySection: col.enum('GB/T 4754-2017 section (门类)', INDUSTRY_SECTIONS.map((section) => section.code)),
  regionCode: col.region('GB/T 2260 division code of the registration authority'),
};

/**
 * The whitelist's row spec. It is not a dataset entity; the name is only what validateRows reports with, and the
 * spec has no references, so nothing looks it up among the dataset's entities.
 */
export const WHITELIST_SPEC = defineEntity({
  name: 'whitelist' as EntityName,
  description: 'A firm a government department lists for dispatch to banks.',
  columns: whitelistColumns,
  key: ['creditCode'],
  references: [],
  rules: [],
});
export type WhitelistRow = RecordOf<typeof whitelistColumns>;
export const WHITELIST_COLUMNS = Object.keys(whitelistColumns) as (keyof typeof whitelistColumns)[];

export class WhitelistFileError extends PuhuiUserError {
  constructor(message: string) { super(message, 'whitelist_incomplete'); }
}

/** A rejected row, by its line in the file (the header is line 1) and its field. */
export interface WhitelistRejection extends RejectedRow { line: number }

export interface ValidatedWhitelist { rows: WhitelistRow[]; rejected: WhitelistRejection[]; rejectedRows: number; rowCount: number }

const NUMERIC_COLUMNS = new Set(Object.entries(whitelistColumns).filter(([, c]) => c.kind === 'fen' || c.kind === 'int').map(([name]) => name));

/** CSV cells are text; the spec wants numbers for amounts and counts. A cell that is not an integer stays text so zod names it. */
function typedCell(column: string, cell: unknown): unknown {
  if (cell === null || cell === undefined) return undefined;
  const text = String(cell).trim();
  if (text === '') return undefined;
  if (NUMERIC_COLUMNS.has(column) && /^-?\d{1,16}$/.test(text)) return Number(text);
  return text;
}

/** Validates rows already as objects (the JSON form of the upload): the same rules as a file. */
export function validateWhitelistRows(rows: readonly unknown[], lineOffset = 0): ValidatedWhitelist {
  if (rows.length === 0) throw new WhitelistFileError('the whitelist has no rows');
  if (rows.length > WHITELIST_ROWS_MAX) throw new WhitelistFileError(`the whitelist has more than ${WHITELIST_ROWS_MAX} rows`);
  // The spec has no row rules, so widening its record type (rules are contravariant in it) loses nothing.
  const { valid, rejected } = validateRows(WHITELIST_SPEC as unknown as EntitySpec, rows);
  return {
    rows: valid.map((v) => v.record as WhitelistRow),
    rejected: rejected.issues.map((issue) => ({ ...issue, line: issue.row + lineOffset })),
    rejectedRows: rejected.rows.length,
    rowCount: rows.length,
  };
}

/** Reads a whitelist CSV (text) with DuckDB and validates it; refuses the whole file when it is incomplete. */
export async function readWhitelistCsv(csvText: string): Promise<ValidatedWhitelist> {
  if (Buffer.byteLength(csvText, 'utf8') > WHITELIST_CSV_BYTES_MAX) throw new WhitelistFileError(`the whitelist file is larger than ${WHITELIST_CSV_BYTES_MAX} bytes`);
  const dir = mkdtempSync(join(tmpdir(), 'puhui-whitelist-'));
  const path = join(dir, 'whitelist.csv');
  writeFileSync(path, csvText);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let cells: Record<string, unknown>[];
    try {
      cells = await queryRows(connection, `SELECT * FROM read_csv(${quoteText(path)}, header = true, all_varchar = true, strict_mode = true, null_padding = false) LIMIT ${WHITELIST_ROWS_MAX + 1}`);
    } catch (error) {
      throw new WhitelistFileError(`the whitelist file cannot be read as CSV: ${duckdbReason(error)}`);
    }
    const header = cells.length > 0 ? Object.keys(cells[0]!) : [];
    const missing = WHITELIST_COLUMNS.filter((name) => !header.includes(name));
    if (cells.length > 0 && missing.length > 0) throw new WhitelistFileError(`the whitelist file lacks the column(s) ${missing.join(', ')}`);
    const unknown = header.filter((name) => !(WHITELIST_COLUMNS as string[]).includes(name));
    if (unknown.length > 0) throw new WhitelistFileError(`the whitelist file has unknown column(s) ${unknown.join(', ')}`);
    const rows = cells.map((cell) => Object.fromEntries(WHITELIST_COLUMNS.flatMap((name) => {
      const value = typedCell(name, cell[name]);
      return value === undefined ? [] : [[name, value]];
    })));
    // Data rows start on line 2, after the header.
    return validateWhitelistRows(rows, 2);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
