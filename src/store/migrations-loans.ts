/** Migrations for the loan ledger, its journal and the nightly close (issue #14), run after 001_schema on both backends. */
import type { Migration } from 'kysely';
import { statements } from './migration-statements.ts';

const M004_LOANS: readonly string[] = [
  `CREATE TABLE loans (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    debtor_id text NOT NULL,
    source_kind text NOT NULL CHECK (source_kind IN ('decision','offer')),
    source_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('booked','active','closed','written_off','renewed')),
    principal_fen bigint NOT NULL CHECK (principal_fen > 0),
    record jsonb NOT NULL,
    last_date text NOT NULL,
    booked_at text NOT NULL,
    updated_at text NOT NULL
  )`,
  // A decision or an offer books one loan, whatever key the caller sends.
  `CREATE UNIQUE INDEX loans_source ON loans (tenant_id, source_kind, source_id)`,
  `CREATE INDEX loans_tenant ON loans (tenant_id, booked_at, id)`,
  `CREATE INDEX loans_debtor ON loans (debtor_id, tenant_id)`,
  `CREATE TABLE loan_debtors (
    tenant_id text NOT NULL REFERENCES tenants(id),
    debtor_id text NOT NULL,
    record jsonb NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (tenant_id, debtor_id)
  )`,
  `CREATE TABLE loan_commands (
    tenant_id text NOT NULL REFERENCES tenants(id),
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    loan_id text,
    debtor_id text NOT NULL,
    kind text NOT NULL,
    command_date text NOT NULL,
    fingerprint text NOT NULL,
    result jsonb NOT NULL,
    actor text NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
  )`,
  `CREATE INDEX loan_commands_loan ON loan_commands (loan_id)`,
  `CREATE TABLE loan_journal (
    entry_seq bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    posting_key text NOT NULL,
    line_no integer NOT NULL CHECK (line_no >= 0),
    loan_id text NOT NULL,
    posting_date text NOT NULL,
    event text NOT NULL,
    account text NOT NULL CHECK (account IN ('cash','loan_principal','interest_receivable','penalty_receivable','fee_receivable',
      'borrower_advance','interest_income','penalty_income','fee_income','write_off_expense')),
    debit_fen bigint NOT NULL CHECK (debit_fen >= 0),
    credit_fen bigint NOT NULL CHECK (credit_fen >= 0),
    recorded_at text NOT NULL,
    PRIMARY KEY (tenant_id, posting_key, line_no)
  )`,
  `CREATE INDEX loan_journal_loan ON loan_journal (loan_id, entry_seq)`,
  `CREATE TRIGGER loan_journal_append_only BEFORE UPDATE OR DELETE ON loan_journal
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,
  `CREATE TRIGGER loan_journal_no_truncate BEFORE TRUNCATE ON loan_journal
     FOR EACH STATEMENT EXECUTE FUNCTION puhui_refuse_change()`,
  `CREATE TRIGGER loan_commands_append_only BEFORE UPDATE OR DELETE ON loan_commands
     FOR EACH ROW EXECUTE FUNCTION puhui_refuse_change()`,
  `CREATE TABLE loan_close_results (
    close_date text NOT NULL,
    loan_id text NOT NULL REFERENCES loans(id),
    model_version text NOT NULL,
    tenant_id text NOT NULL REFERENCES tenants(id),
    debtor_id text NOT NULL,
    days_past_due integer NOT NULL CHECK (days_past_due >= 0),
    bucket text NOT NULL,
    category_by_days text NOT NULL,
    category text NOT NULL CHECK (category IN ('normal','special_mention','substandard','doubtful','loss')),
    outstanding_fen bigint NOT NULL,
    basis jsonb NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (close_date, loan_id, model_version)
  )`,
  `CREATE INDEX loan_close_results_debtor ON loan_close_results (debtor_id, close_date)`,
  `CREATE INDEX loan_close_results_tenant ON loan_close_results (tenant_id, close_date)`,
  `CREATE TABLE loan_close_debtors (
    close_date text NOT NULL,
    tenant_id text NOT NULL REFERENCES tenants(id),
    debtor_id text NOT NULL,
    model_version text NOT NULL,
    category text NOT NULL CHECK (category IN ('normal','special_mention','substandard','doubtful','loss')),
    outstanding_fen bigint NOT NULL,
    non_performing_share double precision NOT NULL,
    debtor_wide_rule_applied boolean NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (close_date, tenant_id, debtor_id, model_version)
  )`,
  `CREATE TABLE loan_close_steps (
    close_date text NOT NULL,
    debtor_id text NOT NULL,
    step text NOT NULL,
    step_version text NOT NULL,
    result jsonb NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (close_date, debtor_id, step, step_version)
  )`,
];

export const LOAN_MIGRATIONS: Record<string, Migration> = {
  '004_loans': statements(M004_LOANS),
};
