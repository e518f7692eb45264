/**
 * One migration set for PostgreSQL 15 and PGlite (PostgreSQL 17 in WebAssembly): plain PostgreSQL DDL that both
 * accept. Statements are listed one by one because PGlite's extended protocol runs one statement per query.
 * Migrations are append-only: a released migration is never edited; a change is a new entry.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { statements } from './migration-statements.ts';
import { PLATFORM_MIGRATIONS } from './migrations-platform.ts';
import { FUND_MIGRATIONS } from './migrations-funds.ts';
import { LOAN_MIGRATIONS } from './migrations-loans.ts';
import { SELFPROOF_MIGRATIONS } from './migrations-selfproof.ts';
import { RATING_MIGRATIONS } from './migrations-rating.ts';

const CHAIN_GENESIS_HASH = '0'.repeat(64);

const M001_SCHEMA: readonly string[] = [
  `CREATE TABLE tenants (
    id text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('operator','bank','guarantee_fund','government','enterprise')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credit_code text,
    created_at text NOT NULL,
    CHECK ((kind = 'enterprise') = (credit_code IS NOT NULL))
  )`,
  `CREATE UNIQUE INDEX tenants_credit_code ON tenants (credit_code) WHERE credit_code IS NOT NULL`,
  `CREATE TABLE api_keys (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    role text NOT NULL CHECK (role IN ('operator','bank','guarantee_fund','government','enterprise')),
    prefix text NOT NULL UNIQUE,
    key_hash text NOT NULL,
    created_at text NOT NULL,
    revoked_at text
  )`,
  `CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`,

  `CREATE TABLE audit_log (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    tenant_id text,
    actor text NOT NULL,
    action text NOT NULL,
    subject_type text NOT NULL,
    subject_id text NOT NULL,
    details text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  )`,
  `CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq)`,
  `CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id)`,
  // The chain head: one row, locked FOR UPDATE by every append, so appends are serialised and sequence numbers
  // have no gaps (a rolled-back append rolls the head back too, unlike a sequence).
  `CREATE TABLE audit_head (
    id integer PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL,
    last_hash text NOT NULL
  )`,
  `INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '${CHAIN_GENESIS_HASH}')`,
  `CREATE FUNCTION puhui_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'puhui: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
       USING ERRCODE = 'P0001';
   END $$`,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION puhui_refuse_change()`,

  `CREATE TABLE consents (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    credit_code text NOT NULL,
    purpose text NOT NULL,
    scopes jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('AwaitingAuthorisation','Authorised','Revoked','Expired','Rejected')),
    requested_by text NOT NULL,
    requested_at text NOT NULL,
    expires_at text NOT NULL,
    decided_at text,
    decided_by text,
    ended_at text,
    retention_applied_at text,
    updated_at text NOT NULL
  )`,
  `CREATE INDEX consents_grant ON consents (tenant_id, credit_code, status)`,
  `CREATE INDEX consents_enterprise ON consents (credit_code, requested_at)`,
  `CREATE INDEX consents_status_expiry ON consents (status, expires_at)`,

  `CREATE TABLE applications (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    credit_code text NOT NULL,
    product text NOT NULL,
    amount_fen bigint CHECK (amount_fen IS NULL OR amount_fen > 0),
    term_months integer CHECK (term_months IS NULL OR term_months BETWEEN 1 AND 600),
    consent_id text REFERENCES consents(id),
    contact_name text,
    contact_phone text,
    created_by text NOT NULL,
    created_at text NOT NULL,
    masked_at text
  )`,
  `CREATE INDEX applications_tenant ON applications (tenant_id, created_at, id)`,

  `CREATE TABLE decisions (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    application_id text REFERENCES applications(id),
    credit_code text NOT NULL,
    consent_id text REFERENCES consents(id),
    outcome text NOT NULL,
    limit_fen bigint CHECK (limit_fen IS NULL OR limit_fen >= 0),
    rate_bps integer,
    term_months integer,
    strategy text NOT NULL,
    record jsonb NOT NULL,
    created_at text NOT NULL,
    masked_at text
  )`,
  `CREATE INDEX decisions_tenant ON decisions (tenant_id, created_at, id)`,
  `CREATE INDEX decisions_consent ON decisions (consent_id)`,
  // Decisions are immutable. The one change allowed is the retention job's masking: once, from unmasked to
  // masked, touching nothing but the record (its personal fields) and masked_at.
  `CREATE FUNCTION puhui_decision_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND OLD.masked_at IS NULL AND NEW.masked_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id
        AND NEW.application_id IS NOT DISTINCT FROM OLD.application_id
        AND NEW.credit_code = OLD.credit_code AND NEW.consent_id IS NOT DISTINCT FROM OLD.consent_id
        AND NEW.outcome = OLD.outcome AND NEW.limit_fen IS NOT DISTINCT FROM OLD.limit_fen
        AND NEW.rate_bps IS NOT DISTINCT FROM OLD.rate_bps AND NEW.term_months IS NOT DISTINCT FROM OLD.term_months
        AND NEW.strategy = OLD.strategy AND NEW.created_at = OLD.created_at THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION 'puhui: % on decisions is refused: decisions are immutable (only retention masking)', TG_OP
       USING ERRCODE = 'P0001';
   END $$`,
  `CREATE TRIGGER decisions_immutable BEFORE UPDATE OR DELETE ON decisions
     FOR EACH ROW EXECUTE FUNCTION puhui_decision_immutable()`,
  `CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
     FOR EACH STATEMENT EXECUTE FUNCTION puhui_refuse_change()`,

  `CREATE TABLE intake_batches (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    idempotency_key text NOT NULL,
    entity text NOT NULL,
    request_hash text NOT NULL,
    row_count integer NOT NULL,
    accepted integer NOT NULL,
    rejected jsonb NOT NULL,
    created_by text NOT NULL,
    created_at text NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
  )`,
  `CREATE TABLE facts (
    tenant_id text NOT NULL REFERENCES tenants(id),
    entity text NOT NULL,
    natural_key text NOT NULL,
    credit_code text NOT NULL,
    counterparty_code text,
    row jsonb NOT NULL,
    batch_id text NOT NULL REFERENCES intake_batches(id),
    ingested_at text NOT NULL,
    PRIMARY KEY (tenant_id, entity, natural_key)
  )`,
  `CREATE INDEX facts_credit_code ON facts (credit_code)`,
  `CREATE INDEX facts_counterparty_code ON facts (counterparty_code) WHERE counterparty_code IS NOT NULL`,
  `CREATE INDEX facts_batch ON facts (batch_id)`,

  `CREATE TABLE jobs (
    id text PRIMARY KEY,
    tenant_id text REFERENCES tenants(id),
    kind text NOT NULL,
    status text NOT NULL CHECK (status IN ('queued','running','succeeded','failed')),
    payload jsonb NOT NULL,
    result jsonb,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    attempts_max integer NOT NULL CHECK (attempts_max BETWEEN 1 AND 100),
    created_at text NOT NULL,
    started_at text,
    finished_at text,
    updated_at text NOT NULL
  )`,
  `CREATE INDEX jobs_queue ON jobs (kind, status, created_at)`,
  `CREATE INDEX jobs_tenant ON jobs (tenant_id, created_at, id)`,

  `CREATE TABLE dataset_snapshots (
    id text PRIMARY KEY,
    dataset_dir text NOT NULL,
    as_of text NOT NULL,
    dir text NOT NULL,
    built_at text NOT NULL,
    enterprises integer NOT NULL,
    current boolean NOT NULL,
    registered_at text NOT NULL
  )`,
  `CREATE UNIQUE INDEX dataset_snapshots_one_current ON dataset_snapshots (current) WHERE current`,
];


/** In name order (Kysely sorts them): 001 is the service; each area's file names its own as 0NN_area. */
export const MIGRATIONS: Record<string, Migration> = {
  '001_schema': statements(M001_SCHEMA),
  ...PLATFORM_MIGRATIONS,
  ...FUND_MIGRATIONS,
  ...LOAN_MIGRATIONS,
  ...SELFPROOF_MIGRATIONS,
  ...RATING_MIGRATIONS,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export { CHAIN_GENESIS_HASH };
