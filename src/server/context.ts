/** What every route handler may use: the store, the current snapshot, decision settings and the limits. */
import type { Store } from '../store/index.ts';
import type { ServiceLimits } from './limits.ts';
import type { SnapshotCatalog } from './snapshots.ts';
import type { OnlineOptions } from '../pipeline/online.ts';

/** How the service decides: the champion strategy, an optional challenger, the model — as `puhui decide`. */
export type DecisionSettings = OnlineOptions;

export interface ServiceContext {
  store: Store;
  snapshots: SnapshotCatalog;
  decisions: DecisionSettings;
  limits: ServiceLimits;
}
