/** The store of record (issue #12): tenants and keys, consent, audit, intake, applications and decisions, jobs. */
export { openStore, migrate, systemClock, DEFAULT_DATA_DIR, type Store, type StoreKind, type OpenStoreOptions } from './db.ts';
export * from './errors.ts';
export * from './schema.ts';
export { canonicalJson, sha256Hex } from './canonical.ts';
export { appendAudit, verifyAuditChain, auditEntryHash, type AuditInput, type AuditVerification, type BrokenEntry } from './audit.ts';
export { createTenant, getTenant, createApiKey, revokeApiKey, authenticate, SYSTEM_ACTOR, type Principal, type NewTenant } from './tenants.ts';
export { listPage, encodeCursor, decodeCursor, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, type Page, type PageRequest } from './pagination.ts';
export {
  requestConsent, grantConsent, authoriseConsent, rejectConsent, revokeConsent, expireConsents, requireConsent, getConsent, listConsents,
  checkScopes, ENTITY_SCOPES, SEPARATE_SCOPES, type ConsentRequest, type ConsentCheck,
} from './consent.ts';
export {
  ingestBatch, factsFor, readFacts, validateRows, INTAKE_ROWS_MAX,
  type IntakeBatch, type IntakeResult, type RejectedRow, type FactRecord,
} from './intake.ts';
export {
  insertApplication, insertDecision, recordDecision, getDecision, listDecisions, getApplication, listApplications,
  type NewApplication, type NewDecision,
} from './decisions.ts';
export {
  enqueueJob, claimJob, completeJob, failJob, getJob, listJobs, registerSnapshot, currentSnapshot, type SnapshotRegistration,
} from './jobs.ts';
export {
  runRetention, loadRetentionPolicy, parseRetentionPolicy, maskRecord, RetentionPolicyError, DEFAULT_RETENTION_POLICY_FILE,
  RETENTION_ACTOR, type RetentionPolicy, type RetentionSummary,
} from './retention.ts';
export { WHITELIST_FIRM_STATUSES, type WhitelistFirmStatus, type FundTables } from './schema-funds.ts';
export * from './schema-platform.ts';
