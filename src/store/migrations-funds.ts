/** Migrations for government whitelists and dispatch, risk-compensation and guarantee funds (issue #13), run after 001_schema on both backends. */
import type { Migration } from 'kysely';

export const FUND_MIGRATIONS: Record<string, Migration> = {};
