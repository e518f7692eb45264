/**
 * The rating job: the operator asks for the current snapshot to be rated; a job on the store (claimed FOR
 * UPDATE SKIP LOCKED, so one process rates it however many run) rates every enterprise the snapshot holds
 * registered by its date, stores the ratings per (enterprise, as-of, model version) and copies the latest into
 * the market's registry (what banks see in their queue). Rerunning it is harmless: existing rows are kept, the
 * summary says how many were new.
 */
import type { Snapshot } from '../pipeline/snapshot.ts';
import { appendAudit, claimJob, completeJob, enqueueJob, failJob, type Job, type Principal, type Store } from '../store/index.ts';
import type { RatingModel } from './rating-policy.ts';
import { rateSnapshot, syncRegistryRatings } from './rating-store.ts';

export const RATING_JOB_KIND = 'rating';
/** A failed run (a damaged snapshot) is not retried: the operator reads the job's error. */
const RATING_JOB_ATTEMPTS_MAX = 1;

const running = new Set<Promise<void>>();

export interface RatingJobSource {
  store: Store;
  /** The snapshot to rate: the current one when the job runs. */
  snapshot: () => Promise<Snapshot>;
  model: RatingModel;
}

/** Enqueues a rating job (audited) and starts a worker on it in this process. */
export async function startRatingJob(source: RatingJobSource, principal: Principal): Promise<Job> {
  const { store, model } = source;
  const snapshot = await source.snapshot(); // no snapshot: refused now, not as a failed job
  const job = await enqueueJob(store, { kind: RATING_JOB_KIND, tenantId: principal.tenantId, payload: { snapshotId: snapshot.info.id, asOf: snapshot.info.asOf, modelVersion: model.version }, attemptsMax: RATING_JOB_ATTEMPTS_MAX });
  await appendAudit(store.db, { at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'rating.run', subjectType: 'job', subjectId: job.id, details: { snapshotId: snapshot.info.id, modelVersion: model.version } });
  const run = workRatingJobs(source).finally(() => running.delete(run));
  running.add(run);
  return job;
}

/** Claims and runs queued rating jobs until none is left. */
export async function workRatingJobs(source: RatingJobSource): Promise<void> {
  for (let job = await claimJob(source.store, RATING_JOB_KIND); job; job = await claimJob(source.store, RATING_JOB_KIND)) {
    try {
      const snapshot = await source.snapshot();
      const summary = await rateSnapshot(source.store, snapshot, source.model, { jobId: job.id });
      const registrations = await syncRegistryRatings(source.store, source.model.version);
      await completeJob(source.store, job.id, { ...summary, registrationsUpdated: registrations });
    } catch (error) {
      await failJob(source.store, job.id, (error as Error).message).catch(() => undefined);
    }
  }
}

/** Waits for the rating jobs this process runs (graceful shutdown, tests). */
export async function ratingJobsIdle(): Promise<void> {
  while (running.size > 0) await Promise.all([...running]);
}
