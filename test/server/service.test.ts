/**
 * The service's plumbing on both stores: health, the OpenAPI document, problem documents with stable codes,
 * request ids, authentication and roles, tenant scoping of tenant reads, cursor pagination, body limits and
 * per-key rate limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, serviceFixture, type ServiceFixture, type StoreKindUnderTest } from './fixture.ts';

const RATE_LIMIT = 40;
const BODY_BYTES_MAX = 4_096;

for (const kind of ['pglite', 'postgres'] as StoreKindUnderTest[]) {
  describe(`the service on ${kind}`, () => {
    let fixture: ServiceFixture;
    before(async () => {
      fixture = await serviceFixture(kind, 'basics', { consents: false, limits: { requestsPerWindowPerKey: RATE_LIMIT, bodyBytesMax: BODY_BYTES_MAX } });
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

    test('cursor pagination walks every tenant once, in id order', async () => {
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
      const all = (await fixture.store.db.selectFrom('tenants').select('id').orderBy('id').execute()).map((t) => t.id);
      assert.deepEqual(seen, all);
      const bad = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/tenants?cursor=not-one-of-ours');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'bad_cursor');
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

    test('the audit chain of everything above verifies', async () => {
      const response = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/audit/verify');
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.ok, true);
      assert.ok(body.entries >= 10, `${body.entries} entries`);
    });
  });
}
