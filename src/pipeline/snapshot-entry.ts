/** What a snapshot holds per enterprise for a decision, and how its fraud signals become the summary a strategy reads. */
import type { EnterpriseProfile, FraudSummary } from '../decision/inputs.ts';
import type { FeatureValue } from '../features/index.ts';
import { TYPOLOGY_PRIORITY, type FraudSignal } from '../fraud/index.ts';

/** What a decision needs about one enterprise, as the snapshot (or a refresh) holds it. */
export interface SnapshotEntry {
  creditCode: string;
  enterprise: EnterpriseProfile;
  establishedDate: string;
  features: Record<string, FeatureValue>;
  fraud: FraudSummary | null;
  /** True when new facts refreshed this enterprise after the snapshot was built. */
  refreshed: boolean;
}

/** A fraud signal as a snapshot keeps it per enterprise: enough to rebuild the summary a strategy reads. */
export interface SignalRef { code: string; severity: FraudSignal['severity']; typology: FraudSignal['typology']; group: string | null }

/**
 * Signals that need the whole invoice network or identity graph (rings, shell clusters, identities shared by
 * many firms); a refresh of one enterprise keeps them as the snapshot found them.
 */
export const NETWORK_SIGNAL_CODES: readonly string[] = ['FR_RING', 'FR_SHELL_CLUSTER', 'FR_IDENTITY_HUB'];

/** The summary a strategy reads, from an enterprise's signals (its typology by TYPOLOGY_PRIORITY), as fraudSummaries() does for a report. */
export function summaryOf(signals: readonly SignalRef[]): FraudSummary | null {
  if (signals.length === 0) return null;
  const summary: FraudSummary = { typology: TYPOLOGY_PRIORITY.find((t) => signals.some((s) => s.typology === t)) ?? null, high: 0, medium: 0, codes: [] };
  for (const s of signals) {
    if (s.severity === 'high') summary.high++;
    else if (s.severity === 'medium') summary.medium++;
    if (!summary.codes.includes(s.code)) summary.codes.push(s.code);
  }
  return summary;
}
