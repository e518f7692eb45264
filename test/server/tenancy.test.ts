/**
 * The tenancy matrix, generated from the OpenAPI document: every operation × every role of tenant side A
 * (and the platform operator), aimed at side B's records — B's decisions, consents, tenants, keys, self-proof upload, intake
 * batch, loan and enterprise data — with path parameters set to B's identifiers and bodies (derived from each
 * operation's schema) naming B's enterprise and tenants. Expected: 0 cross-tenant reads (no response
 * carries an identifier or a data row of B's that the request did not itself name) and 0 cross-tenant
 * writes (B's rows in every table are byte-for-byte unchanged after each request; a consent A's enterprise
 * grants B's bank over A's own data is A's to give, by design). The operator's
 * administration of tenants and keys is its role, not a crossing, and is left out for the operator only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { call, serviceFixture, type ServiceFixture } from './fixture.ts';
import { validOf, type JsonSchema } from './schema-arbitrary.ts';
import { CONSENT_SCOPES } from '../../src/store/index.ts';
import { ratingJobsIdle } from '../../src/platform/rating-job.ts';
import { seedMarketSide, type MarketSide } from '../platform/market-fixture.ts';
import { jpegBytes } from '../selfproof/files.ts';
import { postLoanCommands } from '../../src/loans/store.ts';

interface Parameter { in: 'path' | 'query' | 'header'; name: string; schema: JsonSchema }
interface Operation { method: string; path: string; parameters: Parameter[]; body: JsonSchema | null }

/**
 * Operator routes that administer tenants and keys by design, and the operator's oversight of every enterprise's
 * credit records (ratings, reports, commitments and the breaches it records): the platform's role, not a crossing.
 */
const OPERATOR_ADMINISTRATION = new Set([
  'POST /v1/tenants/{id}/keys', 'GET /v1/tenants/{id}', 'GET /v1/tenants', 'POST /v1/keys/{id}/revoke',
  'GET /v1/enterprises/{creditCode}/rating', 'GET /v1/enterprises/{creditCode}/credit-report',
  'GET /v1/commitments', 'GET /v1/commitments/{id}', 'POST /v1/commitments/{id}/breaches',
]);
/** The operator oversees every whitelist and fund by design (issue #13: "operator: all"); for the other roles they are matrix rows like any. */
const OPERATOR_OVERSIGHT_PREFIXES = ['/v1/whitelists', '/v1/dispatch-runs', '/v1/funds', '/v1/fund-covers', '/v1/fund-claims'];

let fixture: ServiceFixture;
let operations: Operation[];
let bTenants: string[];
let bIds: { decision: string; consents: string[]; keys: string[]; batch: string; upload: string; uploadSha256: string; platform: string[]; loan: string; commitment: string; breach: string; rating: string };
let bMarket: MarketSide;
const B_BREACH_TEXT = 'B 的违诺记录 b-breach-text';
const B_IDEMPOTENCY_KEY = 'b-bureau-batch';

