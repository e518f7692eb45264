/**
 * The nightly close through its job queue: on PostgreSQL, pg-boss with 1 and with 2 worker processes over the same
 * portfolio gives the same accruals, journal and results; a rerun adds nothing; PGlite's in-process queue agrees;
 * and the results are the classification the rules give (days past due, buckets, an override).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runClose, type CloseRunSummary } from '../../src/loans/queue.ts';
import { closeModelVersion, portfolioClassification } from '../../src/loans/close.ts';
import { checkLedger, loanIdOf, postLoanCommand } from '../../src/loans/store.ts';
import { loadLoanPolicy } from '../../src/loans/policy.ts';
import type { Store } from '../../src/store/index.ts';
import { CLOSE_BANKS, CLOSE_DEBTORS, seedClosePortfolio } from './close-portfolio.ts';
import { openLoanStore, type LoanStore } from './store-fixtures.ts';

const CLOSE_DATE = '2026-06-15';
const SHARD_SIZE = 4;
const STEP_MODULE = fileURLToPath(new URL('./close-step.ts', import.meta.url));
const MODEL_VERSION = closeModelVersion(loadLoanPolicy());

/** Everything the close writes, without timestamps: equal text means equal results. */
async function closeState(store: Store): Promise<{ results: string; debtors: string; steps: string; loans: string; journal: string; commands: number }> {
  const db = store.db;
  const results = await db.selectFrom('loanCloseResults').select(['closeDate', 'loanId', 'modelVersion', 'tenantId', 'debtorId', 'daysPastDue', 'bucket', 'categoryByDays', 'category', 'outstandingFen', 'basis']).orderBy('loanId').orderBy('closeDate').execute();
  const debtors = await db.selectFrom('loanCloseDebtors').select(['closeDate', 'tenantId', 'debtorId', 'category', 'outstandingFen', 'nonPerformingShare', 'debtorWideRuleApplied']).orderBy('tenantId').orderBy('debtorId').orderBy('closeDate').execute();
  const steps = await db.selectFrom('loanCloseSteps').select(['closeDate', 'debtorId', 'step', 'stepVersion', 'result']).orderBy('debtorId').orderBy('closeDate').execute();
  const loans = await db.selectFrom('loans').select(['id', 'status', 'record']).orderBy('id').execute();
  const journal = await db.selectFrom('loanJournal').select(['postingKey', 'lineNo', 'loanId', 'postingDate', 'event', 'account', 'debitFen', 'creditFen']).orderBy('postingKey').orderBy('lineNo').execute();
  const commands = (await db.selectFrom('loanCommands').select('idempotencyKey').execute()).length;
  return { results: JSON.stringify(results), debtors: JSON.stringify(debtors), steps: JSON.stringify(steps), loans: JSON.stringify(loans), journal: JSON.stringify(journal), commands };
}

