/**
 * The marketplace's store functions on both backends: registration, products, needs, the queue, first-wins and
 * multi-offer claims, offers under consent, acceptance (the others lapse), the SLA release and need expiry with an
 * injected clock, defaults, the regulator's statistics and CSV, the banks' ranking, and the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  acceptOffer, bankRanking, claimNeed, listProducts, rejectOffer, updateProduct, declineClaim, getNeed, listNeedQueue, listOffers, loadPlatformPolicy, makeOffer, parsePlatformPolicy,
  platformStatistics, publishNeed, publishProduct, recordOfferDefault, registerEnterprise, releaseExpiredClaims, setEnterpriseRating, statisticsCsv, withdrawNeed,
  type PlatformNeed,
} from '../../src/platform/market.ts';
import { verifyAuditChain, type Principal } from '../../src/store/index.ts';
import {
  authoriseBank, BACKENDS, code, INVOICE_LOAN_TERMS, openMarketStore, party, registeredEnterprise, TAX_LOAN_TERMS, type MarketStore,
} from './market-fixture.ts';

const policy = loadPlatformPolicy();

for (const backend of BACKENDS) {
  describe(`marketplace on ${backend}`, () => {
    let market: MarketStore;
    let operator: Principal;
    let government: Principal;
    let banks: Principal[];
    let xiamenOnly: Principal;
    let firm: Principal;
    let taxProducts: string[];
    let invoiceProducts: string[];

    before(async () => {
      market = await openMarketStore(backend, 'market_store');
      const { store } = market;
      operator = await party(store, 'operator', '平台运营方');
      government = await party(store, 'government', '发改委信用处');
      banks = [];
      for (let k = 0; k < 5; k++) banks.push(await party(store, 'bank', `银行${k + 1}`));
      xiamenOnly = await party(store, 'bank', '厦门农商行');
      firm = await registeredEnterprise(store, 1, { division: '110105', industrySection: 'F' });
      taxProducts = [];
      invoiceProducts = [];
      for (const bank of banks) {
        taxProducts.push((await publishProduct(store, bank, TAX_LOAN_TERMS)).id);
        invoiceProducts.push((await publishProduct(store, bank, INVOICE_LOAN_TERMS)).id);
      }
      await publishProduct(store, xiamenOnly, { ...TAX_LOAN_TERMS, regions: ['3502'] });
    });
    after(async () => market?.close());

    test('registers an enterprise once, with its region taken from its credit code; refuses a bad code and a bank', async () => {
      const { store } = market;
      const { registration, key } = await registerEnterprise(store, operator, { creditCode: code(2, '440305'), name: '深圳某科技', industrySection: 'I', issueKey: true });
      assert.equal(registration.regionCode, '440305');
      assert.match(key ?? '', /^phk_/);
      await assert.rejects(registerEnterprise(store, operator, { creditCode: code(2, '440305'), name: 'again', industrySection: 'I' }), { code: 'conflict' });
      const bad = code(3).slice(0, 17) + (code(3).endsWith('0') ? '1' : '0');
      await assert.rejects(registerEnterprise(store, operator, { creditCode: bad, name: 'bad', industrySection: 'I' }), { code: 'invalid_credit_code' });
      await assert.rejects(registerEnterprise(store, banks[0]!, { creditCode: code(4), name: 'x', industrySection: 'I' }), { code: 'forbidden' });
    });

    test('a product names a shipped strategy or sends its own; the product line must be one the policy lists', async () => {
      const { store } = market;
      await assert.rejects(publishProduct(store, banks[0]!, { ...TAX_LOAN_TERMS, strategyId: 'no-such' }), { code: 'invalid_product' });
      await assert.rejects(publishProduct(store, banks[0]!, { ...TAX_LOAN_TERMS, rateMinBps: 900, rateMaxBps: 800 }), { code: 'invalid_product' });
      const taxOnly = parsePlatformPolicy({ ...policy, productLines: { tax_loan: policy.productLines.tax_loan } });
      await assert.rejects(publishProduct(store, banks[0]!, INVOICE_LOAN_TERMS, { policy: taxOnly }), { code: 'invalid_product_line' });
      await assert.rejects(publishProduct(store, firm, TAX_LOAN_TERMS), { code: 'forbidden' });
      // The simulation names its records itself, so a seeded run is the same run twice; the API never does.
      assert.equal((await publishProduct(store, xiamenOnly, { ...INVOICE_LOAN_TERMS, regions: ['3502'], id: 'sim-product-1' })).id, 'sim-product-1');
      await assert.rejects(publishProduct(store, xiamenOnly, { ...INVOICE_LOAN_TERMS, id: 'not an id!' }), { code: 'invalid_id' });
      const withdrawn = await updateProduct(store, xiamenOnly, 'sim-product-1', { status: 'withdrawn', rateMaxBps: 850 });
      assert.deepEqual([withdrawn.status, withdrawn.rateMaxBps], ['withdrawn', 850]);
      assert.equal((await listProducts(store, firm, { limit: 100 })).items.some((p) => p.id === 'sim-product-1'), false, 'gone from the catalogue');
      assert.ok((await listProducts(store, xiamenOnly, { mine: true })).items.some((p) => p.id === 'sim-product-1'), 'still the bank\'s own');
      await assert.rejects(updateProduct(store, banks[0]!, 'sim-product-1', { status: 'active' }), { code: 'not_found' });
      await assert.rejects(updateProduct(store, xiamenOnly, 'sim-product-1', { limitMinFen: 900_000_000 }), { code: 'invalid_product' });
    });

    test('first claim wins on a tax loan: the queue hides the enterprise until a bank claims, then only the winner sees it', async () => {
      const { store } = market;
      await setEnterpriseRating(store, code(1, '110105'), { grade: 'B', score: 71.5, ratedAt: '2026-11-01', modelVersion: 'rating-test' });
      await assert.rejects(setEnterpriseRating(store, code(9, '110105'), { grade: 'B', score: 1, ratedAt: '2026-11-01', modelVersion: 'x' }), { code: 'not_found' });
      const need = await publishNeed(store, firm, { amountFen: 50_000_000, termMonths: 12, purpose: '采购原材料', urgency: 'urgent', productLine: 'tax_loan' });
      assert.equal(need.claimMode, 'first_wins');
      assert.equal(need.claimSlots, 1);
      const queue = await listNeedQueue(store, banks[0]!);
      const item = queue.items.find((i) => i.id === need.id);
      assert.ok(item, 'the need is in the bank\'s queue');
      assert.equal(JSON.stringify(item).includes(need.creditCode), false);
      assert.deepEqual(item.productIds, [taxProducts[0]]);
      assert.deepEqual([item.ratingGrade, item.ratingScore], ['B', 71.5], 'the queue shows the platform rating');
      assert.equal((await listNeedQueue(store, xiamenOnly)).items.some((i) => i.id === need.id), false, 'a Xiamen-only product does not serve a Beijing firm');
      await claimNeed(store, banks[0]!, { needId: need.id, productId: taxProducts[0]! });
      await assert.rejects(claimNeed(store, banks[1]!, { needId: need.id, productId: taxProducts[1]! }), { code: 'conflict' });
      await assert.rejects(claimNeed(store, banks[0]!, { needId: need.id, productId: taxProducts[0]! }), { code: 'conflict' });
      assert.equal((await listNeedQueue(store, banks[1]!)).items.some((i) => i.id === need.id), false);
      assert.equal((await getNeed(store, banks[0]!, need.id)).creditCode, need.creditCode);
      await assert.rejects(getNeed(store, banks[1]!, need.id), { code: 'not_found' });
      await assert.rejects(claimNeed(store, banks[1]!, { needId: need.id, productId: invoiceProducts[1]! }), { code: 'not_found' });
    });

    test('the queue pages with a cursor, newest first, without repeating or losing a need while new ones arrive', async () => {
      const { store } = market;
      const published: string[] = [];
      for (let k = 0; k < 3; k++) published.push((await publishNeed(store, firm, { amountFen: 20_000_000 + k, termMonths: 6, purpose: `订单 ${k}`, productLine: 'tax_loan' })).id);
      const first = await listNeedQueue(store, banks[2]!, { limit: 2, productLine: 'tax_loan' });
      assert.deepEqual(first.items.map((i) => i.id), [published[2], published[1]]);
      await publishNeed(store, firm, { amountFen: 20_000_009, termMonths: 6, purpose: '新订单', productLine: 'tax_loan' });
      const second = await listNeedQueue(store, banks[2]!, { limit: 2, productLine: 'tax_loan', cursor: first.nextCursor });
      assert.equal(second.items[0]!.id, published[0]);
      assert.equal(new Set([...first.items, ...second.items].map((i) => i.id)).size, first.items.length + second.items.length);
    });

    test('multi-offer on an invoice loan: k banks claim, a decline frees a slot, offers need consent, the enterprise accepts one and the rest lapse', async () => {
      const { store } = market;
      const need = await publishNeed(store, firm, { amountFen: 80_000_000, termMonths: 6, purpose: '支付货款', productLine: 'invoice_loan' });
      assert.equal(need.claimSlots, policy.productLines.invoice_loan!.offersMax);
      const claims = [];
      for (let k = 0; k < need.claimSlots; k++) claims.push(await claimNeed(store, banks[k]!, { needId: need.id, productId: invoiceProducts[k]! }));
      await assert.rejects(claimNeed(store, banks[3]!, { needId: need.id, productId: invoiceProducts[3]! }), { code: 'conflict' });
      await declineClaim(store, banks[2]!, claims[2]!.id, '行业集中度超限');
      claims[2] = await claimNeed(store, banks[3]!, { needId: need.id, productId: invoiceProducts[3]! });
      await assert.rejects(makeOffer(store, banks[0]!, { claimId: claims[0]!.id, amountFen: 60_000_000, rateBps: 420, termMonths: 6 }), { code: 'consent_required' });
      for (const bank of [banks[0]!, banks[1]!, banks[3]!]) await authoriseBank(store, firm, bank);
      await assert.rejects(makeOffer(store, banks[0]!, { claimId: claims[0]!.id, amountFen: 90_000_000, rateBps: 420, termMonths: 6 }), { code: 'invalid_offer' });
      await assert.rejects(makeOffer(store, banks[0]!, { claimId: claims[0]!.id, amountFen: 60_000_000, rateBps: 2_000, termMonths: 6 }), { code: 'invalid_offer' });
      const cheap = await makeOffer(store, banks[0]!, { claimId: claims[0]!.id, amountFen: 60_000_000, rateBps: 420, termMonths: 6 });
      const dear = await makeOffer(store, banks[1]!, { claimId: claims[1]!.id, amountFen: 80_000_000, rateBps: 520, termMonths: 6 });
      await assert.rejects(makeOffer(store, banks[1]!, { claimId: claims[1]!.id, amountFen: 80_000_000, rateBps: 500, termMonths: 6 }), { code: 'conflict' });
      await assert.rejects(makeOffer(store, banks[0]!, { claimId: claims[1]!.id, amountFen: 80_000_000, rateBps: 500, termMonths: 6 }), { code: 'not_found' });
      const offers = await listOffers(store, firm, { needId: need.id });
      assert.deepEqual(offers.items.map((o) => o.id).sort(), [cheap.id, dear.id].sort());
      assert.deepEqual(new Set(offers.items.map((o) => o.bankName)), new Set(['银行1', '银行2']));
      await assert.rejects(acceptOffer(store, banks[0]!, cheap.id), { code: 'forbidden' });
      const accepted = await acceptOffer(store, firm, cheap.id);
      assert.equal(accepted.status, 'accepted');
      const after = await store.db.selectFrom('platformOffers').select(['id', 'status']).where('needId', '=', need.id).execute();
      assert.deepEqual(Object.fromEntries(after.map((o) => [o.id, o.status])), { [cheap.id]: 'accepted', [dear.id]: 'lapsed' });
      const claimStatuses = await store.db.selectFrom('platformClaims').select(['tenantId', 'status']).where('needId', '=', need.id).execute();
      assert.deepEqual(Object.fromEntries(claimStatuses.map((c) => [c.tenantId, c.status])), {
        [banks[0]!.tenantId]: 'accepted', [banks[1]!.tenantId]: 'lapsed', [banks[2]!.tenantId]: 'declined', [banks[3]!.tenantId]: 'lapsed',
      });
      const matched = await getNeed(store, firm, need.id);
      assert.equal(matched.status, 'matched');
      assert.equal(matched.acceptedOfferId, cheap.id);
      await assert.rejects(acceptOffer(store, firm, dear.id), { code: 'conflict' });
      await recordOfferDefault(store, banks[0]!, cheap.id, '2027-03-31');
      await assert.rejects(recordOfferDefault(store, banks[1]!, cheap.id, '2027-03-31'), { code: 'not_found' });
    });

    test('a claim not acted on within its SLA goes back to the pool when the nightly job runs; an old need expires', async () => {
      const { store, clock } = market;
      const need = await publishNeed(store, firm, { amountFen: 30_000_000, termMonths: 12, purpose: '发工资', productLine: 'tax_loan' });
      const claim = await claimNeed(store, banks[4]!, { needId: need.id, productId: taxProducts[4]! });
      assert.equal((await listNeedQueue(store, banks[3]!)).items.some((i) => i.id === need.id), false);
      clock.advanceDays(policy.productLines.tax_loan!.claimSlaHours / 24 + 0.01);
      await authoriseBank(store, firm, banks[4]!);
      await assert.rejects(makeOffer(store, banks[4]!, { claimId: claim.id, amountFen: 30_000_000, rateBps: 400, termMonths: 12 }), { code: 'conflict' });
      const released = await releaseExpiredClaims(store, store.now().slice(0, 10));
      assert.equal(released.claimsReleased, 2, 'this claim and the first-wins claim of the earlier test, never acted on');
      assert.equal((await store.db.selectFrom('platformClaims').select('status').where('id', '=', claim.id).executeTakeFirstOrThrow()).status, 'expired');
      assert.equal((await releaseExpiredClaims(store)).claimsReleased, 0, 'idempotent');
      const pooled = await getNeed(store, firm, need.id);
      assert.equal(pooled.claimsActive, 0);
      assert.equal(pooled.status, 'open');
      assert.ok((await listNeedQueue(store, banks[3]!)).items.some((i) => i.id === need.id), 'back in the pool');
      const second = await claimNeed(store, banks[3]!, { needId: need.id, productId: taxProducts[3]! });
      const pending = await makeOffer(store, banks[3]!, { claimId: second.id, amountFen: 30_000_000, rateBps: 450, termMonths: 12 });
      clock.advanceDays(policy.needOpenDays);
      const expired = await releaseExpiredClaims(store);
      assert.ok(expired.needsExpired >= 1);
      const closed: PlatformNeed = await getNeed(store, firm, need.id);
      assert.equal(closed.status, 'expired');
      const lapsed = await store.db.selectFrom('platformClaims').select('status').where('id', '=', second.id).executeTakeFirstOrThrow();
      assert.equal(lapsed.status, 'lapsed');
      assert.equal((await store.db.selectFrom('platformOffers').select('status').where('id', '=', pending.id).executeTakeFirstOrThrow()).status, 'lapsed');
      const turnedDown = await publishNeed(store, firm, { amountFen: 30_000_000, termMonths: 12, purpose: '扩产', productLine: 'tax_loan' });
      const firstClaim = await claimNeed(store, banks[3]!, { needId: turnedDown.id, productId: taxProducts[3]! });
      const firstOffer = await makeOffer(store, banks[3]!, { claimId: firstClaim.id, amountFen: 30_000_000, rateBps: 790, termMonths: 12 });
      await assert.rejects(claimNeed(store, banks[4]!, { needId: turnedDown.id, productId: taxProducts[4]! }), { code: 'conflict' });
      await assert.rejects(rejectOffer(store, banks[3]!, firstOffer.id), { code: 'forbidden' });
      assert.equal((await rejectOffer(store, firm, firstOffer.id)).status, 'rejected');
      assert.equal((await claimNeed(store, banks[4]!, { needId: turnedDown.id, productId: taxProducts[4]! })).status, 'active', 'the slot went back to the pool');
      const withdrawn = await publishNeed(store, firm, { amountFen: 30_000_000, termMonths: 12, purpose: '备货', productLine: 'tax_loan' });
      assert.equal((await withdrawNeed(store, firm, withdrawn.id)).status, 'withdrawn');
      await assert.rejects(withdrawNeed(store, firm, withdrawn.id), { code: 'conflict' });
    });

    test('the regulator\'s statistics by region, industry, bank and product add up, export as CSV, and are not a bank\'s to read', async () => {
      const { store } = market;
      const byRegion = await platformStatistics(store, government, { by: 'region', regionDigits: 2 });
      const beijing = byRegion.find((r) => r.key === '11');
      assert.ok(beijing);
      const needs = await store.db.selectFrom('platformNeeds').select(['amountFen']).execute();
      assert.equal(beijing.needs, needs.length);
      assert.equal(beijing.needAmountFen, needs.reduce((s, n) => s + n.amountFen, 0));
      assert.equal(beijing.approvals, 1);
      assert.equal(beijing.approvedAmountFen, 60_000_000);
      assert.equal(beijing.rateBpsMean, 420);
      assert.equal(beijing.defaults, 1);
      assert.equal(beijing.offers, await countOf(market, 'platformOffers'));
      assert.ok(beijing.timeToClaimHoursMean !== null && beijing.timeToClaimHoursMean >= 0);
      const byIndustry = await platformStatistics(store, operator, { by: 'industry' });
      assert.deepEqual(byIndustry.map((r) => r.key), ['F']);
      const byBank = await platformStatistics(store, government, { by: 'bank' });
      const bank1 = byBank.find((r) => r.key === '银行1')!;
      assert.equal(bank1.approvals, 1);
      assert.equal(bank1.defaults, 1);
      assert.equal(byBank.reduce((s, r) => s + r.claims, 0), await countOf(market, 'platformClaims'));
      const byProduct = await platformStatistics(store, government, { by: 'product' });
      assert.equal(byProduct.reduce((s, r) => s + r.offers, 0), await countOf(market, 'platformOffers'));
      const csv = statisticsCsv(byBank);
      const lines = csv.trimEnd().split('\r\n');
      assert.equal(lines[0]!.split(',')[0], 'key');
      assert.equal(lines.length, byBank.length + 1);
      await assert.rejects(platformStatistics(store, banks[0]!, { by: 'region' }), { code: 'forbidden' });
      const ranking = await bankRanking(store);
      const third = ranking.find((r) => r.bankName === '银行3')!;
      assert.equal(third.declines, 1);
      assert.equal(third.approvalRate, 0);
      assert.equal(ranking.find((r) => r.bankName === '银行5')!.slaMissed, 1);
      assert.equal(ranking.find((r) => r.bankName === '银行1')!.approvalRate, 1);
      assert.deepEqual(ranking.map((r) => r.responseRank), ranking.map((_, k) => k + 1));
    });

    test('every marketplace write is on the audit chain, and the chain verifies', async () => {
      const { store } = market;
      const actions = new Set((await store.db.selectFrom('auditLog').select('action').where('action', 'like', 'platform.%').execute()).map((r) => r.action));
      for (const action of ['platform.enterprise.register', 'platform.product.publish', 'platform.need.publish', 'platform.claim.create', 'platform.claim.decline',
        'platform.offer.create', 'platform.offer.accept', 'platform.claim.release', 'platform.need.expire', 'platform.need.withdraw', 'platform.offer.default', 'platform.enterprise.rate', 'platform.offer.reject']) {
        assert.ok(actions.has(action), `${action} audited`);
      }
      assert.equal((await verifyAuditChain(store)).ok, true);
    });
  });
}

async function countOf(market: MarketStore, table: 'platformClaims' | 'platformOffers'): Promise<number> {
  const row = await market.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