before(async () => {
  fixture = await serviceFixture('postgres', 'tenancy', { snapshotJobs: false });
  const { b } = fixture;
  bTenants = Object.values(b.tenantIds);
  const decision = await call(fixture.app, b.keys.bank, 'POST', '/v1/applications', { creditCode: b.creditCode, amountFen: 20_000_000, termMonths: 12, contactName: '李四' });
  assert.equal(decision.statusCode, 201, decision.body);
  const batch = await call(fixture.app, b.keys.enterprise, 'POST', '/v1/intake/bureauReports', {
    rows: [{ creditCode: b.creditCode, reportDate: '2026-08-31', lenderCount: 1, loanCount: 1, outstandingLoanFen: 5_000_000, overdueFen: 0, worstDpd24m: 0, inquiries3m: 0, inquiries6m: 1, guaranteesGivenFen: 0 }],
  }, { 'idempotency-key': B_IDEMPOTENCY_KEY });
  assert.equal(batch.statusCode, 200, batch.body);
  const upload = await fixture.app.inject({
    method: 'POST', url: `/v1/enterprises/${b.creditCode}/selfproof`, payload: jpegBytes(320, 200),
    headers: { authorization: `Bearer ${b.keys.enterprise}`, 'content-type': 'image/jpeg' },
  });
  assert.equal(upload.statusCode, 202, upload.body);
  await readingDone(upload.json().id);
  bMarket = await seedMarketSide(fixture, b);
  // B's credit records: a rating (the operator's job, after B registered: its registration carries the rating, so the
  // operator running the job again changes none of B's rows), a commitment B's enterprise signed, a breach against it.
  assert.equal((await call(fixture.app, fixture.operatorKey, 'POST', '/v1/ratings/jobs')).statusCode, 202);
  await ratingJobsIdle();
  const rating = await fixture.store.db.selectFrom('ratings').select('id').where('creditCode', '=', b.creditCode).executeTakeFirstOrThrow();
  const commitment = await call(fixture.app, b.keys.enterprise, 'POST', '/v1/commitments', { kind: 'timely_repayment', content: 'B 承诺按期还款', signedOn: '2026-01-10' });
  assert.equal(commitment.statusCode, 201, commitment.body);
  const breach = await call(fixture.app, fixture.operatorKey, 'POST', `/v1/commitments/${commitment.json().id}/breaches`, { occurredOn: '2026-02-10', description: B_BREACH_TEXT, severity: 'minor' });
  assert.equal(breach.statusCode, 201, breach.body);
  const consents = await fixture.store.db.selectFrom('consents').select('id').where('tenantId', 'in', bTenants).execute();
  const keys = await fixture.store.db.selectFrom('apiKeys').select('id').where('tenantId', 'in', bTenants).execute();
  // A loan of B's bank to B's enterprise, booked and disbursed (from an offer: the test decision's outcome varies).
  const [booked] = await postLoanCommands(fixture.store, { tenantId: b.tenantIds.bank, actor: 'fixture' }, [
    { kind: 'book', key: 'b-loan', date: '2026-08-01', principalFen: 5_000_000, method: 'equal-instalment', source: { kind: 'offer', id: 'b-offer', offer: { debtorId: b.creditCode, decidedOn: '2026-07-31', outcome: 'approve', limitFen: 10_000_000, rateBps: 900, termMonths: 12, strategy: { id: 'tax-loan', version: '1', hash: 'b' } } } },
  ]);
  await postLoanCommands(fixture.store, { tenantId: b.tenantIds.bank, actor: 'fixture' }, [{ kind: 'disburse', key: 'b-loan-disburse', date: '2026-08-01', loanId: booked!.loanId! }]);
  bIds = {
    decision: decision.json().id, consents: consents.map((c) => c.id), keys: keys.map((k) => k.id), batch: batch.json().batchId, platform: await platformRecordsOfB(),
    upload: upload.json().id, uploadSha256: upload.json().sha256, commitment: commitment.json().id, breach: breach.json().id, rating: rating.id, loan: booked!.loanId!,
  };
  const document = (await call(fixture.app, null, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: op.requestBody?.content['application/json']?.schema ?? null,
  })));
});

after(async () => fixture?.close());

/** B's upload is read in the background: wait for it, so that nothing of B's changes while the matrix runs. */
async function readingDone(id: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const row = await fixture.store.db.selectFrom('selfproofUploads').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    if (row.status !== 'reading') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`B's upload ${id} was never read`);
}

/** B's government whitelist (dispatched to B's bank, one firm claimed) and B's fund with a cover, a claim and a recovery. */
async function platformRecordsOfB(): Promise<string[]> {
  const { b } = fixture;
  const csv = ['creditCode,name,amountFen,termMonths,rating,expectedLossBps,industrySection,regionCode', `${b.creditCode},乙方企业,30000000,12,A,90,C,371000`].join('\n');
  const whitelist = await call(fixture.app, b.keys.government, 'POST', '/v1/whitelists', { name: 'B 白名单', csv });
  assert.equal(whitelist.statusCode, 201, whitelist.body);
  const whitelistId = whitelist.json().whitelist.id as string;
  const run = await call(fixture.app, b.keys.government, 'POST', `/v1/whitelists/${whitelistId}/dispatch`, { banks: [{
    bankTenantId: b.tenantIds.bank, firmCountMax: 5, amountFenMax: 1_000_000_000, ratingMin: 'C', expectedLossBpsMax: 200,
    products: [{ productId: 'b-loan', amountFenMin: 1, amountFenMax: 1_000_000_000, ratings: ['A'], rateBps: 400 }],
  }] });
  assert.equal(run.statusCode, 201, run.body);
  assert.equal((await call(fixture.app, b.keys.bank, 'POST', `/v1/whitelists/${whitelistId}/firms/${b.creditCode}/status`, { status: 'claimed' })).statusCode, 200);
  const fund = await call(fixture.app, b.keys.guarantee_fund, 'POST', '/v1/funds', { name: 'B 基金', capitalFen: 1_000_000_000 });
  assert.equal(fund.statusCode, 201, fund.body);
  const cover = await call(fixture.app, b.keys.guarantee_fund, 'POST', `/v1/funds/${fund.json().id}/covers`, {
    bankTenantId: b.tenantIds.bank, loanRef: 'B-LOAN-1', creditCode: b.creditCode, tier: 'A', loanPrincipalFen: 30_000_000,
  });
  assert.equal(cover.statusCode, 201, cover.body);
  const claim = await call(fixture.app, b.keys.bank, 'POST', `/v1/fund-covers/${cover.json().id}/claim`, { principalLostFen: 10_000_000, interestLostFen: 12_345 });
  assert.equal(claim.statusCode, 201, claim.body);
  assert.equal((await call(fixture.app, b.keys.bank, 'POST', `/v1/fund-claims/${claim.json().id}/recoveries`, { amountFen: 1_000 })).statusCode, 200);
  return [whitelistId, run.json().id, fund.json().id, cover.json().id, claim.json().id];
}

