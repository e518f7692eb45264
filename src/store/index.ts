/** The store of record (issue #12): tenants and keys, consent, audit, intake, applications and decisions, jobs. */
export { openStore, migrate, systemClock, DEFAULT_DATA_DIR, type Store, type StoreKind, type OpenStoreOptions } from './db.ts';
export * from './errors.ts';
export * from './schema.ts';
export { canonicalJson, sha256Hex } from './canonical.ts';
export { appendAudit, verifyAuditChain, auditEntryHash, type AuditInput, type AuditVerification, type BrokenEntry } from './audit.ts';
export { createTenant, getTenant, createApiKey, revokeApiKey, authenticate, SYSTEM_ACTOR, type Principal, type NewTenant } from './tenants.ts';
