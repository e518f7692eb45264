/**
 * `puhui import`: validates every row of a dataset folder and writes the valid ones to a target dataset
 * (Parquet, one file per entity), merging with what the target already holds. Rejected rows go to
 * `quarantine/<entity>.csv` with file, line, column, message and value. Nothing valid is lost, nothing is
 * dropped silently, and importing the same data twice changes nothing.
 *
 * All bulk work runs inside DuckDB (an on-disk temporary database with a memory limit), so the process's
 * memory stays flat however large the files are: rows never travel through JavaScript.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ENTITIES } from '../domain/entities.ts';
import type { EntityName, EntitySpec } from '../domain/columns.ts';
import { entityFilesIn, entityFilePath, MANIFEST_FILE, readManifest, type DatasetFile, type DatasetManifest } from './layout.ts';
import { columnProblemSql, keySql, quoteIdent, quoteText, typedProjectionSql } from './sql-checks.ts';
import { queryRows } from './columns-reader.ts';

/** Entities in the order their references need: targets before the rows that point at them. */
export const IMPORT_ORDER: readonly EntityName[] = [
  'enterprises', 'invoices', 'vatReturns', 'citReturns', 'taxGrades', 'bankMonths', 'bureauReports', 'courtCases', 'labels',
];
export const QUARANTINE_DIR = 'quarantine';
const MEMORY_LIMIT = '512MB';

export interface ImportOptions {
  sourceDir: string;
  targetDir: string;
  /** Accept invoices whose seller or buyer is a valid code outside the dataset (one side must be known). */
  allowExternalCounterparties?: boolean;
  onProgress?: (entity: EntityName, done: number, total: number) => void;
}

export interface EntityImportSummary {
  entity: EntityName;
  file: string;
  rowsRead: number;
  rowsValid: number;
  rowsAdded: number;
  rowsUnchanged: number;
  rowsRejected: number;
  /** Rejections by message, most frequent first. */
  reasons: { column: string; message: string; rows: number }[];
  /** A problem with the file as a whole (no rows were read). */
  fileError: string | null;
}

export interface ImportSummary {
  sourceDir: string;
  targetDir: string;
  entities: EntityImportSummary[];
  unknownFiles: string[];
  /**
   * Why the import did not make a usable dataset, naming the first file at fault (one that could not be read,
   * or whose every row was rejected): the rows of later files that refer to it are rejected in turn. Null when
   * every file went in; then the manifest is written and the dataset is complete.
   */
  rootCause: string | null;
}

/** The lock file that serialises imports into one folder; it holds the importing process's id. */
export const IMPORT_LOCK_FILE = '.import.lock';

export class ImportError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'import');
  }
}

export async function importDataset(options: ImportOptions): Promise<ImportSummary> {
  const sourceDir = resolve(options.sourceDir);
  const targetDir = resolve(options.targetDir);
  if (!existsSync(sourceDir)) throw new ImportError(`source folder ${sourceDir} does not exist`);
  if (!statSync(sourceDir).isDirectory()) throw new ImportError(`source ${sourceDir} is a file; give the folder that holds the entity files`);
  if (sourceDir === targetDir) throw new ImportError('the source and the target are the same folder; import into another one');
  const files = entityFilesIn(sourceDir);
  if (files.length === 0) throw new ImportError(`${sourceDir} holds no dataset file (expected e.g. enterprises.csv or invoices.parquet)`);
  const sourceManifest = readManifest(sourceDir);
  prepareTarget(targetDir);
  const releaseLock = acquireImportLock(targetDir);
  const summaries: EntityImportSummary[] = [];
  try {
    // Until every file is in, the target is not a complete dataset: readers refuse it.
    rmSync(join(targetDir, MANIFEST_FILE), { force: true });
    mkdirSync(join(targetDir, QUARANTINE_DIR), { recursive: true });
    const workDir = join(targetDir, '.import-work');
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const instance = await DuckDBInstance.create(join(workDir, 'work.duckdb'), {
      threads: '2', memory_limit: MEMORY_LIMIT, temp_directory: join(workDir, 'spill'), preserve_insertion_order: 'true',
    });
    const connection = await instance.connect();
    try {
      const ordered = IMPORT_ORDER.map((entity) => files.find((f) => f.entity === entity)).filter((f): f is DatasetFile => f !== undefined);
      for (const [index, file] of ordered.entries()) {
        options.onProgress?.(file.entity, index, ordered.length);
        summaries.push(await importEntity(connection, file, targetDir, options.allowExternalCounterparties === true));
      }
      options.onProgress?.(ordered.at(-1)!.entity, ordered.length, ordered.length);
      const rootCause = rootCauseOf(summaries);
      if (rootCause === null) writeFileSync(join(targetDir, MANIFEST_FILE), JSON.stringify(await manifestOf(connection, sourceManifest, targetDir), null, 2) + '\n');
      return { sourceDir, targetDir, entities: summaries, unknownFiles: unknownFilesOf(sourceDir, files), rootCause };
    } finally {
      connection.closeSync();
      instance.closeSync();
      rmSync(workDir, { recursive: true, force: true });
      for (const entity of IMPORT_ORDER) rmSync(`${entityFilePath(targetDir, entity, 'parquet')}.writing`, { force: true });
    }
  } finally {
    releaseLock();
  }
}

