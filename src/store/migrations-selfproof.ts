/** Migrations for self-proof uploads and their readings (issue #15), run after 001_schema on both backends. */
import type { Migration } from 'kysely';
import { statements } from './migration-statements.ts';

/**
 * 005_selfproof. A file is stored once, under the SHA-256 of its bytes (content-addressed): every upload of the
 * same bytes refers to that one row. An upload is one tenant's act for one enterprise: it names the file, and
 * carries the reading (OCR → fields → checks, per page) and its verification against the records. The same
 * tenant uploading the same bytes for the same enterprise again gets the first upload back (the unique key).
 */
const M005_SELFPROOF: readonly string[] = [
  `CREATE TABLE selfproof_files (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    format text NOT NULL CHECK (format IN ('jpeg','png','pdf')),
    size_bytes integer NOT NULL CHECK (size_bytes > 0),
    page_count integer NOT NULL CHECK (page_count >= 1),
    content bytea NOT NULL,
    created_at text NOT NULL
  )`,
  `CREATE TABLE selfproof_uploads (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    uploader_kind text NOT NULL CHECK (uploader_kind IN ('enterprise','bank','guarantee_fund')),
    credit_code text NOT NULL,
    sha256 text NOT NULL REFERENCES selfproof_files(sha256),
    file_name text,
    status text NOT NULL CHECK (status IN ('reading','read','failed')),
    kind text,
    strength text CHECK (strength IS NULL OR strength IN ('strong','partial','none','contradicted','unverified')),
    evidence_fen bigint CHECK (evidence_fen IS NULL OR evidence_fen >= 0),
    reading jsonb,
    verification jsonb,
    snapshot_id text,
    error_code text,
    error text,
    created_by text NOT NULL,
    created_at text NOT NULL,
    read_at text,
    UNIQUE (tenant_id, credit_code, sha256)
  )`,
  `CREATE INDEX selfproof_uploads_enterprise ON selfproof_uploads (credit_code, created_at, id)`,
  `CREATE INDEX selfproof_uploads_file ON selfproof_uploads (sha256)`,
];

export const SELFPROOF_MIGRATIONS: Record<string, Migration> = {
  '005_selfproof': statements(M005_SELFPROOF),
};
