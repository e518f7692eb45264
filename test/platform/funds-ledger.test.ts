import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAuditChain, type Principal, type Store } from '../../src/store/index.ts';
import { coverLoan, createFund, fileDefaultClaim, getClaim, getCover, getFund, loadFundsPolicy, reconcileFund, shareRecovery } from '../../src/platform/funds.ts';
import { BACKENDS, creditCode, openTestStore, principalOf, type OpenedStore } from '../store/backends.ts';

const YUAN = 100;

for (const backend of BACKENDS) {
  describe(`fund ledger on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let fundKeeper: Principal;
    let otherFund: Principal;
    let bank: Principal;
    let otherBank: Principal;
    before(async () => {
      opened = await openTestStore(backend, 'funds');
      store = opened.store;
      fundKeeper = await principalOf(store, 'guarantee_fund', '威海市企业信用保证基金');
      otherFund = await principalOf(store, 'guarantee_fund', '另一家担保基金');
      bank = await principalOf(store, 'bank', '威海市商业银行');
      otherBank = await principalOf(store, 'bank', '另一家银行');
    });
    after(() => opened.close());

    test('a fund covers loans by tier within the per-enterprise cap and its leverage, shares a default and recoveries, and reconciles to the fen', async () => {
      const fund = await createFund(store, fundKeeper, { name: '信用保证基金', capitalFen: 1_000_000 * YUAN, leverage: 10 });
      assert.equal(fund.balanceFen, 1_000_000 * YUAN);
      const firm = creditCode(501);
      // 3 million yuan, tier A: fully covered, liability 80 %.
      const first = await coverLoan(store, fundKeeper, fund.id, { bankTenantId: bank.tenantId, loanRef: 'L-1', creditCode: firm, tier: 'A', loanPrincipalFen: 3_000_000 * YUAN });
      assert.deepEqual([first.coveredPrincipalFen, first.liabilityFen], [3_000_000 * YUAN, 2_400_000 * YUAN]);
      // 4 million more for the same firm: only 2 million of the 5 million cap is left.
      const second = await coverLoan(store, fundKeeper, fund.id, { bankTenantId: bank.tenantId, loanRef: 'L-2', creditCode: firm, tier: 'C', loanPrincipalFen: 4_000_000 * YUAN });
      assert.deepEqual([second.coveredPrincipalFen, second.liabilityFen], [2_000_000 * YUAN, 800_000 * YUAN]);
      await assert.rejects(coverLoan(store, fundKeeper, fund.id, { bankTenantId: bank.tenantId, loanRef: 'L-3', creditCode: firm, tier: 'A', loanPrincipalFen: 100 }), { code: 'conflict' });
      await assert.rejects(coverLoan(store, fundKeeper, fund.id, { bankTenantId: bank.tenantId, loanRef: 'L-1', creditCode: creditCode(502), tier: 'A', loanPrincipalFen: 100 }), { code: 'conflict' });
      // Leverage: liability 3.2 million of 10 million allowed; a further 5 million tier-A cover (4 million liability) fits,
      // another (4 million more) would reach 11.2 million and is refused.
      await coverLoan(store, fundKeeper, fund.id, { bankTenantId: otherBank.tenantId, loanRef: 'M-1', creditCode: creditCode(503), tier: 'A', loanPrincipalFen: 5_000_000 * YUAN });
      await assert.rejects(
        coverLoan(store, fundKeeper, fund.id, { bankTenantId: bank.tenantId, loanRef: 'L-4', creditCode: creditCode(504), tier: 'A', loanPrincipalFen: 5_000_000 * YUAN }),
        (error: Error & { code?: string }) => error.code === 'conflict' && /leverage/.test(error.message),
      );
      await assert.rejects(coverLoan(store, otherFund, fund.id, { bankTenantId: bank.tenantId, loanRef: 'X', creditCode: creditCode(505), tier: 'A', loanPrincipalFen: 100 }), { code: 'not_found' });

      // The tier-C loan defaults: 4 million principal partly covered (2 million at 4:6), 1,000,000.01 yuan lost and 333.33 interest.
      await assert.rejects(getCover(store, otherBank, second.id), { code: 'not_found' });
      const claim = await fileDefaultClaim(store, bank, second.id, { principalLostFen: 100_000_001, interestLostFen: 33_333 });
      // Fund weight 2,000,000 × 4000 of 4,000,000 × 10000 = 20 %: 20,000,000.2 → 20,000,000 and 6,666.6 → 6,667.
      assert.deepEqual([claim.fundPrincipalFen, claim.bankPrincipalFen, claim.fundInterestFen, claim.bankInterestFen], [20_000_000, 80_000_001, 6_667, 26_666]);
      await assert.rejects(fileDefaultClaim(store, bank, second.id, { principalLostFen: 1, interestLostFen: 0 }), { code: 'conflict' });
      let after = await getFund(store, fundKeeper, fund.id);
      assert.equal(after.balanceFen, 1_000_000 * YUAN - 20_006_667);
      assert.equal(after.liabilityFen, (2_400_000 + 4_000_000) * YUAN);

      // Recoveries in two instalments, the second returning everything: each party gets back exactly its loss.
      const firstRecovery = await shareRecovery(store, bank, claim.id, 50_000_000);
      assert.equal(firstRecovery.fundFen + firstRecovery.bankFen, 50_000_000);
      assert.equal(firstRecovery.fundFen, 10_000_000); // 50,000,000 × 20,006,667 / 100,033,334 = 10,000,000.1
      const rest = 100_033_334 - 50_000_000;
      const last = await shareRecovery(store, fundKeeper, claim.id, rest);
      assert.equal(last.claim.fundRecoveredFen, claim.fundPrincipalFen + claim.fundInterestFen);
      assert.equal(last.claim.bankRecoveredFen, claim.bankPrincipalFen + claim.bankInterestFen);
      await assert.rejects(shareRecovery(store, bank, claim.id, 1), { code: 'invalid_amount' });
      await assert.rejects(getClaim(store, otherBank, claim.id), { code: 'not_found' });
      after = await getFund(store, fundKeeper, fund.id);
      assert.equal(after.balanceFen, 1_000_000 * YUAN);

      const reconciliation = await reconcileFund(store, fundKeeper, fund.id);
      assert.deepEqual(reconciliation.differences, []);
      assert.equal(reconciliation.claimsPaidFen, 20_006_667);
      assert.equal(reconciliation.recoveredFen, 20_006_667);
      assert.equal((await verifyAuditChain(store)).ok, true);
      const actions = await store.db.selectFrom('auditLog').select('action').where('tenantId', '=', fundKeeper.tenantId).execute();
      assert.deepEqual(new Set(actions.map((a) => a.action)), new Set(['tenant.create', 'api_key.create', 'fund.create', 'fund.cover', 'fund.claim', 'fund.recovery']));
    });

    test('only a guarantee fund or the operator creates a fund, within the policy\'s leverage', async () => {
      await assert.rejects(createFund(store, bank, { name: 'x', capitalFen: 100 }), { code: 'forbidden' });
      await assert.rejects(createFund(store, fundKeeper, { name: 'x', capitalFen: 100, leverage: 16 }), { code: 'invalid_leverage' });
      await assert.rejects(createFund(store, fundKeeper, { name: 'x', capitalFen: 0 }), { code: 'invalid_amount' });
    });

    test('a fund holds at most the policy\'s number of covers', async () => {
      const tight = { ...loadFundsPolicy(), coversPerFundMax: 1 };
      const small = await createFund(store, fundKeeper, { name: '小基金', capitalFen: 10_000_000 }, tight);
      const loan = (n: number) => ({ bankTenantId: bank.tenantId, loanRef: `S-${n}`, creditCode: creditCode(600 + n), tier: 'B' as const, loanPrincipalFen: 1_000_000 });
      await coverLoan(store, fundKeeper, small.id, loan(1), tight);
      await assert.rejects(coverLoan(store, fundKeeper, small.id, loan(2), tight), { code: 'conflict', message: /at most 1 covers/ });
    });

    test('the ledger is append-only', async () => {
      await assert.rejects(store.db.updateTable('fundEntries').set({ amountFen: 1 }).execute());
    });
  });
}
