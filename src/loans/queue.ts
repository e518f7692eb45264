/**
 * Running the nightly close through a job queue: one job per shard of enterprises (close.ts planShards).
 *
 * - PostgreSQL: a real queue, pg-boss, in the same database (schema `pgboss`). The coordinator enqueues the
 *   shards and starts N worker processes (queue-worker.ts); each fetches a job, closes its shard and completes
 *   it (or fails it: pg-boss retries it up to RETRY_LIMIT times), until the queue is empty. Several processes,
 *   even on several machines, share the queue: pg-boss hands a job to one fetcher (SKIP LOCKED).
 * - PGlite: the embedded database lives in one process, so the same shards run in-process through the store's
 *   own job table (src/store/jobs.ts), one after another.
 *
 * Reruns are harmless either way: a shard's accrual is keyed by date and loan and its results by date, loan or
 * debtor and model version (close.ts), so a retried job, a job run twice or a second close of the date adds nothing.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import PgBoss from 'pg-boss';
import { claimJob, completeJob, enqueueJob, failJob, openStore, type Json, type Store } from '../store/index.ts';
import { closeModelVersion, closeShard, checkCloseDate, planShards, SHARD_DEBTORS_MAX, type CloseStep, type ShardSummary } from './close.ts';
import { LoanError } from './errors.ts';
import { loadLoanPolicy, CATEGORIES, type Category, type LoanPolicy } from './policy.ts';

export const CLOSE_QUEUE = 'loan-close';
/** In the store's own job table (PGlite). */
const CLOSE_JOB_KIND = 'loan.close';
export const CLOSE_WORKERS_MAX = 16;
/** Attempts after the first for a failed shard job. */
const RETRY_LIMIT = 2;
/** A job held longer than this by a worker that died is handed out again by pg-boss's supervisor. */
const JOB_EXPIRE_SECONDS = 600;
/** Jobs one worker process takes before it exits (a bound on its loop). */
export const JOBS_PER_WORKER_MAX = 100_000;
/** Rows of the in-process queue's loop: shards, at most (each shard is one job). */
const SHARDS_MAX = 100_000;

export interface CloseJob {
  runId: string;
  date: string;
  modelVersion: string;
  debtorIds: string[];
  policyDir: string | null;
}

export interface CloseRunOptions {
  date: string;
  /** An open store; else the one databaseUrl or dataDir names (as openStore). */
  store?: Store;
  /** postgres://…: needed for worker processes (they connect themselves). */
  databaseUrl?: string;
  dataDir?: string;
  /** Worker processes on PostgreSQL (default 1); PGlite runs in-process and takes only 1. */
  workers?: number;
  /** A folder of loans-*.json policies (default: the shipped ones). */
  policyDir?: string;
  /** Extra steps, in-process runs only (PGlite): functions cannot cross to a worker process. */
  steps?: readonly CloseStep[];
  /** Modules exporting `closeSteps: CloseStep[]` (absolute file paths or URLs), loaded by every worker. */
  stepModules?: readonly string[];
  shardSize?: number;
}

export interface CloseRunSummary {
  date: string;
  modelVersion: string;
  queue: 'pg-boss' | 'in-process';
  workers: number;
  shards: number;
  debtors: number;
  loans: number;
  accrued: number;
  postings: number;
  stepOutcomes: number;
  categories: Record<Category, number>;
}

/** Loads the extra steps some modules export as `closeSteps`. */
export async function loadCloseSteps(modules: readonly string[]): Promise<CloseStep[]> {
  const steps: CloseStep[] = [];
  for (const specifier of modules) {
    const href = /^[a-z]+:/.test(specifier) ? specifier : new URL(`file://${specifier}`).href;
    const loaded = (await import(href)) as { closeSteps?: CloseStep[] };
    if (!Array.isArray(loaded.closeSteps)) throw new LoanError(`close step module ${specifier} exports no closeSteps array`, 'loan_terms');
    steps.push(...loaded.closeSteps);
  }
  return steps;
}

