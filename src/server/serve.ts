/**
 * Running the service: open the store, build the app, listen, and close gracefully — stop taking
 * connections, let requests in flight finish (new ones get a 503 while draining), wait for this process's
 * jobs, then close the snapshot files, the dataset readers and the store.
 */
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../store/index.ts';
import { buildService } from './app.ts';
import type { DecisionSettings } from './context.ts';
import type { ServiceLimits } from './limits.ts';
import { SnapshotCatalog } from './snapshots.ts';

export interface ServeOptions {
  port: number;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  /** The dataset snapshots are built from (POST /v1/snapshots). */
  datasetDir?: string | null;
  decisions?: DecisionSettings;
  limits?: Partial<ServiceLimits>;
  logger?: boolean;
}

export interface RunningService {
  app: FastifyInstance;
  store: Store;
  snapshots: SnapshotCatalog;
  url: string;
  close(): Promise<void>;
}

/** Builds the app on an open store (tests and the bench pass their own store). */
export async function startServiceOn(store: Store, options: Omit<ServeOptions, 'databaseUrl' | 'dataDir'>): Promise<RunningService> {
  const snapshots = new SnapshotCatalog(store, options.datasetDir ?? null);
  const app = await buildService({ store, snapshots, decisions: options.decisions ?? {}, ...(options.limits ? { limits: options.limits } : {}), logger: options.logger === true });
  const address = await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= (async () => {
    await app.close();
    await snapshots.idle();
    snapshots.close();
  })());
  return { app, store, snapshots, url: address, close };
}

export async function startService(options: ServeOptions): Promise<RunningService> {
  const store = await openStore({ ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  try {
    const running = await startServiceOn(store, options);
    return { ...running, close: async () => { await running.close(); await store.close(); } };
  } catch (error) {
    await store.close();
    throw error;
  }
}
