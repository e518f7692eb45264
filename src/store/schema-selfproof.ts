/** The store's tables for self-proof uploads and their readings (issue #15). Kysely's view; the SQL is in migrations-selfproof.ts. */
export interface SelfproofTables {}
