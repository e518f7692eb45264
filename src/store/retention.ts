/**
 * Retention (PIPL Art. 47). When a consent ends (revoked, expired or rejected) and the policy's period for each of
 * its scopes has passed, the grantee's facts about that enterprise in those scopes are deleted (unless another
 * authorised, unexpired consent of the same enterprise still covers the scope), and the decisions and applications
 * made under that consent are kept with their personal fields masked. Each consent is handled in one transaction
 * with one audit entry that counts what was deleted and masked. Periods live in a versioned JSON policy file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EntityName } from '../domain/columns.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import type { Store } from './db.ts';
import { CONSENT_SCOPES, type Consent, type ConsentScope, type Json } from './schema.ts';
import { appendAudit } from './audit.ts';
import { ENTITY_SCOPES, expireConsents } from './consent.ts';

export const RETENTION_ACTOR = 'retention';
export const RETENTION_CONSENTS_PER_RUN_MAX = 10_000;
const DAY_MS = 86_400_000;
const DAYS_MAX = 36_600;
const MASKABLE_APPLICATION_COLUMNS = ['contactName', 'contactPhone'] as const;

const periodSchema = z.strictObject({ retainDaysAfterConsentEnd: z.number().int().min(0).max(DAYS_MAX) });
const policySchema = z.object({
  schema: z.literal('puhui-retention/1'),
  id: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  scopes: z.strictObject(Object.fromEntries(CONSENT_SCOPES.map((s) => [s, periodSchema])) as Record<ConsentScope, typeof periodSchema>),
  decisions: z.strictObject({
    maskDaysAfterConsentEnd: z.number().int().min(0).max(DAYS_MAX),
    maskedRecordFields: z.array(z.string().min(1).max(100)).max(200),
    maskedApplicationColumns: z.array(z.enum(MASKABLE_APPLICATION_COLUMNS)).max(MASKABLE_APPLICATION_COLUMNS.length),
  }),
});
export type RetentionPolicy = z.infer<typeof policySchema>;

export class RetentionPolicyError extends PuhuiUserError {
  constructor(message: string) { super(message, 'retention_policy'); }
}

export const DEFAULT_RETENTION_POLICY_FILE = fileURLToPath(new URL('../../policies/retention-default.json', import.meta.url));

export function parseRetentionPolicy(value: unknown, source = 'retention policy'): RetentionPolicy {
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RetentionPolicyError(`${source}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

export function loadRetentionPolicy(file: string = DEFAULT_RETENTION_POLICY_FILE): RetentionPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RetentionPolicyError(`cannot read the retention policy ${file}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RetentionPolicyError(`${file} is not JSON`);
  }
  return parseRetentionPolicy(value, file);
}

export interface RetentionSummary {
  policy: string;
  consentsExpired: number;
  consentsApplied: number;
  factsDeleted: number;
  decisionsMasked: number;
  applicationsMasked: number;
}

function entitiesOf(scopes: readonly ConsentScope[]): EntityName[] {
  return (Object.entries(ENTITY_SCOPES) as [EntityName, ConsentScope][]).filter(([, scope]) => scopes.includes(scope)).map(([entity]) => entity);
}

/** The record with every listed field (at any depth) replaced by null. */
export function maskRecord(record: Json, fields: ReadonlySet<string>): Json {
  if (Array.isArray(record)) return record.map((item) => maskRecord(item, fields));
  if (record !== null && typeof record === 'object') {
    const masked: Record<string, Json> = {};
    for (const [key, value] of Object.entries(record)) masked[key] = fields.has(key) ? null : maskRecord(value, fields);
    return masked;
  }
  return record;
}

function dueAt(consent: Consent, policy: RetentionPolicy): string {
  const days = Math.max(policy.decisions.maskDaysAfterConsentEnd, ...consent.scopes.map((s) => policy.scopes[s].retainDaysAfterConsentEnd));
  return new Date(Date.parse(consent.endedAt ?? consent.updatedAt) + days * DAY_MS).toISOString();
}