function emptySummary(date: string, modelVersion: string, queue: CloseRunSummary['queue'], workers: number): CloseRunSummary {
  return { date, modelVersion, queue, workers, shards: 0, debtors: 0, loans: 0, accrued: 0, postings: 0, stepOutcomes: 0, categories: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number> };
}

function add(total: CloseRunSummary, shard: ShardSummary): void {
  total.shards += 1;
  total.debtors += shard.debtors;
  total.loans += shard.loans;
  total.accrued += shard.accrued;
  total.postings += shard.postings;
  total.stepOutcomes += shard.stepOutcomes;
  for (const category of CATEGORIES) total.categories[category] += shard.categories[category];
}

/** The close of a date over the whole portfolio, through the queue that fits the store. */
export async function runClose(options: CloseRunOptions): Promise<CloseRunSummary> {
  checkCloseDate(options.date);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > CLOSE_WORKERS_MAX) throw new LoanError(`--workers must be 1..${CLOSE_WORKERS_MAX}, got ${workers}`, 'loan_terms');
  const shardSize = options.shardSize ?? SHARD_DEBTORS_MAX;
  if (!Number.isInteger(shardSize) || shardSize < 1 || shardSize > SHARD_DEBTORS_MAX) throw new LoanError(`a shard holds 1..${SHARD_DEBTORS_MAX} enterprises`, 'loan_terms');
  const policy = loadLoanPolicy(options.policyDir);
  const store = options.store ?? (await openStore({ ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) }));
  try {
    const shards = await planShards(store, shardSize);
    if (store.kind === 'pglite') {
      if (workers !== 1) throw new LoanError('the embedded store (PGlite) lives in one process: the close runs there with --workers 1; use PostgreSQL for several worker processes', 'loan_terms');
      const steps = [...(options.steps ?? []), ...(await loadCloseSteps(options.stepModules ?? []))];
      return await runInProcess(store, options.date, shards, policy, options.policyDir ?? null, steps);
    }
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    if (!databaseUrl) throw new LoanError('the close on PostgreSQL needs the database URL (--database) for its worker processes', 'loan_terms');
    if (options.steps && options.steps.length > 0) throw new LoanError('on PostgreSQL the close runs in worker processes: give extra steps as stepModules', 'loan_terms');
    return await runOnPgBoss(databaseUrl, options.date, shards, closeModelVersion(policy), options.policyDir ?? null, workers, options.stepModules ?? []);
  } finally {
    if (!options.store) await store.close();
  }
}

async function runInProcess(store: Store, date: string, shards: string[][], policy: LoanPolicy, policyDir: string | null, steps: CloseStep[]): Promise<CloseRunSummary> {
  const modelVersion = closeModelVersion(policy);
  const runId = randomUUID();
  for (const debtorIds of shards) await enqueueJob(store, { kind: CLOSE_JOB_KIND, payload: { runId, date, modelVersion, debtorIds, policyDir } satisfies CloseJob as unknown as Json });
  const total = emptySummary(date, modelVersion, 'in-process', 1);
  for (let taken = 0; taken < SHARDS_MAX; taken += 1) {
    const job = await claimJob(store, CLOSE_JOB_KIND);
    if (!job) break;
    const payload = job.payload as unknown as CloseJob;
    try {
      const summary = await closeShard(store, { date: payload.date, debtorIds: payload.debtorIds, modelVersion: payload.modelVersion, policy, steps });
      await completeJob(store, job.id, summary as unknown as Json);
      if (payload.runId === runId) add(total, summary);
    } catch (error) {
      const failed = await failJob(store, job.id, (error as Error).message);
      if (failed.status === 'failed') throw error;
    }
  }
  return total;
}

