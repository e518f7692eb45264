/**
 * All-in or all-out under SIGKILL: a real child process (node + tsx) ingests a big batch into PostgreSQL and is
 * killed with SIGKILL — once right after it has written its first chunk inside the transaction (so certainly
 * mid-batch), then at random moments. Each time the batch is wholly present or wholly absent, and a retry with the
 * same idempotency key either writes it once or changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTenant, ingestBatch, openStore, type Store } from '../../src/store/index.ts';
import { bigInvoiceBatch, createPostgresDatabase, type TestDatabase } from './backends.ts';

const BATCH_ROWS = 6_000;
const CHILD = fileURLToPath(new URL('./intake-child.ts', import.meta.url));

interface KillOutcome { progressSeen: number; doneSeen: boolean }

/** Starts the child and SIGKILLs it `delayMs` after its first progress line (or after `ready` with fromReady). */
function ingestAndKill(url: string, tenantId: string, key: string, delayMs: number, fromReady: boolean): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, tenantId, key, String(BATCH_ROWS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let progressSeen = 0;
    let doneSeen = false;
    let armed = false;
    let stderr = '';
    const arm = () => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready' && fromReady) arm();
        if (line.startsWith('progress ')) { progressSeen = Math.max(progressSeen, Number(line.slice(9))); arm(); }
        if (line.startsWith('done ')) doneSeen = true;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ progressSeen, doneSeen });
    });
  });
}

describe('an intake batch is all-in or all-out when its process is SIGKILLed (PostgreSQL)', () => {
  let database: TestDatabase;
  let store: Store;
  let tenantId: string;
  before(async () => {
    database = await createPostgresDatabase('sigkill');
    store = await openStore({ databaseUrl: database.url });
    tenantId = (await createTenant(store, { kind: 'bank', name: '被杀进程测试银行' })).id;
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  async function batchState(key: string): Promise<{ batch: boolean; facts: number }> {
    const batch = await store.db.selectFrom('intakeBatches').select(['id', 'accepted']).where('tenantId', '=', tenantId).where('idempotencyKey', '=', key).executeTakeFirst();
    const facts = batch
      ? Number((await store.db.selectFrom('facts').select(({ fn }) => fn.countAll().as('n')).where('batchId', '=', batch.id).executeTakeFirstOrThrow()).n)
      : 0;
    return { batch: batch !== undefined, facts };
  }

  async function factTotal(): Promise<number> {
    return Number((await store.db.selectFrom('facts').select(({ fn }) => fn.countAll().as('n')).where('tenantId', '=', tenantId).executeTakeFirstOrThrow()).n);
  }

  async function assertWholeOrNothingThenRetry(key: string): Promise<'present' | 'absent'> {
    const total = await factTotal();
    const state = await batchState(key);
    if (state.batch) assert.equal(state.facts, BATCH_ROWS, 'a committed batch has all its rows');
    else assert.equal(total, 0, 'an uncommitted batch left no rows at all');
    const retry = await ingestBatch(store, { tenantId, entity: 'invoices', rows: bigInvoiceBatch(BATCH_ROWS), idempotencyKey: key });
    assert.equal(retry.replayed, state.batch, 'a retry replays a committed batch and writes an absent one');
    assert.equal(retry.accepted, BATCH_ROWS);
    assert.equal((await batchState(key)).facts, BATCH_ROWS);
    const again = await ingestBatch(store, { tenantId, entity: 'invoices', rows: bigInvoiceBatch(BATCH_ROWS), idempotencyKey: key });
    assert.equal(again.replayed, true);
    assert.equal(await factTotal(), BATCH_ROWS, 'a second retry changes nothing');
    return state.batch ? 'present' : 'absent';
  }

  async function clearFacts(): Promise<void> {
    // Each round reuses the same invoice numbers; start each round from an empty fact table for this tenant.
    await store.db.deleteFrom('facts').where('tenantId', '=', tenantId).execute();
  }

  test('killed right after its first chunk was written: nothing of the batch is visible, a retry writes it once', async () => {
    const outcome = await ingestAndKill(database.url, tenantId, 'kill-mid', 0, false);
    assert.ok(outcome.progressSeen > 0 && outcome.progressSeen < BATCH_ROWS, `killed mid-batch (after ${outcome.progressSeen} rows)`);
    assert.equal(outcome.doneSeen, false);
    assert.equal(await assertWholeOrNothingThenRetry('kill-mid'), 'absent');
  });

  for (let round = 1; round <= 2; round += 1) {
    const delayMs = Math.floor(Math.random() * 3_000);
    const fromReady = round === 1;
    test(`killed at a random moment (round ${round}, ${delayMs} ms after ${fromReady ? 'the child is ready' : 'its first chunk'}): whole or nothing, and the retry agrees`, async (t) => {
      await clearFacts();
      const key = `kill-random-${round}`;
      const outcome = await ingestAndKill(database.url, tenantId, key, delayMs, fromReady);
      const verdict = await assertWholeOrNothingThenRetry(key);
      if (outcome.doneSeen) assert.equal(verdict, 'present', 'a batch the child saw committed is present');
      t.diagnostic(`round ${round}: killed after ${outcome.progressSeen} rows written, batch ${verdict}`);
    });
  }
});
