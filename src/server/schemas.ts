/**
 * The service's request and response shapes. Each zod schema here validates a request, types its handler
 * and becomes part of /openapi.json: one definition, three uses. Bounds are explicit (lengths, counts,
 * amounts) so that no field is unbounded.
 */
import { z } from 'zod';
import { isValidCreditCode } from '../domain/credit-code.ts';
import { FEN_MAX } from '../domain/columns.ts';
import { CONSENT_SCOPES, CONSENT_STATUSES, JOB_STATUSES, ROLES, TENANT_KINDS } from '../store/index.ts';

export const ID_LENGTH_MAX = 64;
export const NAME_LENGTH_MAX = 200;
export const PURPOSE_LENGTH_MAX = 200;
export const TERM_MONTHS_MAX = 120;
export const PRODUCT_LENGTH_MAX = 64;

export const creditCode = z.string().length(18).regex(/^[0-9A-HJ-NP-RTUW-Y]{18}$/)
  .refine(isValidCreditCode, { message: 'has a wrong check character (GB 32100)' })
  .describe('Unified social credit code (GB 32100)');
export const resourceId = z.string().min(1).max(ID_LENGTH_MAX).regex(/^[A-Za-z0-9_-]+$/);
export const isoTimestamp = z.iso.datetime({ offset: true }).describe('ISO-8601 UTC timestamp');
export const isoDate = z.iso.date().describe('ISO date YYYY-MM-DD');
export const tenantKind = z.enum(TENANT_KINDS);
export const role = z.enum(ROLES);
export const consentScope = z.enum(CONSENT_SCOPES);

export const idParams = z.object({ id: resourceId });

export const principalView = z.object({
  tenantId: z.string(), tenantKind, role, keyId: z.string(), creditCode: z.string().nullable(),
});

export const tenantView = z.object({
  id: z.string(), kind: tenantKind, name: z.string(), creditCode: z.string().nullable(), createdAt: z.string(),
});
export const createTenantBody = z.object({
  kind: tenantKind,
  name: z.string().trim().min(1).max(NAME_LENGTH_MAX),
  creditCode: creditCode.optional().describe('Required for an enterprise tenant, refused for any other'),
}).strict();

export const createKeyBody = z.object({ role }).strict();
export const apiKeyView = z.object({
  id: z.string(), tenantId: z.string(), role, key: z.string().describe('The plain key: shown once, stored only as a hash'),
});

export const consentView = z.object({
  id: z.string(),
  granteeTenantId: z.string(),
  creditCode: z.string(),
  purpose: z.string(),
  scopes: z.array(consentScope),
  status: z.enum(CONSENT_STATUSES),
  requestedAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
const consentTerms = {
  purpose: z.string().trim().min(1).max(PURPOSE_LENGTH_MAX),
  scopes: z.array(consentScope).min(1).max(CONSENT_SCOPES.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, { message: 'lists a scope twice' })
    .describe('bank_statements (sensitive) must be consented to on its own'),
  expiresAt: isoTimestamp,
};
/** A grantee (bank, guarantee fund, government department) asks an enterprise for consent. */
export const requestConsentBody = z.object({ creditCode, ...consentTerms }).strict();
/** An enterprise grants a named grantee consent directly (requested and authorised in one step). */
export const grantConsentBody = z.object({ granteeTenantId: resourceId, ...consentTerms }).strict();
export const consentListQuery = z.object({ status: z.enum(CONSENT_STATUSES).optional() });

export const applicationBody = z.object({
  creditCode,
  product: z.string().min(1).max(PRODUCT_LENGTH_MAX).regex(/^[a-z0-9_]+$/).default('tax_loan'),
  amountFen: z.number().int().min(1).max(FEN_MAX).nullable().optional().describe('Amount applied for, fen'),
  termMonths: z.number().int().min(1).max(TERM_MONTHS_MAX).nullable().optional(),
  contactName: z.string().trim().min(1).max(NAME_LENGTH_MAX).optional().describe('Personal data: masked by retention'),
  contactPhone: z.string().regex(/^\+?[0-9 -]{5,20}$/).optional().describe('Personal data: masked by retention'),
  selfProofReadings: z.array(resourceId).max(20).optional().describe('Self-proof uploads (GET /v1/selfproof/{id}) about this enterprise, read and verified: the strategy\'s self-proof input'),
}).strict();

const reasonView = z.object({ code: z.string(), kind: z.string(), en: z.string(), zh: z.string() });
export const decisionSummaryView = z.object({
  id: z.string(),
  applicationId: z.string().nullable(),
  creditCode: z.string(),
  consentId: z.string().nullable(),
  outcome: z.string(),
  limitFen: z.number().int().nullable(),
  rateBps: z.number().int().nullable(),
  termMonths: z.number().int().nullable(),
  strategy: z.string(),
  createdAt: z.string(),
  masked: z.boolean().describe('Personal fields masked by retention after the consent ended'),
});
export const decisionView = decisionSummaryView.extend({
  consentIds: z.array(z.string()).describe('Every consent the decision relied on'),
  riskGrade: z.string().nullable(),
  reasons: z.array(reasonView),
  arm: z.string(),
  asOf: z.string(),
  snapshotId: z.string().nullable(),
  record: z.record(z.string(), z.unknown()).optional().describe('The full decision record: inputs, trace, shadow'),
});
export const replayView = z.object({
  decisionId: z.string(), agrees: z.boolean(), differences: z.array(z.string()),
  original: z.record(z.string(), z.unknown()), replayed: z.record(z.string(), z.unknown()),
});

export const intakeParams = z.object({ entity: z.string().min(1).max(40).regex(/^[A-Za-z]+$/) });
export const intakeHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/) });
export const intakeBody = z.object({ rows: z.array(z.record(z.string().max(64), z.unknown())).min(1) }).strict();
export const intakeView = z.object({
  batchId: z.string(), entity: z.string(), accepted: z.number().int(), replayed: z.boolean(),
  rejected: z.array(z.object({ row: z.number().int(), column: z.string().nullable(), message: z.string() })),
  refreshed: z.object({ enterprises: z.array(z.string()), failed: z.array(z.string()) })
    .describe("Enterprises whose snapshot entries now include the new facts (and those whose refresh failed)"),
});

export const dataParams = z.object({ creditCode, scope: consentScope });
export const enterpriseDataView = z.object({
  creditCode: z.string(), scope: consentScope, consentId: z.string().nullable().describe('The consent the read relied on (null: the enterprise reading its own data)'),
  facts: z.array(z.object({ entity: z.string(), source: z.enum(['dataset', 'intake']), row: z.record(z.string(), z.unknown()) })),
  truncated: z.boolean(),
});

export const snapshotBody = z.object({
  asOf: isoDate.optional().describe("Default: the dataset's observation date"),
}).strict();
export const jobView = z.object({
  id: z.string(), kind: z.string(), status: z.enum(JOB_STATUSES), payload: z.unknown(), result: z.unknown(),
  error: z.string().nullable(), createdAt: z.string(), finishedAt: z.string().nullable(),
});
export const snapshotView = z.object({
  id: z.string(), asOf: z.string(), enterprises: z.number().int(), builtAt: z.string(),
});

export const auditVerifyView = z.object({
  ok: z.boolean(), entries: z.number().int(),
  firstBroken: z.object({ id: z.union([z.string(), z.number()]), reason: z.string() }).nullable(),
});

export const healthView = z.object({ status: z.literal('ok'), store: z.string(), snapshot: z.string().nullable() });