async function runOnPgBoss(databaseUrl: string, date: string, shards: string[][], modelVersion: string, policyDir: string | null, workers: number, stepModules: readonly string[]): Promise<CloseRunSummary> {
  // The coordinator supervises (pg-boss maintenance: a job whose worker died expires and is offered again).
  const boss = new PgBoss({ connectionString: databaseUrl, schedule: false, supervise: true, max: 2, application_name: 'puhui-close' });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await boss.createQueue(CLOSE_QUEUE, { name: CLOSE_QUEUE, policy: 'standard', retryLimit: RETRY_LIMIT, retryDelay: 0, expireInSeconds: JOB_EXPIRE_SECONDS });
    const runId = randomUUID();
    const ids = shards.map(() => randomUUID());
    if (shards.length > 0) {
      await boss.insert(shards.map((debtorIds, index) => ({
        id: ids[index]!, name: CLOSE_QUEUE, data: { runId, date, modelVersion, debtorIds, policyDir } satisfies CloseJob,
        retryLimit: RETRY_LIMIT, retryDelay: 0, expireInSeconds: JOB_EXPIRE_SECONDS,
      })));
      await Promise.all(Array.from({ length: Math.min(workers, shards.length) }, () => runWorkerProcess(databaseUrl, stepModules)));
    }
    const { rows } = await boss.getDb().executeSql(`SELECT id::text AS id, state, output FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])`, [CLOSE_QUEUE, ids]);
    const total = emptySummary(date, modelVersion, 'pg-boss', workers);
    const failed = rows.filter((r: { state: string }) => r.state === 'failed');
    if (failed.length > 0) throw new Error(`the close of ${date}: ${failed.length} shard job(s) failed: ${JSON.stringify(failed[0].output).slice(0, 500)}`);
    if (rows.length !== shards.length || rows.some((r: { state: string }) => r.state !== 'completed')) {
      throw new Error(`the close of ${date}: ${shards.length - rows.filter((r: { state: string }) => r.state === 'completed').length} shard job(s) did not finish (a worker died); run the close again: reruns are harmless`);
    }
    for (const row of rows as { output: ShardSummary }[]) add(total, row.output);
    return total;
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 1_000 });
  }
}

/** One worker process on the queue; resolves when it has emptied the queue and exited. */
function runWorkerProcess(databaseUrl: string, stepModules: readonly string[]): Promise<void> {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSources ? './queue-worker.ts' : './queue-worker.js', import.meta.url));
  const args = [...(fromSources ? ['--import', 'tsx'] : []), entry, databaseUrl, ...stepModules];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4_000); });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`a close worker exited with ${signal ?? code}: ${stderr.trim()}`))));
  });
}

/**
 * The worker loop (queue-worker.ts runs it in its own process): fetch a shard job, close it, complete it; a
 * shard that throws is failed and pg-boss offers it again (up to RETRY_LIMIT). Exits when the queue is empty.
 */
export async function workCloseQueue(databaseUrl: string, stepModules: readonly string[]): Promise<number> {
  const steps = await loadCloseSteps(stepModules);
  const store = await openStore({ databaseUrl, poolSizeMax: 2 });
  const boss = new PgBoss({ connectionString: databaseUrl, schedule: false, supervise: false, migrate: false, max: 1, application_name: 'puhui-close-worker' });
  boss.on('error', () => undefined);
  await boss.start();
  const policies = new Map<string | null, LoanPolicy>();
  let done = 0;
  try {
    for (; done < JOBS_PER_WORKER_MAX; done += 1) {
      const [job] = await boss.fetch<CloseJob>(CLOSE_QUEUE, { batchSize: 1 });
      if (!job) break;
      const data = job.data;
      try {
        const policy = policies.get(data.policyDir) ?? policies.set(data.policyDir, loadLoanPolicy(data.policyDir ?? undefined)).get(data.policyDir)!;
        const summary = await closeShard(store, { date: data.date, debtorIds: data.debtorIds, modelVersion: data.modelVersion, policy, steps });
        await boss.complete(CLOSE_QUEUE, job.id, summary as unknown as object);
      } catch (error) {
        await boss.fail(CLOSE_QUEUE, job.id, { message: (error as Error).message });
      }
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 1_000 });
    await store.close();
  }
  return done;
}
