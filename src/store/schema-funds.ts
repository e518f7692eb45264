/** The store's tables for government whitelists and dispatch, risk-compensation and guarantee funds (issue #13). Kysely's view; the SQL is in migrations-funds.ts. */
export interface FundTables {}
