import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { sql } from 'kysely';
import { PuhuiUserError } from '../../src/domain/errors.ts';
import { openStore, StoreUnavailableError, type Store } from '../../src/store/index.ts';
import { createPostgresDatabase, type TestDatabase } from './backends.ts';

function isUnavailable(error: unknown): boolean {
  assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
  assert.equal(error.code, 'store_unavailable');
  assert.ok(!(error instanceof PuhuiUserError), 'an unavailable database is not the user\'s fault');
  return true;
}

describe('a database that is down or slow gives StoreUnavailableError, not a hang', () => {
  let silent: Server;
  let silentPort = 0;
  let database: TestDatabase;
  before(async () => {
    // Accepts TCP connections and never answers: a database host that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
    database = await createPostgresDatabase('availability');
  });
  after(async () => {
    silent.close();
    await database.drop();
  });

  test('a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/puhui` }), isUnavailable);
  });

  test('a server that never answers', async () => {
    await assert.rejects(openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${silentPort}/puhui`, connectTimeoutMs: 300 }), isUnavailable);
  });

  test('a statement slower than the statement timeout', async () => {
    const store: Store = await openStore({ databaseUrl: database.url, statementTimeoutMs: 200 });
    try {
      await assert.rejects(sql`SELECT pg_sleep(5)`.execute(store.db), isUnavailable);
      await assert.rejects(store.db.transaction().execute(async (tx) => { await sql`SELECT pg_sleep(5)`.execute(tx); }), isUnavailable);
      const alive = await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db);
      assert.equal(alive.rows[0]?.one, 1, 'the store serves again once the slow statement is gone');
    } finally {
      await store.close();
    }
  });

  test('sessions killed under a live store', async () => {
    const store: Store = await openStore({ databaseUrl: database.url });
    try {
      await sql`SELECT 1`.execute(store.db);
      await assert.rejects(sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(store.db), isUnavailable);
    } finally {
      await store.close();
    }
  });

  test('a malformed database URL is a user error', async () => {
    await assert.rejects(openStore({ databaseUrl: 'mysql://x' }), (error: unknown) => error instanceof PuhuiUserError);
  });
});
