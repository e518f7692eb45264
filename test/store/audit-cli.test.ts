import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTenant, openStore } from '../../src/store/index.ts';
import { puhui } from '../support/cli.ts';
import { createPostgresDatabase, creditCode, pgliteDataDir, type TestDatabase } from './backends.ts';

describe('puhui audit verify', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createPostgresDatabase('auditcli');
    const store = await openStore({ databaseUrl: database.url });
    for (let i = 0; i < 5; i += 1) await createTenant(store, { kind: 'enterprise', name: `企业${i}`, creditCode: creditCode(400 + i) });
    await store.close();
  });
  after(() => database.drop());

  test('reports an intact chain on PostgreSQL, then names the altered entry with exit code 1', async () => {
    const clean = puhui('audit', 'verify', '--database', database.url, '--json');
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(JSON.parse(clean.stdout), { ok: true, entries: 5, broken: [] });

    const store = await openStore({ databaseUrl: database.url });
    await store.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`.execute(tx);
    });
    await store.close();
    const broken = puhui('audit', 'verify', '--database', database.url);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /first broken entry: #3: .*altered/);
  });

  test('verifies an embedded store in a data folder', async () => {
    const data = await pgliteDataDir();
    const dir = data.dir;
    const store = await openStore({ dataDir: dir });
    await createTenant(store, { kind: 'bank', name: '嵌入式银行' });
    await store.close();
    const result = puhui('audit', 'verify', '--data', dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /intact: 1 entries/);
    data.remove();
  });

  test('refuses a missing store or an unreachable database in one line with exit code 2', () => {
    const missing = puhui('audit', 'verify', '--data', '/nonexistent/puhui-data');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^puhui: no store at/);
    const down = puhui('audit', 'verify', '--database', 'postgres://postgres@127.0.0.1:1/none');
    assert.equal(down.code, 2);
    assert.equal(down.stderr.trim().split('\n').length, 1);
    assert.match(down.stderr, /unavailable/);
    assert.equal(puhui('audit', 'check').code, 2);
  });
});
