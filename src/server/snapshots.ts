/**
 * The current snapshot. Which snapshot is current is the store's registry (so every process behind a load
 * balancer agrees); a snapshot's files are immutable, so each process keeps the ones it opened in a cache
 * keyed by folder. Building one is a job on the store: `POST /v1/snapshots` enqueues it and a process
 * claims it (FOR UPDATE SKIP LOCKED: one builder per job however many processes run) and builds it; the
 * result becomes current when it succeeds.
 */
import { readManifest } from '../data/index.ts';
import { buildSnapshot, openSnapshot, type Snapshot, type SnapshotInfo } from '../pipeline/snapshot.ts';
import {
  appendAudit, claimJob, completeJob, currentSnapshot, enqueueJob, failJob, registerSnapshot,
  type Job, type Principal, type SnapshotRegistration, type Store,
} from '../store/index.ts';
import { HttpProblem } from './problem.ts';

export const SNAPSHOT_JOB_KIND = 'snapshot';
/** A build that fails (a bad date, a damaged dataset) is not retried: the operator reads the error. */
const SNAPSHOT_JOB_ATTEMPTS_MAX = 1;

export class SnapshotCatalog {
  private readonly open = new Map<string, Snapshot>();
  private readonly running = new Set<Promise<void>>();

  /** `datasetDir`: the dataset new snapshots are built from (null: this service builds none). */
  constructor(private readonly store: Store, private readonly datasetDir: string | null, private readonly snapshotsDir?: string) {}

  currentInfo(): Promise<SnapshotRegistration | null> {
    return currentSnapshot(this.store);
  }

  /** The current snapshot, opened once per process. */
  async current(): Promise<Snapshot> {
    const info = await this.currentInfo();
    if (!info) throw new HttpProblem(409, 'snapshot_missing', 'no snapshot has been built yet: POST /v1/snapshots (operator) or run puhui snapshot');
    let snapshot = this.open.get(info.dir);
    if (!snapshot) {
      snapshot = openSnapshot(info.dir);
      this.open.set(info.dir, snapshot);
    }
    return snapshot;
  }

  /** Makes a built snapshot the current one, audited. */
  async makeCurrent(info: SnapshotInfo, actor = 'system'): Promise<void> {
    await registerSnapshot(this.store, { id: info.id, datasetDir: info.datasetDir, asOf: info.asOf, dir: info.dir, builtAt: info.builtAt, enterprises: info.enterprises });
    await appendAudit(this.store.db, { at: this.store.now(), tenantId: null, actor, action: 'snapshot.current', subjectType: 'snapshot', subjectId: info.id, details: { asOf: info.asOf, enterprises: info.enterprises } });
  }

  /** Enqueues a snapshot job and starts a worker on it in this process; the job row says how it went. */
  async startBuild(principal: Principal, asOf: string | undefined): Promise<Job> {
    if (this.datasetDir === null) throw new HttpProblem(409, 'no_dataset', 'this service was started without a dataset to build snapshots from (puhui serve --dataset DIR)');
    const date = asOf ?? readManifest(this.datasetDir)?.observationDate;
    if (!date) throw new HttpProblem(400, 'as_of_required', 'give asOf: the dataset has no observation date');
    const job = await enqueueJob(this.store, { kind: SNAPSHOT_JOB_KIND, tenantId: principal.tenantId, payload: { datasetDir: this.datasetDir, asOf: date }, attemptsMax: SNAPSHOT_JOB_ATTEMPTS_MAX });
    await appendAudit(this.store.db, { at: this.store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'snapshot.build', subjectType: 'job', subjectId: job.id, details: { asOf: date } });
    const run = this.work().finally(() => this.running.delete(run));
    this.running.add(run);
    return job;
  }

  /** Claims and builds queued snapshot jobs until none is left. */
  private async work(): Promise<void> {
    for (let job = await claimJob(this.store, SNAPSHOT_JOB_KIND); job; job = await claimJob(this.store, SNAPSHOT_JOB_KIND)) {
      const payload = job.payload as { datasetDir: string; asOf: string };
      try {
        const info = await buildSnapshot({ datasetDir: payload.datasetDir, asOf: payload.asOf, ...(this.snapshotsDir ? { outDir: this.snapshotsDir } : {}), clock: () => this.store.now() });
        await this.makeCurrent(info);
        await completeJob(this.store, job.id, { snapshotId: info.id, asOf: info.asOf, enterprises: info.enterprises });
      } catch (error) {
        await failJob(this.store, job.id, (error as Error).message).catch(() => undefined);
      }
    }
  }

  /** Waits for the jobs this process runs (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  close(): void {
    for (const snapshot of this.open.values()) snapshot.close();
    this.open.clear();
  }
}
