/**
 * Money is never lost or posted twice when the posting process dies: a real child process (node + tsx) posts
 * ledger operations, one transaction each, against a real database — 10,000 on PostgreSQL, and 2,000 on PGlite in
 * a data folder (the same proof on the embedded store; PGlite's WebAssembly engine costs several times the CPU per
 * transaction, and the 10,000 there took most of the suite's time) — and is killed with SIGKILL at random
 * moments, several times. Each restart first re-posts a few
 * acknowledged operations (they must come back `replayed`), then carries on from the first unacknowledged one.
 *
 * Proved at the end: every acknowledged key was posted once (an operation acknowledged as applied is never
 * applied again), the one unacknowledged operation in flight at each kill was posted at most once before it and
 * exactly once after the retry, and the database holds exactly the loans and the journal the in-process ledger
 * computes from the same operations in order — with the journal balanced against the loans (checkLedger).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { checkLedger, journalOfLoan } from '../../src/loans/store.ts';
import { LoanBook } from '../../src/loans/ledger.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { createPostgresDatabase, type TestDatabase } from '../store/backends.ts';
import { POLICY } from './fixtures.ts';
import { ledgerCommandOf } from './store-fixtures.ts';
import { SIGKILL_OPERATIONS, SIGKILL_TENANT, sigkillOperation } from './sigkill-plan.ts';

const CHILD = fileURLToPath(new URL('./sigkill-child.ts', import.meta.url));
const KILLS = 4;
const RUNS_MAX = KILLS + 2;
const REPLAYS_PER_RUN = 5;
/** A kill lands after 1 … operations / KILL_SPREAD acknowledgements of a run, at random (the first may be just after start-up). */
const KILL_AFTER_ACKS_MIN = 1;
const KILL_SPREAD = 4;

interface Run { acks: Map<number, string>; replays: Map<number, string>; done: boolean }

