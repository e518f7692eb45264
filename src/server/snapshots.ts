/**
 * The current snapshot. Which snapshot is current is a row in the store (so every process behind a load
 * balancer agrees); the snapshot's files are immutable, so each process keeps them open in a cache keyed by
 * folder. Building one is a job: `POST /v1/snapshots` records it and this process runs it; the result
 * becomes current when it succeeds.
 */
import { buildSnapshot, openSnapshot, type Snapshot, type SnapshotInfo } from '../pipeline/snapshot.ts';
import { appendAudit, type Job, type Principal, type Store } from '../store/index.ts';
import { HttpProblem } from './problem.ts';
import { randomUUID } from 'node:crypto';
import { readManifest } from '../data/index.ts';

export const SNAPSHOT_JOB_KIND = 'snapshot';

export interface CurrentSnapshot { id: string; datasetDir: string; asOf: string; builtAt: string; enterprises: number; dir: string }

export class SnapshotCatalog {
  private readonly open = new Map<string, Snapshot>();
  private readonly running = new Set<Promise<void>>();

  /** `datasetDir`: the dataset new snapshots are built from (null: this service builds none). */
  constructor(private readonly store: Store, private readonly datasetDir: string | null, private readonly snapshotsDir?: string) {}

  async currentInfo(): Promise<CurrentSnapshot | null> {
    const row = await this.store.db.selectFrom('datasetSnapshots').selectAll().where('current', '=', true).executeTakeFirst();
    return row ? { id: row.id, datasetDir: row.datasetDir, asOf: row.asOf, builtAt: row.builtAt, enterprises: row.enterprises, dir: row.dir } : null;
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

  /** Makes a built snapshot the current one (one row current at a time). */
  async makeCurrent(info: SnapshotInfo): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      await tx.updateTable('datasetSnapshots').set({ current: false }).where('current', '=', true).execute();
      const existing = await tx.selectFrom('datasetSnapshots').select('id').where('id', '=', info.id).executeTakeFirst();
      if (existing) await tx.updateTable('datasetSnapshots').set({ current: true }).where('id', '=', info.id).execute();
      else await tx.insertInto('datasetSnapshots').values({ id: info.id, datasetDir: info.datasetDir, asOf: info.asOf, dir: info.dir, builtAt: info.builtAt, enterprises: info.enterprises, current: true, registeredAt: this.store.now() }).execute();
      await appendAudit(tx, { at: this.store.now(), tenantId: null, actor: 'system', action: 'snapshot.current', subjectType: 'snapshot', subjectId: info.id, details: { asOf: info.asOf, enterprises: info.enterprises } });
    });
  }

  /** Records a snapshot job and starts it in this process; the job row says how it went. */
  async startBuild(principal: Principal, asOf: string | undefined): Promise<Job> {
    if (this.datasetDir === null) throw new HttpProblem(409, 'no_dataset', 'this service was started without a dataset to build snapshots from (puhui serve --dataset DIR)');
    const datasetDir = this.datasetDir;
    const date = asOf ?? readManifest(datasetDir)?.observationDate;
    if (!date) throw new HttpProblem(400, 'as_of_required', "give asOf: the dataset has no observation date");
    const now = this.store.now();
    const job = { id: randomUUID(), tenantId: principal.tenantId, kind: SNAPSHOT_JOB_KIND, status: 'queued' as const, payload: JSON.stringify({ datasetDir, asOf: date }), result: null, error: null, attemptsMax: 1, createdAt: now, startedAt: null, finishedAt: null, updatedAt: now };
    await this.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('jobs').values(job).execute();
      await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'snapshot.build', subjectType: 'job', subjectId: job.id, details: { asOf: date } });
    });
    const run = this.runBuild(job.id, datasetDir, date).finally(() => this.running.delete(run));
    this.running.add(run);
    return (await this.store.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow());
  }

  private async runBuild(jobId: string, datasetDir: string, asOf: string): Promise<void> {
    const setStatus = (values: Record<string, unknown>) => this.store.db.updateTable('jobs').set({ ...values, updatedAt: this.store.now() }).where('id', '=', jobId).execute();
    try {
      await setStatus({ status: 'running', startedAt: this.store.now() });
      const info = await buildSnapshot({ datasetDir, asOf, ...(this.snapshotsDir ? { outDir: this.snapshotsDir } : {}), clock: () => this.store.now() });
      await this.makeCurrent(info);
      await setStatus({ status: 'succeeded', finishedAt: this.store.now(), result: JSON.stringify({ snapshotId: info.id, enterprises: info.enterprises, asOf: info.asOf }) });
    } catch (error) {
      await setStatus({ status: 'failed', finishedAt: this.store.now(), error: (error as Error).message.slice(0, 1000) }).catch(() => undefined);
    }
  }

  /** Waits for the jobs this process runs (graceful shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  close(): void {
    for (const snapshot of this.open.values()) snapshot.close();
    this.open.clear();
  }
}
