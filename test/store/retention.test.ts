import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { authoriseConsent, DEFAULT_RETENTION_POLICY_FILE, factsFor, getDecision, ingestBatch, loadRetentionPolicy, parseRetentionPolicy, recordDecision, requestConsent, revokeConsent, runRetention, verifyAuditChain, type Principal, type Store } from '../../src/store/index.ts';
import { BACKENDS, creditCode, invoiceRow, openTestStore, principalOf, type OpenedStore } from './backends.ts';

const vatReturn = (code: string) => ({
  creditCode: code, periodStart: '2025-10', periodEnd: '2025-12', revision: 0, taxableSalesFen: 10_000_000, uninvoicedSalesFen: 0,
  exemptSalesFen: 0, outputTaxFen: 1_300_000, inputTaxFen: 900_000, taxPayableFen: 400_000, taxPaidFen: 400_000,
  filedDate: '2026-01-14', late: false, correctedFields: null,
});

for (const backend of BACKENDS) {
  describe(`retention on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let bank: Principal;
    const firmA = creditCode(301);
    const firmB = creditCode(302);
    const firmC = creditCode(303);
    const firms = new Map<string, Principal>();
    const policy = loadRetentionPolicy();
    before(async () => {
      opened = await openTestStore(backend, 'retention');
      store = opened.store;
      bank = await principalOf(store, 'bank', '兴业银行');
      for (const code of [firmA, firmB, firmC]) firms.set(code, await principalOf(store, 'enterprise', `企业${code.slice(-4)}`, code));
    });
    after(() => opened.close());

    async function grant(code: string, scopes: string[]) {
      const consent = await requestConsent(store, bank, { creditCode: code, scopes, purpose: '银税贷授信', expiresAt: '2027-01-01' });
      return authoriseConsent(store, firms.get(code)!, consent.id);
    }
    const held = async (code: string) => (await factsFor(store, code, { tenantId: bank.tenantId })).filter((f) => f.creditCode === code).map((f) => f.entity).sort();

    test('after withdrawal and the policy period, the grantee\'s data is deleted and its decisions kept with personal fields masked', async () => {
      const consentA = await grant(firmA, ['tax', 'invoices']);
      const consentB = await grant(firmB, ['invoices']);
      await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', idempotencyKey: 'inv-a', rows: [invoiceRow(1, firmA, firmB), invoiceRow(2, firmB, firmA)] });
      await ingestBatch(store, { tenantId: bank.tenantId, entity: 'vatReturns', idempotencyKey: 'vat-a', rows: [vatReturn(firmA)] });
      const { decision, application } = await recordDecision(store, bank, {
        application: { creditCode: firmA, product: 'tax-loan', amountFen: 20_000_000, termMonths: 12, consentId: consentA.id, contactName: '李四', contactPhone: '13900000000' },
        decision: { outcome: 'approve', limitFen: 15_000_000, rateBps: 380, termMonths: 12, strategy: 'tax-loan@2026.11', record: { creditCode: firmA, contactName: '李四', enterprise: { legalRepIdHash: 'abcdef0123456789', status: 'active' }, features: { sales_growth_12m: 0.2 } } },
      });
      assert.deepEqual(await held(firmA), ['invoices', 'vatReturns']);

      await revokeConsent(store, firms.get(firmA)!, consentA.id);
      const early = await runRetention(store, store.now(), policy);
      assert.equal(early.consentsApplied, 0, 'nothing happens inside the grace period');
      assert.deepEqual(await held(firmA), ['invoices', 'vatReturns']);

      opened.clock.advanceDays(policy.scopes.tax.retainDaysAfterConsentEnd + 1);
      const due = await runRetention(store, store.now(), policy);
      assert.equal(due.consentsApplied, 1);
      assert.equal(due.factsDeleted, 2);
      assert.equal(due.decisionsMasked, 1);
      assert.equal(due.applicationsMasked, 1);
      assert.deepEqual(await held(firmA), []);
      assert.deepEqual(await held(firmB), ['invoices'], 'another enterprise\'s data stays (its consent is live)');

      const kept = await getDecision(store, decision.id, bank, { audit: false });
      assert.equal(kept.outcome, 'approve');
      assert.equal(kept.limitFen, 15_000_000);
      assert.ok(kept.maskedAt);
      assert.deepEqual(kept.record, { creditCode: firmA, contactName: null, enterprise: { legalRepIdHash: null, status: 'active' }, features: { sales_growth_12m: 0.2 } });
      const app = await store.db.selectFrom('applications').selectAll().where('id', '=', application.id).executeTakeFirstOrThrow();
      assert.equal(app.contactName, null);
      assert.equal(app.contactPhone, null);
      assert.equal(app.amountFen, 20_000_000);

      const audit = await store.db.selectFrom('auditLog').select(['actor', 'details']).where('action', '=', 'retention.apply').where('subjectId', '=', consentA.id).execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor, 'retention');
      assert.deepEqual(JSON.parse(audit[0]!.details).factsDeleted, { invoices: 1, vatReturns: 1 });
      assert.equal((await verifyAuditChain(store)).ok, true);

      const again = await runRetention(store, store.now(), policy);
      assert.equal(again.consentsApplied, 0, 'a consent is handled once');
      assert.ok(consentB);
    });

    test('a scope still granted by another live consent is kept; an expired consent is handled like a withdrawn one', async () => {
      const old = await grant(firmC, ['invoices', 'court']);
      await grant(firmC, ['invoices']);
      await ingestBatch(store, { tenantId: bank.tenantId, entity: 'invoices', idempotencyKey: 'inv-c', rows: [invoiceRow(10, firmC, firmB)] });
      await ingestBatch(store, { tenantId: bank.tenantId, entity: 'courtCases', idempotencyKey: 'court-c', rows: [{
        caseId: '(2025)闽0203民初1234号', creditCode: firmC, filedDate: '2025-05-01', role: 'defendant', kind: 'contract', amountFen: 500_000,
        status: 'open', closedDate: null, dishonestDebtor: false,
      }] });
      await revokeConsent(store, firms.get(firmC)!, old.id);
      opened.clock.advanceDays(31);
      const summary = await runRetention(store, store.now(), policy);
      assert.equal(summary.consentsApplied, 1);
      assert.deepEqual(await held(firmC), ['invoices']);

      opened.clock.set('2027-01-02T00:00:00.000Z');
      const expiry = await runRetention(store, store.now(), policy);
      assert.ok(expiry.consentsExpired >= 1);
      opened.clock.advanceDays(31);
      await runRetention(store, store.now(), policy);
      assert.deepEqual(await held(firmC), [], 'once every consent has expired and the period passed, nothing is held');
    });

    test('the shipped policy parses and a broken one is refused with a stable code', () => {
      const shipped = JSON.parse(readFileSync(DEFAULT_RETENTION_POLICY_FILE, 'utf8'));
      assert.equal(parseRetentionPolicy(shipped).id, 'retention-default');
      assert.throws(() => parseRetentionPolicy({ ...shipped, scopes: { ...shipped.scopes, tax: { retainDaysAfterConsentEnd: -1 } } }), { code: 'retention_policy' });
      const { court: _court, ...missing } = shipped.scopes;
      assert.throws(() => parseRetentionPolicy({ ...shipped, scopes: missing }), { code: 'retention_policy' });
      assert.throws(() => loadRetentionPolicy('/nonexistent/policy.json'), { code: 'retention_policy' });
    });
  });
}
