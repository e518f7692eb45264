/**
 * One service per test file on a real store — PGlite in memory, or a PostgreSQL database created for the
 * file and dropped after it — with a small synthetic economy, its snapshot (built once per process) and
 * two complete sets of tenants, side A and side B: a bank, a guarantee fund, a government department and
 * an enterprise each, plus the platform operator. On each side the enterprise has authorised its bank and
 * guarantee fund (an ordinary consent and a bank-statements consent); side B also has a decision, an
 * intake batch and a snapshot job — the records side A must never reach.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { buildService } from '../../src/server/app.ts';
import { SnapshotCatalog } from '../../src/server/snapshots.ts';
import type { ServiceLimits } from '../../src/server/limits.ts';
import { decisionConsentGroups } from '../../src/server/scopes.ts';
import { buildSnapshot, type SnapshotInfo } from '../../src/pipeline/snapshot.ts';
import { DatasetReader } from '../../src/data/index.ts';
import { createApiKey, createTenant, openStore, type Role, type Store } from '../../src/store/index.ts';
import { economy, temporaryDir } from '../support/economy.ts';
import { ratingJobsIdle } from '../../src/platform/rating-job.ts';
import type { FastifyInstance } from 'fastify';

export const POSTGRES_ADMIN_URL = process.env.PUHUI_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ECONOMY_ENTERPRISES = 200;
const TEST_DEADLINE_MS = 60_000;
export type StoreKindUnderTest = 'pglite' | 'postgres';

let snapshotInfo: Promise<{ info: SnapshotInfo; datasetDir: string; codes: string[] }> | null = null;

/** The test economy and its snapshot, built once per process; `codes` are established trading firms. */
export function testSnapshot(): Promise<{ info: SnapshotInfo; datasetDir: string; codes: string[] }> {
  snapshotInfo ??= (async () => {
    const { dir: datasetDir } = economy({ enterprises: ECONOMY_ENTERPRISES });
    const asOf = (await import('../../src/data/index.ts')).readManifest(datasetDir)!.observationDate!;
    const info = await buildSnapshot({ datasetDir, asOf, outDir: join(temporaryDir('service-snapshots')), workers: 1 });
    const reader = await DatasetReader.open(datasetDir);
    try {
      const rows = await reader.query(`SELECT creditCode FROM enterprises WHERE establishedDate < '2020-01-01' AND status = 'active' ORDER BY creditCode LIMIT 6`);
      return { info, datasetDir, codes: rows.map((r) => String(r.creditCode)) };
    } finally {
      reader.close();
    }
  })();
  return snapshotInfo;
}

export interface TestDatabase { url: string; drop(): Promise<void> }

/** A fresh PostgreSQL database, uniquely named; `drop` removes it (ending its connections first). */
export async function createPostgresDatabase(label: string): Promise<TestDatabase> {
  const name = `puhui_test_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface Side {
  keys: Record<Exclude<Role, 'operator'>, string>;
  tenantIds: Record<Exclude<Role, 'operator'>, string>;
  creditCode: string;
}

export interface ServiceFixture {
  app: FastifyInstance;
  store: Store;
  snapshots: SnapshotCatalog;
  operatorKey: string;
  operatorTenantId: string;
  a: Side;
  b: Side;
  /** A third enterprise nobody has a consent from. */
  strangerCode: string;
  datasetDir: string;
  close(): Promise<void>;
}

export async function openTestStore(kind: StoreKindUnderTest, label: string): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const store = await openStore({ dataDir: 'memory://' });
    return { store, drop: async () => store.close() };
  }
  const database = await createPostgresDatabase(label);
  const store = await openStore({ databaseUrl: database.url });
  return { store, drop: async () => { await store.close(); await database.drop(); } };
}

/** A consent expiry a year from now (the store refuses consents longer than three years). */
export const CONSENT_EXPIRY = new Date(Date.now() + 365 * 86_400_000).toISOString();

/** `snapshotJobs: false` leaves the service without a dataset to build snapshots from (POST /v1/snapshots is refused). */
export interface FixtureOptions { limits?: Partial<ServiceLimits>; consents?: boolean; snapshotJobs?: boolean }

export async function serviceFixture(kind: StoreKindUnderTest, label: string, options: FixtureOptions = {}): Promise<ServiceFixture> {
  const { info, datasetDir, codes } = await testSnapshot();
  const { store, drop } = await openTestStore(kind, label);
  const snapshots = new SnapshotCatalog(store, options.snapshotJobs === false ? null : datasetDir);
  await snapshots.makeCurrent(info);
  // A generous deadline: tests share two cores with other work; the deadline itself is tested in unavailable.test.ts.
  const app = await buildService({ store, snapshots, decisions: {}, limits: { requestDeadlineMs: TEST_DEADLINE_MS, ...options.limits } });
  const operator = await createTenant(store, { kind: 'operator', name: 'Platform' });
  const operatorKey = (await createApiKey(store, operator.id, 'operator')).key;
  const side = async (label: string, creditCode: string): Promise<Side> => {
    const tenantIds = {} as Side['tenantIds'];
    const keys = {} as Side['keys'];
    for (const role of ['bank', 'guarantee_fund', 'government', 'enterprise'] as const) {
      const tenant = await createTenant(store, { kind: role, name: `${label} ${role}`, ...(role === 'enterprise' ? { creditCode } : {}) });
      tenantIds[role] = tenant.id;
      keys[role] = (await createApiKey(store, tenant.id, role)).key;
    }
    return { keys, tenantIds, creditCode };
  };
  const a = await side('A', codes[0]!);
  const b = await side('B', codes[1]!);
  const fixture: ServiceFixture = {
    app, store, snapshots, operatorKey, operatorTenantId: operator.id, a, b, strangerCode: codes[2]!, datasetDir,
    close: async () => { await app.close(); await snapshots.idle(); await ratingJobsIdle(); snapshots.close(); await drop(); },
  };
  if (options.consents !== false) for (const s of [a, b]) for (const grantee of ['bank', 'guarantee_fund'] as const) await authoriseAll(fixture, s, grantee);
  return fixture;
}

/** The consent groups a decision needs: the ordinary scopes together, each separate scope alone. */
export function consentGroups(): string[][] {
  return decisionConsentGroups();
}

/** The side's enterprise authorises a grantee of its side for everything a decision reads, over the API. */
export async function authoriseAll(fixture: ServiceFixture, side: Side, grantee: 'bank' | 'guarantee_fund' | 'government'): Promise<string[]> {
  const ids: string[] = [];
  for (const scopes of consentGroups()) {
    const requested = await call(fixture.app, side.keys[grantee], 'POST', '/v1/consents', { creditCode: side.creditCode, purpose: 'working-capital loan', scopes, expiresAt: CONSENT_EXPIRY });
    if (requested.statusCode !== 201) throw new Error(`consent request failed: ${requested.body}`);
    const id = requested.json().id as string;
    const authorised = await call(fixture.app, side.keys.enterprise, 'POST', `/v1/consents/${id}/authorise`);
    if (authorised.statusCode !== 200) throw new Error(`authorise failed: ${authorised.body}`);
    ids.push(id);
  }
  return ids;
}

export function call(app: FastifyInstance, key: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method, url,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

export { temporaryDir };
