/** Migrations for the platform's ratings, credit commitments and risk notices (issue #13 item 5), after 001_schema on both backends. */
import type { Migration } from 'kysely';
import { statements } from './migration-statements.ts';

const M006_RATING: readonly string[] = [
  `CREATE TABLE ratings (
    id text PRIMARY KEY,
    credit_code text NOT NULL,
    as_of text NOT NULL,
    model_version text NOT NULL,
    snapshot_id text NOT NULL,
    score double precision NOT NULL CHECK (score >= 0 AND score <= 100),
    grade text NOT NULL,
    contributions jsonb NOT NULL,
    job_id text REFERENCES jobs(id),
    created_at text NOT NULL,
    UNIQUE (credit_code, as_of, model_version)
  )`,
  `CREATE INDEX ratings_latest ON ratings (credit_code, as_of DESC)`,
  `CREATE INDEX ratings_run ON ratings (as_of, model_version, grade)`,
  // A rating is a record of what a model said on a date: a new model or date is a new row, never an edit.
  `CREATE TRIGGER ratings_append_only BEFORE UPDATE OR DELETE ON ratings
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,

  `CREATE TABLE credit_commitments (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    credit_code text NOT NULL,
    kind text NOT NULL,
    content text NOT NULL CHECK (length(content) BETWEEN 1 AND 4000),
    signed_on text NOT NULL,
    created_by text NOT NULL,
    created_at text NOT NULL
  )`,
  `CREATE INDEX credit_commitments_enterprise ON credit_commitments (credit_code, created_at, id)`,
  `CREATE TRIGGER credit_commitments_append_only BEFORE UPDATE OR DELETE ON credit_commitments
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,

  `CREATE TABLE commitment_breaches (
    id text PRIMARY KEY,
    commitment_id text NOT NULL REFERENCES credit_commitments(id),
    credit_code text NOT NULL,
    tenant_id text NOT NULL REFERENCES tenants(id),
    occurred_on text NOT NULL,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    severity text NOT NULL CHECK (severity IN ('minor','serious')),
    created_by text NOT NULL,
    created_at text NOT NULL
  )`,
  `CREATE INDEX commitment_breaches_commitment ON commitment_breaches (commitment_id, created_at, id)`,
  `CREATE INDEX commitment_breaches_enterprise ON commitment_breaches (credit_code, created_at, id)`,
  `CREATE TRIGGER commitment_breaches_append_only BEFORE UPDATE OR DELETE ON commitment_breaches
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,

  `CREATE TABLE risk_notices (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    title_zh text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 200),
    title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
    body_zh text NOT NULL CHECK (length(body_zh) BETWEEN 1 AND 4000),
    body_en text NOT NULL CHECK (length(body_en) BETWEEN 1 AND 4000),
    level text NOT NULL CHECK (level IN ('info','warning','alert')),
    published_at text NOT NULL,
    withdrawn_at text,
    created_by text NOT NULL,
    created_at text NOT NULL
  )`,
  `CREATE INDEX risk_notices_published ON risk_notices (published_at, id)`,
];

export const RATING_MIGRATIONS: Record<string, Migration> = {
  '006_rating': statements(M006_RATING),
};