/** The target folder exists or can be made, and is writable: checked before any work. */
function prepareTarget(targetDir: string): void {
  if (existsSync(targetDir) && !statSync(targetDir).isDirectory()) throw new ImportError(`--out ${targetDir} is a file, not a folder`);
  const parent = dirname(targetDir);
  if (!existsSync(targetDir) && !existsSync(parent)) throw new ImportError(`the folder ${parent} (where --out ${basename(targetDir)} would go) does not exist`);
  try {
    mkdirSync(targetDir, { recursive: true });
    const probe = join(targetDir, '.write-probe');
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new ImportError(`cannot write into ${targetDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Takes the folder's import lock (created exclusively, holding this process's id) or refuses while another
 * live process holds it. A lock left by a process that died is taken over.
 */
function acquireImportLock(targetDir: string): () => void {
  const lockFile = join(targetDir, IMPORT_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && processIsAlive(holder)) {
        throw new ImportError(`another import into ${targetDir} is running (process ${holder}); wait for it to finish, then import again`);
      }
      rmSync(lockFile, { force: true }); // left by an import that died
    }
  }
  throw new ImportError(`cannot take the import lock ${lockFile}`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rootCauseOf(summaries: readonly EntityImportSummary[]): string | null {
  for (const s of summaries) {
    const file = basename(s.file);
    if (s.fileError) return `${file} ${s.fileError}`;
    if (s.rowsRead > 0 && s.rowsValid === 0) {
      const main = s.reasons[0];
      return `every one of the ${s.rowsRead} rows of ${file} was rejected${main ? `, mainly: ${main.column ? `${main.column} ` : ''}${main.message} (${main.rows} rows)` : ''}`;
    }
  }
  return null;
}

/**
 * The target's manifest, written last: the source's own description (generator, dates) with the rows the
 * target now holds per entity and the months its facts cover.
 */
async function manifestOf(connection: DuckDBConnection, source: DatasetManifest | null, targetDir: string): Promise<DatasetManifest> {
  const rowCounts: Partial<Record<EntityName, number>> = {};
  for (const entity of IMPORT_ORDER) {
    const file = entityFilePath(targetDir, entity, 'parquet');
    if (existsSync(file)) rowCounts[entity] = Number((await queryRows(connection, `SELECT count(*) AS n FROM read_parquet(${quoteText(file)})`))[0]!.n);
  }
  const months = await factMonths(connection, targetDir);
  return {
    ...source, format: 'puhui-dataset/1',
    ...(source?.startMonth ? {} : months ? { startMonth: months.first } : {}),
    ...(source?.endMonth ? {} : months ? { endMonth: months.last } : {}),
    rowCounts,
  };
}

/** The first and last month of dated activity (invoices, VAT returns, bank months) in the target. */
async function factMonths(connection: DuckDBConnection, targetDir: string): Promise<{ first: string; last: string } | null> {
  const sources: string[] = [];
  const add = (entity: EntityName, sql: string) => {
    const file = entityFilePath(targetDir, entity, 'parquet');
    if (existsSync(file)) sources.push(sql.replace('$FILE', `read_parquet(${quoteText(file)})`));
  };
  add('invoices', `SELECT substr(min(CAST(issueDate AS VARCHAR)), 1, 7) AS first, substr(max(CAST(issueDate AS VARCHAR)), 1, 7) AS last FROM $FILE`);
  add('vatReturns', `SELECT min(CAST(periodStart AS VARCHAR)) AS first, max(CAST(periodEnd AS VARCHAR)) AS last FROM $FILE`);
  add('bankMonths', `SELECT min(CAST(month AS VARCHAR)) AS first, max(CAST(month AS VARCHAR)) AS last FROM $FILE`);
  if (sources.length === 0) return null;
  const [row] = await queryRows(connection, `SELECT min(first) AS first, max(last) AS last FROM (${sources.join(' UNION ALL ')})`);
  return row && row.first !== null && row.last !== null ? { first: String(row.first), last: String(row.last) } : null;
}

async function importEntity(connection: DuckDBConnection, file: DatasetFile, targetDir: string, allowExternal: boolean): Promise<EntityImportSummary> {
  const spec = ENTITIES[file.entity] as unknown as EntitySpec;
  const summary: EntityImportSummary = {
    entity: file.entity, file: file.path, rowsRead: 0, rowsValid: 0, rowsAdded: 0, rowsUnchanged: 0, rowsRejected: 0, reasons: [], fileError: null,
  };
  const e = file.entity;
  const loaded = await loadRaw(connection, file, spec);
  if (typeof loaded === 'string') {
    summary.fileError = loaded;
    return summary;
  }
  await collectProblems(connection, file, spec, loaded.hasRejects);
  const source: SourceFile = { fileName: basename(file.path), csv: file.format === 'csv' };
  await checkReferences(connection, spec, source, targetDir, allowExternal);
  const target = entityFilePath(targetDir, e, 'parquet');
  await mergeWithTarget(connection, spec, source, target);
  const counts = (await queryRows(connection, `SELECT
      (SELECT count(*) FROM raw_${e}) + (SELECT count(DISTINCT line) FROM structural_${e}) AS read,
      (SELECT count(*) FROM valid_${e}) AS valid,
      (SELECT count(*) FROM added_${e}) AS added,
      (SELECT count(DISTINCT line) FROM problems_${e}) AS rejected`))[0]!;
  summary.rowsRead = Number(counts.read);
  summary.rowsValid = Number(counts.valid);
  summary.rowsAdded = Number(counts.added);
  summary.rowsUnchanged = summary.rowsValid - summary.rowsAdded;
  summary.rowsRejected = Number(counts.rejected);
  summary.reasons = (await queryRows(connection, `SELECT "column", message, count(*) AS n FROM problems_${e} GROUP BY ALL ORDER BY n DESC, "column", message LIMIT 50`))
    .map((r) => ({ column: String(r.column), message: String(r.message), rows: Number(r.n) }));
  const quarantine = join(targetDir, QUARANTINE_DIR, `${e}.csv`);
  if (summary.rowsRejected > 0) {
    await connection.run(`COPY (SELECT file, line, "column", message, value, record FROM problems_${e} ORDER BY line, "column") TO ${quoteText(quarantine)} (HEADER, DELIMITER ',')`);
  } else {
    rmSync(quarantine, { force: true });
  }
  return summary;
}

/** Reads the file as text columns into raw_<entity> (row order kept); structural rejects go to structural_<entity>. */
async function loadRaw(connection: DuckDBConnection, file: DatasetFile, spec: EntitySpec): Promise<{ hasRejects: boolean } | string> {
  const e = file.entity;
  const path = quoteText(file.path);
  const reader = file.format === 'csv'
    ? `read_csv(${path}, all_varchar = true, header = true, auto_detect = true, store_rejects = true, rejects_table = 'rejects_${e}', rejects_scan = 'rejects_scan_${e}', max_line_size = 1048576)`
    : `read_parquet(${path}, file_row_number = true)`;
  let present: string[];
  try {
    present = (await queryRows(connection, `DESCRIBE SELECT * FROM ${reader}`)).map((r) => String(r.column_name));
  } catch (error) {
    return `cannot be read: ${firstLine((error as Error).message)}`;
  }
  const missing = Object.keys(spec.columns).filter((c) => !present.includes(c));
  if (missing.length > 0) return `lacks the column(s) ${missing.join(', ')} (has ${present.join(', ')})`;
  const columns = Object.keys(spec.columns).map((c) => `CAST(${quoteIdent(c)} AS VARCHAR) AS ${quoteIdent(c)}`).join(', ');
  try {
    // Insertion order is the file's order (preserve_insertion_order), so rowid + 1 is the data-row number;
    // a window function would number the rows too, but single-threaded and several times slower.
    if (file.format === 'csv') {
      await connection.run(`CREATE OR REPLACE TABLE raw_load_${e} AS SELECT ${columns} FROM ${reader}`);
      await connection.run(`CREATE OR REPLACE VIEW raw_${e} AS SELECT rowid + 1 AS __row, * FROM raw_load_${e}`);
    } else {
      await connection.run(`CREATE OR REPLACE TABLE raw_${e} AS SELECT file_row_number + 1 AS __row, ${columns} FROM ${reader}`);
    }
  } catch (error) {
    return `cannot be read: ${firstLine((error as Error).message)}`;
  }
  if (file.format === 'csv') {
    await connection.run(`CREATE OR REPLACE TABLE structural_${e} AS SELECT DISTINCT ON (line) line::BIGINT AS line, column_name, error_type, error_message, csv_line FROM rejects_${e} ORDER BY line`);
  } else {
    await connection.run(`CREATE OR REPLACE TABLE structural_${e} (line BIGINT, column_name VARCHAR, error_type VARCHAR, error_message VARCHAR, csv_line VARCHAR)`);
  }
  return { hasRejects: file.format === 'csv' };
}

const STRUCTURAL_MESSAGES: Record<string, string> = {
  'INVALID ENCODING': 'is not valid UTF-8 (convert the file, e.g. iconv -f GBK -t UTF-8)',
  'MISSING COLUMNS': 'has too few fields (truncated or misaligned row)',
  'TOO MANY COLUMNS': 'has too many fields (an unquoted comma?)',
  'UNQUOTED VALUE': 'has a quote in an unquoted field',
  'LINE SIZE OVER MAXIMUM': 'is longer than 1 MiB',
};

/**
 * problems_<entity>: every rejected row with its line, column and message: structural (the CSV reader),
 * column (kind checks), row rules, then duplicate keys among the otherwise valid rows.
 */
async function collectProblems(connection: DuckDBConnection, file: DatasetFile, spec: EntitySpec, csvLines: boolean): Promise<void> {
  const e = file.entity;
  const fileName = quoteText(basename(file.path));
  const lineOf = lineSql(e, csvLines);
  // One pass flags the rows with any column problem; only those are taken apart into (column, message).
  const problemSql = Object.entries(spec.columns).map(([name, column]) => [name, columnProblemSql(name, column)] as const);
  // The same pass casts every row (TRY_CAST, so a bad value cannot fail the statement); bad rows are dropped after.
  await connection.run(`CREATE OR REPLACE TABLE typed_${e} AS
    SELECT __row, coalesce(${problemSql.map(([, sql]) => sql).join(', ')}) IS NOT NULL AS __bad, ${typedProjectionSql(spec, 'TRY_CAST')} FROM raw_${e}`);
  const checks = problemSql.map(([name, sql]) => `{'column': ${quoteText(name)}, 'message': ${sql}, 'value': ${quoteIdent(name)}}`);
  await connection.run(`CREATE OR REPLACE TABLE column_problems_${e} AS
    SELECT __row, unnest(list_filter([${checks.join(', ')}], x -> x.message IS NOT NULL)) AS p
    FROM raw_${e} WHERE __row IN (SELECT __row FROM typed_${e} WHERE __bad)`);
  await connection.run(`DELETE FROM typed_${e} WHERE __bad`);
  await connection.run(`ALTER TABLE typed_${e} DROP COLUMN __bad`);
  const rules = spec.rules.map((rule) => `CASE WHEN coalesce(${rule.sql}, true) THEN NULL ELSE {'column': ${quoteText(rule.column)}, 'message': ${quoteText(rule.message)}, 'value': CAST(${quoteIdent(rule.column)} AS VARCHAR)} END`);
  await connection.run(`CREATE OR REPLACE TABLE rule_problems_${e} AS
    SELECT __row, unnest(list_filter([${rules.length > 0 ? rules.join(', ') : 'NULL'}], x -> x IS NOT NULL)) AS p FROM typed_${e}`);
  await connection.run(`DELETE FROM typed_${e} WHERE __row IN (SELECT __row FROM rule_problems_${e})`);
  await connection.run(`CREATE OR REPLACE TABLE duplicate_rows_${e} AS
    SELECT __row, first_row FROM (SELECT __row, first_value(__row) OVER w AS first_row, row_number() OVER w AS rank FROM typed_${e}
      WINDOW w AS (PARTITION BY ${keySql(spec)} ORDER BY __row)) WHERE rank > 1`);
  await connection.run(`DELETE FROM typed_${e} WHERE __row IN (SELECT __row FROM duplicate_rows_${e})`);
  const keyColumns = spec.key.join(', ');
  await connection.run(`CREATE OR REPLACE TABLE problems_${e} AS
    SELECT ${fileName} AS file, line, coalesce(column_name, '') AS "column",
      coalesce(${caseOf(STRUCTURAL_MESSAGES, 'error_type')}, error_type || ': ' || error_message) AS message, NULL::VARCHAR AS value, csv_line AS record
    FROM structural_${e}
    UNION ALL
    SELECT ${fileName}, ${lineOf} AS line, q.p.column, q.p.message, q.p.value, ${recordSql(spec)} FROM (SELECT * FROM column_problems_${e} UNION ALL SELECT * FROM rule_problems_${e}) q JOIN raw_${e} r USING (__row)
    UNION ALL
    SELECT ${fileName}, ${lineOf}, ${quoteText(spec.key[0]!)}, 'duplicates the key (${keyColumns}) of the row at line ' || (${lineSql(e, csvLines, 'd.first_row')}), NULL, ${recordSql(spec)}
    FROM duplicate_rows_${e} d JOIN raw_${e} r USING (__row)`);
}

/** SQL for the source line of raw row alias `r` (CSV: row k sits on line k + 1, plus earlier rejected lines). */
function lineSql(e: string, csvLines: boolean, rowColumn = 'r.__row'): string {
  return csvLines
    ? `(${rowColumn} + 1 + (SELECT count(*) FROM (SELECT line, row_number() OVER (ORDER BY line) AS j FROM structural_${e}) s WHERE s.line - s.j - 1 < ${rowColumn}))`
    : rowColumn;
}

function recordSql(spec: EntitySpec): string {
  return `concat_ws(',', ${Object.keys(spec.columns).map((c) => `coalesce(r.${quoteIdent(c)}, '')`).join(', ')})`;
}

function caseOf(mapping: Record<string, string>, column: string): string {
  return `CASE ${column} ${Object.entries(mapping).map(([k, v]) => `WHEN ${quoteText(k)} THEN ${quoteText(v)}`).join(' ')} END`;
}

/** Removes rows whose references point nowhere (in this import's valid rows or the target dataset). */
interface SourceFile { fileName: string; csv: boolean }

async function checkReferences(connection: DuckDBConnection, spec: EntitySpec, file: SourceFile, targetDir: string, allowExternal: boolean): Promise<void> {
  const e = spec.name;
  const knownKeys = async (entity: EntityName, column: string) => {
    const parts = [];
    if (await tableExists(connection, `valid_${entity}`)) parts.push(`SELECT ${quoteIdent(column)} AS k FROM valid_${entity}`);
    else if (entity === e) parts.push(`SELECT ${quoteIdent(column)} AS k FROM typed_${e}`);
    const existing = entityFilePath(targetDir, entity, 'parquet');
    if (existsSync(existing)) parts.push(`SELECT ${quoteIdent(column)} AS k FROM read_parquet(${quoteText(existing)})`);
    return parts.length > 0 ? parts.join(' UNION ') : 'SELECT NULL::VARCHAR AS k WHERE false';
  };
  const unknown: { column: string; entity: EntityName; where: string }[] = [];
  for (const reference of spec.references) {
    const targetKey = ENTITIES[reference.entity].key[0]!;
    const keys = await knownKeys(reference.entity, targetKey);
    await connection.run(`CREATE OR REPLACE TEMP TABLE known_${reference.column} AS ${keys}`);
    const missing = `(t.${quoteIdent(reference.column)} IS NOT NULL AND t.${quoteIdent(reference.column)} NOT IN (SELECT k FROM known_${reference.column} WHERE k IS NOT NULL))`;
    unknown.push({ column: reference.column, entity: reference.entity, where: missing });
  }
  const counterparties = spec.references.filter((r) => r.counterparty);
  for (const { column, entity, where } of unknown) {
    const isCounterparty = counterparties.some((r) => r.column === column);
    // With outside counterparties allowed, an invoice is kept while at least one side is a known firm.
    const condition = isCounterparty && allowExternal
      ? `${where} AND ${unknown.filter((u) => u.column !== column && counterparties.some((r) => r.column === u.column)).map((u) => u.where).join(' AND ') || 'true'}`
      : where;
    await connection.run(`INSERT INTO problems_${e}
      SELECT ${quoteText(file.fileName)}, ${lineSql(e, file.csv)}, ${quoteText(column)}, 'refers to no known ${entity} record', t.${quoteIdent(column)}, ${recordSql(spec)}
      FROM typed_${e} t JOIN raw_${e} r USING (__row) WHERE ${condition}`);
    await connection.run(`DELETE FROM typed_${e} t WHERE ${condition}`);
  }
}

async function tableExists(connection: DuckDBConnection, table: string): Promise<boolean> {
  return (await queryRows(connection, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ${quoteText(table)}`))[0]!.n !== 0n;
}

