import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authoriseConsent, factsFor, ingestBatch, readFacts, requestConsent, verifyAuditChain, type Principal, type Store } from '../../src/store/index.ts';
import { BACKENDS, creditCode, invoiceRow, openTestStore, principalOf, type OpenedStore } from './backends.ts';

const seller = creditCode(201);
const buyer = creditCode(202);

for (const backend of BACKENDS) {
  describe(`intake on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let bank: Principal;
    let firm: Principal;
    before(async () => {
      opened = await openTestStore(backend, 'intake');
      store = opened.store;
      bank = await principalOf(store, 'bank', '招商银行');
      firm = await principalOf(store, 'enterprise', '卖方公司', seller);
    });
    after(() => opened.close());

    const factCount = async (tenantId: string) => Number((await store.db.selectFrom('facts').select(({ fn }) => fn.countAll().as('n')).where('tenantId', '=', tenantId).executeTakeFirstOrThrow()).n);

    test('validates rows with the import column specs and lists accepted and rejected rows with reasons', async () => {
      const rows = [
        invoiceRow(1, seller, buyer),
        { ...invoiceRow(2, seller, buyer), taxFen: 1 },
        invoiceRow(3, seller, buyer),
        { ...invoiceRow(4, seller, buyer), sellerCode: '91350200MA0000000X' },
        { ...invoiceRow(5, seller, buyer), colour: 'red' },
        invoiceRow(1, seller, buyer),
        'not an object',
      ];
      const result = await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'mixed-1', principal: bank });
      assert.equal(result.replayed, false);
      assert.equal(result.accepted, 2);
      assert.deepEqual(result.acceptedRows, [0, 2]);
      assert.equal(result.rejectedRowCount, 5);
      const byRow = new Map(result.rejected.map((r) => [r.row, r]));
      assert.equal(byRow.get(1)?.column, 'taxFen');
      assert.equal(byRow.get(3)?.column, 'sellerCode');
      assert.match(byRow.get(4)!.message, /colour/);
      assert.match(byRow.get(5)!.message, /repeats the key of row 0/);
      assert.ok(byRow.has(6));
      const facts = await factsFor(store, buyer);
      assert.deepEqual(facts.map((f) => f.row.invoiceNumber), [invoiceRow(1, seller, buyer).invoiceNumber, invoiceRow(3, seller, buyer).invoiceNumber]);
      assert.equal(facts[0]!.creditCode, seller, 'an invoice is filed under its seller and found by its buyer too');
    });

    test('a retried batch with the same key changes nothing; the same key for other rows is a conflict', async () => {
      const rows = Array.from({ length: 30 }, (_, i) => invoiceRow(100 + i, seller, buyer));
      const first = await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'retry-1', principal: bank });
      const facts = await factCount(bank.tenantId);
      const audits = (await verifyAuditChain(store)).entries;
      const again = await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'retry-1', principal: bank });
      assert.equal(again.replayed, true);
      assert.equal(again.batchId, first.batchId);
      assert.equal(again.accepted, 30);
      assert.equal(await factCount(bank.tenantId), facts);
      assert.equal((await verifyAuditChain(store)).entries, audits);
      await assert.rejects(ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows: rows.slice(1), idempotencyKey: 'retry-1' }), { code: 'conflict' });
    });

    test('two concurrent requests with one key write the batch once', async () => {
      const rows = Array.from({ length: 600 }, (_, i) => invoiceRow(1_000 + i, seller, buyer));
      const before = await factCount(bank.tenantId);
      const results = await Promise.all([1, 2].map(() => ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'race-1' })));
      assert.deepEqual(results.map((r) => r.replayed).sort(), [false, true]);
      assert.equal(results[0]!.batchId, results[1]!.batchId);
      assert.equal(await factCount(bank.tenantId), before + 600);
    });

    test('a batch that fails midway leaves nothing behind, and its key stays free', async () => {
      const rows = Array.from({ length: 1_200 }, (_, i) => invoiceRow(5_000 + i, seller, buyer));
      const before = await factCount(bank.tenantId);
      await assert.rejects(ingestBatch(store, {
        tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'fails-1',
        onProgress: (written) => { if (written >= 500) throw new Error('crash after the first chunk'); },
      }), /crash after the first chunk/);
      assert.equal(await factCount(bank.tenantId), before);
      const retry = await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'fails-1' });
      assert.equal(retry.replayed, false);
      assert.equal(await factCount(bank.tenantId), before + 1_200);
    });

    test('an enterprise may only submit its own records; bounds and names are checked', async () => {
      const rows = [invoiceRow(9_001, seller, buyer), invoiceRow(9_002, buyer, seller)];
      const result = await ingestBatch(store, { tenantId: firm.tenantId, entity: 'invoices', rows, idempotencyKey: 'own-1', principal: firm });
      assert.deepEqual(result.acceptedRows, [0]);
      assert.equal(result.rejected[0]?.column, 'sellerCode');
      await assert.rejects(ingestBatch(store, { tenantId: firm.tenantId, entity: 'loans', rows, idempotencyKey: 'x' }), { code: 'invalid_entity' });
      await assert.rejects(ingestBatch(store, { tenantId: firm.tenantId, entity: 'invoices', rows: [], idempotencyKey: 'x' }), { code: 'batch_too_large' });
      await assert.rejects(ingestBatch(store, { tenantId: firm.tenantId, entity: 'invoices', rows, idempotencyKey: 'bad key!' }), { code: 'invalid_idempotency_key' });
      await assert.rejects(ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', rows, idempotencyKey: 'y', principal: firm }), { code: 'not_found' });
    });

    test('reading held facts needs consent for the scope and is audited with the consent used', async () => {
      await assert.rejects(readFacts(store, bank, { creditCode: seller, entity: 'invoices' }), { code: 'consent_required' });
      const consent = await requestConsent(store, bank, { creditCode: seller, scopes: ['invoices'], purpose: '授信', expiresAt: '2027-01-01' });
      await authoriseConsent(store, firm, consent.id);
      const read = await readFacts(store, bank, { creditCode: seller, entity: 'invoices' });
      assert.equal(read.consentId, consent.id);
      assert.ok(read.facts.length > 1000);
      assert.ok(read.facts.every((f) => f.tenantId === bank.tenantId));
      await assert.rejects(readFacts(store, bank, { creditCode: seller, entity: 'bankMonths' }), { code: 'consent_required' });
      const own = await readFacts(store, firm, { creditCode: seller, entity: 'invoices' });
      assert.equal(own.consentId, null);
      assert.deepEqual(own.facts.map((f) => f.row.invoiceNumber), [invoiceRow(9_001, seller, buyer).invoiceNumber]);
      const audit = await store.db.selectFrom('auditLog').select(['details']).where('action', '=', 'facts.read').where('actor', '=', bank.keyId).execute();
      assert.equal(audit.length, 1);
      assert.equal(JSON.parse(audit[0]!.details).consentId, consent.id);
    });
  });
}
