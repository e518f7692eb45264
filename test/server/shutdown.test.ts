/**
 * Graceful shutdown: closing the service lets a request in flight finish with its real answer, then the
 * port refuses connections and the store is closed. The request is held in flight by a lock another
 * session keeps on the key table, released only after close() has begun.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { startServiceOn } from '../../src/server/serve.ts';
import { createApiKey, createTenant, openStore } from '../../src/store/index.ts';
import { createPostgresDatabase } from './fixture.ts';

test('close() lets the request in flight finish, then refuses new connections', async () => {
  const database = await createPostgresDatabase('shutdown');
  const store = await openStore({ databaseUrl: database.url });
  try {
    const tenant = await createTenant(store, { kind: 'bank', name: 'Bank' });
    const key = (await createApiKey(store, tenant.id, 'bank')).key;
    const running = await startServiceOn(store, { port: 0, limits: { requestDeadlineMs: 30_000 } });
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
    const inFlight = fetch(`${running.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closing = running.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.query('ROLLBACK');
    await blocker.end();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal((await response.json() as { tenantId: string }).tenantId, tenant.id);
    await closing;
    await assert.rejects(fetch(`${running.url}/health`), 'the port is closed after shutdown');
  } finally {
    await store.close();
    await database.drop();
  }
});
