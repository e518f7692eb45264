/**
 * Online decisions over the API: the consents a decision needs, the decision itself (decideOnline on the
 * current snapshot, never a recomputation of the dataset) and the API's view of the stored record.
 */
import type { OnlineDecisionRecord } from '../pipeline/online.ts';
import { requireConsent, type Consent, type DecisionRow, type Principal, type Store } from '../store/index.ts';
import { decisionConsentGroups } from './scopes.ts';

/**
 * The consents that cover a decision for a grantee now: one for the ordinary scopes the decision reads and
 * one per separately consented scope (bank statements). Throws consent_required when one is missing.
 */
export async function consentsForDecision(store: Store, principal: Principal, creditCode: string): Promise<Consent[]> {
  const at = store.now();
  const consents: Consent[] = [];
  for (const scopes of decisionConsentGroups()) consents.push(await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode, scopes, at }));
  return consents;
}

/** What the service stores as a decision's record: the online record and every consent it relied on. */
export type StoredDecisionRecord = OnlineDecisionRecord & { consentIds: string[]; selfProofReadings?: string[] };

type DecisionSummaryRow = Omit<DecisionRow, 'record'>;

/** The API's summary of a stored decision (lists). */
export function decisionSummaryOf(row: DecisionSummaryRow) {
  return {
    id: row.id, applicationId: row.applicationId, creditCode: row.creditCode, consentId: row.consentId, outcome: row.outcome,
    limitFen: row.limitFen, rateBps: row.rateBps, termMonths: row.termMonths, strategy: row.strategy, createdAt: row.createdAt, masked: row.maskedAt !== null,
  };
}

/** The API's view of one stored decision: the summary, the reasons in both languages and the consents used. */
export function decisionViewOf(row: DecisionRow, options: { full: boolean }) {
  const record = row.record as unknown as Partial<StoredDecisionRecord> | null;
  const acting = record?.decision;
  return {
    ...decisionSummaryOf(row),
    consentIds: record?.consentIds ?? (row.consentId ? [row.consentId] : []),
    riskGrade: acting?.riskGrade ?? null,
    reasons: acting?.reasons ?? [],
    arm: record?.arm ?? 'champion',
    asOf: record?.asOf ?? '',
    snapshotId: record?.snapshot?.id ?? null,
    ...(options.full ? { record: (row.record ?? {}) as Record<string, unknown> } : {}),
  };
}
