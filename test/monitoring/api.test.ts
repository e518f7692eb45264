/**
 * Monitoring over the API on a real store (PGlite): two banks lend to enterprises of the test economy, the
 * nightly close (src/loans) runs at five month-ends with the early-warning step plugged in, and each bank sees
 * its own warnings, vintages and roll rates only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postLoanCommands, loanIdOf, getLoan } from '../../src/loans/store.ts';
import { runClose } from '../../src/loans/queue.ts';
import { datasetDossierSource, warningCloseStep } from '../../src/monitoring/close-step.ts';
import { call, serviceFixture, testSnapshot, type ServiceFixture } from '../server/fixture.ts';
import { offerFor } from '../loans/store-fixtures.ts';

let fixture: ServiceFixture;
let debtorsA: string[];
let debtorsB: string[];
const CLOSE_DATES = ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31'];

async function lend(bankTenantId: string, debtors: string[], payingShare: number): Promise<void> {
  for (const [index, debtorId] of debtors.entries()) {
    const actor = { tenantId: bankTenantId, actor: 'test' };
    const key = `m-${index}`;
    await postLoanCommands(fixture.store, actor, [
      { kind: 'book', key, date: '2026-01-15', source: { kind: 'offer', id: `offer-${key}`, offer: offerFor(debtorId) }, principalFen: 50_000_000, method: 'equal-instalment' },
      { kind: 'disburse', key: `${key}-disburse`, date: '2026-01-15', loanId: loanIdOf(bankTenantId, key) },
    ]);
    if (index >= debtors.length * payingShare) continue; // this one never pays
    const { loan } = await getLoan(fixture.store, bankTenantId, loanIdOf(bankTenantId, key));
    const due = loan.instalments.filter((i) => i.dueDate <= '2026-05-31');
    await postLoanCommands(fixture.store, actor, due.map((i) => ({ kind: 'repay', key: `${key}-pay-${i.number}`, date: i.dueDate, loanId: loanIdOf(bankTenantId, key), amountFen: i.principalFen + i.interestFen })));
  }
}

before(async () => {
  fixture = await serviceFixture('pglite', 'monitoring');
  const { codes } = await testSnapshot();
  debtorsA = codes.slice(0, 4);
  debtorsB = codes.slice(4, 6);
  await lend(fixture.a.tenantIds.bank, debtorsA, 0.5);
  await lend(fixture.b.tenantIds.bank, debtorsB, 1);
  const step = warningCloseStep({ dossiers: datasetDossierSource(fixture.datasetDir) });
  for (const date of CLOSE_DATES) await runClose({ store: fixture.store, date, steps: [step] });
});
after(async () => fixture.close());

test("a bank sees the warnings of its own borrowers at a close date, each with level, codes and actions", async () => {
  const response = await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/monitoring/warnings?date=2026-05-31');
  assert.equal(response.statusCode, 200, response.body);
  const { items } = response.json() as { items: { creditCode: string; level: string; codes: string[]; actions: string[]; strategy: string }[] };
  assert.deepEqual(items.map((w) => w.creditCode).sort(), [...debtorsA].sort());
  for (const w of items) {
    assert.ok(['green', 'yellow', 'red'].includes(w.level));
    assert.equal(w.level === 'green', w.actions.length === 0);
    assert.match(w.strategy, /^early-warning@/);
  }
  const other = (await call(fixture.app, fixture.b.keys.bank, 'GET', '/v1/monitoring/warnings?date=2026-05-31')).json() as { items: { creditCode: string }[] };
  assert.deepEqual(other.items.map((w) => w.creditCode).sort(), [...debtorsB].sort());
});

test("vintages and roll rates come from the bank's own close results: half of A's loans roll to worse buckets, none of B's", async () => {
  const response = await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/monitoring/portfolio?from=2026-01-01&to=2026-05-31');
  assert.equal(response.statusCode, 200, response.body);
  const { vintages, rollRates } = response.json() as { vintages: { bookedMonth: string; loans: number; points: { everBadCountShare: number }[] }[]; rollRates: { from: string[]; counts: number[][]; transitions: number } };
  assert.deepEqual(vintages.map((v) => [v.bookedMonth, v.loans]), [['2026-01', 4]]);
  // Two loans never pay: the first instalment falls due in February, so by May they are 61–90 days past due (M3).
  assert.equal(vintages[0]!.points.at(-1)!.everBadCountShare, 0.5);
  assert.equal(rollRates.transitions, 4 * 4);
  const m0 = rollRates.counts[0]!;
  assert.equal(m0[0]! + m0[1]!, m0.reduce((a, b) => a + b, 0), 'from M0 a loan stays or rolls to M1');
  const b = (await call(fixture.app, fixture.b.keys.bank, 'GET', '/v1/monitoring/portfolio?from=2026-01-01&to=2026-05-31')).json() as { vintages: { loans: number; points: { everBadCountShare: number }[] }[]; rollRates: { transitions: number } };
  assert.equal(b.vintages[0]!.loans, 2);
  assert.equal(b.vintages[0]!.points.at(-1)!.everBadCountShare, 0);
  assert.equal(b.rollRates.transitions, 2 * 4);
});

test('stability over the API: a moved sample is a shift; only banks may ask; the report is one HTML page', async () => {
  const base = Array.from({ length: 500 }, (_, k) => k / 500);
  const current = base.map((v) => Math.min(1, v + 0.3));
  const response = await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/monitoring/stability', { name: 'pd', base, current });
  assert.equal(response.statusCode, 200, response.body);
  const result = response.json() as { verdict: string; significant: boolean; bins: { from: number | null }[] };
  assert.equal(result.verdict, 'shift');
  assert.equal(result.bins[0]!.from, null);
  assert.equal((await call(fixture.app, fixture.a.keys.guarantee_fund, 'POST', '/v1/monitoring/stability', { name: 'pd', base, current })).statusCode, 403);
  assert.equal((await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/monitoring/portfolio?from=2026-05-01&to=2026-01-01')).statusCode, 400);
  const report = await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/monitoring/report?from=2026-01-01&to=2026-05-31');
  assert.equal(report.statusCode, 200);
  assert.match(report.headers['content-type'] as string, /text\/html/);
  assert.match(report.body, /账龄/);
  assert.ok(!debtorsB.some((code) => report.body.includes(code)));
});
