/**
 * The marketplace over HTTP, role by role, on a service with a real snapshot of a synthetic economy: the
 * enterprise registers, authorises banks (the consent API), publishes a need and sees its financial supermarket —
 * whose eligibility is each product's own pre-screen strategy run on the snapshot, checked here against the
 * online decision path itself; banks publish products (a shipped strategy or their own document), read their
 * queue, claim, offer; the enterprise compares offers and accepts one; the regulator reads statistics as JSON
 * and CSV; every refusal is a problem document with a stable code, and lists page with cursors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decideOnline } from '../../src/pipeline/online.ts';
import { parseStrategy } from '../../src/decision/strategy.ts';
import { STRATEGIES_DIR } from '../../src/pipeline/online.ts';
import { call, serviceFixture, type ServiceFixture } from '../server/fixture.ts';
import { INVOICE_LOAN_TERMS, TAX_LOAN_TERMS } from './market-fixture.ts';

describe('the marketplace API', () => {
  let fixture: ServiceFixture;
  let industrySection: string;
  const products: Record<string, string> = {};
  let needId: string;

  before(async () => {
    fixture = await serviceFixture('pglite', 'market_api');
    const snapshot = await fixture.snapshots.current();
    industrySection = snapshot.entry(fixture.a.creditCode).enterprise.industrySection;
  });
  after(async () => fixture?.close());

  const as = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => call(fixture.app, key, method, url, body);

  test('the OpenAPI document lists every marketplace route with its schemas', async () => {
    const document = (await call(fixture.app, null, 'GET', '/openapi.json')).json();
    for (const path of ['/v1/platform/enterprises', '/v1/platform/products', '/v1/platform/products/{id}', '/v1/platform/needs', '/v1/platform/queue',
      '/v1/platform/claims', '/v1/platform/claims/{id}/offer', '/v1/platform/offers/{id}/accept', '/v1/platform/supermarket', '/v1/platform/statistics',
      '/v1/platform/statistics.csv', '/v1/platform/banks/ranking', '/v1/platform/release']) {
      assert.ok(document.paths[path], `${path} is in /openapi.json`);
    }
    assert.deepEqual(document.paths['/v1/platform/needs'].post.requestBody.content['application/json'].schema.required.sort(), ['amountFen', 'productLine', 'purpose', 'termMonths']);
  });

  test('an enterprise registers itself; a second registration, a bank registering and a bad body are problem documents', async () => {
    const registered = await as(fixture.a.keys.enterprise, 'POST', '/v1/platform/enterprises', { name: 'A 企业', industrySection, sizeBand: 'small' });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().creditCode, fixture.a.creditCode);
    assert.equal(registered.json().ratingGrade, null);
    const again = await as(fixture.a.keys.enterprise, 'POST', '/v1/platform/enterprises', { name: 'A 企业', industrySection });
    assert.equal(again.statusCode, 409);
    assert.match(String(again.headers['content-type']), /^application\/problem\+json/);
    assert.equal(again.json().code, 'conflict');
    assert.equal((await as(fixture.a.keys.bank, 'POST', '/v1/platform/enterprises', { name: 'x', industrySection })).json().code, 'forbidden');
    assert.equal((await as(fixture.a.keys.enterprise, 'POST', '/v1/platform/enterprises', { name: 'x', industrySection: 'Z' })).json().code, 'validation');
    const me = await as(fixture.a.keys.enterprise, 'GET', '/v1/platform/enterprises/me');
    assert.equal(me.json().industrySection, industrySection);
    assert.equal((await as(fixture.a.keys.government, 'GET', `/v1/platform/enterprises/${fixture.a.creditCode}`)).statusCode, 200);
    assert.equal((await as(fixture.a.keys.bank, 'GET', `/v1/platform/enterprises/${fixture.a.creditCode}`)).statusCode, 403);
  });

  test('banks publish products: a shipped strategy or their own document; only the owner changes one', async () => {
    for (const [name, key, terms] of [['aTax', fixture.a.keys.bank, TAX_LOAN_TERMS], ['aInvoice', fixture.a.keys.bank, INVOICE_LOAN_TERMS], ['bInvoice', fixture.b.keys.bank, INVOICE_LOAN_TERMS]] as const) {
      const response = await as(key, 'POST', '/v1/platform/products', terms);
      assert.equal(response.statusCode, 201, response.body);
      products[name] = response.json().id;
    }
    const own = JSON.parse(readFileSync(`${STRATEGIES_DIR}/tax-loan.json`, 'utf8'));
    own.puhui = { ...own.puhui, id: 'b-bank-tax-loan', version: '2026.11-b' };
    const { strategyId: _shipped, ...terms } = TAX_LOAN_TERMS;
    const custom = await as(fixture.b.keys.bank, 'POST', '/v1/platform/products', { ...terms, nameEn: 'B tax loan', strategy: own });
    assert.equal(custom.statusCode, 201, custom.body);
    assert.equal(custom.json().strategy.hash, parseStrategy(own, 'test').hash);
    products.bTax = custom.json().id;
    const broken = await as(fixture.b.keys.bank, 'POST', '/v1/platform/products', { ...terms, strategy: { ...own, nodes: [{ id: 'x', name: 'x', type: 'inputNode', content: {} }] } });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().code, 'strategy');
    assert.equal((await as(fixture.a.keys.bank, 'PATCH', `/v1/platform/products/${products.bTax}`, { rateMaxBps: 700 })).statusCode, 404);
    const changed = await as(fixture.b.keys.bank, 'PATCH', `/v1/platform/products/${products.bTax}`, { rateMaxBps: 700 });
    assert.equal(changed.json().rateMaxBps, 700);
    assert.equal((await as(fixture.a.keys.enterprise, 'POST', '/v1/platform/products', TAX_LOAN_TERMS)).json().code, 'forbidden');
    const page1 = await as(fixture.a.keys.enterprise, 'GET', '/v1/platform/products?limit=2');
    assert.equal(page1.json().items.length, 2);
    const page2 = await as(fixture.a.keys.enterprise, 'GET', `/v1/platform/products?limit=2&cursor=${page1.json().nextCursor}`);
    const ids = [...page1.json().items, ...page2.json().items].map((p: { id: string }) => p.id);
    assert.deepEqual(new Set(ids), new Set(Object.values(products)));
  });

  test('the financial supermarket runs each product\'s pre-screen on the snapshot and ranks the eligible ones', async () => {
    const response = await as(fixture.a.keys.enterprise, 'GET', '/v1/platform/supermarket?amountFen=30000000&termMonths=12');
    assert.equal(response.statusCode, 200, response.body);
    const market = response.json();
    assert.equal(market.items.length + market.screenedOut.length, Object.keys(products).length);
    const snapshot = await fixture.snapshots.current();
    for (const [name, id] of Object.entries(products)) {
      const product = (await as(fixture.a.keys.enterprise, 'GET', `/v1/platform/products/${id}`)).json();
      const stored = await fixture.store.db.selectFrom('platformProducts').select('strategy').where('id', '=', id).executeTakeFirstOrThrow();
      const direct = await decideOnline(snapshot, { creditCode: fixture.a.creditCode, amountFen: 30_000_000, termMonths: 12 }, { strategy: parseStrategy(stored.strategy, name) });
      const item = market.items.find((i: { productId: string }) => i.productId === id);
      if (direct.decision.outcome === 'decline') assert.ok(market.screenedOut.some((s: { productId: string }) => s.productId === id), `${name} screened out`);
      else {
        assert.equal(item.prescreen, direct.decision.outcome, `${name} pre-screen`);
        assert.ok(item.expectedRateBps >= product.rateMinBps && item.expectedRateBps <= product.rateMaxBps);
      }
    }
    const scores = market.items.map((i: { score: number }) => i.score);
    assert.deepEqual(scores, [...scores].sort((x: number, y: number) => y - x));
    assert.deepEqual(market.items.map((i: { rank: number }) => i.rank), market.items.map((_: unknown, k: number) => k + 1));
    assert.equal((await as(fixture.a.keys.bank, 'GET', '/v1/platform/supermarket')).statusCode, 403);
    assert.equal((await as(fixture.b.keys.enterprise, 'GET', '/v1/platform/supermarket')).json().code, 'not_found');
  });

  test('need → queue → claim → offer (with consent) → compare → accept, each step by its role', async () => {
    const published = await as(fixture.a.keys.enterprise, 'POST', '/v1/platform/needs', { amountFen: 40_000_000, termMonths: 6, purpose: '采购', urgency: 'urgent', productLine: 'invoice_loan' });
    assert.equal(published.statusCode, 201, published.body);
    needId = published.json().id;
    assert.ok(['green', 'yellow', 'red'].includes(published.json().riskLight), 'the light comes from the snapshot');
    assert.equal((await as(fixture.a.keys.bank, 'POST', '/v1/platform/needs', { amountFen: 1, termMonths: 1, purpose: 'x', productLine: 'tax_loan' })).statusCode, 403);
    // An enterprise the operator onboards today is not in the snapshot: its need has no light yet, and says why.
    const onboarded = await as(fixture.operatorKey, 'POST', '/v1/platform/enterprises', { creditCode: '91350203MA0000007T', name: '新注册企业', industrySection: 'C', issueKey: true });
    assert.equal(onboarded.statusCode, 201, onboarded.body);
    const fresh = await as(onboarded.json().key, 'POST', '/v1/platform/needs', { amountFen: 10_000_000, termMonths: 12, purpose: '开办', productLine: 'tax_loan' });
    assert.equal(fresh.statusCode, 201, fresh.body);
    assert.deepEqual([fresh.json().riskLight, fresh.json().riskReasons], [null, ['not_in_snapshot']]);
    const queue = await as(fixture.b.keys.bank, 'GET', '/v1/platform/queue');
    const item = queue.json().items.find((i: { id: string }) => i.id === needId);
    assert.ok(item);
    assert.equal(queue.body.includes(fixture.a.creditCode), false, 'the queue does not name the enterprise');
    assert.equal((await as(fixture.b.keys.bank, 'GET', `/v1/platform/needs/${needId}`)).statusCode, 404, 'not before the claim');
    const claims: Record<string, string> = {};
    for (const [side, product] of [['a', products.aInvoice!], ['b', products.bInvoice!]] as const) {
      const claimed = await as(fixture[side].keys.bank, 'POST', '/v1/platform/claims', { needId, productId: product });
      assert.equal(claimed.statusCode, 201, claimed.body);
      assert.equal(claimed.json().creditCode, fixture.a.creditCode);
      claims[side] = claimed.json().id;
    }
    // A's bank holds A's consent (fixture); B's bank has none yet: the enterprise grants it through the consent API.
    const refused = await as(fixture.b.keys.bank, 'POST', `/v1/platform/claims/${claims.b}/offer`, { amountFen: 40_000_000, rateBps: 450, termMonths: 6 });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'consent_required');
    const granted = await as(fixture.a.keys.enterprise, 'POST', '/v1/consents/grant', { granteeTenantId: fixture.b.tenantIds.bank, purpose: '信易贷融资需求', scopes: ['registration', 'tax'], expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString() });
    assert.equal(granted.statusCode, 201, granted.body);
    const offerB = await as(fixture.b.keys.bank, 'POST', `/v1/platform/claims/${claims.b}/offer`, { amountFen: 40_000_000, rateBps: 450, termMonths: 6 });
    assert.equal(offerB.statusCode, 201, offerB.body);
    // A's bank decides first (the online decision path) and cites its decision: only an approval covering the amount may back an offer.
    const decision = await as(fixture.a.keys.bank, 'POST', '/v1/applications', { creditCode: fixture.a.creditCode, amountFen: 35_000_000, termMonths: 6 });
    assert.equal(decision.statusCode, 201, decision.body);
    const backs = decision.json().outcome === 'approve' && decision.json().limitFen >= 35_000_000;
    const cited = await as(fixture.a.keys.bank, 'POST', `/v1/platform/claims/${claims.a}/offer`, { amountFen: 35_000_000, rateBps: 520, termMonths: 6, decisionId: decision.json().id });
    assert.equal(cited.statusCode, backs ? 201 : 400, cited.body);
    const offerA = backs ? cited : await as(fixture.a.keys.bank, 'POST', `/v1/platform/claims/${claims.a}/offer`, { amountFen: 35_000_000, rateBps: 520, termMonths: 6 });
    assert.equal(offerA.statusCode, 201, offerA.body);
    assert.equal(offerA.json().decisionId, backs ? decision.json().id : null);
    const compared = await as(fixture.a.keys.enterprise, 'GET', `/v1/platform/offers?needId=${needId}`);
    assert.deepEqual(compared.json().items.map((o: { rateBps: number }) => o.rateBps).sort(), [450, 520]);
    assert.equal((await as(fixture.b.keys.enterprise, 'POST', `/v1/platform/offers/${offerB.json().id}/accept`)).statusCode, 404);
    const accepted = await as(fixture.a.keys.enterprise, 'POST', `/v1/platform/offers/${offerB.json().id}/accept`);
    assert.equal(accepted.json().status, 'accepted');
    assert.equal((await as(fixture.a.keys.bank, 'GET', `/v1/platform/offers/${offerA.json().id}`)).json().status, 'lapsed');
    assert.equal((await as(fixture.a.keys.enterprise, 'GET', `/v1/platform/needs/${needId}`)).json().status, 'matched');
  });

  test('the regulator reads statistics as JSON and CSV; a bank may not; everyone sees the banks\' ranking', async () => {
    const json = await as(fixture.a.keys.government, 'GET', '/v1/platform/statistics?by=bank');
    assert.equal(json.statusCode, 200, json.body);
    const rows = json.json().rows as { key: string; approvals: number; approvedAmountFen: number }[];
    assert.deepEqual(rows.find((r) => r.key === 'B bank'), { ...rows.find((r) => r.key === 'B bank'), approvals: 1, approvedAmountFen: 40_000_000 });
    const csv = await as(fixture.operatorKey, 'GET', '/v1/platform/statistics.csv?by=region&regionDigits=2');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body, /^key,label,needs,needAmountFen,claims,/);
    assert.equal((await as(fixture.a.keys.bank, 'GET', '/v1/platform/statistics?by=region')).statusCode, 403);
    assert.equal((await as(fixture.a.keys.government, 'GET', '/v1/platform/statistics?by=planet')).json().code, 'validation');
    const ranking = await as(fixture.a.keys.enterprise, 'GET', '/v1/platform/banks/ranking');
    assert.deepEqual(ranking.json().items.map((r: { bankName: string }) => r.bankName).sort(), ['A bank', 'B bank']);
    const released = await as(fixture.operatorKey, 'POST', '/v1/platform/release', {});
    assert.equal(released.statusCode, 200, released.body);
    assert.equal(released.json().claimsReleased, 0, 'nothing is due yet');
    assert.equal((await as(fixture.operatorKey, 'POST', '/v1/platform/release', { at: '2099-01-01' })).json().code, 'invalid_date');
    assert.equal((await as(fixture.a.keys.bank, 'POST', '/v1/platform/release', {})).statusCode, 403);
  });
});
