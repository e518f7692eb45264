/** The store's tables for the loan ledger, its journal and the nightly close (issue #14). Kysely's view; the SQL is in migrations-loans.ts. */
export interface LoanTables {}