/** Every row side B owns, in every table, as text: equal before and after means nothing of B's was written. */
async function stateOfB(): Promise<string> {
  const db = fixture.store.db;
  const tables = await Promise.all([
    db.selectFrom('tenants').selectAll().where('id', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('apiKeys').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    // A consent about A's own enterprise is A's to grant to a named grantee (POST /v1/consents/grant): not B's row to guard.
    db.selectFrom('consents').selectAll().where('tenantId', 'in', bTenants).where('creditCode', '<>', fixture.a.creditCode).orderBy('id').execute(),
    db.selectFrom('applications').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('decisions').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('intakeBatches').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('facts').selectAll().where('tenantId', 'in', bTenants).orderBy('naturalKey').execute(),
    db.selectFrom('jobs').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('selfproofUploads').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    ...(['platformEnterprises', 'platformProducts', 'platformNeeds', 'platformClaims', 'platformOffers'] as const)
      .map((table) => db.selectFrom(table).selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute()),
    db.selectFrom('ratings').selectAll().where('creditCode', '=', fixture.b.creditCode).orderBy('id').execute(),
    db.selectFrom('creditCommitments').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('commitmentBreaches').selectAll().where('creditCode', '=', fixture.b.creditCode).orderBy('id').execute(),
    db.selectFrom('whitelists').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('whitelistFirms').selectAll().where('tenantId', 'in', bTenants).orderBy('creditCode').execute(),
    db.selectFrom('dispatchRuns').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('dispatchAssignments').selectAll().where('tenantId', 'in', bTenants).orderBy('creditCode').execute(),
    db.selectFrom('funds').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('fundCovers').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('fundClaims').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('fundEntries').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('loans').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('loanCommands').selectAll().where('tenantId', 'in', bTenants).orderBy('idempotencyKey').execute(),
    db.selectFrom('loanJournal').selectAll().where('tenantId', 'in', bTenants).orderBy('entrySeq').execute(),
  ]);
  return JSON.stringify(tables);
}

/** Identifiers and values only B's records hold (never sent by A unless A names them in its request). */
function secretsOfB(): string[] {
  return [
    bIds.decision, bIds.batch, bIds.upload, bIds.uploadSha256, bIds.loan, ...bIds.consents, ...bIds.keys, ...bIds.platform, ...bTenants, fixture.b.creditCode, '李四', 'B-LOAN-1',
    bMarket.needId, bMarket.claimId, bMarket.offerId, bIds.commitment, bIds.breach, bIds.rating, B_BREACH_TEXT,
  ];
}

function candidatesFor(parameter: Parameter): string[] {
  switch (parameter.name) {
    case 'id': return [bIds.decision, bIds.consents[0]!, fixture.b.tenantIds.bank, fixture.b.tenantIds.enterprise, bIds.keys[0]!, bIds.upload, bIds.loan, ...bIds.platform, bMarket.needId, bMarket.claimId, bMarket.offerId, bMarket.productId, bIds.commitment];
    case 'creditCode': return [fixture.b.creditCode];
    case 'scope': return [...CONSENT_SCOPES];
    case 'entity': return ['bureauReports', 'invoices'];
    default: return [String(fc.sample(validOf(parameter.schema), { numRuns: 1, seed: 7 })[0])];
  }
}

/** A body valid for the operation's schema that names B wherever a field can name someone. */
function bodyAimedAtB(schema: JsonSchema): unknown {
  const sample = fc.sample(validOf(schema), { numRuns: 1, seed: 11 })[0] as Record<string, unknown>;
  const properties = schema.properties ?? {};
  const aimed: Record<string, unknown> = { ...sample };
  if ('creditCode' in properties) aimed.creditCode = fixture.b.creditCode;
  if ('granteeTenantId' in properties) aimed.granteeTenantId = fixture.b.tenantIds.bank;
  if ('expiresAt' in properties) aimed.expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
  if ('scopes' in properties) aimed.scopes = ['tax'];
  if ('rows' in properties) aimed.rows = [{ creditCode: fixture.b.creditCode, reportDate: '2026-08-31', lenderCount: 9, loanCount: 9, outstandingLoanFen: 1, overdueFen: 0, worstDpd24m: 0, inquiries3m: 0, inquiries6m: 0, guaranteesGivenFen: 0 }];
  if ('role' in properties) aimed.role = 'bank';
  if ('bankTenantId' in properties) aimed.bankTenantId = fixture.b.tenantIds.bank;
  if ('tenantId' in properties) aimed.tenantId = fixture.b.tenantIds.government;
  if ('decisionId' in properties) aimed.decisionId = bIds.decision;
  return aimed;
}

function requestsFor(operation: Operation): { url: string; headers: Record<string, string> }[] {
  let urls = [operation.path];
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
    urls = urls.flatMap((url) => candidatesFor(parameter).map((value) => url.replace(`{${parameter.name}}`, encodeURIComponent(value))));
  }
  const headers: Record<string, string> = {};
  for (const parameter of operation.parameters.filter((p) => p.in === 'header')) headers[parameter.name] = parameter.name === 'idempotency-key' ? B_IDEMPOTENCY_KEY : 'x';
  return urls.map((url) => ({ url, headers }));
}

