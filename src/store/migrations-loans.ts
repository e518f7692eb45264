/** Migrations for the loan ledger, its journal and the nightly close (issue #14), run after 001_schema on both backends. */
import type { Migration } from 'kysely';

export const LOAN_MIGRATIONS: Record<string, Migration> = {};
