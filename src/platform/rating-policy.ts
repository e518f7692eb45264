/**
 * The rating policy: a versioned JSON file (policies/rating-default.json) in the shape of Weihai's platform
 * rating — dimensions (government affairs, judicial, financial, enterprise) → indicators from the feature
 * catalogue → weights from pairwise judgements (AHP, src/models/ahp.ts, consistency ratio < 0.1 checked per
 * matrix) → grade bands. Validated here once, where it enters; the model it builds is plain data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';
import { FEATURES, type FeatureSpec } from '../features/index.ts';
import { AhpError, buildAhpModel, RANDOM_INDEX, type AhpModel, type AhpNode } from '../models/ahp.ts';
import { ENTITY_SCOPES, type ConsentScope } from '../store/index.ts';

export const DEFAULT_RATING_POLICY_FILE = fileURLToPath(new URL('../../policies/rating-default.json', import.meta.url));
export const RATING_POLICY_SCHEMA = 'puhui-rating-policy/1';
const INDICATORS_PER_DIMENSION_MAX = RANDOM_INDEX.length;
const DIMENSIONS_MAX = RANDOM_INDEX.length;
const GRADES_MAX = 10;

export class RatingPolicyError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'rating_policy');
  }
}

/** A pairwise judgement: a number or a fraction written "1/3" (Saaty's scale reads better as fractions). */
const judgement = z.union([
  z.number().positive().max(9),
  z.string().regex(/^[1-9](\/[1-9])?$/, 'a judgement is 1..9 or 1/2..1/9'),
]).transform((value) => {
  if (typeof value === 'number') return value;
  const [numerator, denominator] = value.split('/').map(Number);
  return numerator! / (denominator ?? 1);
});
const matrix = z.array(z.array(judgement).min(1).max(RANDOM_INDEX.length)).min(1).max(RANDOM_INDEX.length);
const text = z.string().trim().min(1).max(200);

const indicatorSchema = z.object({
  feature: z.string().min(1).max(64),
  direction: z.enum(['higher_better', 'lower_better']),
  min: z.number().finite(),
  max: z.number().finite(),
}).strict().refine((i) => i.max > i.min, { message: 'max must exceed min' });

const policySchema = z.object({
  schema: z.literal(RATING_POLICY_SCHEMA),
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  version: z.string().min(1).max(32),
  source: z.string().max(2_000).optional(),
  dimensionComparisons: matrix,
  dimensions: z.array(z.object({
    id: z.string().regex(/^[a-z_]{1,32}$/),
    zh: text,
    en: text,
    comparisons: matrix,
    indicators: z.array(indicatorSchema).min(1).max(INDICATORS_PER_DIMENSION_MAX),
  }).strict()).min(1).max(DIMENSIONS_MAX),
  grades: z.array(z.object({ grade: z.string().regex(/^[A-Z][A-Z+-]{0,3}$/), scoreMin: z.number().min(0).max(100), zh: text, en: text }).strict()).min(2).max(GRADES_MAX),
  eligibleGrades: z.array(z.string()).min(1).max(GRADES_MAX),
}).strict();

export type RatingPolicyFile = z.infer<typeof policySchema>;
export type RatingGradeBand = RatingPolicyFile['grades'][number];

export interface RatingIndicator {
  dimension: string;
  feature: FeatureSpec;
  /** The indicator's share of the whole score (product of the AHP weights down the hierarchy). */
  weight: number;
  direction: 'higher_better' | 'lower_better';
  min: number;
  max: number;
  /** The consent scope that covers the data the indicator reads (the widest, when it reads several). */
  scopes: ConsentScope[];
}

export interface RatingModel {
  policy: RatingPolicyFile;
  /** `<id>@<version>#<12 hex>`: the hash covers the whole file's meaning (judgements, bounds, bands). */
  version: string;
  ahp: AhpModel;
  dimensions: { id: string; zh: string; en: string; weight: number; consistencyRatio: number }[];
  indicators: RatingIndicator[];
  /** Grade bands, best first (scoreMin descending, the last 0). */
  grades: RatingGradeBand[];
  /** Every consent scope the rating reads: what a credit report showing every indicator needs. */
  scopes: ConsentScope[];
}

