/**
 * Opening the store: PostgreSQL when given a postgres:// URL (or DATABASE_URL), PGlite in a data folder otherwise.
 * Both run the same migrations on open. Every query goes through a driver wrapper that turns "the database is down,
 * refuses or is too slow" into StoreUnavailableError, and the pg pool has connection and statement timeouts, so a
 * sick database gives a prompt, distinct error instead of a hang.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import {
  CamelCasePlugin, Kysely, Migrator, PostgresDialect,
  type DatabaseConnection, type Dialect, type Driver, type QueryCompiler, type TransactionSettings,
} from 'kysely';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';
import { InvalidRequestError, mapStoreError, StoreUnavailableError } from './errors.ts';

export type StoreKind = 'postgres' | 'pglite';

export interface Store {
  db: Kysely<Database>;
  kind: StoreKind;
  /** The store's clock: an ISO-8601 UTC timestamp. Every timestamp the store writes comes from here. */
  now(): string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres://… ; defaults to the DATABASE_URL environment variable. */
  databaseUrl?: string;
  /** PGlite data folder (default ./puhui-data); `memory://` for an in-memory database. */
  dataDir?: string;
  clock?: () => string;
  /** PostgreSQL only. */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  poolSizeMax?: number;
}

export const DEFAULT_DATA_DIR = './puhui-data';
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 10_000;
const POOL_SIZE_MAX = 10;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const PG_INT8_OID = 20;

/** bigint columns (money in fen, counts) read back as JS numbers; a value beyond 2^53 is corruption, not rounding. */
function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`puhui store: integer ${text} is beyond 2^53`);
  return value;
}

export const systemClock = (): string => new Date().toISOString();

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  // An explicit URL wins; DATABASE_URL applies only when no data folder was named.
  const databaseUrl = options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  const usePostgres = databaseUrl !== undefined && databaseUrl !== '';
  if (usePostgres && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new InvalidRequestError(`--database must be a postgres://… URL, got '${databaseUrl.slice(0, 40)}'`, 'usage');
  }
  const { dialect, kind } = usePostgres ? postgresDialect(databaseUrl, options) : pgliteDialect(options.dataDir ?? DEFAULT_DATA_DIR);
  const db = new Kysely<Database>({
    dialect: new UnavailableMappingDialect(dialect),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw mapStoreError(error);
  }
  return {
    db,
    kind,
    now() {
      const at = clock();
      if (!ISO_TIMESTAMP.test(at)) throw new Error(`puhui store: the clock gave '${at}', not an ISO-8601 UTC timestamp`);
      return at;
    },
    close: () => db.destroy(),
  };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { migration: failed });
  }
}

function postgresDialect(url: string, options: OpenStoreOptions): { dialect: Dialect; kind: StoreKind } {
  const statementTimeoutMs = options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSizeMax ?? POOL_SIZE_MAX,
    connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    // The client-side bound: a server that stops answering mid-query (not just a slow statement) still ends.
    query_timeout: statementTimeoutMs + 2_000,
    idle_in_transaction_session_timeout: statementTimeoutMs * 3,
    application_name: 'puhui',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? parseSafeInteger : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', () => undefined);
  return { dialect: new PostgresDialect({ pool }), kind: 'postgres' };
}

function pgliteDialect(dataDir: string): { dialect: Dialect; kind: StoreKind } {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
  const pglite = new PGlite(inMemory ? dataDir : resolve(dataDir), { parsers: { [PG_INT8_OID]: parseSafeInteger } });
  return { dialect: new PGliteDialect(pglite), kind: 'pglite' };
}

/** Delegates to a real dialect; its driver maps connection and timeout failures to StoreUnavailableError. */
class UnavailableMappingDialect implements Dialect {
  constructor(private readonly inner: Dialect) {}
  createAdapter() { return this.inner.createAdapter(); }
  createDriver(): Driver { return new UnavailableMappingDriver(this.inner.createDriver()); }
  createQueryCompiler(): QueryCompiler { return this.inner.createQueryCompiler(); }
  createIntrospector(db: Kysely<any>) { return this.inner.createIntrospector(db); }
}

class MappedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}
  async executeQuery<R>(query: Parameters<DatabaseConnection['executeQuery']>[0]) {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw mapStoreError(error);
    }
  }
  streamQuery<R>(query: Parameters<DatabaseConnection['streamQuery']>[0], chunkSize?: number) {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class UnavailableMappingDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  private static unwrap(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof MappedConnection ? connection.inner : connection;
  }
  private static async mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapStoreError(error);
    }
  }
  init() { return UnavailableMappingDriver.mapped(() => this.inner.init()); }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new MappedConnection(await UnavailableMappingDriver.mapped(() => this.inner.acquireConnection()));
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return UnavailableMappingDriver.mapped(() => this.inner.beginTransaction(UnavailableMappingDriver.unwrap(connection), settings));
  }
  commitTransaction(connection: DatabaseConnection) {
    return UnavailableMappingDriver.mapped(() => this.inner.commitTransaction(UnavailableMappingDriver.unwrap(connection)));
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return UnavailableMappingDriver.mapped(() => this.inner.rollbackTransaction(UnavailableMappingDriver.unwrap(connection)));
  }
  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.savepoint) throw new Error('puhui store: the driver has no savepoints');
    return UnavailableMappingDriver.mapped(() => this.inner.savepoint!(UnavailableMappingDriver.unwrap(connection), name, compile));
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.rollbackToSavepoint) throw new Error('puhui store: the driver has no savepoints');
    return UnavailableMappingDriver.mapped(() => this.inner.rollbackToSavepoint!(UnavailableMappingDriver.unwrap(connection), name, compile));
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.releaseSavepoint) throw new Error('puhui store: the driver has no savepoints');
    return UnavailableMappingDriver.mapped(() => this.inner.releaseSavepoint!(UnavailableMappingDriver.unwrap(connection), name, compile));
  }
  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection(UnavailableMappingDriver.unwrap(connection));
  }
  destroy() { return this.inner.destroy(); }
}

export { StoreUnavailableError };
