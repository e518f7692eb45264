/**
 * OCR on worker threads, so a page being read never blocks the caller's event loop (the service keeps
 * answering), with a timeout per page: the caller of a page that takes longer gets an OcrTimeoutError at once
 * and a fresh worker takes the queue. The late worker is not killed mid-inference — terminating a thread
 * inside onnxruntime's native call aborted the whole process (found by the evaluation run) — it is retired
 * when its page is done; inference on a bounded page always ends. At most as many retiring workers as
 * workers exist at once.
 */
import { Worker } from 'node:worker_threads';
import { PuhuiUserError } from '../domain/errors.ts';
import type { OcrLine, PageImage } from './page.ts';

export const PAGE_TIMEOUT_MS_DEFAULT = 20_000;
/** Pages waiting for a worker at most; beyond it a read is refused rather than queued without bound. */
export const QUEUE_PAGES_MAX = 256;

export class OcrTimeoutError extends PuhuiUserError {
  constructor(timeoutMs: number) {
    super(`the page was not read within ${timeoutMs} ms and was abandoned`, 'ocr_timeout');
  }
}

export class OcrBusyError extends PuhuiUserError {
  constructor() {
    super(`the OCR queue is full (${QUEUE_PAGES_MAX} pages); try again later`, 'ocr_busy');
  }
}

export interface OcrPoolOptions {
  workers?: number; threadsPerWorker?: number; pageTimeoutMs?: number; detectSideMaxPx?: number;
  /** onnxruntime's default: waiting pool threads spin (off here: on a shared machine it burns CPU; the bench's baseline). */
  spinning?: boolean;
}

interface Job { id: number; page: PageImage; resolve: (lines: OcrLine[]) => void; reject: (error: Error) => void }
interface Slot { worker: Worker; ready: Promise<void>; job: Job | null; timer: NodeJS.Timeout | null; retiring: boolean }

export class OcrPool {
  private readonly slots: Slot[] = [];
  private readonly retiring = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  readonly pageTimeoutMs: number;
  private readonly threadsPerWorker: number;
  private readonly detectSideMaxPx: number | undefined;
  private readonly spinning: boolean;

  constructor(options: OcrPoolOptions = {}) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new RangeError(`workers must be 1..16, got ${workers}`);
    this.pageTimeoutMs = options.pageTimeoutMs ?? PAGE_TIMEOUT_MS_DEFAULT;
    this.threadsPerWorker = options.threadsPerWorker ?? 1;
    this.detectSideMaxPx = options.detectSideMaxPx;
    this.spinning = options.spinning === true;
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  /** The text lines of one page. */
  read(page: PageImage): Promise<OcrLine[]> {
    if (this.closed) return Promise.reject(new Error('the OCR pool is closed'));
    if (this.queue.length >= QUEUE_PAGES_MAX) return Promise.reject(new OcrBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, page, resolve, reject });
      this.dispatch();
    });
  }

  /** Waits until every worker has loaded its models (for measurements that should not count loading). */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.ready));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the OCR pool was closed'));
    for (const slot of this.slots) {
      const job = slot.job;
      if (job) job.reject(new Error('the OCR pool was closed'));
    }
    await Promise.all([...this.slots, ...this.retiring].map((slot) => this.stop(slot)));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./ocr-worker-entry.js', import.meta.url), { workerData: { threads: this.threadsPerWorker, detectSideMaxPx: this.detectSideMaxPx, spinning: this.spinning } });
    let markReady!: () => void;
    const slot: Slot = { worker, ready: new Promise<void>((resolve) => { markReady = resolve; }), job: null, timer: null, retiring: false };
    worker.on('message', (message: { ready?: boolean; id?: number; lines?: OcrLine[]; error?: string }) => {
      if (message.ready) { markReady(); this.dispatch(); return; }
      if (slot.retiring) { this.retire(slot); return; }
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      this.finish(slot);
      if (message.error !== undefined) job.reject(new Error(`OCR failed: ${message.error}`));
      else job.resolve(message.lines ?? []);
      this.dispatch();
    });
    worker.on('error', (error) => {
      if (slot.retiring) { this.retiring.delete(slot); this.dispatch(); return; }
      const job = slot.job;
      this.finish(slot);
      job?.reject(error);
      this.replace(slot);
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (this.retiring.size > this.slots.length) return;
      if (slot.job !== null) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.ready.then(() => {
        if (slot.job !== job) return;
        slot.timer = setTimeout(() => this.timeOut(slot, job), this.pageTimeoutMs);
        slot.worker.postMessage({ id: job.id, page: job.page });
      }, () => undefined);
    }
  }

  private timeOut(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.finish(slot);
    job.reject(new OcrTimeoutError(this.pageTimeoutMs));
    // The worker is still inside its page: let it finish, then end it; a fresh worker takes its place now.
    slot.retiring = true;
    this.retiring.add(slot);
    const index = this.slots.indexOf(slot);
    if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
    this.dispatch();
  }

  private retire(slot: Slot): void {
    this.retiring.delete(slot);
    void slot.worker.terminate();
    this.dispatch();
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    void slot.worker.terminate();
    if (this.closed || index < 0) return;
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  /** Ends a worker; one inside a page is let finish it first (see the note at the top). */
  private async stop(slot: Slot): Promise<void> {
    if (slot.timer) clearTimeout(slot.timer);
    const busy = slot.retiring || slot.job !== null;
    if (busy) await new Promise<void>((resolve) => { slot.worker.once('message', () => resolve()); slot.worker.once('exit', () => resolve()); });
    await slot.worker.terminate();
  }
}
