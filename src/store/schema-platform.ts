/** The store's tables for the 信易贷 platform (issue #13): registrations, needs, products, claims, offers, ratings. Kysely's view; the SQL is in migrations-platform.ts. */
export interface PlatformTables {}
