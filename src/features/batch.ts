/**
 * `puhui features DIR --as-of D --out FILE`: the feature table of every enterprise of a dataset.
 *
 * DuckDB encodes the dataset once as id-sorted numeric tables (only facts dated by the as-of date, invoices
 * only within the feature window); the main thread reads them shard by shard as typed columns and hands
 * each shard to a worker thread, which computes the very same feature vectors as the online path. Rows
 * stream to a temporary CSV; DuckDB then fills in the industry-relative features from medians over the same
 * as-of date (never from the future) and writes the result as Parquet or CSV, in bounded memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { addMonths } from '../domain/period.ts';
import { attachDataset, datasetFiles, DatasetError } from '../data/index.ts';
import type { EntityName } from '../domain/columns.ts';
import { quoteText, sqlDayNumber, sqlMonthIndex } from '../data/sql-checks.ts';
import { FEATURES, SIZE_BAND_MICRO_BELOW_FEN, SIZE_BAND_SMALL_BELOW_FEN, type FeatureSpec, type FeatureValue, type IndustryReference } from './catalogue.ts';
import { REFERENCE_GROUP_SIZE_MIN, asOfDayOf } from './compute.ts';
import { WINDOW_MONTHS } from './context.ts';
import { computeShard, type ShardRequest, type ShardResult } from './batch-worker.ts';
import { dossiersOfShard, SHARD_TABLES, transferablesOf, type ColumnKind, type Shard, type ShardTableName, type Table } from './shard.ts';
import type { CompactDossier } from './compact.ts';
import { readColumns } from '../data/columns-reader.ts';

export const SHARD_ENTERPRISES = 2_000;
export const WORKERS_MAX = 16;

export interface FeatureBatchOptions {
  datasetDir: string;
  asOf: string;
  outFile: string;
  /** Worker threads; 0 computes on the main thread. Default: the machine's parallelism, at most WORKERS_MAX. */
  workers?: number;
  shardEnterprises?: number;
  onProgress?: (done: number, total: number) => void;
  /** Sees each shard (enterprises in id = credit-code order) before a worker takes its buffers, e.g. to keep the compact dossiers. */
  onShard?: (shard: Shard) => void;
}

export interface FeatureBatchResult { outFile: string; referenceFile: string; enterprises: number; referenceGroups: number; seconds: number }


/** SQL selecting each shard table's columns (in SHARD_TABLES order) as of a date. */
function tableSql(asOf: string): Record<ShardTableName, string> {
  const d = quoteText(asOf);
  const windowStart = quoteText(`${addMonths(asOf.slice(0, 7), -WINDOW_MONTHS)}-01`);
  const invoiceSide = (own: string, other: string) => `SELECT o.id, ${sqlDayNumber('issueDate')}, c.cp, amountFen::DOUBLE,
      (CASE status WHEN 'normal' THEN 0 WHEN 'red' THEN 1 ELSE 2 END)::UTINYINT, (kind = 'special')::UTINYINT
    FROM invoices JOIN ent_ids o ON o.creditCode = ${own} JOIN cp_ids c ON c.code = ${other}
    WHERE issueDate BETWEEN ${windowStart} AND ${d}`;
  return {
    enterprises: `SELECT i.id, creditCode, ${sqlDayNumber('establishedDate')}, industrySection, industryDivision, regionCode, (taxpayerType = 'general')::UTINYINT,
      (creditCode LIKE '92%')::UTINYINT, registeredCapitalFen::DOUBLE, legalRepBirthYear::INTEGER FROM enterprises JOIN ent_ids i USING (creditCode)`,
    vat: `SELECT i.id, ${sqlMonthIndex('periodStart')}, ${sqlMonthIndex('periodEnd')}, revision::INTEGER, taxableSalesFen::DOUBLE, uninvoicedSalesFen::DOUBLE, exemptSalesFen::DOUBLE,
      taxPayableFen::DOUBLE, taxPaidFen::DOUBLE, ${sqlDayNumber('filedDate')}, late::UTINYINT FROM vatReturns JOIN ent_ids i USING (creditCode) WHERE filedDate <= ${d}`,
    cit: `SELECT i.id, year::INTEGER, revision::INTEGER, revenueFen::DOUBLE, ${sqlDayNumber('filedDate')} FROM citReturns JOIN ent_ids i USING (creditCode) WHERE filedDate <= ${d}`,
    grades: `SELECT i.id, year::INTEGER, (CASE grade WHEN 'A' THEN 0 WHEN 'B' THEN 1 WHEN 'M' THEN 2 WHEN 'C' THEN 3 ELSE 4 END)::UTINYINT, ${sqlDayNumber('publishedDate')}
      FROM taxGrades JOIN ent_ids i USING (creditCode) WHERE publishedDate <= ${d}`,
    sales: invoiceSide('sellerCode', 'buyerCode'),
    purchases: invoiceSide('buyerCode', 'sellerCode'),
    bank: `SELECT i.id, ${sqlMonthIndex('month')}, inflowFen::DOUBLE, outflowFen::DOUBLE, endBalanceFen::DOUBLE, topInflowSharePermille::INTEGER
      FROM bankMonths JOIN ent_ids i USING (creditCode) WHERE month < ${quoteText(asOf.slice(0, 7))}`,
    bureau: `SELECT i.id, ${sqlDayNumber('reportDate')}, overdueFen::DOUBLE, worstDpd24m::INTEGER, inquiries3m::INTEGER, inquiries6m::INTEGER, lenderCount::INTEGER,
      outstandingLoanFen::DOUBLE, guaranteesGivenFen::DOUBLE FROM bureauReports JOIN ent_ids i USING (creditCode) WHERE reportDate <= ${d}`,
    court: `SELECT i.id, ${sqlDayNumber('filedDate')}, CASE WHEN closedDate IS NULL THEN -1 ELSE ${sqlDayNumber('closedDate')} END, (role = 'defendant')::UTINYINT, amountFen::DOUBLE,
      dishonestDebtor::UTINYINT FROM courtCases JOIN ent_ids i USING (creditCode) WHERE filedDate <= ${d}`,
  };
}