/**
 * valid_<entity> holds the valid rows; rows whose key exists in the target with different content are
 * conflicts (quarantined, the target keeps its record); the rest are added, and the target is rewritten
 * in key order, so the same import twice yields the same bytes.
 */
async function mergeWithTarget(connection: DuckDBConnection, spec: EntitySpec, file: SourceFile, target: string): Promise<void> {
  const e = spec.name;
  const names = Object.keys(spec.columns);
  const columns = names.map(quoteIdent).join(', ');
  const temporary = `${target}.writing`;
  if (!existsSync(target)) {
    await connection.run(`CREATE OR REPLACE VIEW valid_${e} AS SELECT ${columns} FROM typed_${e}`);
    await connection.run(`CREATE OR REPLACE VIEW added_${e} AS SELECT * FROM valid_${e}`);
    await connection.run(`COPY (SELECT * FROM valid_${e} ORDER BY ${keySql(spec)}) TO ${quoteText(temporary)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(temporary, target);
    return;
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE existing_${e} AS SELECT ${columns} FROM read_parquet(${quoteText(target)})`);
  const keyJoin = spec.key.map((k) => `x.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
  const sameRecord = `(${names.map((c) => `x.${quoteIdent(c)}`).join(', ')}) IS NOT DISTINCT FROM (${names.map((c) => `t.${quoteIdent(c)}`).join(', ')})`;
  const existingKey = `x.${quoteIdent(spec.key[0]!)}`;
  // One hash join classifies every incoming row: new key (added), same record (unchanged) or conflict.
  await connection.run(`CREATE OR REPLACE TABLE matched_${e} AS
    SELECT t.*, CASE WHEN ${existingKey} IS NULL THEN 'added' WHEN ${sameRecord} THEN 'unchanged' ELSE 'conflict' END AS __match
    FROM typed_${e} t LEFT JOIN existing_${e} x ON ${keyJoin}`);
  await connection.run(`INSERT INTO problems_${e}
    SELECT ${quoteText(file.fileName)}, ${lineSql(e, file.csv)}, ${quoteText(spec.key[0]!)}, 'conflicts with the record already imported under the same key', NULL, ${recordSql(spec)}
    FROM matched_${e} t JOIN raw_${e} r USING (__row) WHERE t.__match = 'conflict'`);
  await connection.run(`CREATE OR REPLACE TABLE valid_${e} AS SELECT ${columns} FROM matched_${e} WHERE __match <> 'conflict'`);
  await connection.run(`CREATE OR REPLACE VIEW added_${e} AS SELECT ${columns} FROM matched_${e} WHERE __match = 'added'`);
  await connection.run(`COPY (SELECT * FROM existing_${e} UNION ALL SELECT * FROM added_${e} ORDER BY ${keySql(spec)}) TO ${quoteText(temporary)} (FORMAT parquet, COMPRESSION zstd)`);
  renameSync(temporary, target);
}

function unknownFilesOf(sourceDir: string, files: DatasetFile[]): string[] {
  const known = new Set([...files.map((f) => basename(f.path)), MANIFEST_FILE]);
  const entries = existsSync(sourceDir) ? readdirNames(sourceDir) : [];
  return entries.filter((name) => !known.has(name) && /\.(csv|parquet)$/i.test(name));
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir).sort();
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}
