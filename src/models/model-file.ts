/**
 * Model files checked with zod when they are loaded: a scorecard, an AHP expert model or a model set. A
 * file that would score nonsense is refused here, with the place of the problem: a missing or non-finite
 * number (JSON writes NaN as null), points that do not match the bins, edges out of order, no grades.
 */
import { z } from 'zod';
import type { AhpNode } from './ahp.ts';
import type { ModelSet } from './routing.ts';
import { SCORECARD_SCHEMA, type ScorecardFile } from './scorecard.ts';

/** A finite number (zod's number refuses NaN and ±Infinity; JSON's null is refused too). */
const finite = z.number();

const binStats = z.object({ label: z.string(), count: finite.min(0), bads: finite.min(0), goods: finite.min(0), badRate: finite.min(0).max(1), woe: finite, iv: finite });

const numericTable = z.object({
  kind: z.literal('numeric'), edges: z.array(finite), specialValues: z.array(finite), bins: z.array(binStats), iv: finite,
}).refine((t) => t.edges.every((e, k) => k === 0 || e > t.edges[k - 1]!), { message: 'bin edges must rise strictly' })
  .refine((t) => t.bins.length === t.edges.length + 1 + t.specialValues.length + 1, { message: 'one bin per interval, per special value and for missing values' });

const categoricalTable = z.object({
  kind: z.literal('categorical'), groups: z.array(z.array(z.string()).min(1)).min(1), bins: z.array(binStats), iv: finite,
}).refine((t) => t.bins.length === t.groups.length + 1, { message: 'one bin per group and one for missing values' });

const scorecardFeature = z.object({
  name: z.string().min(1), iv: finite, binning: z.union([numericTable, categoricalTable]), coefficient: finite, standardError: finite.min(0),
  pValue: finite.min(0).max(1), points: z.array(finite),
}).refine((f) => f.points.length === f.binning.bins.length, { message: 'one point value per bin' });

const grade = z.object({ grade: z.string().min(1), minScore: finite.nullable(), count: finite.min(0), bads: finite.min(0), badRate: finite.min(0).max(1) });

export const scorecardFileSchema = z.object({
  schema: z.literal(SCORECARD_SCHEMA),
  target: z.string(),
  features: z.array(scorecardFeature).min(1),
  intercept: finite,
  basePoints: finite,
  scaling: z.object({ baseScore: finite, baseOdds: finite.positive(), pdo: finite.positive(), factor: finite.positive(), offset: finite }),
  grades: z.array(grade).min(1).refine((g) => g.length > 0 && g.at(-1)!.minScore === null && g.slice(0, -1).every((x, k) => x.minScore !== null && (k === 0 || x.minScore < g[k - 1]!.minScore!)),
    { message: 'grades run best first with falling minimum scores; the last has minScore null' }),
  dropped: z.array(z.object({ name: z.string(), reason: z.string() })),
  training: z.object({ rows: finite, bads: finite, auc: finite, ks: finite }),
}).refine((m) => new Set(m.features.map((f) => f.name)).size === m.features.length, { message: 'a variable appears twice' });

const ahpNode: z.ZodType<AhpNode> = z.lazy(() => z.object({
  name: z.string().min(1),
  comparisons: z.array(z.array(finite.positive())).optional(),
  children: z.array(ahpNode).optional(),
  indicator: z.object({ feature: z.string().min(1), direction: z.enum(['higher_better', 'lower_better']), min: finite, max: finite })
    .refine((i) => i.max > i.min, { message: 'max must exceed min' }).optional(),
}));

export const ahpFileSchema = z.object({ schema: z.literal('puhui-ahp/1'), root: ahpNode });

export const modelSetSchema = z.object({
  schema: z.literal('puhui-modelset/1'),
  segments: z.array(z.object({
    name: z.string().min(1), model: z.string().min(1),
    when: z.object({
      taxpayerType: z.enum(['general', 'small_scale']).optional(), industrySections: z.array(z.string()).optional(),
      regionPrefixes: z.array(z.string()).optional(), salesFenMin: finite.optional(), salesFenMax: finite.optional(),
    }),
  })),
  defaultModel: z.string().min(1),
});

export type ModelFileCheck =
  | { ok: true; model: ScorecardFile | { schema: 'puhui-ahp/1'; root: AhpNode } | ModelSet }
  | { ok: false; problems: string[] };

/** Checks parsed JSON against the schema its `schema` field names; problems carry their place in the file. */
export function checkModelFile(json: unknown): ModelFileCheck {
  const schema = (json as { schema?: unknown } | null)?.schema;
  const checker = schema === SCORECARD_SCHEMA ? scorecardFileSchema : schema === 'puhui-ahp/1' ? ahpFileSchema : schema === 'puhui-modelset/1' ? modelSetSchema : null;
  if (!checker) return { ok: false, problems: [`schema ${JSON.stringify(schema ?? null)}`] };
  const result = checker.safeParse(json);
  if (result.success) return { ok: true, model: result.data as ScorecardFile };
  return { ok: false, problems: result.error.issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top)'}: ${issue.message}`) };
}
