/**
 * The store's tables as Kysely sees them (camelCase here, snake_case in SQL through CamelCasePlugin).
 * Every row a tenant may read carries `tenantId`: the repository functions scope every query by it.
 * Money is integer fen (bigint columns read back as safe JS integers), timestamps are ISO-8601 UTC strings
 * written from the store's clock, never the database's, so tests can move time.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { PlatformTables } from './schema-platform.ts';
import type { FundTables } from './schema-funds.ts';
import type { LoanTables } from './schema-loans.ts';
import type { SelfproofTables } from './schema-selfproof.ts';
import type { RatingTables } from './schema-rating.ts';

export const TENANT_KINDS = ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];

/**
 * A key's role. The contract of issue #12 names the same five as the tenant kinds: a key acts as its tenant's kind
 * (an enterprise key is the enterprise or its legal representative). createApiKey refuses a role its tenant lacks.
 */
export const ROLES = TENANT_KINDS;
export type Role = TenantKind;

export const CONSENT_SCOPES = ['registration', 'tax', 'invoices', 'bank_statements', 'bureau', 'court'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export const CONSENT_STATUSES = ['AwaitingAuthorisation', 'Authorised', 'Revoked', 'Expired', 'Rejected'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** JSON as stored in a jsonb column (written as text, read back parsed). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonColumn<T = Json> = ColumnType<T, string, string>;
type JsonColumnNullable<T = Json> = ColumnType<T | null, string | null, string | null>;

export interface TenantTable {
  id: string;
  kind: TenantKind;
  name: string;
  /** The enterprise's unified social credit code; set exactly for enterprise tenants. */
  creditCode: string | null;
  createdAt: string;
}

export interface ApiKeyTable {
  id: string;
  tenantId: string;
  role: Role;
  /** The first characters of the plain key, for lookup; not secret on its own. */
  prefix: string;
  /** SHA-256 (hex) of the whole plain key. */
  keyHash: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  tenantId: string | null;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  /** Canonical JSON (sorted keys) of the details, stored as text so the hashed bytes are the stored bytes. */
  details: string;
  prevHash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  lastSeq: number;
  lastHash: string;
}

export interface ConsentTable {
  id: string;
  /** The grantee: the tenant allowed to read. */
  tenantId: string;
  creditCode: string;
  purpose: string;
  scopes: ColumnType<ConsentScope[], string, string>;
  status: ConsentStatus;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  endedAt: string | null;
  retentionAppliedAt: string | null;
  updatedAt: string;
}

export interface ApplicationTable {
  id: string;
  tenantId: string;
  creditCode: string;
  product: string;
  amountFen: number | null;
  termMonths: number | null;
  consentId: string | null;
  /** Personal data of the person who applied (legal representative); masked by retention. */
  contactName: string | null;
  contactPhone: string | null;
  createdBy: string;
  createdAt: string;
  maskedAt: string | null;
}

export interface DecisionTable {
  id: string;
  tenantId: string;
  applicationId: string | null;
  creditCode: string;
  consentId: string | null;
  outcome: string;
  limitFen: number | null;
  rateBps: number | null;
  termMonths: number | null;
  strategy: string;
  record: JsonColumn;
  createdAt: string;
  maskedAt: string | null;
}

export interface IntakeBatchTable {
  id: string;
  tenantId: string;
  idempotencyKey: string;
  entity: string;
  /** SHA-256 of the canonical request: a key reused for a different batch is a conflict, not a replay. */
  requestHash: string;
  rowCount: number;
  accepted: number;
  rejected: JsonColumn;
  createdBy: string;
  createdAt: string;
}

export interface FactTable {
  tenantId: string;
  entity: string;
  naturalKey: string;
  creditCode: string;
  /** The other enterprise a fact concerns (the buyer of an invoice), if any. */
  counterpartyCode: string | null;
  row: JsonColumn<Record<string, Json>>;
  batchId: string;
  ingestedAt: string;
}

export interface JobTable {
  id: string;
  tenantId: string | null;
  kind: string;
  status: JobStatus;
  payload: JsonColumn;
  result: JsonColumnNullable;
  error: string | null;
  attempts: Generated<number>;
  attemptsMax: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface DatasetSnapshotTable {
  id: string;
  datasetDir: string;
  asOf: string;
  dir: string;
  builtAt: string;
  enterprises: number;
  current: boolean;
  registeredAt: string;
}

/** Every table: the service's own here, each later area's in its schema-*.ts file. */
export interface Database extends PlatformTables, FundTables, LoanTables, SelfproofTables, RatingTables {
  tenants: TenantTable;
  apiKeys: ApiKeyTable;
  auditLog: AuditLogTable;
  auditHead: AuditHeadTable;
  consents: ConsentTable;
  applications: ApplicationTable;
  decisions: DecisionTable;
  intakeBatches: IntakeBatchTable;
  facts: FactTable;
  jobs: JobTable;
  datasetSnapshots: DatasetSnapshotTable;
}

export type Tenant = Selectable<TenantTable>;
export type Consent = Selectable<ConsentTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type DecisionRow = Selectable<DecisionTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Job = Selectable<JobTable>;
export type Fact = Selectable<FactTable>;
export type NewFact = Insertable<FactTable>;
