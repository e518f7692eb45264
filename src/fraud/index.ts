export { detectFraud, evaluateTypologies, type EvidenceUnavailable, type FraudOptions, type FraudReport, type FlaggedEnterprise } from './detect.ts';
export { enumerateCycles, cyclesThrough, reverseIndex, popcount, DEFAULT_CYCLE_SEARCH, CYCLE_LENGTH_MAX, type Cycle, type CycleSearch, type CycleSearchOptions, type CyclesThrough, type UncoveredNode } from './cycles.ts';
export { buildNetwork, edgeBetween, type EdgeList, type InvoiceList, type InvoiceNetwork } from './network.ts';
export { stronglyConnectedComponents } from './scc.ts';
export { identityClusters, isPlaceholder, type IdentityCluster, type IdentityClusters, type IdentityHub, type IdentityPlaceholder } from './identities.ts';
export { SIGNALS, TYPOLOGY_PRIORITY, type FraudSignal } from './signals.ts';
export { legsChain, ringEvidence, ringFigures, type Ring, type RingEvidence } from './rings.ts';
export { ringsThrough, monthsWithInvoices, type RingsThrough } from './through.ts';
export { defaultFraudPolicy, loadFraudPolicy, parseFraudPolicy, withOverrides, DEFAULT_FRAUD_POLICY_FILE, FRAUD_POLICY_SCHEMA, FraudPolicyError, type FraudPolicy, type FraudPolicyDocument, type RingPolicy } from './policy.ts';