/** The dataset entity each shard table is read from. */
const SOURCE_ENTITY: Record<ShardTableName, EntityName> = {
  enterprises: 'enterprises', vat: 'vatReturns', cit: 'citReturns', grades: 'taxGrades', sales: 'invoices', purchases: 'invoices',
  bank: 'bankMonths', bureau: 'bureauReports', court: 'courtCases',
};

async function prepare(connection: DuckDBConnection, datasetDir: string, asOf: string): Promise<number> {
  const files = datasetFiles(datasetDir);
  if (!files.some((f) => f.entity === 'enterprises')) throw new DatasetError(`${datasetDir} is not a dataset: it has no enterprises file`);
  await attachDataset(connection, files);
  const present = new Set(files.map((f) => f.entity));
  await connection.run(`CREATE TABLE ent_ids AS SELECT creditCode, (row_number() OVER (ORDER BY creditCode) - 1)::INTEGER AS id FROM enterprises`);
  await connection.run(present.has('invoices')
    ? `CREATE TABLE cp_ids AS SELECT code, (row_number() OVER (ORDER BY code) - 1)::INTEGER AS cp FROM (SELECT sellerCode AS code FROM invoices UNION SELECT buyerCode FROM invoices)`
    : `CREATE TABLE cp_ids (code VARCHAR, cp INTEGER)`);
  const sql = tableSql(asOf);
  for (const name of Object.keys(SHARD_TABLES) as ShardTableName[]) {
    const columns = Object.keys(SHARD_TABLES[name]);
    const source = present.has(SOURCE_ENTITY[name]) ? sql[name] : emptyOf(name); // a dataset may lack an entity
    await connection.run(`CREATE TABLE f_${name} AS SELECT * FROM (${source}) t(${columns.join(', ')}) ORDER BY id`);
  }
  const [row] = (await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM ent_ids')).getRowObjectsJS();
  return Number(row!.n);
}

function emptyOf(name: ShardTableName): string {
  const type: Record<ColumnKind, string> = { i32: 'INTEGER', f64: 'DOUBLE', u8: 'UTINYINT', str: 'VARCHAR' };
  return `SELECT ${Object.values(SHARD_TABLES[name]).map((kind) => `NULL::${type[kind as ColumnKind]}`).join(', ')} WHERE false`;
}

async function fetchTable(connection: DuckDBConnection, name: ShardTableName, from: number, to: number): Promise<Table> {
  // f_ tables are stored in id order and scans keep insertion order, so no sort is needed (ranges() asserts it).
  const { rows: _rows, ...columns } = await readColumns(connection, `SELECT * FROM f_${name} WHERE id BETWEEN ${from} AND ${to}`, SHARD_TABLES[name]);
  return columns as Table;
}

async function fetchShard(connection: DuckDBConnection, index: number, from: number, to: number): Promise<Shard> {
  const tables = {} as Record<ShardTableName, Table>;
  for (const name of Object.keys(SHARD_TABLES) as ShardTableName[]) tables[name] = await fetchTable(connection, name, from, to);
  return { index, tables };
}

/** Runs shards on worker threads (or inline), keeping at most two shards per worker in flight. */
class ShardPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];

  constructor(count: number) {
    for (let k = 0; k < count; k++) {
      const worker = new Worker(new URL('./batch-worker-entry.js', import.meta.url));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  async run(request: ShardRequest): Promise<ShardResult> {
    if (this.workers.length === 0) return computeShard(request);
    const worker = this.idle.pop() ?? (await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    try {
      return await new Promise<ShardResult>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(request, transferablesOf(request.shard));
      });
    } finally {
      worker.removeAllListeners('error');
      const next = this.waiting.shift();
      if (next) next(worker);
      else this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Appends a shard's results to the feature_rows_raw table, one data chunk (at most 2,048 rows) at a time. */
function appendRows(appender: DuckDBAppender, codes: string[], result: ShardResult): void {
  const width = FEATURES.length;
  const categoryWidth = FEATURES.filter((f) => f.type === 'category').length;
  for (let start = 0; start < result.count; start += CHUNK_ROWS_MAX) {
    const rows = Math.min(CHUNK_ROWS_MAX, result.count - start);
    const chunk = DuckDBDataChunk.create([VARCHAR, ...FEATURES.map((f) => (featureSqlType(f) === 'VARCHAR' ? VARCHAR : DOUBLE))], rows);
    chunk.setColumnValues(0, codes.slice(start, start + rows));
    let c = 0;
    for (let k = 0; k < width; k++) {
      const values: (string | number | null)[] = new Array(rows);
      if (FEATURES[k]!.type === 'category') {
        for (let r = 0; r < rows; r++) values[r] = result.categories[(start + r) * categoryWidth + c] ?? null;
        c++;
      } else {
        for (let r = 0; r < rows; r++) {
          const value = result.numbers[(start + r) * width + k]!;
          values[r] = Number.isNaN(value) ? null : value;
        }
      }
      chunk.setColumnValues(k + 1, values);
    }
    appender.appendDataChunk(chunk);
  }
}

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS_MAX = 2048;

export async function computeFeatureTable(options: FeatureBatchOptions): Promise<FeatureBatchResult> {
  const started = performance.now();
  const asOfDay = asOfDayOf(options.asOf);
  const format = extname(options.outFile).toLowerCase() === '.csv' ? 'csv' : 'parquet';
  const work = mkdtempSync(join(tmpdir(), 'puhui-features-'));
  const instance = await DuckDBInstance.create(join(work, 'work.duckdb'), { threads: '2', memory_limit: '512MB', temp_directory: join(work, 'spill') });
  const connection = await instance.connect();
  const workers = Math.min(WORKERS_MAX, Math.max(0, options.workers ?? Math.min(2, availableParallelism())));
  const pool = new ShardPool(workers);
  try {
    const count = await prepare(connection, options.datasetDir, options.asOf);
    const shardSize = options.shardEnterprises ?? SHARD_ENTERPRISES;
    const shards = Math.ceil(count / shardSize);
    await connection.run(`CREATE TABLE feature_rows_raw (creditCode VARCHAR, ${FEATURES.map((f) => `${f.id} ${featureSqlType(f)}`).join(', ')})`);
    const appender = await connection.createAppender('feature_rows_raw');
    const pending = new Map<number, { codes: string[]; result: Promise<ShardResult> }>();
    let written = 0;
    const flush = async (all: boolean) => {
      while (pending.has(written) && (all || pending.size > Math.max(1, workers) * 2)) {
        const { codes, result } = pending.get(written)!;
        appendRows(appender, codes, await result);
        pending.delete(written);
        written++;
        options.onProgress?.(written, shards);
      }
    };
    for (let index = 0; index < shards; index++) {
      const shard = await fetchShard(connection, index, index * shardSize, (index + 1) * shardSize - 1);
      const codes = [...(shard.tables.enterprises.code as string[])];
      options.onShard?.(shard);
      pending.set(index, { codes, result: pool.run({ shard, asOfDay }) });
      await flush(false);
    }
    await flush(true);
    appender.closeSync();
    const referenceGroups = await writeOutput(connection, options, format);
    return { outFile: options.outFile, referenceFile: referenceFileOf(options.outFile), enterprises: count, referenceGroups, seconds: (performance.now() - started) / 1000 };
  } finally {
    await pool.close();
    connection.closeSync();
    instance.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Every enterprise's compact dossier as the batch sees it as of a date (facts dated by then, invoices within
 * the feature window before it), for callers that evaluate many earlier dates over the same dossiers
 * (post-loan monitoring): the context reads only facts dated by its own as-of day, so point-in-time holds.
 */
export async function readCompactDossiers(datasetDir: string, asOf: string): Promise<{ codes: string[]; dossiers: CompactDossier[] }> {
  asOfDayOf(asOf);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
  const connection = await instance.connect();
  try {
    const count = await prepare(connection, datasetDir, asOf);
    const codes: string[] = [];
    const dossiers: CompactDossier[] = [];
    for (let from = 0; from < count; from += SHARD_ENTERPRISES) {
      const shard = await fetchShard(connection, from / SHARD_ENTERPRISES, from, from + SHARD_ENTERPRISES - 1);
      codes.push(...(shard.tables.enterprises.code as string[]));
      dossiers.push(...dossiersOfShard(shard));
    }
    return { codes, dossiers };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** DuckDB `columns = {…}` body for reading a feature table from CSV with the catalogue's types. */
export function featureColumnTypesSql(): string {
  return [`'creditCode': 'VARCHAR'`, ...FEATURES.map((f) => `'${f.id}': '${featureSqlType(f)}'`)].join(', ');
}

/** How a feature is stored in a table: categories as text, everything else as a double (NULL when missing). */
export function featureSqlType(feature: Pick<FeatureSpec, 'type'>): 'VARCHAR' | 'DOUBLE' {
  return feature.type === 'category' ? 'VARCHAR' : 'DOUBLE';
}

/** A value read back from a feature table (DuckDB gives numbers, bigints, strings or null) as a feature value. */
export function featureValueOf(value: unknown): FeatureValue {
  return value === null || value === undefined ? null : typeof value === 'number' || typeof value === 'bigint' ? Number(value) : String(value);
}

/** A feature table as a DuckDB source: Parquet as it is, CSV with the catalogue's column types. */
export function featureTableSource(path: string): string {
  return path.toLowerCase().endsWith('.csv') ? `read_csv(${quoteText(path)}, header = true, columns = {${featureColumnTypesSql()}})` : `read_parquet(${quoteText(path)})`;
}

export function referenceFileOf(outFile: string): string {
  return `${outFile.replace(/\.(csv|parquet)$/i, '')}.reference.json`;
}

/** The industry reference written beside a feature table, for computing one enterprise's features online. */
export function readIndustryReference(featureFile: string): IndustryReference {
  const file = JSON.parse(readFileSync(referenceFileOf(featureFile), 'utf8')) as { asOf: string; groups: { group: string; vatBurdenMedian: number }[] };
  return { asOf: file.asOf, vatBurdenMedian: new Map(file.groups.map((g) => [g.group, g.vatBurdenMedian])) };
}

/** Fills the industry-relative feature from same-date medians and writes the table and its reference. */
async function writeOutput(connection: DuckDBConnection, options: FeatureBatchOptions, format: 'csv' | 'parquet'): Promise<number> {
  // The reference group of each firm, as referenceGroup() in catalogue.ts computes it online.
  const group = `industry_section || '|' || CASE taxpayer_general WHEN 1 THEN 'general' ELSE 'small_scale' END || '|' ||
    CASE WHEN vat_sales_12m < ${SIZE_BAND_MICRO_BELOW_FEN} THEN 'micro' WHEN vat_sales_12m < ${SIZE_BAND_SMALL_BELOW_FEN} THEN 'small' ELSE 'medium' END`;
  await connection.run(`CREATE TABLE reference AS SELECT ${group} AS grp, count(vat_burden_12m) AS n, median(vat_burden_12m) AS burden
    FROM feature_rows_raw WHERE vat_burden_12m IS NOT NULL GROUP BY ALL HAVING count(vat_burden_12m) >= ${REFERENCE_GROUP_SIZE_MIN}`);
  const columns = ['r.creditCode', ...FEATURES.map((f) => (f.id === 'vat_burden_dev_industry'
    ? 'r.vat_burden_12m - reference.burden AS vat_burden_dev_industry' : `r.${f.id}`))];
  await connection.run(`COPY (SELECT ${columns.join(', ')} FROM feature_rows_raw r LEFT JOIN reference ON reference.grp = ${group} ORDER BY r.creditCode)
    TO ${quoteText(options.outFile)} (FORMAT ${format === 'csv' ? 'csv, HEADER' : 'parquet, COMPRESSION zstd'})`);
  const groups = (await connection.runAndReadAll('SELECT grp, n, burden FROM reference ORDER BY grp')).getRowObjectsJS();
  writeFileSync(referenceFileOf(options.outFile), JSON.stringify({
    asOf: options.asOf, description: 'Median VAT burden (vat_burden_12m) by industry section | taxpayer type | size band, from the same dataset as of the same date',
    groups: groups.map((g) => ({ group: String(g.grp), enterprises: Number(g.n), vatBurdenMedian: Number(g.burden) })),
  }, null, 2) + '\n');
  return groups.length;
}

