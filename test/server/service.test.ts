/**
 * The service on both stores: health, the OpenAPI document, problem documents with stable codes, request
 * ids, authentication and roles, tenant scoping, cursor pagination, body limits, per-key rate limits; the
 * consent lifecycle and consented, audited reads; intake with idempotency; decisions that record the consents
 * they used and replay to the same verdict.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, CONSENT_EXPIRY, serviceFixture, type ServiceFixture, type StoreKindUnderTest } from './fixture.ts';

const RATE_LIMIT = 40;
const BODY_BYTES_MAX = 4_096;

for (const kind of ['pglite', 'postgres'] as StoreKindUnderTest[]) {
  describe(`the service on ${kind}`, () => {
    let fixture: ServiceFixture;
    before(async () => {
      fixture = await serviceFixture(kind, 'service', { limits: { requestsPerWindowPerKey: RATE_LIMIT, bodyBytesMax: BODY_BYTES_MAX } });
    });
    after(async () => fixture?.close());

    test('health says the store answers and names the current snapshot', async () => {
      const response = await call(fixture.app, null, 'GET', '/health');
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.status, 'ok');
      assert.equal(body.store, kind);
      assert.match(body.snapshot, /^\d{4}-\d{2}-\d{2}-[0-9a-f]{16}$/);
    });

    test('the OpenAPI 3 document lists every /v1 route with its schemas', async () => {
      const response = await call(fixture.app, null, 'GET', '/openapi.json');
      assert.equal(response.statusCode, 200);
      const document = response.json();
      assert.match(document.openapi, /^3\./);
      const routes = fixture.app.printRoutes({ commonPrefix: false });
      for (const path of ['/v1/tenants', '/v1/tenants/{id}/keys', '/v1/me', '/v1/audit/verify', '/v1/snapshots']) assert.ok(document.paths[path], `${path} missing from the document (routes: ${routes})`);
      const create = document.paths['/v1/tenants'].post;
      assert.deepEqual(create.requestBody.content['application/json'].schema.required.sort(), ['kind', 'name']);
      assert.deepEqual(create.requestBody.content['application/json'].schema.properties.kind.enum, ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise']);
    });

    test('a request without a key gets a 401 problem document with a stable code and the request id', async () => {
      const response = await call(fixture.app, null, 'GET', '/v1/me', undefined, { 'x-request-id': 'trace-123' });
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.equal(response.headers['x-request-id'], 'trace-123');
      const problem = response.json();
      assert.equal(problem.status, 401);
      assert.equal(problem.code, 'unauthorized');
      assert.equal(problem.requestId, 'trace-123');
      assert.equal(problem.instance, '/v1/me');
      const forged = await call(fixture.app, 'phk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'GET', '/v1/me');
      assert.equal(forged.statusCode, 401);
    });

    test('a request id that is not sane is replaced by a generated one', async () => {
      const response = await call(fixture.app, null, 'GET', '/health', undefined, { 'x-request-id': 'bad id with spaces' });
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    test('a key stands for its tenant and role; other roles get 403 on operator routes', async () => {
      const me = await call(fixture.app, fixture.a.keys.enterprise, 'GET', '/v1/me');
      assert.equal(me.statusCode, 200);
      assert.deepEqual({ ...(me.json() as object), keyId: 'k' }, { tenantId: fixture.a.tenantIds.enterprise, tenantKind: 'enterprise', role: 'enterprise', keyId: 'k', creditCode: fixture.a.creditCode });
      const denied = await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/tenants', { kind: 'bank', name: 'Another bank' });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().code, 'forbidden');
    });

    test('validation errors are 400 problems that name the field', async () => {
      const response = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/tenants', { kind: 'bakery', name: '' });
      assert.equal(response.statusCode, 400);
      const problem = response.json();
      assert.equal(problem.code, 'validation');
      assert.ok(problem.errors.some((e: { path: string }) => e.path.includes('kind')), JSON.stringify(problem.errors));
      const malformed = await fixture.app.inject({ method: 'POST', url: '/v1/tenants', headers: { authorization: `Bearer ${fixture.operatorKey}`, 'content-type': 'application/json' }, payload: '{"kind": "bank",' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().code, 'malformed_body');
      const enterpriseWithoutCode = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/tenants', { kind: 'enterprise', name: 'No code' });
      assert.equal(enterpriseWithoutCode.statusCode, 400);
      assert.equal(enterpriseWithoutCode.json().code, 'invalid_request');
    });

    test('the operator creates a tenant and issues its key; the key works at once and only as that tenant', async () => {
      const created = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/tenants', { kind: 'government', name: 'Tax bureau 税务局' });
      assert.equal(created.statusCode, 201);
      const tenant = created.json();
      const issued = await call(fixture.app, fixture.operatorKey, 'POST', `/v1/tenants/${tenant.id}/keys`, { role: 'government' });
      assert.equal(issued.statusCode, 201);
      const key = issued.json().key as string;
      const own = await call(fixture.app, key, 'GET', `/v1/tenants/${tenant.id}`);
      assert.equal(own.statusCode, 200);
      assert.equal(own.json().name, 'Tax bureau 税务局');
      const other = await call(fixture.app, key, 'GET', `/v1/tenants/${fixture.a.tenantIds.bank}`);
      assert.equal(other.statusCode, 404);
      const listed = await call(fixture.app, key, 'GET', '/v1/tenants');
      assert.deepEqual(listed.json().items.map((t: { id: string }) => t.id), [tenant.id]);
      const revoked = await call(fixture.app, key, 'POST', `/v1/keys/${issued.json().id}/revoke`);
      assert.equal(revoked.statusCode, 200);
      assert.equal((await call(fixture.app, key, 'GET', '/v1/me')).statusCode, 401);
    });

    test('cursor pagination walks every tenant once, newest first', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const url: string = `/v1/tenants?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await call(fixture.app, fixture.operatorKey, 'GET', url);
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        assert.ok(body.items.length <= 3);
        seen.push(...body.items.map((t: { id: string }) => t.id));
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      const all = (await fixture.store.db.selectFrom('tenants').select('id').orderBy('createdAt', 'desc').orderBy('id', 'desc').execute()).map((t) => t.id);
      assert.deepEqual(seen, all);
      const bad = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/tenants?cursor=not-one-of-ours');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'invalid_cursor');
    });

    test('a body above the limit is refused with 413 before it is parsed', async () => {
      const response = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/tenants', { kind: 'bank', name: 'x'.repeat(BODY_BYTES_MAX) });
      assert.equal(response.statusCode, 413);
      assert.equal(response.json().code, 'body_too_large');
    });

    test('unknown routes are 404 problems', async () => {
      const response = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/nothing-here');
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().code, 'route_not_found');
    });

    test('each key has its own rate limit: the key over it gets 429 problems, another key is unaffected', async () => {
      const key = fixture.b.keys.government;
      const statuses: number[] = [];
      for (let i = 0; i < RATE_LIMIT + 5; i++) statuses.push((await call(fixture.app, key, 'GET', '/v1/me')).statusCode);
      assert.equal(statuses.filter((s) => s === 200).length, RATE_LIMIT);
      assert.equal(statuses.filter((s) => s === 429).length, 5);
      const limited = await call(fixture.app, key, 'GET', '/v1/me');
      assert.equal(limited.statusCode, 429);
      assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
      assert.equal(limited.json().code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await call(fixture.app, fixture.b.keys.bank, 'GET', '/v1/me')).statusCode, 200);
    });

    test('a bank decides on a consenting enterprise; the decision records both consents it used and replays to the same verdict', async () => {
      const applied = await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/applications', { creditCode: fixture.a.creditCode, amountFen: 30_000_000, termMonths: 12, contactName: '张三' });
      assert.equal(applied.statusCode, 201, applied.body);
      const decision = applied.json();
      assert.ok(['approve', 'review', 'decline'].includes(decision.outcome));
      assert.equal(decision.creditCode, fixture.a.creditCode);
      assert.ok(decision.reasons.every((r: { code: string; en: string; zh: string }) => r.code && r.en && r.zh));
      const consents = (await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/consents?status=Authorised')).json().items.filter((c: { creditCode: string }) => c.creditCode === fixture.a.creditCode);
      assert.deepEqual([...decision.consentIds].sort(), consents.map((c: { id: string }) => c.id).sort());
      assert.equal(decision.consentIds.length, 2, 'an ordinary consent and a bank-statements consent');
      const stored = await call(fixture.app, fixture.a.keys.bank, 'GET', `/v1/decisions/${decision.id}`);
      assert.equal(stored.statusCode, 200);
      assert.equal(stored.json().record.snapshot.id, decision.snapshotId);
      assert.deepEqual(stored.json().record.consentIds, decision.consentIds);
      const replay = await call(fixture.app, fixture.a.keys.bank, 'GET', `/v1/decisions/${decision.id}/replay`);
      assert.equal(replay.statusCode, 200, replay.body);
      assert.equal(replay.json().agrees, true, JSON.stringify(replay.json().differences));
      const listed = await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/decisions');
      assert.ok(listed.json().items.some((d: { id: string }) => d.id === decision.id));
      const other = await call(fixture.app, fixture.b.keys.bank, 'GET', `/v1/decisions/${decision.id}`);
      assert.equal(other.statusCode, 404);
    });

    test('without a consent there is no decision and no data: 403 consent_required', async () => {
      const applied = await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/applications', { creditCode: fixture.strangerCode });
      assert.equal(applied.statusCode, 403);
      assert.equal(applied.json().code, 'consent_required');
      const read = await call(fixture.app, fixture.a.keys.government, 'GET', `/v1/enterprises/${fixture.a.creditCode}/data/tax`);
      assert.equal(read.statusCode, 403);
      assert.equal(read.json().code, 'consent_required');
    });

    test('consent lifecycle: requested, authorised, read (audited with the consent), revoked, and the next read is refused', async () => {
      const requested = await call(fixture.app, fixture.a.keys.government, 'POST', '/v1/consents', { creditCode: fixture.a.creditCode, purpose: 'SME support programme', scopes: ['tax', 'registration'], expiresAt: CONSENT_EXPIRY });
      assert.equal(requested.statusCode, 201, requested.body);
      const consent = requested.json();
      assert.equal(consent.status, 'AwaitingAuthorisation');
      const early = await call(fixture.app, fixture.a.keys.government, 'GET', `/v1/enterprises/${fixture.a.creditCode}/data/tax`);
      assert.equal(early.statusCode, 403);
      const bySomeoneElse = await call(fixture.app, fixture.b.keys.enterprise, 'POST', `/v1/consents/${consent.id}/authorise`);
      assert.equal(bySomeoneElse.statusCode, 404);
      const authorised = await call(fixture.app, fixture.a.keys.enterprise, 'POST', `/v1/consents/${consent.id}/authorise`);
      assert.equal(authorised.json().status, 'Authorised');
      const read = await call(fixture.app, fixture.a.keys.government, 'GET', `/v1/enterprises/${fixture.a.creditCode}/data/tax`);
      assert.equal(read.statusCode, 200, read.body);
      const data = read.json();
      assert.equal(data.consentId, consent.id);
      assert.ok(data.facts.length > 0 && data.facts.every((f: { entity: string }) => ['vatReturns', 'citReturns', 'taxGrades'].includes(f.entity)));
      const audited = await fixture.store.db.selectFrom('auditLog').selectAll().where('action', '=', 'facts.read').where('tenantId', '=', fixture.a.tenantIds.government).execute();
      assert.equal(audited.length, 1);
      assert.equal(JSON.parse(audited[0]!.details).consentId, consent.id);
      const bank = await call(fixture.app, fixture.a.keys.government, 'GET', `/v1/enterprises/${fixture.a.creditCode}/data/bank_statements`);
      assert.equal(bank.statusCode, 403, 'bank statements need their own consent');
      const revoked = await call(fixture.app, fixture.a.keys.enterprise, 'POST', `/v1/consents/${consent.id}/revoke`);
      assert.equal(revoked.json().status, 'Revoked');
      const after = await call(fixture.app, fixture.a.keys.government, 'GET', `/v1/enterprises/${fixture.a.creditCode}/data/tax`);
      assert.equal(after.statusCode, 403);
      const mixed = await call(fixture.app, fixture.a.keys.government, 'POST', '/v1/consents', { creditCode: fixture.a.creditCode, purpose: 'x', scopes: ['tax', 'bank_statements'], expiresAt: CONSENT_EXPIRY });
      assert.equal(mixed.statusCode, 400);
      assert.equal(mixed.json().code, 'invalid_scopes');
    });

    test('intake: a batch is validated by the column specs and refreshes its enterprise in the snapshot; a retry with the same key changes nothing; a different batch under the key is a conflict', async () => {
      const own = { creditCode: fixture.b.creditCode, reportDate: '2026-08-31', lenderCount: 2, loanCount: 3, outstandingLoanFen: 12_000_000, overdueFen: 0, worstDpd24m: 0, inquiries3m: 1, inquiries6m: 2, guaranteesGivenFen: 0 };
      const rows = [own, { ...own, creditCode: fixture.a.creditCode }, { ...own, reportDate: 'not a date' }];
      const headers = { 'idempotency-key': 'bureau-2026-08-31' };
      const first = await call(fixture.app, fixture.b.keys.enterprise, 'POST', '/v1/intake/bureauReports', { rows }, headers);
      assert.equal(first.statusCode, 200, first.body);
      const result = first.json();
      assert.equal(result.replayed, false);
      const rejectedRows = [...new Set(result.rejected.map((r: { row: number }) => r.row))].sort();
      assert.equal(result.accepted + rejectedRows.length, rows.length, first.body);
      assert.ok(rejectedRows.includes(1) && rejectedRows.includes(2), first.body);
      assert.deepEqual(result.refreshed, { enterprises: [fixture.b.creditCode], failed: [] });
      const decided = await call(fixture.app, fixture.b.keys.bank, 'POST', '/v1/applications', { creditCode: fixture.b.creditCode });
      assert.equal(decided.statusCode, 201, decided.body);
      const record = (await call(fixture.app, fixture.b.keys.bank, 'GET', `/v1/decisions/${decided.json().id}`)).json().record;
      assert.equal(record.snapshot.refreshed, true, 'the decision read the entry refreshed by the new facts');
      const facts = () => fixture.store.db.selectFrom('facts').select(['naturalKey', 'batchId']).where('tenantId', '=', fixture.b.tenantIds.enterprise).execute();
      const before = await facts();
      const retry = await call(fixture.app, fixture.b.keys.enterprise, 'POST', '/v1/intake/bureauReports', { rows }, headers);
      assert.equal(retry.json().replayed, true);
      assert.equal(retry.json().batchId, result.batchId);
      assert.deepEqual(await facts(), before);
      const conflict = await call(fixture.app, fixture.b.keys.enterprise, 'POST', '/v1/intake/bureauReports', { rows: [own] }, headers);
      assert.equal(conflict.statusCode, 409);
      const missingKey = await call(fixture.app, fixture.b.keys.enterprise, 'POST', '/v1/intake/bureauReports', { rows });
      assert.equal(missingKey.statusCode, 400);
      const labels = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/intake/labels', { rows: [{}] }, { 'idempotency-key': 'x' });
      assert.equal(labels.statusCode, 404);
    });

    test('the audit chain of everything above verifies', async () => {
      const response = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/audit/verify');
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.ok, true);
      assert.ok(body.entries >= 10, `${body.entries} entries`);
    });
  });
}
