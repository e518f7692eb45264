import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { claimJob, completeJob, currentSnapshot, enqueueJob, failJob, getDecision, getJob, listDecisions, recordDecision, registerSnapshot, verifyAuditChain, type Principal, type Store } from '../../src/store/index.ts';
import { BACKENDS, creditCode, openTestStore, principalOf, type OpenedStore } from './backends.ts';

const sampleRecord = (code: string, limitFen: number) => ({
  creditCode: code, asOf: '2026-02-28', application: { product: 'tax-loan', amountFen: limitFen, termMonths: 12 },
  decision: { outcome: 'approve', limitFen, rateBps: 385, reasons: ['A01'] },
  features: { sales_growth_12m: 0.125, tax_paid_12m_fen: 1_234_567 }, enterprise: { creditCode: code },
});

for (const backend of BACKENDS) {
  describe(`applications and decisions on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let bank: Principal;
    let otherBank: Principal;
    before(async () => {
      opened = await openTestStore(backend, 'decisions');
      store = opened.store;
      bank = await principalOf(store, 'bank', '工商银行');
      otherBank = await principalOf(store, 'bank', '农业银行');
    });
    after(() => opened.close());

    const decide = (principal: Principal, n: number) => recordDecision(store, principal, {
      application: { creditCode: creditCode(n), product: 'tax-loan', amountFen: 50_000_000 + n, termMonths: 12, contactName: '张三', contactPhone: '13800000000' },
      decision: { outcome: 'approve', limitFen: 30_000_000 + n, rateBps: 385, termMonths: 12, strategy: 'tax-loan@1', record: sampleRecord(creditCode(n), 30_000_000 + n) },
    });

    test('a decision is stored with its application and one audit entry, and read back exactly', async () => {
      const { application, decision } = await decide(bank, 1);
      assert.equal(decision.applicationId, application.id);
      const read = await getDecision(store, decision.id, bank);
      assert.equal(read.limitFen, 30_000_001);
      assert.equal(typeof read.limitFen, 'number');
      assert.deepEqual(read.record, sampleRecord(creditCode(1), 30_000_001), 'the record JSON survives the round trip, snake_case keys included');
      const audit = await store.db.selectFrom('auditLog').select('action').where('subjectId', '=', decision.id).orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.action), ['decision.create', 'decision.read']);
    });

    test('another tenant cannot read or list the decision', async () => {
      const { decision } = await decide(bank, 2);
      await assert.rejects(getDecision(store, decision.id, otherBank), { code: 'not_found' });
      assert.equal((await listDecisions(store, otherBank)).items.length, 0);
    });

    test('decisions refuse UPDATE and DELETE; only a one-time masking passes', async () => {
      const { decision } = await decide(bank, 3);
      await assert.rejects(store.db.updateTable('decisions').set({ limitFen: 1 }).where('id', '=', decision.id).execute(), /immutable/);
      await assert.rejects(store.db.deleteFrom('decisions').where('id', '=', decision.id).execute(), /immutable/);
      await assert.rejects(sql`TRUNCATE decisions CASCADE`.execute(store.db), /append-only/);
      await assert.rejects(store.db.updateTable('decisions').set({ maskedAt: store.now(), outcome: 'decline' }).where('id', '=', decision.id).execute(), /immutable/);
      await store.db.updateTable('decisions').set({ maskedAt: store.now(), record: JSON.stringify({ masked: true }) }).where('id', '=', decision.id).execute();
      await assert.rejects(store.db.updateTable('decisions').set({ maskedAt: store.now(), record: '{}' }).where('id', '=', decision.id).execute(), /immutable/);
    });

    test('cursor pagination walks every decision once, newest first', async () => {
      const made = [];
      for (let i = 0; i < 45; i += 1) made.push((await decide(otherBank, 1_000 + i)).decision.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof listDecisions>> = await listDecisions(store, otherBank, { cursor, limit: 20 });
        seen.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...made].reverse());
      await assert.rejects(listDecisions(store, otherBank, { cursor: 'garbage' }), { code: 'invalid_cursor' });
      await assert.rejects(listDecisions(store, otherBank, { limit: 1_000 }), { code: 'invalid_limit' });
    });

    test('bad amounts are refused before anything is written', async () => {
      const audits = (await verifyAuditChain(store)).entries;
      await assert.rejects(recordDecision(store, bank, {
        application: { creditCode: creditCode(9), product: 'tax-loan', amountFen: 1.5, termMonths: 12 },
        decision: { outcome: 'approve', limitFen: 1, rateBps: 385, termMonths: 12, strategy: 's', record: {} },
      }), { code: 'invalid_amount' });
      await assert.rejects(recordDecision(store, bank, {
        application: { creditCode: creditCode(9), product: 'tax-loan', amountFen: 100, termMonths: 12 },
        decision: { outcome: 'approve', limitFen: -5, rateBps: 385, termMonths: 12, strategy: 's', record: {} },
      }), { code: 'invalid_amount' });
      assert.equal((await verifyAuditChain(store)).entries, audits);
      assert.equal((await store.db.selectFrom('applications').select('id').where('creditCode', '=', creditCode(9)).execute()).length, 0);
    });

    test('concurrent workers never claim the same job; a failed job is retried until its attempts run out', async () => {
      const jobs = [];
      for (let i = 0; i < 6; i += 1) jobs.push(await enqueueJob(store, { kind: 'snapshot', payload: { asOf: '2026-02-28', n: i }, tenantId: bank.tenantId, attemptsMax: 2 }));
      const claimed = await Promise.all(Array.from({ length: 8 }, () => claimJob(store, 'snapshot')));
      const ids = claimed.filter((job) => job !== null).map((job) => job!.id);
      assert.equal(ids.length, 6);
      assert.equal(new Set(ids).size, 6, 'no job claimed twice');
      await completeJob(store, jobs[0]!.id, { snapshotId: 's1' });
      assert.deepEqual((await getJob(store, jobs[0]!.id, bank)).result, { snapshotId: 's1' });
      await assert.rejects(getJob(store, jobs[0]!.id, otherBank), { code: 'not_found' });
      assert.equal((await failJob(store, jobs[1]!.id, 'disk full')).status, 'queued');
      const retried = await claimJob(store, 'snapshot');
      assert.equal(retried?.id, jobs[1]!.id);
      assert.equal(retried?.attempts, 2);
      const failed = await failJob(store, jobs[1]!.id, 'disk full again');
      assert.equal(failed.status, 'failed');
      assert.equal(await claimJob(store, 'snapshot'), null);
    });

    test('one snapshot is current at a time', async () => {
      assert.equal(await currentSnapshot(store), null);
      const first = { id: 'snap-2026-01-31', datasetDir: '/data/x', asOf: '2026-01-31', dir: '/snap/1', builtAt: store.now(), enterprises: 2_000 };
      await registerSnapshot(store, first);
      await registerSnapshot(store, { ...first, id: 'snap-2026-02-28', asOf: '2026-02-28', dir: '/snap/2' });
      assert.equal((await currentSnapshot(store))?.asOf, '2026-02-28');
      await registerSnapshot(store, first);
      assert.equal((await currentSnapshot(store))?.id, 'snap-2026-01-31');
    });
  });
}