describe('the nightly close on its job queue', () => {
  let one: LoanStore;
  let two: LoanStore;
  let embedded: LoanStore;
  let byOne: CloseRunSummary;
  let byTwo: CloseRunSummary;
  before(async () => {
    // One after another: PGlite's start-up holds the event loop long enough to time out a PostgreSQL query in flight.
    one = await openLoanStore('postgres', 'close1');
    two = await openLoanStore('postgres', 'close2');
    embedded = await openLoanStore('pglite', 'close3');
    for (const opened of [one, two, embedded]) await seedClosePortfolio(opened.store);
    byOne = await runClose({ store: one.store, databaseUrl: one.url!, date: CLOSE_DATE, workers: 1, shardSize: SHARD_SIZE, stepModules: [STEP_MODULE] });
    byTwo = await runClose({ store: two.store, databaseUrl: two.url!, date: CLOSE_DATE, workers: 2, shardSize: SHARD_SIZE, stepModules: [STEP_MODULE] });
  });
  after(async () => {
    await Promise.all([one, two, embedded].filter(Boolean).map((opened) => opened.close()));
  });

  test('two worker processes on PostgreSQL give the same accruals, journal and results as one', async () => {
    assert.equal(byOne.queue, 'pg-boss');
    assert.equal(byOne.shards, Math.ceil(CLOSE_DEBTORS.length / SHARD_SIZE));
    assert.equal(byOne.debtors, CLOSE_DEBTORS.length);
    assert.ok(byOne.accrued > 0 && byOne.postings > 0, JSON.stringify(byOne));
    assert.deepEqual({ ...byTwo, workers: 1 }, byOne);
    const [stateOne, stateTwo] = [await closeState(one.store), await closeState(two.store)];
    assert.deepEqual(stateTwo, stateOne);
    assert.equal(JSON.parse(stateOne.steps).length, CLOSE_DEBTORS.length, 'one step outcome per enterprise');
    for (const opened of [one, two]) assert.deepEqual((await checkLedger(opened.store)).problems, []);
  });

  test('a rerun of the close (a retried job, a second run) adds nothing', async () => {
    const before = await closeState(two.store);
    const again = await runClose({ store: two.store, databaseUrl: two.url!, date: CLOSE_DATE, workers: 2, shardSize: SHARD_SIZE, stepModules: [STEP_MODULE] });
    assert.equal(again.accrued, 0);
    assert.equal(again.postings, 0);
    assert.equal(again.stepOutcomes, 0);
    assert.deepEqual(again.categories, byTwo.categories);
    assert.deepEqual(await closeState(two.store), before);
  });

  test("PGlite's in-process queue closes to the same results as PostgreSQL's worker processes", async () => {
    const embeddedRun = await runClose({ store: embedded.store, date: CLOSE_DATE, shardSize: SHARD_SIZE, stepModules: [STEP_MODULE] });
    assert.equal(embeddedRun.queue, 'in-process');
    assert.deepEqual({ ...embeddedRun, queue: 'pg-boss' }, byOne);
    assert.deepEqual(await closeState(embedded.store), await closeState(one.store));
    await assert.rejects(runClose({ store: embedded.store, date: CLOSE_DATE, workers: 2 }), /PGlite/);
  });

  test('the results classify each loan by its days past due: buckets and categories', async () => {
    const results = await one.store.db.selectFrom('loanCloseResults').selectAll().where('closeDate', '=', CLOSE_DATE).execute();
    const of = (bank: string, key: string) => results.find((r) => r.loanId === loanIdOf(bank, key))!;
    // Enterprise 0 never paid: its first instalment fell due in February, over 90 days before 15 June.
    const never = of(CLOSE_BANKS[0], 'd0-a');
    assert.equal(never.category, 'substandard');
    assert.ok(never.daysPastDue > 120 && never.daysPastDue <= 150, String(never.daysPastDue));
    assert.equal(never.bucket, 'M5');
    // Enterprise 1 stopped after two instalments: April's (due 11 April) is 65 days past due: special mention, M3.
    const stopped = of(CLOSE_BANKS[0], 'd1-a');
    assert.equal(stopped.daysPastDue, 65);
    assert.equal(stopped.category, 'special_mention');
    assert.equal(stopped.bucket, 'M3');
    // Enterprise 2 paid through May; June's instalment fell due on the 12th: 3 days past due is already special mention.
    const late = of(CLOSE_BANKS[0], 'd2-a');
    assert.deepEqual([late.daysPastDue, late.bucket, late.category], [3, 'M1', 'special_mention']);
    // Enterprise 7 paid through May and its June instalment falls due on the 17th: normal, M0.
    const current = of(CLOSE_BANKS[0], 'd7-a');
    assert.deepEqual([current.daysPastDue, current.bucket, current.category], [0, 'M0', 'normal']);
    const summary = await portfolioClassification(one.store, CLOSE_DATE, MODEL_VERSION);
    assert.equal(summary.loans, results.length);
    assert.equal(Object.values(summary.categories).reduce((sum, c) => sum + c.loans, 0), results.length);
    assert.ok(summary.categories.substandard.loans >= 5, JSON.stringify(summary.categories));
  });

  test('a debtor-wide override is applied by the next close', async () => {
    const bank = CLOSE_BANKS[0];
    await postLoanCommand(one.store, { tenantId: bank, actor: 'risk-officer' }, { kind: 'override-classification', key: 'override-d2', date: '2026-06-20', debtorId: CLOSE_DEBTORS[2]!, category: 'doubtful', reason: '实地走访发现停产 (site visit: production stopped)' });
    await runClose({ store: one.store, databaseUrl: one.url!, date: '2026-06-30', workers: 1, shardSize: SHARD_SIZE });
    const result = await one.store.db.selectFrom('loanCloseResults').selectAll().where('closeDate', '=', '2026-06-30').where('loanId', '=', loanIdOf(bank, 'd2-a')).executeTakeFirstOrThrow();
    assert.equal(result.category, 'doubtful');
    assert.ok((result.basis as { code: string }[]).some((b) => b.code === 'MANUAL_OVERRIDE'));
    assert.deepEqual((await checkLedger(one.store)).problems, []);
  });
});
