/** Migrations for self-proof uploads and their readings (issue #15), run after 001_schema on both backends. */
import type { Migration } from 'kysely';

export const SELFPROOF_MIGRATIONS: Record<string, Migration> = {};
