/**
 * The tenancy matrix, generated from the OpenAPI document: every operation × every role of tenant side A
 * (and the platform operator), aimed at side B's records — B's decisions, consents, tenants, keys, intake
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
import { postLoanCommands } from '../../src/loans/store.ts';

interface Parameter { in: 'path' | 'query' | 'header'; name: string; schema: JsonSchema }
interface Operation { method: string; path: string; parameters: Parameter[]; body: JsonSchema | null }

/** Operator routes that administer tenants and keys by design. */
const OPERATOR_ADMINISTRATION = new Set(['POST /v1/tenants/{id}/keys', 'GET /v1/tenants/{id}', 'GET /v1/tenants', 'POST /v1/keys/{id}/revoke']);

let fixture: ServiceFixture;
let operations: Operation[];
let bTenants: string[];
let bIds: { decision: string; consents: string[]; keys: string[]; batch: string; loan: string };
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
  const consents = await fixture.store.db.selectFrom('consents').select('id').where('tenantId', 'in', bTenants).execute();
  const keys = await fixture.store.db.selectFrom('apiKeys').select('id').where('tenantId', 'in', bTenants).execute();
  // A loan of B's bank to B's enterprise, booked and disbursed (from an offer: the test decision's outcome varies).
  const [booked] = await postLoanCommands(fixture.store, { tenantId: b.tenantIds.bank, actor: 'fixture' }, [
    { kind: 'book', key: 'b-loan', date: '2026-08-01', principalFen: 5_000_000, method: 'equal-instalment', source: { kind: 'offer', id: 'b-offer', offer: { debtorId: b.creditCode, decidedOn: '2026-07-31', outcome: 'approve', limitFen: 10_000_000, rateBps: 900, termMonths: 12, strategy: { id: 'tax-loan', version: '1', hash: 'b' } } } },
  ]);
  await postLoanCommands(fixture.store, { tenantId: b.tenantIds.bank, actor: 'fixture' }, [{ kind: 'disburse', key: 'b-loan-disburse', date: '2026-08-01', loanId: booked!.loanId! }]);
  bIds = { decision: decision.json().id, consents: consents.map((c) => c.id), keys: keys.map((k) => k.id), batch: batch.json().batchId, loan: booked!.loanId! };
  const document = (await call(fixture.app, null, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: op.requestBody?.content['application/json']?.schema ?? null,
  })));
});

after(async () => fixture?.close());

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
    db.selectFrom('loans').selectAll().where('tenantId', 'in', bTenants).orderBy('id').execute(),
    db.selectFrom('loanCommands').selectAll().where('tenantId', 'in', bTenants).orderBy('idempotencyKey').execute(),
    db.selectFrom('loanJournal').selectAll().where('tenantId', 'in', bTenants).orderBy('entrySeq').execute(),
  ]);
  return JSON.stringify(tables);
}

/** Identifiers and values only B's records hold (never sent by A unless A names them in its request). */
function secretsOfB(): string[] {
  return [bIds.decision, bIds.batch, bIds.loan, ...bIds.consents, ...bIds.keys, ...bTenants, fixture.b.creditCode, '李四'];
}

function candidatesFor(parameter: Parameter): string[] {
  switch (parameter.name) {
    case 'id': return [bIds.decision, bIds.consents[0]!, fixture.b.tenantIds.bank, fixture.b.tenantIds.enterprise, bIds.keys[0]!, bIds.loan];
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
