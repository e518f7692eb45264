import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authoriseConsent, expireConsents, getConsent, listConsents, rejectConsent, grantConsent, requestConsent, requireConsent, revokeConsent, verifyAuditChain, type Principal, type Store } from '../../src/store/index.ts';
import { BACKENDS, creditCode, openTestStore, principalOf, type OpenedStore } from './backends.ts';

for (const backend of BACKENDS) {
  describe(`consent on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let bank: Principal;
    let otherBank: Principal;
    let firm: Principal;
    let otherFirm: Principal;
    const firmCode = creditCode(101);
    before(async () => {
      opened = await openTestStore(backend, 'consent');
      store = opened.store;
      bank = await principalOf(store, 'bank', '建设银行厦门分行');
      otherBank = await principalOf(store, 'bank', '另一家银行');
      firm = await principalOf(store, 'enterprise', '厦门某制造有限公司', firmCode);
      otherFirm = await principalOf(store, 'enterprise', '另一家企业', creditCode(102));
    });
    after(() => opened.close());

    const check = (scopes: Parameters<typeof requireConsent>[1]['scopes'], grantee = bank) =>
      requireConsent(store, { granteeTenantId: grantee.tenantId, creditCode: firmCode, scopes, at: store.now() });

    test('authorised consent lets the grantee read; revocation takes effect on the next check', async () => {
      await assert.rejects(check(['tax']), { code: 'consent_required' });
      const requested = await requestConsent(store, bank, { creditCode: firmCode, scopes: ['tax', 'invoices'], purpose: '银税贷授信', expiresAt: '2027-03-01' });
      assert.equal(requested.status, 'AwaitingAuthorisation');
      await assert.rejects(check(['tax']), { code: 'consent_required' }, 'awaiting is not authorised');
      const authorised = await authoriseConsent(store, firm, requested.id);
      assert.equal(authorised.status, 'Authorised');
      assert.equal((await check(['tax', 'invoices'])).id, requested.id);
      await assert.rejects(check(['tax', 'court']), { code: 'consent_required' }, 'a scope not granted');
      await assert.rejects(check(['tax'], otherBank), { code: 'consent_required' }, 'another grantee');
      await assert.rejects(requireConsent(store, { granteeTenantId: bank.tenantId, creditCode: firmCode, scopes: ['tax'], purpose: 'marketing', at: store.now() }), { code: 'consent_required' });
      await revokeConsent(store, firm, requested.id);
      await assert.rejects(check(['tax']), { code: 'consent_required' });
      await assert.rejects(authoriseConsent(store, firm, requested.id), { code: 'conflict' });
    });

    test('bank statements need a consent of their own', async () => {
      await assert.rejects(requestConsent(store, bank, { creditCode: firmCode, scopes: ['tax', 'bank_statements'], purpose: '授信', expiresAt: '2027-01-01' }), { code: 'invalid_scopes' });
      const tax = await requestConsent(store, bank, { creditCode: firmCode, scopes: ['tax', 'registration'], purpose: '授信', expiresAt: '2027-01-01' });
      await authoriseConsent(store, firm, tax.id);
      await assert.rejects(check(['bank_statements']), { code: 'consent_required' });
      const statements = await requestConsent(store, bank, { creditCode: firmCode, scopes: ['bank_statements'], purpose: '授信', expiresAt: '2027-01-01' });
      await authoriseConsent(store, firm, statements.id);
      assert.equal((await check(['bank_statements'])).id, statements.id);
      await assert.rejects(check(['bank_statements', 'tax']), { code: 'consent_required' }, 'no single consent covers both');
    });

    test('only the enterprise itself authorises, and others do not even see the consent', async () => {
      const consent = await requestConsent(store, bank, { creditCode: firmCode, scopes: ['court'], purpose: '授信', expiresAt: '2027-01-01' });
      await assert.rejects(authoriseConsent(store, otherFirm, consent.id), { code: 'not_found' });
      await assert.rejects(authoriseConsent(store, bank, consent.id), { code: 'forbidden' });
      await assert.rejects(authoriseConsent(store, otherBank, consent.id), { code: 'not_found' });
      await assert.rejects(getConsent(store, otherBank, consent.id), { code: 'not_found' });
      await assert.rejects(requestConsent(store, firm, { creditCode: firmCode, scopes: ['court'], purpose: 'x', expiresAt: '2027-01-01' }), { code: 'forbidden' });
      assert.equal((await getConsent(store, firm, consent.id)).id, consent.id);
      assert.equal((await listConsents(store, otherBank)).items.length, 0);
      assert.ok((await listConsents(store, firm)).items.every((c) => c.creditCode === firmCode));
      assert.equal((await listConsents(store, otherFirm)).items.length, 0);
      const rejected = await rejectConsent(store, firm, consent.id);
      assert.equal(rejected.status, 'Rejected');
      await assert.rejects(authoriseConsent(store, firm, consent.id), { code: 'conflict' });
    });

    test('a consent stops working at its expiry, before and after expireConsents marks it', async () => {
      const consent = await requestConsent(store, otherBank, { creditCode: firmCode, scopes: ['bureau'], purpose: '担保', expiresAt: '2026-03-31T00:00:00.000Z' });
      await authoriseConsent(store, firm, consent.id);
      assert.equal((await check(['bureau'], otherBank)).id, consent.id);
      opened.clock.set('2026-04-01T00:00:00.000Z');
      await assert.rejects(check(['bureau'], otherBank), { code: 'consent_required' });
      const expired = await expireConsents(store);
      assert.ok(expired >= 1);
      const after = await getConsent(store, otherBank, consent.id);
      assert.equal(after.status, 'Expired');
      assert.equal(await expireConsents(store), 0);
    });

    test('refuses malformed requests with stable codes', async () => {
      const base = { creditCode: firmCode, scopes: ['tax'], purpose: '授信', expiresAt: '2028-01-01' };
      await assert.rejects(requestConsent(store, bank, { ...base, scopes: [] }), { code: 'invalid_scopes' });
      await assert.rejects(requestConsent(store, bank, { ...base, scopes: ['everything'] }), { code: 'invalid_scopes' });
      await assert.rejects(requestConsent(store, bank, { ...base, expiresAt: '2020-01-01' }), { code: 'invalid_expiry' });
      await assert.rejects(requestConsent(store, bank, { ...base, expiresAt: '2099-01-01' }), { code: 'invalid_expiry' });
      await assert.rejects(requestConsent(store, bank, { ...base, expiresAt: 'tomorrow' }), { code: 'invalid_expiry' });
      await assert.rejects(requestConsent(store, bank, { ...base, creditCode: '123' }), { code: 'invalid_credit_code' });
      await assert.rejects(requestConsent(store, bank, { ...base, purpose: ' ' }), { code: 'invalid_purpose' });
    });

    test('every consent change is in the audit chain', async () => {
      const consent = await requestConsent(store, bank, { creditCode: firmCode, scopes: ['registration'], purpose: '审计', expiresAt: '2027-06-01' });
      await authoriseConsent(store, firm, consent.id);
      await revokeConsent(store, bank, consent.id);
      const actions = await store.db.selectFrom('auditLog').select(['action', 'actor']).where('subjectId', '=', consent.id).orderBy('seq').execute();
      assert.deepEqual(actions, [
        { action: 'consent.request', actor: bank.keyId },
        { action: 'consent.authorise', actor: firm.keyId },
        { action: 'consent.revoke', actor: bank.keyId },
      ]);
      assert.equal((await verifyAuditChain(store)).ok, true);
    });

    test('the enterprise may grant a named grantee directly, and only an enterprise may', async () => {
      const granted = await grantConsent(store, otherFirm, { granteeTenantId: otherBank.tenantId, scopes: ['tax'], purpose: '银税贷', expiresAt: '2027-12-01' });
      assert.equal(granted.status, 'Authorised');
      const found = await requireConsent(store, { granteeTenantId: otherBank.tenantId, creditCode: creditCode(102), scopes: ['tax'], at: store.now() });
      assert.equal(found.id, granted.id);
      await assert.rejects(grantConsent(store, bank, { granteeTenantId: otherBank.tenantId, scopes: ['tax'], purpose: 'x', expiresAt: '2027-12-01' }), { code: 'forbidden' });
      await assert.rejects(grantConsent(store, firm, { granteeTenantId: otherFirm.tenantId, scopes: ['tax'], purpose: 'x', expiresAt: '2027-12-01' }), { code: 'not_found' });
      await assert.rejects(grantConsent(store, firm, { granteeTenantId: bank.tenantId, scopes: ['bank_statements', 'tax'], purpose: 'x', expiresAt: '2027-12-01' }), { code: 'invalid_scopes' });
    });
  });
}
