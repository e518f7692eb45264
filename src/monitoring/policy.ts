/**
 * The monitoring policy: every threshold and tunable of post-loan monitoring outside the warning strategy
 * (how lead time is measured, when a PSI is a shift, the delinquency buckets of roll rates, how the annual
 * review turns a year of warnings into renew/adjust/withdraw) in one versioned JSON file
 * (policies/monitoring-default.json), validated with zod and identified by version + SHA-256 of its
 * canonical JSON. What each field means and why: docs/monitoring.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';
import { canonicalJson } from '../decision/strategy.ts';

export const MONITORING_POLICY_SCHEMA = 'puhui-monitoring-policy/1';
export const DEFAULT_MONITORING_POLICY = new URL('../../policies/monitoring-default.json', import.meta.url).pathname;

const fraction = z.number().min(0).max(1);
const level = z.enum(['green', 'yellow', 'red']);

const policySchema = z.object({
  schema: z.literal(MONITORING_POLICY_SCHEMA),
  id: z.string().min(1),
  version: z.string().min(1),
  titleEn: z.string().min(1),
  titleZh: z.string().min(1),
  leadTime: z.object({
    leadMonthsMin: z.number().int().min(1).max(12).describe('A default counts as caught when flagged at least this many months before it.'),
    windowMonths: z.number().int().min(1).max(12).describe('Monthly evaluations looked at, ending leadMonthsMin before the reference month.'),
    referenceMonths: z.number().int().min(1).max(24).describe('Months of defaults measured, ending with the last month of data.'),
    businessAgeMonthsMin: z.number().int().min(0).max(120).describe('Firms younger than this at the first evaluation are left out (the products do not lend to them).'),
    detectionShareAim: fraction,
    falseAlarmShareAim: fraction,
  }).strict(),
  stability: z.object({
    bins: z.number().int().min(2).max(50).describe('Equal-frequency bins of the base sample.'),
    psiWatch: z.number().positive().describe('Rule of thumb: below is stable, from here a shift to watch (Siddiqi 2006).'),
    psiAct: z.number().positive().describe('Rule of thumb: from here a major shift.'),
    significance: z.number().gt(0).lt(0.5).describe('Level of the chi-square test a PSI must also pass to be called a shift.'),
    binShareFloor: z.number().gt(0).lt(0.01).describe('An empty bin counts as this share, so the logarithm stays finite.'),
    valuesMax: z.number().int().min(1).describe('Largest sample accepted.'),
  }).strict().refine((s) => s.psiAct > s.psiWatch, 'psiAct must exceed psiWatch'),
  rollRates: z.object({
    buckets: z.array(z.string().min(1)).min(2).max(12).describe('Delinquency buckets, best first; rows name one of these or the closed bucket.'),
    closedBucket: z.string().min(1),
    rowsMax: z.number().int().min(1).describe('Largest number of loan-month rows accepted in one computation.'),
  }).strict(),
  vintages: z.object({
    badBucketFrom: z.string().min(1).describe('A loan is bad from this bucket on (ever 30+ days past due by default).'),
    monthsOnBookMax: z.number().int().min(1).max(480).describe('Longest curve drawn, in months on book.'),
  }).strict(),
  annualReview: z.object({
    renewLevels: z.array(level), adjustLevels: z.array(level), withdrawLevels: z.array(level),
    adjustLineShare: z.number().gt(0).lt(1).describe('An adjusted line is this share of the current one.'),
    yellowMonthsToWithdraw: z.number().int().min(1).max(12).describe('Yellow in at least this many months of the year withdraws the line.'),
    lineStepFen: z.number().int().min(1).describe('Adjusted lines are rounded down to this step.'),
  }).strict(),
}).strict().refine((p) => p.rollRates.buckets.includes(p.vintages.badBucketFrom), 'vintages.badBucketFrom must be one of rollRates.buckets')
  .refine((p) => !p.rollRates.buckets.includes(p.rollRates.closedBucket), 'rollRates.closedBucket must differ from the delinquency buckets');

export type MonitoringPolicy = z.infer<typeof policySchema> & { hash: string; source: string };

export class MonitoringPolicyError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'monitoring_policy');
  }
}

export function parseMonitoringPolicy(document: unknown, source: string): MonitoringPolicy {
  const parsed = policySchema.safeParse(document);
  if (!parsed.success) {
    throw new MonitoringPolicyError(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return { ...parsed.data, hash: createHash('sha256').update(canonicalJson(document)).digest('hex'), source };
}

export function loadMonitoringPolicy(path: string = DEFAULT_MONITORING_POLICY): MonitoringPolicy {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MonitoringPolicyError(`cannot read the monitoring policy ${path}: ${(error as Error).message}`);
  }
  return parseMonitoringPolicy(document, path);
}