function issuesOf(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
}

/** Builds the rating model from a parsed policy: every feature known and numeric, weights by AHP, bands ordered. */
export function buildRatingModel(input: unknown, where = 'rating policy'): RatingModel {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) throw new RatingPolicyError(`${where}: ${issuesOf(parsed.error)}`);
  const policy = parsed.data;
  const byId = new Map(FEATURES.map((f) => [f.id, f]));
  const seen = new Set<string>();
  for (const dimension of policy.dimensions) {
    for (const indicator of dimension.indicators) {
      const feature = byId.get(indicator.feature);
      if (!feature) throw new RatingPolicyError(`${where}: dimension ${dimension.id} names ${indicator.feature}, which is not in the feature catalogue`);
      if (feature.type === 'category') throw new RatingPolicyError(`${where}: ${indicator.feature} is a category; an indicator must be a number or a flag`);
      if (seen.has(indicator.feature)) throw new RatingPolicyError(`${where}: ${indicator.feature} is an indicator twice`);
      seen.add(indicator.feature);
    }
  }
  const bands = policy.grades;
  for (let k = 1; k < bands.length; k++) {
    if (!(bands[k]!.scoreMin < bands[k - 1]!.scoreMin)) throw new RatingPolicyError(`${where}: grade bands must be listed best first with falling scoreMin (${bands[k]!.grade})`);
  }
  if (bands.at(-1)!.scoreMin !== 0) throw new RatingPolicyError(`${where}: the last grade band must start at 0 so that every score has a grade`);
  const gradeNames = new Set(bands.map((b) => b.grade));
  if (gradeNames.size !== bands.length) throw new RatingPolicyError(`${where}: a grade is listed twice`);
  for (const grade of policy.eligibleGrades) if (!gradeNames.has(grade)) throw new RatingPolicyError(`${where}: eligible grade ${grade} is not a band`);

  const root: AhpNode = {
    name: 'rating',
    comparisons: policy.dimensionComparisons,
    children: policy.dimensions.map((d) => ({
      name: d.id, comparisons: d.comparisons,
      children: d.indicators.map((i) => ({ name: i.feature, indicator: { feature: i.feature, direction: i.direction, min: i.min, max: i.max } })),
    })),
  };
  let ahp: AhpModel;
  try {
    ahp = buildAhpModel(root);
  } catch (error) {
    if (error instanceof AhpError) throw new RatingPolicyError(`${where}: ${error.message}`);
    throw error;
  }
  const indicators: RatingIndicator[] = ahp.leaves.map((leaf) => {
    const dimension = leaf.path.split('/')[1]!;
    const feature = byId.get(leaf.indicator.feature)!;
    const scopes = [...new Set(feature.reads.map((entity) => ENTITY_SCOPES[entity]))].sort();
    return { dimension, feature, weight: leaf.weight, direction: leaf.indicator.direction, min: leaf.indicator.min, max: leaf.indicator.max, scopes };
  });
  const ratioOf = (path: string) => ahp.ratios.find((r) => r.node === path)?.consistencyRatio ?? 0;
  const dimensions = policy.dimensions.map((d) => ({
    id: d.id, zh: d.zh, en: d.en, consistencyRatio: ratioOf(`rating/${d.id}`),
    weight: indicators.filter((i) => i.dimension === d.id).reduce((sum, i) => sum + i.weight, 0),
  }));
  const scopes = [...new Set<ConsentScope>(['registration', ...indicators.flatMap((i) => i.scopes)])].sort();
  const hash = createHash('sha256').update(JSON.stringify(policy)).digest('hex');
  return { policy, version: `${policy.id}@${policy.version}#${hash.slice(0, 12)}`, ahp, dimensions, indicators, grades: bands, scopes };
}

export function loadRatingModel(file: string = DEFAULT_RATING_POLICY_FILE): RatingModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RatingPolicyError(`${file}: cannot read the rating policy: ${(error as Error).message}`);
  }
  return buildRatingModel(raw, file);
}

let defaultModel: RatingModel | null = null;

/** The shipped policy's model, built once per process. */
export function defaultRatingModel(): RatingModel {
  defaultModel ??= loadRatingModel();
  return defaultModel;
}
