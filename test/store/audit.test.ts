import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { appendAudit, auditEntryHash, authenticate, createApiKey, createTenant, verifyAuditChain, type Store } from '../../src/store/index.ts';
import { BACKENDS, creditCode, openTestStore, type OpenedStore } from './backends.ts';

for (const backend of BACKENDS) {
  describe(`audit chain and keys on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    before(async () => {
      opened = await openTestStore(backend, 'audit');
      store = opened.store;
    });
    after(() => opened.close());

    test('a key authenticates as its tenant and role; a wrong, malformed or revoked key does not', async () => {
      const bank = await createTenant(store, { kind: 'bank', name: '厦门测试银行' });
      const firm = await createTenant(store, { kind: 'enterprise', name: '厦门某贸易有限公司', creditCode: creditCode(1) });
      const bankKey = await createApiKey(store, bank.id, 'bank');
      const firmKey = await createApiKey(store, firm.id, 'enterprise');
      assert.deepEqual(await authenticate(store, bankKey.key), { tenantId: bank.id, tenantKind: 'bank', role: 'bank', keyId: bankKey.id });
      assert.equal((await authenticate(store, firmKey.key))?.creditCode, creditCode(1));
      const tampered = bankKey.key.slice(0, -1) + (bankKey.key.endsWith('A') ? 'B' : 'A');
      assert.equal(await authenticate(store, tampered), null);
      assert.equal(await authenticate(store, 'not a key'), null);
      await store.db.updateTable('apiKeys').set({ revokedAt: store.now() }).where('id', '=', bankKey.id).execute();
      assert.equal(await authenticate(store, bankKey.key), null);
      const stored = await store.db.selectFrom('apiKeys').select('keyHash').where('id', '=', firmKey.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.keyHash, firmKey.key);
      assert.doesNotMatch(stored.keyHash, new RegExp(firmKey.key.slice(17)));
    });

    test('a key cannot claim a role its tenant does not have, and an enterprise needs a valid credit code', async () => {
      const fund = await createTenant(store, { kind: 'guarantee_fund', name: '融资担保基金' });
      await assert.rejects(createApiKey(store, fund.id, 'operator'), { code: 'invalid_request' });
      await assert.rejects(createTenant(store, { kind: 'enterprise', name: 'X', creditCode: '91350200000000000X' }), { code: 'invalid_request' });
      await assert.rejects(createTenant(store, { kind: 'bank', name: 'Y', creditCode: creditCode(2) }), { code: 'invalid_request' });
      await assert.rejects(createTenant(store, { kind: 'enterprise', name: 'dup', creditCode: creditCode(1) }), { code: 'conflict' });
    });

    test('concurrent appends form one unbroken chain', async () => {
      const before = await verifyAuditChain(store);
      const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => appendAudit(store.db, {
        at: store.now(), tenantId: null, actor: 'test', action: 'test.append', subjectType: 'test', subjectId: String(i), details: { i, note: '并发' },
      })));
      for (const entry of appended) assert.equal(auditEntryHash(entry), entry.hash, 'the database and TypeScript hash the same bytes');
      const after = await verifyAuditChain(store);
      assert.equal(after.ok, true, JSON.stringify(after.firstBroken));
      assert.equal(after.entries, before.entries + 40);
      const seqs = (await store.db.selectFrom('auditLog').select('seq').orderBy('seq').execute()).map((r) => r.seq);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    });

    test('an append rolled back with its transaction leaves no gap', async () => {
      const count = (await verifyAuditChain(store)).entries;
      await assert.rejects(store.db.transaction().execute(async (tx) => {
        await appendAudit(tx, { tenantId: null, actor: 'test', action: 'test.rollback', subjectType: 'test', subjectId: 'x', details: {} });
        throw new Error('abort');
      }), /abort/);
      await appendAudit(store.db, { tenantId: null, actor: 'test', action: 'test.after', subjectType: 'test', subjectId: 'y', details: {} });
      const verdict = await verifyAuditChain(store);
      assert.equal(verdict.ok, true);
      assert.equal(verdict.entries, count + 1);
    });

    test('triggers refuse UPDATE, DELETE and TRUNCATE on the audit log', async () => {
      await assert.rejects(store.db.updateTable('auditLog').set({ actor: 'mallory' }).where('seq', '=', 1).execute(), /append-only/);
      await assert.rejects(store.db.deleteFrom('auditLog').where('seq', '=', 2).execute(), /append-only/);
      await assert.rejects(sql`TRUNCATE audit_log`.execute(store.db), /append-only/);
      assert.equal((await verifyAuditChain(store)).ok, true);
    });

    test('verify names an altered entry and a deleted one when a superuser bypasses the triggers', async () => {
      for (let i = 0; i < 10; i += 1) {
        await appendAudit(store.db, { tenantId: null, actor: 'test', action: 'test.fill', subjectType: 'test', subjectId: `f${i}`, details: { i } });
      }
      const { entries } = await verifyAuditChain(store);
      const altered = entries - 7;
      const deleted = entries - 3;
      await store.db.transaction().execute(async (tx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(tx);
        await sql`UPDATE audit_log SET details = ${JSON.stringify({ i: 999 })} WHERE seq = ${altered}`.execute(tx);
        await sql`DELETE FROM audit_log WHERE seq = ${deleted}`.execute(tx);
      });
      const verdict = await verifyAuditChain(store);
      assert.equal(verdict.ok, false);
      assert.deepEqual(verdict.firstBroken?.id, altered);
      assert.match(verdict.firstBroken!.reason, /altered/);
      assert.deepEqual(verdict.broken.map((b) => b.id), [altered, deleted]);
      assert.match(verdict.broken[1]!.reason, /missing/);
    });

    test('verify notices a deleted tail entry', async () => {
      await appendAudit(store.db, { tenantId: null, actor: 'test', action: 'test.tail', subjectType: 'test', subjectId: 'tail', details: {} });
      const { entries } = await verifyAuditChain(store);
      const last = await store.db.selectFrom('auditLog').select(({ fn }) => fn.max('seq').as('seq')).executeTakeFirstOrThrow();
      await store.db.transaction().execute(async (tx) => {
        await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(tx);
        await sql`DELETE FROM audit_log WHERE seq = ${last.seq}`.execute(tx);
        await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(tx);
      });
      const verdict = await verifyAuditChain(store);
      assert.equal(verdict.entries, entries - 1);
      assert.ok(verdict.broken.some((b) => b.id === last.seq && /end of the chain/.test(b.reason)), JSON.stringify(verdict.broken));
    });
  });
}
