/**
 * Reads everything a dataset knows about one enterprise into a Dossier, from CSV or Parquet files,
 * through DuckDB. CSV text is cast with the same typed projection the importer uses.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ENTITIES } from '../domain/entities.ts';
import type { EntityName, EntitySpec } from '../domain/columns.ts';
import type { Dossier } from '../domain/dossier.ts';
import { datasetFiles, DatasetError, type DatasetFile } from './layout.ts';
import { quoteText, typedProjectionSql } from './sql-checks.ts';

export { DatasetError };

/**
 * Creates one typed view per entity file (named after the entity). CSV text is cast with the importer's
 * typed projection; rows that would not cast are skipped (an imported dataset has none).
 */
export async function attachDataset(connection: DuckDBConnection, files: readonly DatasetFile[]): Promise<void> {
  for (const file of files) {
    const spec = ENTITIES[file.entity] as unknown as EntitySpec;
    const source = file.format === 'csv'
      ? `(SELECT ${typedProjectionSql(spec, 'TRY_CAST')} FROM read_csv(${quoteText(file.path)}, all_varchar = true, header = true, ignore_errors = true))`
      : `read_parquet(${quoteText(file.path)})`;
    await connection.run(`CREATE OR REPLACE VIEW ${file.entity} AS SELECT * FROM ${source}`);
  }
}

/** One open dataset; keep it for many lookups, close it when done. */
export class DatasetReader {
  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection, private readonly files: DatasetFile[]) {}

  static async open(dir: string): Promise<DatasetReader> {
    const files = datasetFiles(dir);
    const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
    const connection = await instance.connect();
    await attachDataset(connection, files);
    return new DatasetReader(instance, connection, files);
  }

  has(entity: EntityName): boolean {
    return this.files.some((f) => f.entity === entity);
  }

  async records<E extends EntityName>(entity: E, where: string, orderBy: string): Promise<Record<string, unknown>[]> {
    if (!this.has(entity)) return [];
    const reader = await this.connection.runAndReadAll(`SELECT * FROM ${entity} WHERE ${where} ORDER BY ${orderBy}`);
    const spec = ENTITIES[entity] as unknown as EntitySpec;
    return reader.getRowObjectsJS().map((row) => toRecord(spec, row as Record<string, unknown>));
  }

  async dossier(creditCode: string): Promise<Dossier> {
    const code = quoteText(creditCode);
    const [enterprise] = await this.records('enterprises', `creditCode = ${code}`, 'creditCode');
    if (!enterprise) throw new DatasetError(`no enterprise with credit code ${creditCode} in this dataset`);
    const by = `creditCode = ${code}`;
    return {
      enterprise: enterprise as Dossier['enterprise'],
      vatReturns: (await this.records('vatReturns', by, 'periodStart, revision')) as Dossier['vatReturns'],
      citReturns: (await this.records('citReturns', by, 'year, revision')) as Dossier['citReturns'],
      taxGrades: (await this.records('taxGrades', by, 'year')) as Dossier['taxGrades'],
      salesInvoices: (await this.records('invoices', `sellerCode = ${code}`, 'issueDate, invoiceNumber')) as Dossier['salesInvoices'],
      purchaseInvoices: (await this.records('invoices', `buyerCode = ${code}`, 'issueDate, invoiceNumber')) as Dossier['purchaseInvoices'],
      bankMonths: (await this.records('bankMonths', by, 'month')) as Dossier['bankMonths'],
      bureauReports: (await this.records('bureauReports', by, 'reportDate')) as Dossier['bureauReports'],
      courtCases: (await this.records('courtCases', by, 'filedDate, caseId')) as Dossier['courtCases'],
    };
  }

  /** Any one credit code of the dataset, optionally one with a given label, for demos. */
  async sampleCreditCode(where = 'true'): Promise<string | null> {
    const reader = await this.connection.runAndReadAll(`SELECT creditCode FROM enterprises WHERE ${where} ORDER BY creditCode LIMIT 1`);
    const rows = reader.getRowObjectsJS();
    return rows.length > 0 ? String(rows[0]!.creditCode) : null;
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function toRecord(spec: EntitySpec, row: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(spec.columns)) {
    const value = row[name];
    record[name] = value === null || value === undefined ? null
      : column.kind === 'fen' || column.kind === 'int' ? Number(value)
      : column.kind === 'bool' ? Boolean(value)
      : String(value);
  }
  return record;
}

