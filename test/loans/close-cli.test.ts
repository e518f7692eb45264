/**
 * `puhui loan close` as a user runs it: on PostgreSQL with two worker processes, and on the embedded store in a
 * data folder; bad input refused with one line and exit code 2.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { seedClosePortfolio, CLOSE_DEBTORS } from './close-portfolio.ts';
import { openLoanStore, type LoanStore } from './store-fixtures.ts';

let postgres: LoanStore;
let embedded: LoanStore;

before(async () => {
  postgres = await openLoanStore('postgres', 'closecli');
  await seedClosePortfolio(postgres.store);
  embedded = await openLoanStore('pglite', 'closecli', { folder: true });
  await seedClosePortfolio(embedded.store);
  // The command opens the data folder itself: PGlite serves one process at a time.
  await embedded.store.close();
});

after(async () => {
  await postgres?.close();
  await embedded?.close().catch(() => undefined);
});

test('puhui loan close closes a date on PostgreSQL with worker processes and on the embedded store, with the same tally', async () => {
  const onPostgres = await runCli('loan', 'close', '--date', '2026-06-15', '--database', postgres.url!, '--workers', '2', '--json');
  assert.equal(onPostgres.code, 0, onPostgres.stderr);
  const summary = JSON.parse(onPostgres.stdout);
  assert.equal(summary.queue, 'pg-boss');
  assert.equal(summary.debtors, CLOSE_DEBTORS.length);
  const onPglite = await runCli('loan', 'close', '--date', '2026-06-15', '--data', embedded.dataDir!, '--json');
  assert.equal(onPglite.code, 0, onPglite.stderr);
  assert.deepEqual(JSON.parse(onPglite.stdout).categories, summary.categories);
  const text = await runCli('loan', 'close', '--date', '2026-06-15', '--data', embedded.dataDir!);
  assert.match(text.stdout, /次级 substandard \d+/);
});

test('puhui loan close refuses bad input with one line and exit code 2', async () => {
  for (const args of [['--date', '2026-02-30'], ['--date', '2026-06-15', '--data', '/nonexistent/puhui'], ['--date', '2026-06-15', '--data', embedded.dataDir!, '--workers', '2'], []]) {
    const result = await runCli('loan', 'close', ...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
