/**
 * Jobs on the store (the snapshot build, retention …): enqueued as rows, claimed with FOR UPDATE SKIP LOCKED so
 * several workers on one PostgreSQL never take the same job, retried up to attemptsMax. On PGlite the one process
 * claims and runs them itself. The registry of dataset snapshots says which snapshot is current.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from './db.ts';
import type { Job, Json } from './schema.ts';
import type { Principal } from './tenants.ts';
import { InvalidRequestError, NotFoundError } from './errors.ts';
import { listPage, type Page, type PageRequest } from './pagination.ts';

export const JOB_ATTEMPTS_MAX_DEFAULT = 3;
const JOB_KIND_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
const JOB_ERROR_LENGTH_MAX = 2_000;

export async function enqueueJob(store: Store, input: { kind: string; payload: Json; tenantId?: string | null; attemptsMax?: number }): Promise<Job> {
  if (!JOB_KIND_PATTERN.test(input.kind)) throw new InvalidRequestError(`job kind '${input.kind}' is not a lower-case name`, 'invalid_job');
  const at = store.now();
  const job: Job = {
    id: randomUUID(), tenantId: input.tenantId ?? null, kind: input.kind, status: 'queued', payload: input.payload, result: null,
    error: null, attempts: 0, attemptsMax: input.attemptsMax ?? JOB_ATTEMPTS_MAX_DEFAULT, createdAt: at, startedAt: null, finishedAt: null, updatedAt: at,
  };
  await store.db.insertInto('jobs').values({ ...job, payload: JSON.stringify(job.payload), result: null }).execute();
  return job;
}

/** Takes the oldest queued job of a kind for this worker (or null); a job another worker holds is skipped. */
export async function claimJob(store: Store, kind: string): Promise<Job | null> {
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    const next = await tx.selectFrom('jobs').select('id').where('kind', '=', kind).where('status', '=', 'queued')
      .orderBy('createdAt').orderBy('id').limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!next) return null;
    return (await tx.updateTable('jobs').set({ status: 'running', attempts: sql`attempts + 1`, startedAt: at, updatedAt: at })
      .where('id', '=', next.id).returningAll().executeTakeFirstOrThrow());
  });
}

export async function completeJob(store: Store, id: string, result: Json): Promise<void> {
  const at = store.now();
  const done = await store.db.updateTable('jobs').set({ status: 'succeeded', result: JSON.stringify(result), finishedAt: at, updatedAt: at })
    .where('id', '=', id).where('status', '=', 'running').returning('id').executeTakeFirst();
  if (!done) throw new NotFoundError(`no running job '${id}'`);
}

/** Records a failure: the job goes back to the queue while attempts remain, else it fails for good. */
export async function failJob(store: Store, id: string, error: string): Promise<Job> {
  const at = store.now();
  const job = await store.db.updateTable('jobs').set({
    status: sql`CASE WHEN attempts < attempts_max THEN 'queued' ELSE 'failed' END`,
    error: error.slice(0, JOB_ERROR_LENGTH_MAX), updatedAt: at,
    finishedAt: sql`CASE WHEN attempts < attempts_max THEN NULL ELSE ${at} END`,
  }).where('id', '=', id).where('status', '=', 'running').returningAll().executeTakeFirst();
  if (!job) throw new NotFoundError(`no running job '${id}'`);
  return job;
}

/** A job of the principal's tenant (system jobs, without a tenant, only for the operator). */
export async function getJob(store: Store, id: string, principal: Principal): Promise<Job> {
  let query = store.db.selectFrom('jobs').selectAll().where('id', '=', id);
  query = principal.tenantKind === 'operator'
    ? query.where((eb) => eb.or([eb('tenantId', '=', principal.tenantId), eb('tenantId', 'is', null)]))
    : query.where('tenantId', '=', principal.tenantId);
  const job = await query.executeTakeFirst();
  if (!job) throw new NotFoundError(`job '${id}' not found`);
  return job;
}

export async function listJobs(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<Job>> {
  return listPage(store.db.selectFrom('jobs').selectAll().where('tenantId', '=', principal.tenantId), page);
}

export interface SnapshotRegistration { id: string; datasetDir: string; asOf: string; dir: string; builtAt: string; enterprises: number }

/** Records a built snapshot and makes it the current one (the one online decisions read), atomically. */
export async function registerSnapshot(store: Store, snapshot: SnapshotRegistration): Promise<void> {
  const at = store.now();
  await store.db.transaction().execute(async (tx) => {
    await tx.updateTable('datasetSnapshots').set({ current: false }).where('current', '=', true).execute();
    await tx.insertInto('datasetSnapshots').values({ ...snapshot, current: true, registeredAt: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ current: true, registeredAt: at })).execute();
  });
}

export async function currentSnapshot(store: Store): Promise<SnapshotRegistration | null> {
  const row = await store.db.selectFrom('datasetSnapshots').select(['id', 'datasetDir', 'asOf', 'dir', 'builtAt', 'enterprises'])
    .where('current', '=', true).executeTakeFirst();
  return row ?? null;
}
