/**
 * Ratings in the store: computed for every enterprise the current snapshot holds registered by its date,
 * kept per (enterprise, as-of date, model version) — a new model or date is new rows, a rerun changes nothing
 * (the row id is a hash of the three, inserts skip existing ones) — and read with their explanation.
 *
 * Who may read a rating: the platform operator (it runs the rating), the enterprise itself, and a bank,
 * guarantee fund or government department holding an authorised, unexpired consent of the enterprise covering
 * its registration data (checkCreditRecordAccess, the one rule for every credit record). Every read is audited.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Snapshot } from '../pipeline/snapshot.ts';
import {
  appendAudit, ForbiddenError, NotFoundError, requireConsent,
  type ConsentScope, type Principal, type Store,
} from '../store/index.ts';
import type { RatingTable } from '../store/schema-rating.ts';
import type { Selectable } from 'kysely';
import { dimensionPoints, rateFeatures, type IndicatorContribution, type RatingResult } from './rating.ts';
import type { RatingModel } from './rating-policy.ts';

/** Rows written per INSERT (10 parameters each, far below PostgreSQL's 65,535). */
const INSERT_BATCH_ROWS = 500;
/** Enterprises one run rates at most: a snapshot larger than this is split by the caller. */
export const RATING_RUN_ENTERPRISES_MAX = 2_000_000;

export type RatingRow = Selectable<RatingTable>;

export interface RatingRunSummary {
  snapshotId: string;
  asOf: string;
  modelVersion: string;
  rated: number;
  /** Rows new in this run (a rerun of the same snapshot and model inserts none). */
  inserted: number;
  byGrade: Record<string, number>;
}

export function ratingIdOf(creditCode: string, asOf: string, modelVersion: string): string {
  return `rt_${createHash('sha256').update(`${creditCode}\u0000${asOf}\u0000${modelVersion}`).digest('hex').slice(0, 24)}`;
}

/** Rates the given enterprises (default: every one the snapshot holds registered by its date) and stores them. */
export async function rateSnapshot(store: Store, snapshot: Snapshot, model: RatingModel, options: { jobId?: string | null; creditCodes?: readonly string[] } = {}): Promise<RatingRunSummary> {
  const codes = (options.creditCodes ?? snapshot.creditCodes()).filter((code) => snapshot.has(code));
  if (codes.length > RATING_RUN_ENTERPRISES_MAX) throw new Error(`puhui rating: ${codes.length} enterprises in one run, more than ${RATING_RUN_ENTERPRISES_MAX}`);
  const asOf = snapshot.info.asOf;
  const byGrade: Record<string, number> = Object.fromEntries(model.grades.map((band) => [band.grade, 0]));
  let inserted = 0;
  const createdAt = store.now();
  for (let start = 0; start < codes.length; start += INSERT_BATCH_ROWS) {
    const rows = codes.slice(start, start + INSERT_BATCH_ROWS).map((code) => {
      const result = rateFeatures(model, code, asOf, snapshot.entry(code).features);
      byGrade[result.grade] = (byGrade[result.grade] ?? 0) + 1;
      return {
        id: ratingIdOf(code, asOf, model.version), creditCode: code, asOf, modelVersion: model.version, snapshotId: snapshot.info.id,
        score: result.score, grade: result.grade, contributions: JSON.stringify(result.contributions), jobId: options.jobId ?? null, createdAt,
      };
    });
    const written = await store.db.insertInto('ratings').values(rows).onConflict((oc) => oc.doNothing()).returning('id').execute();
    inserted += written.length;
  }
  return { snapshotId: snapshot.info.id, asOf, modelVersion: model.version, rated: codes.length, inserted, byGrade };
}

/**
 * May this principal read this enterprise's credit records (rating, commitments, breaches)? One rule for all of
 * them: the operator always; the enterprise its own; a bank, guarantee fund or government department with an
 * authorised, unexpired consent of the enterprise covering `scopes` (default: its registration data). Another
 * enterprise's records are "not found" to an enterprise. Returns the consent relied on (null: none needed).
 */
export async function checkCreditRecordAccess(store: Store, principal: Principal, creditCode: string, scopes: readonly ConsentScope[] = ['registration']): Promise<string | null> {
  switch (principal.role) {
    case 'operator':
      return null;
    case 'enterprise':
      if (principal.creditCode !== creditCode) throw new NotFoundError(`no credit record of ${creditCode} is visible to this enterprise`);
      return null;
    case 'bank':
    case 'guarantee_fund':
    case 'government': {
      const consent = await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode, scopes, at: store.now() });
      return consent.id;
    }
    default:
      throw new ForbiddenError(`a ${String(principal.role)} key may not read credit records`);
  }
}