test('every operation as every role of another tenant: 0 cross-tenant reads, 0 cross-tenant writes', async () => {
  const callers = [...Object.entries(fixture.a.keys).map(([role, key]) => ({ role, key })), { role: 'operator', key: fixture.operatorKey }];
  const crossings: string[] = [];
  let requests = 0;
  const named = new Set<string>();
  const statuses = new Map<number, number>();
  for (const operation of operations) {
    const name = `${operation.method} ${operation.path}`;
    if (operation.path === '/openapi.json' || operation.path === '/health') continue;
    for (const { role, key } of callers) {
      if (role === 'operator' && OPERATOR_ADMINISTRATION.has(name)) continue;
      if (role === 'operator' && OPERATOR_OVERSIGHT_PREFIXES.some((prefix) => operation.path.startsWith(prefix))) continue;
      for (const { url, headers } of requestsFor(operation)) {
        const body = operation.body ? bodyAimedAtB(operation.body) : undefined;
        const before = await stateOfB();
        const response = await call(fixture.app, key, operation.method as 'GET', url, body, headers);
        requests += 1;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        const sent = url + JSON.stringify(body ?? null);
        named.add(sent);
        // An identifier A itself named (in this or an earlier request, e.g. B's credit code in A's own consent request) is not a leak.
        const leaked = secretsOfB().filter((secret) => response.body.includes(secret) && ![...named].some((text) => text.includes(secret)));
        if (leaked.length > 0) crossings.push(`read: ${role} ${operation.method} ${url} → ${response.statusCode} carries ${leaked.join(', ')}`);
        if (response.statusCode < 300 && sent.includes(fixture.b.creditCode) && url.includes('/data/')) crossings.push(`read: ${role} ${operation.method} ${url} → ${response.statusCode} served B's data`);
        if ((await stateOfB()) !== before) crossings.push(`write: ${role} ${operation.method} ${url} → ${response.statusCode} changed B's rows`);
        assert.ok(response.statusCode < 500, `${role} ${operation.method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`);
      }
    }
  }
  assert.deepEqual(crossings, []);
  assert.ok(requests >= 150, `${requests} requests`);
  // The matrix reached the handlers: most answers are refusals after authentication, not 401s.
  assert.equal(statuses.get(401) ?? 0, 0, JSON.stringify([...statuses]));
});