/** Runs the child from an operation; SIGKILLs it after `killAfterAcks` acknowledgements of this run (null: never). */
function runChild(target: string, operations: number, from: number, replays: number[], killAfterAcks: number | null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target, String(from), replays.join(','), String(operations)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { acks: new Map(), replays: new Map(), done: false };
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [what, index, ...outcome] = line.split(' ');
        if (what === 'ack') run.acks.set(Number(index), outcome.join(' '));
        if (what === 'replay') run.replays.set(Number(index), outcome.join(' '));
        if (what === 'done') run.done = true;
        if (killAfterAcks !== null && run.acks.size >= killAfterAcks) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' || code === 0 ? resolve(run) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

const BACKENDS = [
  { name: 'PostgreSQL', operations: SIGKILL_OPERATIONS, open: async () => { const database: TestDatabase = await createPostgresDatabase('loankill'); return { target: database.url, remove: () => database.drop() }; } },
  { name: 'PGlite in a data folder', operations: 2_000, open: async () => { const root = mkdtempSync(join(tmpdir(), 'puhui-loankill-')); return { target: join(root, 'data'), remove: async () => rmSync(root, { recursive: true, force: true }) }; } },
];

for (const backend of BACKENDS) {
  const OPERATIONS = backend.operations;
  describe(`${OPERATIONS.toLocaleString('en')} loan operations under SIGKILL (${backend.name})`, () => {
    let target: string;
    let remove: () => Promise<void>;
    before(async () => ({ target, remove } = await backend.open()));
    after(async () => remove?.());

    test('no operation lost, none posted twice, and the journal balances', async (t) => {
      const acked = new Map<number, string>();
      const retriedInFlight: string[] = [];
      let from = 0;
      let kills = 0;
      for (let run = 0; run < RUNS_MAX && from < OPERATIONS; run += 1) {
        const killAfter = kills < KILLS ? randomInt(KILL_AFTER_ACKS_MIN, Math.floor(OPERATIONS / KILL_SPREAD)) : null;
        const appliedSoFar = [...acked].filter(([, outcome]) => outcome === 'applied').map(([index]) => index);
        const replays = Array.from({ length: Math.min(REPLAYS_PER_RUN, appliedSoFar.length) }, () => appliedSoFar[randomInt(0, appliedSoFar.length - 1)]!);
        const result = await runChild(target, OPERATIONS, from, replays, killAfter);
        for (const [index, outcome] of result.replays) assert.equal(outcome, 'replayed', `operation ${index}, acknowledged as applied, was ${outcome} again`);
        for (const [index, outcome] of result.acks) {
          assert.ok(!acked.has(index), `operation ${index} acknowledged twice`);
          // Only the operation in flight at the last kill may find itself already committed.
          if (outcome === 'replayed') {
            assert.equal(index, from, `operation ${index} was replayed without having been in flight at a kill`);
            retriedInFlight.push(`op-${index}`);
          }
          acked.set(index, outcome);
        }
        if (!result.done) kills += 1;
        from = acked.size === 0 ? 0 : Math.max(...acked.keys()) + 1;
        t.diagnostic(`run ${run}: ${result.acks.size} acknowledged${result.done ? ', done' : `, killed (${killAfter} acks aimed)`}`);
      }
      assert.equal(kills, KILLS);
      assert.equal(acked.size, OPERATIONS, 'every operation acknowledged');
      t.diagnostic(`in flight at a kill and found committed on retry: ${retriedInFlight.join(', ') || 'none'}`);

      // The reference: the same operations through the in-process ledger, once each.
      const book = new LoanBook(POLICY);
      let applied = 0;
      for (let index = 0; index < OPERATIONS; index += 1) {
        let outcome = 'applied';
        try {
          book.apply(ledgerCommandOf(sigkillOperation(index), SIGKILL_TENANT));
          applied += 1;
        } catch (error) {
          if (!(error instanceof LoanError)) throw error;
          outcome = `refused ${error.code}`;
        }
        const stored = acked.get(index)!;
        assert.equal(stored === 'replayed' ? 'applied' : stored, outcome, `operation ${index}`);
      }
      const store = await openStore(target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target });
      try {
        const commands = await store.db.selectFrom('loanCommands').select(({ fn }) => fn.countAll<string>().as('n')).where('tenantId', '=', SIGKILL_TENANT).executeTakeFirstOrThrow();
        assert.equal(Number(commands.n), applied, 'one idempotency record per applied operation');
        const lines = await store.db.selectFrom('loanJournal').select(({ fn }) => fn.countAll<string>().as('n')).where('tenantId', '=', SIGKILL_TENANT).executeTakeFirstOrThrow();
        assert.equal(Number(lines.n), book.journal.reduce((sum, p) => sum + p.lines.length, 0), 'the journal holds every line once');
        for (const loan of Object.values(book.state.loans)) {
          const row = await store.db.selectFrom('loans').select('record').where('id', '=', loan.id).executeTakeFirstOrThrow();
          assert.deepEqual({ ...(row.record as object), appliedKeys: {} }, { ...loan, appliedKeys: {} }, `loan ${loan.id}`);
          const journal = await journalOfLoan(store, SIGKILL_TENANT, loan.id);
          const expected = book.journal.flatMap((p) => p.lines.filter((l) => l.loanId === loan.id).map((l) => `${p.key} ${l.account} ${l.debitFen}/${l.creditFen}`));
          assert.deepEqual(journal.map((l) => `${l.postingKey} ${l.account} ${l.debitFen}/${l.creditFen}`), expected, `journal of ${loan.id}`);
        }
        const check = await checkLedger(store, { tenantId: SIGKILL_TENANT });
        assert.deepEqual(check.problems, []);
        assert.equal(check.loans, Object.keys(book.state.loans).length);
        t.diagnostic(`${applied} operations applied, ${OPERATIONS - applied} refused by the ledger, ${check.postings} postings, ${check.loans} loans`);
      } finally {
        await store.close();
      }
    });
  });
}
