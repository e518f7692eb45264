/**
 * The two databases every store test runs on: a fresh, uniquely named PostgreSQL database on the local server
 * (dropped afterwards) and an in-memory PGlite. One instance per test file: PGlite takes about a second to start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { authenticate, createApiKey, createTenant, openStore, type OpenStoreOptions, type Principal, type Store } from '../../src/store/index.ts';
import { sharedDir, temporaryDir } from '../support/shared-dir.ts';

export const POSTGRES_ADMIN_URL = process.env.PUHUI_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type BackendName = 'postgres' | 'pglite';
export const BACKENDS: readonly BackendName[] = ['postgres', 'pglite'];

export interface TestDatabase { url: string; name: string; drop(): Promise<void> }

/** Creates an empty PostgreSQL database named for this test run; drop() removes it even with sessions open. */
export async function createPostgresDatabase(label: string): Promise<TestDatabase> {
  const name = `puhui_test_${label}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A settable clock: tests move time forward to expire consents and run retention. */
export class TestClock {
  private ms: number;
  constructor(start = '2026-03-01T09:00:00.000Z') { this.ms = Date.parse(start); }
  readonly now = (): string => { this.ms += 1; return new Date(this.ms).toISOString(); };
  advanceDays(days: number): void { this.ms += days * 86_400_000; }
  set(iso: string): void { this.ms = Date.parse(iso); }
}

export interface OpenedStore { store: Store; clock: TestClock; close(): Promise<void> }

/**
 * A fresh PGlite data folder, already migrated. Creating a PGlite database (initdb in WebAssembly) takes seconds,
 * reopening one a fraction of that: the first test process builds a migrated template in the temp folder, keyed by
 * the PGlite version and the store's sources (the migrations of every area live in src/store), and every test
 * copies it. Other processes wait for the one building it rather than build it too.
 */
export async function pgliteDataDir(): Promise<{ dir: string; remove(): void }> {
  const template = await sharedDir(`puhui-pglite-template-${storeSourceKey()}`, async (building) => {
    const store = await openStore({ dataDir: building });
    await store.close();
  }, tmpdir());
  const dir = join(temporaryDir('pglite'), 'data');
  cpSync(template, dir, { recursive: true });
  return { dir, remove: () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

function storeSourceKey(): string {
  const hash = createHash('sha256');
  hash.update(JSON.parse(readFileSync(fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)), 'utf8')).version);
  const storeDir = fileURLToPath(new URL('../../src/store/', import.meta.url));
  for (const file of readdirSync(storeDir).filter((f) => f.endsWith('.ts')).sort()) hash.update(`\n${file}\n`).update(readFileSync(join(storeDir, file)));
  return hash.digest('hex').slice(0, 16);
}

export async function openTestStore(backend: BackendName, label: string, options: Partial<OpenStoreOptions> = {}): Promise<OpenedStore> {
  const clock = new TestClock();
  if (backend === 'pglite') {
    const data = await pgliteDataDir();
    const store = await openStore({ dataDir: data.dir, clock: clock.now, ...options });
    return { store, clock, close: async () => { await store.close(); data.remove(); } };
  }
  const database = await createPostgresDatabase(label);
  const store = await openStore({ databaseUrl: database.url, clock: clock.now, ...options });
  return { store, clock, close: async () => { await store.close(); await database.drop(); } };
}

/** A valid credit code (both check characters right) numbered n, in Xiamen's division. */
export function creditCode(n: number): string {
  const body = n.toString().padStart(8, '0');
  return composeCreditCode('91', '350200', body);
}

/** A valid invoice row (the import's column specs) numbered n, from seller to buyer. */
export function invoiceRow(n: number, sellerCode: string, buyerCode: string, amountFen = 100_000 + n): Record<string, unknown> {
  return {
    invoiceNumber: `2435${n.toString().padStart(16, '0')}`, sellerCode, buyerCode, issueDate: '2026-01-15',
    amountFen, taxFen: Math.round(amountFen * 0.13), taxRateBps: 1300, kind: 'special', status: 'normal',
    originalInvoiceNumber: null, goodsCategory: '51',
  };
}

/** The big batch of the SIGKILL test: n valid invoices between two firms, the same rows in every process. */
export function bigInvoiceBatch(n: number): Record<string, unknown>[] {
  const seller = creditCode(7_001);
  const buyer = creditCode(7_002);
  return Array.from({ length: n }, (_, i) => invoiceRow(500_000 + i, seller, buyer));
}

/** A new tenant of `kind` with an API key of its own role, authenticated: the principal its requests act as. */
export async function principalOf(store: Store, kind: Principal['tenantKind'], name: string, code?: string): Promise<Principal> {
  const tenant = await createTenant(store, { kind, name, ...(code ? { creditCode: code } : {}) });
  const principal = await authenticate(store, (await createApiKey(store, tenant.id, kind)).key);
  if (!principal) throw new Error(`the key just created for ${name} does not authenticate`);
  return principal;
}
