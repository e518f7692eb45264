/**
 * API fuzz test: for every operation of /openapi.json, requests whose path parameters, query strings and
 * bodies are derived from the operation's own schemas — valid, at their boundaries and malformed — sent
 * with keys of every role (and none). The service must answer every one with a status below 500, as a
 * JSON or problem document, and still be healthy at the end. Runs are bounded and seeded (reproducible).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { call, serviceFixture, type ServiceFixture } from './fixture.ts';
import { fuzzOf, malformedOf, validOf, type JsonSchema } from './schema-arbitrary.ts';

const RUNS_PER_OPERATION = 30;
const SEED = 20261128;

interface Parameter { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: JsonSchema }
interface Operation { method: string; path: string; parameters: Parameter[]; body: JsonSchema | null }

let fixture: ServiceFixture;
let operations: Operation[];

before(async () => {
  fixture = await serviceFixture('postgres', 'fuzz', { snapshotJobs: false });
  const document = (await call(fixture.app, null, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({
    method: method.toUpperCase(), path, parameters: operation.parameters ?? [], body: operation.requestBody?.content['application/json']?.schema ?? null,
  })));
});

after(async () => fixture?.close());

/** Known identifiers mixed into path parameters so that fuzzed requests also reach existing records. */
function knownValues(): Record<string, string[]> {
  return {
    id: [fixture.a.tenantIds.bank, fixture.b.tenantIds.enterprise, fixture.operatorTenantId],
    creditCode: [fixture.a.creditCode, fixture.b.creditCode, fixture.strangerCode],
  };
}

function parameterValue(parameter: Parameter): fc.Arbitrary<unknown> {
  const known = knownValues()[parameter.name] ?? [];
  const options: fc.Arbitrary<unknown>[] = [validOf(parameter.schema), malformedOf(parameter.schema)];
  if (known.length > 0) options.push(fc.constantFrom(...known));
  return fc.oneof(...options);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

test('every operation answers schema-derived valid, boundary and malformed requests without a 5xx', async () => {
  assert.ok(operations.length >= 10, `${operations.length} operations in the document`);
  const keys = [null, 'phk_garbage', fixture.operatorKey, ...Object.values(fixture.a.keys), ...Object.values(fixture.b.keys)];
  const statuses = new Map<string, Set<number>>();
  for (const operation of operations) {
    const pathParameters = operation.parameters.filter((p) => p.in === 'path');
    const queryParameters = operation.parameters.filter((p) => p.in === 'query');
    const headerParameters = operation.parameters.filter((p) => p.in === 'header');
    const request = fc.record({
      key: fc.constantFrom(...keys),
      path: fc.tuple(...pathParameters.map(parameterValue)),
      query: fc.tuple(...queryParameters.map((p) => fc.option(parameterValue(p), { nil: undefined }))),
      headers: fc.tuple(...headerParameters.map((p) => fc.option(parameterValue(p), { nil: undefined }))),
      body: operation.body ? fuzzOf(operation.body) : fc.constant(undefined),
    });
    await fc.assert(fc.asyncProperty(request, async ({ key, path, query, headers, body }) => {
      let url = operation.path;
      pathParameters.forEach((p, k) => { url = url.replace(`{${p.name}}`, encodeURIComponent(textOf(path[k])) || 'x'); });
      const search = new URLSearchParams();
      queryParameters.forEach((p, k) => { if (query[k] !== undefined) search.set(p.name, textOf(query[k])); });
      const headerValues: Record<string, string> = {};
      headerParameters.forEach((p, k) => { if (headers[k] !== undefined) headerValues[p.name] = textOf(headers[k]).replace(/[^\x20-\x7e]/g, '?'); });
      const target = search.size > 0 ? `${url}?${search}` : url;
      const response = await call(fixture.app, key, operation.method as 'GET', target, operation.body ? body ?? null : undefined, headerValues);
      const seen = statuses.get(`${operation.method} ${operation.path}`) ?? new Set<number>();
      seen.add(response.statusCode);
      statuses.set(`${operation.method} ${operation.path}`, seen);
      assert.ok(response.statusCode < 500, `${operation.method} ${target} → ${response.statusCode} ${response.body.slice(0, 400)}\nbody: ${JSON.stringify(body)?.slice(0, 400)}`);
      if (response.statusCode >= 400) {
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/, `${operation.method} ${target} → ${response.statusCode} ${response.body.slice(0, 300)}`);
        assert.equal(typeof response.json().code, 'string');
      }
    }), { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true, includeErrorInReport: true });
  }
  // The fuzzing reached past validation: some operation answered 2xx, and every one refused something.
  assert.ok([...statuses.values()].some((s) => [...s].some((code) => code < 300)), JSON.stringify([...statuses].map(([k, v]) => [k, [...v]])));
  assert.equal((await call(fixture.app, null, 'GET', '/health')).statusCode, 200);
});