/** The latest rating of an enterprise (latest as-of date; for a given model version when named). */
export async function latestRating(store: Store, creditCode: string, modelVersion?: string): Promise<RatingRow | null> {
  let query = store.db.selectFrom('ratings').selectAll().where('creditCode', '=', creditCode);
  if (modelVersion !== undefined) query = query.where('modelVersion', '=', modelVersion);
  return (await query.orderBy('asOf', 'desc').orderBy('createdAt', 'desc').orderBy('id').limit(1).executeTakeFirst()) ?? null;
}

/** A rating for a principal: access checked, the read audited (the enterprise's own reads too: they are cheap and rare). */
export async function readRating(store: Store, principal: Principal, creditCode: string, modelVersion?: string): Promise<RatingRow> {
  const consentId = await checkCreditRecordAccess(store, principal, creditCode);
  const row = await latestRating(store, creditCode, modelVersion);
  if (!row) throw new NotFoundError(`no rating of ${creditCode} yet: the operator runs the rating job (POST /v1/ratings/jobs)`);
  await appendAudit(store.db, {
    at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'rating.read', subjectType: 'rating', subjectId: row.id,
    details: { creditCode, asOf: row.asOf, modelVersion: row.modelVersion, consentId },
  });
  return row;
}

/** Enterprises whose registry rating one UPDATE sets at most (the IN list stays far below PostgreSQL's limits). */
const REGISTRY_SYNC_CODES_MAX = 5_000;

/**
 * Copies the latest rating of a model version into the market's registry of enterprises (platform_enterprises:
 * rating_grade, rating_score, rated_at), which banks see in their claim queue: for the given enterprises, or for
 * every registered one. Returns how many registrations changed.
 */
export async function syncRegistryRatings(store: Store, modelVersion: string, creditCodes?: readonly string[]): Promise<number> {
  const now = store.now();
  const batches = creditCodes === undefined ? [null] : Array.from({ length: Math.ceil(creditCodes.length / REGISTRY_SYNC_CODES_MAX) }, (_, k) => creditCodes.slice(k * REGISTRY_SYNC_CODES_MAX, (k + 1) * REGISTRY_SYNC_CODES_MAX));
  let updated = 0;
  for (const codes of batches) {
    if (codes !== null && codes.length === 0) continue;
    const only = codes === null ? sql`` : sql`AND credit_code IN (${sql.join(codes)})`;
    const result = await sql`
      UPDATE platform_enterprises AS e SET rating_grade = r.grade, rating_score = r.score, rated_at = r.created_at, updated_at = ${now}
      FROM (SELECT DISTINCT ON (credit_code) credit_code, grade, score, created_at FROM ratings
            WHERE model_version = ${modelVersion} ${only} ORDER BY credit_code, as_of DESC) AS r
      WHERE e.credit_code = r.credit_code
        AND (e.rating_grade IS DISTINCT FROM r.grade OR e.rating_score IS DISTINCT FROM r.score)`.execute(store.db);
    updated += Number(result.numAffectedRows ?? 0);
  }
  return updated;
}

/** Grade counts of one run (as-of date and model version): the rating's distribution for the regulator. */
export async function gradeDistribution(store: Store, asOf: string, modelVersion: string): Promise<Record<string, number>> {
  const rows = await store.db.selectFrom('ratings').select(['grade', sql<string>`count(*)`.as('count')])
    .where('asOf', '=', asOf).where('modelVersion', '=', modelVersion).groupBy('grade').execute();
  return Object.fromEntries(rows.map((r) => [r.grade, Number(r.count)]));
}

/** A stored row as the rating result it was computed as (eligibility by the given model's policy). */
export function ratingResultOf(row: RatingRow, model: RatingModel): RatingResult {
  const contributions = row.contributions as IndicatorContribution[];
  return {
    creditCode: row.creditCode, asOf: row.asOf, modelVersion: row.modelVersion, score: row.score, grade: row.grade,
    eligible: model.policy.eligibleGrades.includes(row.grade), dimensions: dimensionPoints(contributions), contributions,
  };
}

