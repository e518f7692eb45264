/**
 * The nightly close on PostgreSQL through pg-boss: N loans (default 100,000; 2 per enterprise) closed by 1 worker
 * process and by 2, each on its own copy of the same database, in the same run: seconds, loans per second and
 * the speed-up from 1 to 2 workers (the baseline is the 1-worker run). Both closes must give the same results.
 *
 * The portfolio: 12-month equal-instalment loans disbursed over the 60 days before the close date, built with the
 * ledger's own transitions and loaded in bulk; a third of the enterprises have not paid their first instalment,
 * so the close accrues penalty interest on those already due, and the loans whose instalment falls due on the date
 * get their interest receivable: about one loan in five is written by the close, every one is classified.
 *
 *   node --import tsx bench/steps/close.ts [--quick] [--loans N]      (writes bench/results/close.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { createTenant, openStore, type Store } from '../../src/store/index.ts';
import { applyCommand } from '../../src/loans/ledger.ts';
import type { LedgerState } from '../../src/loans/ledger-state.ts';
import { insertJournal, loanIdOf } from '../../src/loans/store.ts';
import { loadLoanPolicy } from '../../src/loans/policy.ts';
import { runClose, type CloseRunSummary } from '../../src/loans/queue.ts';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { dayNumber, isoDateOfDay } from '../../src/domain/period.ts';

const quick = process.argv.includes('--quick');
const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const LOANS = flag('loans', quick ? 10_000 : 100_000);
const CLOSE_DATE = '2026-06-30';
const TENANT = 'tn_bench_close';
const ROWS_PER_INSERT = 1_000;
const POSTGRES_ADMIN_URL = process.env.PUHUI_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function urlOf(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Books and disburses every loan with the pure ledger and loads rows and journal lines in bulk. */
async function seed(store: Store): Promise<void> {
  const policy = loadLoanPolicy();
  await createTenant(store, { id: TENANT, kind: 'bank', name: 'Bench bank' });
  const closeDay = dayNumber(CLOSE_DATE);
  const at = store.now();
  for (let start = 0; start < LOANS; start += ROWS_PER_INSERT) {
    const rows = [];
    const postings = [];
    for (let n = start; n < Math.min(LOANS, start + ROWS_PER_INSERT); n += 1) {
      const enterprise = Math.floor(n / 2);
      const debtorId = composeCreditCode('91', '350200', String(100_000 + enterprise).padStart(8, '0'));
      const key = `bench-${n}`;
      const loanId = loanIdOf(TENANT, key);
      const date = isoDateOfDay(closeDay - 1 - (n % 60));
      let state: LedgerState = { loans: {}, debtors: {} };
      const offer = { debtorId, decidedOn: date, outcome: 'approve' as const, limitFen: 100_000_000, rateBps: 600 + (n % 9) * 100, termMonths: 12, strategy: { id: 'bench', version: '1', hash: 'bench' } };
      state = applyCommand(state, { kind: 'book', key, date, loanId, offer, principalFen: 100_000 * (10 + (n % 90)), method: 'equal-instalment' }, policy).state;
      const disbursed = applyCommand(state, { kind: 'disburse', key: `${key}-d`, date, loanId }, policy);
      const loan = { ...disbursed.state.loans[loanId]!, appliedKeys: {} };
      // Two enterprises in three pay their first instalment on its due date; the third does not.
      const first = loan.instalments[0]!;
      if (enterprise % 3 !== 0 && dayNumber(first.dueDate) < closeDay) {
        const paid = applyCommand({ loans: { [loanId]: loan }, debtors: {} }, { kind: 'repay', key: `${key}-p1`, date: first.dueDate, loanId, amountFen: first.principalFen + first.interestFen }, policy);
        postings.push(...disbursed.postings, ...paid.postings);
        rows.push({ loan: { ...paid.state.loans[loanId]!, appliedKeys: {} }, source: key });
      } else {
        postings.push(...disbursed.postings);
        rows.push({ loan, source: key });
      }
    }
    await store.db.insertInto('loans').values(rows.map(({ loan, source }) => ({
      id: loan.id, tenantId: TENANT, debtorId: loan.debtorId, sourceKind: 'offer' as const, sourceId: source, status: loan.status,
      principalFen: loan.terms.principalFen, record: JSON.stringify(loan), lastDate: loan.lastDate, bookedAt: at, updatedAt: at,
    }))).execute();
    await insertJournal(store.db, TENANT, postings, at);
  }
}

async function timedClose(url: string, workers: number): Promise<{ seconds: number; summary: CloseRunSummary }> {
  const started = performance.now();
  const summary = await runClose({ databaseUrl: url, date: CLOSE_DATE, workers });
  return { seconds: (performance.now() - started) / 1000, summary };
}

const suffix = Math.random().toString(16).slice(2, 10);
const names = { seed: `puhui_bench_close_${suffix}`, one: `puhui_bench_close1_${suffix}`, two: `puhui_bench_close2_${suffix}` };
try {
  await admin(`CREATE DATABASE ${names.seed}`);
  const seedStarted = performance.now();
  const store = await openStore({ databaseUrl: urlOf(names.seed), statementTimeoutMs: 120_000 });
  await seed(store);
  await store.close();
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await admin(`CREATE DATABASE ${names.one} TEMPLATE ${names.seed}`);
  await admin(`CREATE DATABASE ${names.two} TEMPLATE ${names.seed}`);
  const loadBefore = loadavg()[0]!;
  const one = await timedClose(urlOf(names.one), 1);
  const two = await timedClose(urlOf(names.two), 2);
  const loadAfter = loadavg()[0]!;
  const same = JSON.stringify({ ...one.summary, workers: 0 }) === JSON.stringify({ ...two.summary, workers: 0 });
  if (!same) throw new Error(`1 and 2 workers disagree: ${JSON.stringify(one.summary)} vs ${JSON.stringify(two.summary)}`);
  const round = (v: number) => Math.round(v * 100) / 100;
  const result = {
    benchmark: 'nightly close of business on PostgreSQL through pg-boss', date: new Date().toISOString().slice(0, 10), node: process.version, quick,
    loans: LOANS, enterprises: Math.ceil(LOANS / 2), closeDate: CLOSE_DATE, seedSeconds: round(seedSeconds),
    oneWorker: { seconds: round(one.seconds), loansPerSecond: Math.round(LOANS / one.seconds) },
    twoWorkers: { seconds: round(two.seconds), loansPerSecond: Math.round(LOANS / two.seconds) },
    speedUpOneToTwo: round(one.seconds / two.seconds),
    summary: one.summary,
    loadAverage1m: { before: round(loadBefore), after: round(loadAfter) },
    note: 'speed-up = 1-worker seconds / 2-worker seconds, same portfolio (database copies), same run; the machine has 2 cores shared with PostgreSQL and other jobs',
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/close.json', JSON.stringify(result, null, 2) + '\n');
  console.log(`close of ${LOANS} loans: 1 worker ${result.oneWorker.seconds} s (${result.oneWorker.loansPerSecond}/s), 2 workers ${result.twoWorkers.seconds} s (${result.twoWorkers.loansPerSecond}/s), speed-up ×${result.speedUpOneToTwo}; ${one.summary.accrued} accrued, ${one.summary.postings} postings; load ${result.loadAverage1m.before} → ${result.loadAverage1m.after}`);
  console.log('written bench/results/close.json');
} finally {
  for (const name of Object.values(names)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
}
