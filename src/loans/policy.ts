/**
 * Loan policies are data: versioned JSON files in policies/ (classification thresholds and delinquency buckets,
 * the repayment allocation order, the penalty rate, the 无还本续贷 conditions) that a user may change. Each is
 * validated here once, where it enters; everything below trusts the types.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LoanError } from './errors.ts';
import { isIsoDate } from '../domain/period.ts';

export const CATEGORIES = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;
/** Five-category classification: 正常, 关注, 次级, 可疑, 损失 (the last three are non-performing). */
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_ZH: Record<Category, string> = { normal: '正常', special_mention: '关注', substandard: '次级', doubtful: '可疑', loss: '损失' };
export const COMPONENTS = ['penalty', 'fee', 'interest', 'principal'] as const;
export type Component = (typeof COMPONENTS)[number];
export const ENTERPRISE_SIZES = ['micro', 'small', 'medium', 'large'] as const;
export type EnterpriseSize = (typeof ENTERPRISE_SIZES)[number];

const header = { id: z.string().min(1), version: z.string().min(1) };
const days = z.number().int().min(0).max(100_000);

const classificationSchema = z.object({
  ...header,
  source: z.string().optional(),
  minimumDaysPastDue: z.object({ special_mention: days.min(1), substandard: days, doubtful: days, loss: days }).strict(),
  debtorNonPerformingShareMax: z.number().min(0).max(1),
  delinquencyBuckets: z.array(z.object({ code: z.string().min(1), minDays: days, maxDays: days.nullable() }).strict()).min(1).max(50),
}).strict().superRefine((policy, context) => {
  const m = policy.minimumDaysPastDue;
  if (!(m.special_mention < m.substandard && m.substandard < m.doubtful && m.doubtful < m.loss)) context.addIssue({ code: 'custom', message: 'day thresholds must rise: special_mention < substandard < doubtful < loss' });
  let next = 0;
  policy.delinquencyBuckets.forEach((bucket, index) => {
    const last = index === policy.delinquencyBuckets.length - 1;
    if (bucket.minDays !== next) context.addIssue({ code: 'custom', message: `bucket ${bucket.code} must start at ${next} days (buckets cover every day once, in order)` });
    if (last !== (bucket.maxDays === null)) context.addIssue({ code: 'custom', message: 'only the last bucket is open-ended (maxDays null)' });
    if (bucket.maxDays !== null && bucket.maxDays < bucket.minDays) context.addIssue({ code: 'custom', message: `bucket ${bucket.code} ends before it starts` });
    next = (bucket.maxDays ?? 0) + 1;
  });
});

const allocationSchema = z.object({
  ...header,
  description: z.string().optional(),
  order: z.array(z.enum(COMPONENTS)).length(COMPONENTS.length).refine((order) => new Set(order).size === COMPONENTS.length, 'each component exactly once'),
  pastDueFirst: z.boolean(),
}).strict();

const penaltySchema = z.object({
  ...header,
  source: z.string().optional(),
  /** Penalty rate = contract rate × (1 + markup). */
  penaltyRateMarkup: z.number().min(0).max(10),
  compoundOnOverdueInterest: z.boolean(),
}).strict();

const isoDate = z.string().refine(isIsoDate, 'an ISO date YYYY-MM-DD');
const renewalSchema = z.object({
  ...header,
  source: z.string().optional(),
  eligibleCategories: z.array(z.enum(CATEGORIES)).min(1),
  eligibleSizes: z.array(z.enum(ENTERPRISE_SIZES)).min(1),
  /** Sizes admitted only until a date (medium-sized firms for three years). */
  sizesUntil: z.partialRecord(z.enum(ENTERPRISE_SIZES), isoDate),
  maxDaysPastDue: days,
}).strict();

export type ClassificationPolicy = z.infer<typeof classificationSchema>;
export type AllocationPolicy = z.infer<typeof allocationSchema>;
export type PenaltyPolicy = z.infer<typeof penaltySchema>;
export type RenewalPolicy = z.infer<typeof renewalSchema>;

export interface LoanPolicy {
  classification: ClassificationPolicy;
  allocation: AllocationPolicy;
  penalty: PenaltyPolicy;
  renewal: RenewalPolicy;
}

const SCHEMAS = { classification: classificationSchema, allocation: allocationSchema, penalty: penaltySchema, renewal: renewalSchema } as const;

export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** Validates one policy document; a bad document is the user's error, named with its first problem. */
export function parsePolicy<K extends keyof LoanPolicy>(kind: K, document: unknown, origin: string = kind): LoanPolicy[K] {
  const result = SCHEMAS[kind].safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new LoanError(`loan policy ${origin}: ${issue.path.join('.') || '(document)'}: ${issue.message}`, 'loan_policy');
  }
  return result.data as unknown as LoanPolicy[K];
}

/** Reads policies/loans-{classification,allocation,penalty,renewal}.json from a folder. */
export function loadLoanPolicy(dir = DEFAULT_POLICY_DIR): LoanPolicy {
  const read = <K extends keyof LoanPolicy>(kind: K): LoanPolicy[K] => {
    const path = join(dir, `loans-${kind}.json`);
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new LoanError(`cannot read loan policy ${path}: ${(error as Error).message}`, 'loan_policy');
    }
    return parsePolicy(kind, document, path);
  };
  return { classification: read('classification'), allocation: read('allocation'), penalty: read('penalty'), renewal: read('renewal') };
}
