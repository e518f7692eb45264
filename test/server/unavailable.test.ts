/**
 * A slow or failing database gives a prompt 503 problem, never a hang or a 500: a table locked by another
 * session (a slow database) runs into the request deadline, and a database dropped under the running
 * service (a failing one) is recognised as unavailable. When the database recovers, so does the service.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildService } from '../../src/server/app.ts';
import { SnapshotCatalog } from '../../src/server/snapshots.ts';
import { createApiKey, createTenant, openStore, type Store } from '../../src/store/index.ts';
import { call, createPostgresDatabase, type TestDatabase } from './fixture.ts';

const DEADLINE_MS = 800;
/** Longest wall time a 503 may take: the deadline plus generous slack for a loaded test machine. */
const ANSWER_WITHIN_MS = DEADLINE_MS + 4_000;

let database: TestDatabase;
let store: Store;
let app: FastifyInstance;
let key: string;

before(async () => {
  database = await createPostgresDatabase('unavailable');
  store = await openStore({ databaseUrl: database.url, connectTimeoutMs: 500, statementTimeoutMs: 5_000 });
  app = await buildService({ store, snapshots: new SnapshotCatalog(store, null), decisions: {}, limits: { requestDeadlineMs: DEADLINE_MS } });
  const tenant = await createTenant(store, { kind: 'bank', name: 'Bank' });
  key = (await createApiKey(store, tenant.id, 'bank')).key;
});

after(async () => {
  await app?.close();
  await store?.close().catch(() => undefined);
  await database?.drop();
});

async function timed(run: () => Promise<{ statusCode: number; json(): { code: string } }>) {
  const started = process.hrtime.bigint();
  const response = await run();
  return { response, elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

test('a table locked by another session (a slow database) gives a 503 at the deadline, then recovers', async () => {
  const blocker = new pg.Client({ connectionString: database.url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
    const { response, elapsedMs } = await timed(() => call(app, key, 'GET', '/v1/me'));
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().code, 'deadline_exceeded');
    assert.ok(elapsedMs < ANSWER_WITHIN_MS, `answered after ${elapsedMs} ms`);
    await blocker.query('ROLLBACK');
  } finally {
    await blocker.end();
  }
  const recovered = await call(app, key, 'GET', '/v1/me');
  assert.equal(recovered.statusCode, 200);
});

test('a database dropped under the service gives 503 problems on every route, never a 500 or a hang', async () => {
  await database.drop();
  for (const [url, authorised] of [['/health', false], ['/v1/me', true], ['/v1/tenants', true]] as const) {
    const { response, elapsedMs } = await timed(() => call(app, authorised ? key : null, 'GET', url));
    assert.equal(response.statusCode, 503, `${url}: ${JSON.stringify(response.json())}`);
    assert.ok(['database_unavailable', 'deadline_exceeded'].includes(response.json().code), response.json().code);
    assert.ok(elapsedMs < ANSWER_WITHIN_MS, `${url} answered after ${elapsedMs} ms`);
  }
});