/** Applies the policy to every ended consent whose periods have passed; idempotent (a consent is handled once). */
export async function runRetention(store: Store, now: string = store.now(), policy: RetentionPolicy = loadRetentionPolicy()): Promise<RetentionSummary> {
  const summary: RetentionSummary = {
    policy: `${policy.id}@${policy.version}`, consentsExpired: await expireConsents(store, now),
    consentsApplied: 0, factsDeleted: 0, decisionsMasked: 0, applicationsMasked: 0,
  };
  const ended = await store.db.selectFrom('consents').selectAll()
    .where('status', 'in', ['Revoked', 'Expired', 'Rejected']).where('retentionAppliedAt', 'is', null)
    .orderBy('endedAt').limit(RETENTION_CONSENTS_PER_RUN_MAX).execute();
  for (const consent of ended) {
    if (dueAt(consent, policy) > now) continue;
    const applied = await applyToConsent(store, consent, now, policy);
    if (!applied) continue;
    summary.consentsApplied += 1;
    summary.factsDeleted += applied.factsDeleted;
    summary.decisionsMasked += applied.decisionsMasked;
    summary.applicationsMasked += applied.applicationsMasked;
  }
  return summary;
}

async function applyToConsent(store: Store, consent: Consent, now: string, policy: RetentionPolicy) {
  return store.db.transaction().execute(async (tx) => {
    // Two retention runs at once (several processes) must not both apply: the consent row is the lock.
    const locked = await tx.selectFrom('consents').select('retentionAppliedAt').where('id', '=', consent.id).forUpdate().executeTakeFirst();
    if (!locked || locked.retentionAppliedAt !== null) return null;
    // A scope another live consent of the same enterprise still grants to this grantee stays.
    const live = await tx.selectFrom('consents').select('scopes').where('tenantId', '=', consent.tenantId)
      .where('creditCode', '=', consent.creditCode).where('status', '=', 'Authorised').where('expiresAt', '>', now).execute();
    const stillGranted = new Set(live.flatMap((c) => c.scopes));
    const scopesToDelete = consent.scopes.filter((s) => !stillGranted.has(s));
    const entities = entitiesOf(scopesToDelete);
    const deletedByEntity: Record<string, number> = {};
    let factsDeleted = 0;
    if (entities.length > 0) {
      const deleted = await tx.deleteFrom('facts').where('tenantId', '=', consent.tenantId).where('creditCode', '=', consent.creditCode)
        .where('entity', 'in', entities).returning('entity').execute();
      for (const row of deleted) deletedByEntity[row.entity] = (deletedByEntity[row.entity] ?? 0) + 1;
      factsDeleted = deleted.length;
    }
    const fields = new Set(policy.decisions.maskedRecordFields);
    const decisions = await tx.selectFrom('decisions').select(['id', 'record']).where('tenantId', '=', consent.tenantId)
      .where('consentId', '=', consent.id).where('maskedAt', 'is', null).execute();
    for (const decision of decisions) {
      await tx.updateTable('decisions').set({ record: JSON.stringify(maskRecord(decision.record, fields)), maskedAt: now })
        .where('id', '=', decision.id).execute();
    }
    const columns = policy.decisions.maskedApplicationColumns;
    const applications = await tx.updateTable('applications')
      .set({ maskedAt: now, ...Object.fromEntries(columns.map((c) => [c, null])) })
      .where('tenantId', '=', consent.tenantId).where('consentId', '=', consent.id).where('maskedAt', 'is', null)
      .returning('id').execute();
    await tx.updateTable('consents').set({ retentionAppliedAt: now, updatedAt: now }).where('id', '=', consent.id).execute();
    await appendAudit(tx, {
      at: now, tenantId: consent.tenantId, actor: RETENTION_ACTOR, action: 'retention.apply', subjectType: 'consent', subjectId: consent.id,
      details: {
        policy: `${policy.id}@${policy.version}`, creditCode: consent.creditCode, consentStatus: consent.status, endedAt: consent.endedAt,
        scopesDeleted: scopesToDelete, scopesKept: consent.scopes.filter((s) => stillGranted.has(s)), factsDeleted: deletedByEntity,
        decisionsMasked: decisions.length, applicationsMasked: applications.length,
      },
    });
    return { factsDeleted, decisionsMasked: decisions.length, applicationsMasked: applications.length };
  });
}
