/**
 * Loans over the API on the embedded store: a bank books from its own approved decision, disburses and repays under
 * idempotency keys (a retry returns the first result), reads the loan, schedule and journal; another bank finds
 * nothing; an enterprise reads its own loans only. Errors are problem documents with stable codes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildService } from '../../src/server/app.ts';
import { SnapshotCatalog } from '../../src/server/snapshots.ts';
import { createApiKey, createTenant, openStore, type Store } from '../../src/store/index.ts';
import { call } from '../server/fixture.ts';
import { checkLedger } from '../../src/loans/store.ts';
import { DEBTOR_A, DEBTOR_B, decision } from './store-fixtures.ts';

let store: Store;
let app: FastifyInstance;
let bankKey: string;
let otherBankKey: string;
let enterpriseKey: string;
let otherEnterpriseKey: string;
let decisionId: string;

before(async () => {
  store = await openStore({ dataDir: 'memory://' });
  const snapshots = new SnapshotCatalog(store, null);
  app = await buildService({ store, snapshots, decisions: {} });
  const bank = await createTenant(store, { kind: 'bank', name: '接口测试银行' });
  const otherBank = await createTenant(store, { kind: 'bank', name: '别的银行' });
  bankKey = (await createApiKey(store, bank.id, 'bank')).key;
  otherBankKey = (await createApiKey(store, otherBank.id, 'bank')).key;
  enterpriseKey = (await createApiKey(store, (await createTenant(store, { kind: 'enterprise', name: '借款企业', creditCode: DEBTOR_A })).id, 'enterprise')).key;
  otherEnterpriseKey = (await createApiKey(store, (await createTenant(store, { kind: 'enterprise', name: '别的企业', creditCode: DEBTOR_B })).id, 'enterprise')).key;
  decisionId = await decision(store, bank.id, DEBTOR_A, { limitFen: 30_000_000, rateBps: 1_200, termMonths: 18 });
});

after(async () => {
  await app?.close();
  await store?.close();
});

test('a bank books, disburses and repays a loan over the API; retries return the first result', async () => {
  const body = { decisionId, principalFen: 500_000, method: 'equal-instalment', date: '2025-01-15', instalmentMultipleFen: 100 };
  const booked = await call(app, bankKey, 'POST', '/v1/loans', body, { 'idempotency-key': 'api-book-1' });
  assert.equal(booked.statusCode, 201, booked.body);
  const loanId = booked.json().loanId as string;
  const retried = await call(app, bankKey, 'POST', '/v1/loans', body, { 'idempotency-key': 'api-book-1' });
  assert.equal(retried.statusCode, 200);
  assert.equal(retried.json().replayed, true);
  assert.equal(retried.json().loanId, loanId);
  const disbursed = await call(app, bankKey, 'POST', `/v1/loans/${loanId}/disbursement`, { date: '2025-01-15' }, { 'idempotency-key': 'api-disburse-1' });
  assert.equal(disbursed.statusCode, 200, disbursed.body);
  // The golden case: 5,000 yuan at 12 % over 18 months, instalment rounded to 1 yuan → 305.00 a month.
  const schedule = (await call(app, bankKey, 'GET', `/v1/loans/${loanId}/schedule`)).json();
  assert.equal(schedule.instalments.length, 18);
  assert.equal(schedule.instalments[0].principalFen + schedule.instalments[0].interestFen, 30_500);
  assert.equal(schedule.instalments[0].interestFen, 5_000);
  const repaid = await call(app, bankKey, 'POST', `/v1/loans/${loanId}/repayments`, { date: '2025-02-15', amountFen: 30_500 }, { 'idempotency-key': 'api-pay-1' });
  assert.equal(repaid.statusCode, 200, repaid.body);
  const again = await call(app, bankKey, 'POST', `/v1/loans/${loanId}/repayments`, { date: '2025-02-15', amountFen: 30_500 }, { 'idempotency-key': 'api-pay-1' });
  assert.equal(again.json().replayed, true);
  const conflict = await call(app, bankKey, 'POST', `/v1/loans/${loanId}/repayments`, { date: '2025-02-16', amountFen: 1 }, { 'idempotency-key': 'api-pay-1' });
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.json().code, 'idempotency_conflict');
  const loan = (await call(app, bankKey, 'GET', `/v1/loans/${loanId}`)).json();
  assert.equal(loan.principalOutstandingFen, 500_000 - 25_500);
  assert.equal(loan.daysPastDue, 0);
  const journal = (await call(app, bankKey, 'GET', `/v1/loans/${loanId}/journal`)).json();
  assert.deepEqual(journal.lines.map((l: { event: string }) => l.event).filter((e: string, i: number, all: string[]) => all.indexOf(e) === i), ['disbursement', 'interest-due', 'repayment-received', 'repayment-allocated']);
  assert.deepEqual((await checkLedger(store)).problems, []);
});

test("another bank finds nothing; an enterprise reads its own loans only; the close's keys are refused", async () => {
  const loanId = (await store.db.selectFrom('loans').select('id').executeTakeFirstOrThrow()).id;
  for (const path of [`/v1/loans/${loanId}`, `/v1/loans/${loanId}/schedule`, `/v1/loans/${loanId}/journal`]) {
    const response = await call(app, otherBankKey, 'GET', path);
    assert.equal(response.statusCode, 404, path);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  }
  const steal = await call(app, otherBankKey, 'POST', `/v1/loans/${loanId}/repayments`, { date: '2025-03-15', amountFen: 100 }, { 'idempotency-key': 'steal' });
  assert.equal(steal.statusCode, 404);
  const own = await call(app, enterpriseKey, 'GET', `/v1/enterprises/${DEBTOR_A}/loans`);
  assert.equal(own.statusCode, 200);
  assert.deepEqual(own.json().items.map((l: { id: string }) => l.id), [loanId]);
  assert.equal((await call(app, otherEnterpriseKey, 'GET', `/v1/enterprises/${DEBTOR_A}/loans`)).statusCode, 403);
  assert.equal((await call(app, enterpriseKey, 'GET', `/v1/loans/${loanId}`)).statusCode, 403);
  const reserved = await call(app, bankKey, 'POST', `/v1/loans/${loanId}/repayments`, { date: '2025-03-15', amountFen: 100 }, { 'idempotency-key': 'close:2025-03-15:x' });
  assert.equal(reserved.statusCode, 400);
  const twice = await call(app, bankKey, 'POST', '/v1/loans', { decisionId, principalFen: 100_000, method: 'flat', date: '2025-01-20' }, { 'idempotency-key': 'api-book-2' });
  assert.equal(twice.statusCode, 409, 'a decision books one loan');
});
