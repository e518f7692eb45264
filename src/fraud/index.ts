export { detectFraud, evaluateTypologies, DEFAULT_THRESHOLDS, DEFAULT_RING_SEARCH, type FraudOptions, type FraudReport, type FraudThresholds, type FlaggedEnterprise } from './detect.ts';
export { enumerateCycles, DEFAULT_CYCLE_CONSTRAINTS, CYCLE_LENGTH_MAX, type Cycle, type CycleConstraints, type CycleSearch } from './cycles.ts';
export { buildNetwork, type EdgeList, type InvoiceNetwork } from './network.ts';
export { stronglyConnectedComponents } from './scc.ts';
export { identityClusters, type IdentityCluster } from './identities.ts';
export { SIGNALS, TYPOLOGY_PRIORITY, type FraudSignal } from './signals.ts';
export type { Ring } from './rings.ts';
