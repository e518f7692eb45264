/** The government middle office and the funds over the API, role by role (issue #13 items 3 and 4). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, serviceFixture, type ServiceFixture } from '../server/fixture.ts';
import { verifyAuditChain } from '../../src/store/index.ts';

let fixture: ServiceFixture;
const HEADER = 'creditCode,name,amountFen,termMonths,rating,expectedLossBps,industrySection,regionCode';

before(async () => { fixture = await serviceFixture('pglite', 'gov-api', { snapshotJobs: false, consents: false }); });
after(async () => fixture?.close());

const product = { productId: 'whitelist-loan', amountFenMin: 1, amountFenMax: 1_000_000_000, ratings: ['A', 'B', 'C'], rateBps: 420 };

test('government: uploads a CSV whitelist (a bad row named by line and field), dispatches it, follows the firms; other roles are refused', async () => {
  const { a, b } = fixture;
  const csv = [HEADER, `${a.creditCode},甲公司,100000000,12,A,80,C,371000`, `${b.creditCode},乙公司,50000000,12,B,120,C,371000`,
    `${fixture.strangerCode},丙公司,abc,12,B,120,C,371000`].join('\n');
  for (const role of ['bank', 'guarantee_fund', 'enterprise'] as const) {
    const refused = await call(fixture.app, a.keys[role], 'POST', '/v1/whitelists', { name: '白名单', csv });
    assert.equal(refused.statusCode, 403, role);
    assert.match(refused.headers['content-type'] as string, /problem\+json/);
  }
  const uploaded = await call(fixture.app, a.keys.government, 'POST', '/v1/whitelists', { name: '2026年白名单', csv });
  assert.equal(uploaded.statusCode, 201, uploaded.body);
  const { whitelist, rejected } = uploaded.json();
  assert.equal(whitelist.accepted, 2);
  assert.deepEqual(rejected.map((r: { line: number; column: string }) => [r.line, r.column]), [[4, 'amountFen']]);
  const incomplete = await call(fixture.app, a.keys.government, 'POST', '/v1/whitelists', { name: 'x', csv: 'creditCode,name\n' + `${a.creditCode},甲` });
  assert.equal(incomplete.statusCode, 400);
  assert.equal(incomplete.json().code, 'whitelist_incomplete');

  const dispatch = await call(fixture.app, a.keys.government, 'POST', `/v1/whitelists/${whitelist.id}/dispatch`, {
    banks: [{ bankTenantId: a.tenantIds.bank, firmCountMax: 1, amountFenMax: 1_000_000_000, ratingMin: 'C', expectedLossBpsMax: 200, products: [product] },
      { bankTenantId: b.tenantIds.bank, firmCountMax: 5, amountFenMax: 1_000_000_000, ratingMin: 'A', expectedLossBpsMax: 200, products: [product] }],
  });
  assert.equal(dispatch.statusCode, 201, dispatch.body);
  assert.equal(dispatch.json().matched, 2);
  assert.equal(dispatch.json().status, 'Optimal');
  assert.equal((await call(fixture.app, b.keys.government, 'POST', `/v1/whitelists/${whitelist.id}/dispatch`, { banks: [{ bankTenantId: b.tenantIds.bank, firmCountMax: 5, amountFenMax: 1, ratingMin: 'A', expectedLossBpsMax: 1, products: [product] }] })).statusCode, 404);

  // The B-rated firm can only go to bank A (bank B takes A only); the A-rated one to bank B.
  const queueA = (await call(fixture.app, a.keys.bank, 'GET', '/v1/dispatched-firms')).json();
  assert.deepEqual(queueA.items.map((f: { creditCode: string }) => f.creditCode), [b.creditCode]);
  const claimed = await call(fixture.app, a.keys.bank, 'POST', `/v1/whitelists/${whitelist.id}/firms/${b.creditCode}/status`, { status: 'claimed' });
  assert.equal(claimed.statusCode, 200, claimed.body);
  assert.equal((await call(fixture.app, b.keys.bank, 'POST', `/v1/whitelists/${whitelist.id}/firms/${b.creditCode}/status`, { status: 'offered' })).statusCode, 404);
  assert.equal((await call(fixture.app, a.keys.bank, 'POST', `/v1/whitelists/${whitelist.id}/firms/${b.creditCode}/status`, { status: 'booked' })).statusCode, 409);

  const followed = (await call(fixture.app, a.keys.government, 'GET', `/v1/whitelists/${whitelist.id}`)).json();
  assert.deepEqual({ dispatched: followed.progress.dispatched, claimed: followed.progress.claimed }, { dispatched: 1, claimed: 1 });
  assert.equal((await call(fixture.app, b.keys.government, 'GET', `/v1/whitelists/${whitelist.id}`)).statusCode, 404);
  assert.equal((await call(fixture.app, a.keys.bank, 'GET', `/v1/whitelists/${whitelist.id}/firms`)).statusCode, 403);
  const operatorView = await call(fixture.app, fixture.operatorKey, 'GET', `/v1/whitelists/${whitelist.id}/firms`);
  assert.equal(operatorView.json().items.length, 2);
  const run = await call(fixture.app, fixture.operatorKey, 'GET', `/v1/dispatch-runs/${dispatch.json().id}`);
  assert.equal(run.json().baseline.figures.matched <= run.json().matched, true);
});

test('fund: creates a fund, covers a loan, the bank files the default claim and a recovery; shares are to the fen and the fund reconciles', async () => {
  const { a, b } = fixture;
  assert.equal((await call(fixture.app, a.keys.bank, 'POST', '/v1/funds', { name: '基金', capitalFen: 100 })).statusCode, 403);
  const created = await call(fixture.app, a.keys.guarantee_fund, 'POST', '/v1/funds', { name: '企业信用保证基金', capitalFen: 200_000_000_00 });
  assert.equal(created.statusCode, 201, created.body);
  const fund = created.json();
  assert.equal(fund.leverage, 10);
  const cover = await call(fixture.app, a.keys.guarantee_fund, 'POST', `/v1/funds/${fund.id}/covers`, {
    bankTenantId: a.tenantIds.bank, loanRef: 'WH-2026-001', creditCode: a.creditCode, tier: 'B', loanPrincipalFen: 300_000_000,
  });
  assert.equal(cover.statusCode, 201, cover.body);
  assert.equal(cover.json().fundShareBps, 6000);
  assert.equal((await call(fixture.app, b.keys.guarantee_fund, 'POST', `/v1/funds/${fund.id}/covers`, {
    bankTenantId: b.tenantIds.bank, loanRef: 'X', creditCode: b.creditCode, tier: 'A', loanPrincipalFen: 1,
  })).statusCode, 404);
  assert.equal((await call(fixture.app, b.keys.bank, 'GET', `/v1/fund-covers/${cover.json().id}`)).statusCode, 404);
  const claim = await call(fixture.app, a.keys.bank, 'POST', `/v1/fund-covers/${cover.json().id}/claim`, { principalLostFen: 100_000_001, interestLostFen: 999 });
  assert.equal(claim.statusCode, 201, claim.body);
  // 60 % of 100,000,001 = 60,000,000.6 → 60,000,001; of 999 = 599.4 → 599.
  assert.deepEqual(claim.json().fund, { principalFen: 60_000_001, interestFen: 599, recoveredFen: 0 });
  assert.deepEqual(claim.json().bank, { principalFen: 40_000_000, interestFen: 400, recoveredFen: 0 });
  const recovery = await call(fixture.app, a.keys.guarantee_fund, 'POST', `/v1/fund-claims/${claim.json().id}/recoveries`, { amountFen: 10_000_000 });
  assert.equal(recovery.statusCode, 200, recovery.body);
  assert.deepEqual([recovery.json().fundFen, recovery.json().bankFen], [6_000_000, 4_000_000]);
  assert.equal((await call(fixture.app, b.keys.bank, 'POST', `/v1/fund-claims/${claim.json().id}/recoveries`, { amountFen: 1 })).statusCode, 404);
  const seen = (await call(fixture.app, a.keys.guarantee_fund, 'GET', `/v1/funds/${fund.id}`)).json();
  assert.deepEqual(seen.reconciliation.differences, []);
  assert.equal(seen.balanceFen, 200_000_000_00 - 60_000_600 + 6_000_000);
  assert.equal((await call(fixture.app, b.keys.guarantee_fund, 'GET', `/v1/funds/${fund.id}`)).statusCode, 404);
  assert.equal((await call(fixture.app, fixture.operatorKey, 'GET', `/v1/funds/${fund.id}/claims`)).json().items.length, 1);
  assert.equal((await call(fixture.app, a.keys.bank, 'GET', '/v1/fund-covers')).json().items.length, 1);
  assert.equal((await call(fixture.app, b.keys.bank, 'GET', '/v1/fund-covers')).json().items.length, 0);
  assert.equal((await verifyAuditChain(fixture.store)).ok, true);
  const audited = await fixture.store.db.selectFrom('auditLog').select('action').where('action', 'like', 'fund.%').execute();
  assert.deepEqual(audited.map((e) => e.action), ['fund.create', 'fund.cover', 'fund.claim', 'fund.recovery']);
});
