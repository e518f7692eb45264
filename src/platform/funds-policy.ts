/**
 * The risk-compensation and guarantee-fund policy (issue #13 item 4): the loss-sharing tiers by rating, the cover
 * cap per enterprise and the leverage limit, read from a versioned JSON file (policies/funds-default.json) and
 * validated with zod once where it enters.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';

export const FUND_TIERS = ['A', 'B', 'C'] as const;
export type FundTier = (typeof FUND_TIERS)[number];

/** Basis points in a whole: a share of 8000 bps is 80 %. */
export const BPS_WHOLE = 10_000;
const FEN_MAX = 1e15;

const tierSchema = z.strictObject({ fundShareBps: z.number().int().min(0).max(BPS_WHOLE) });
const fundsPolicySchema = z.object({
  schema: z.literal('puhui-funds-policy/1'),
  id: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  titleEn: z.string().max(300).optional(),
  titleZh: z.string().max(300).optional(),
  notes: z.array(z.string().max(2_000)).max(50).optional(),
  tiers: z.strictObject({ A: tierSchema, B: tierSchema, C: tierSchema }),
  coverCapPerEnterpriseFen: z.number().int().positive().max(FEN_MAX),
  leverageMax: z.number().int().min(1).max(100),
  leverageDefault: z.number().int().min(1).max(100),
  interestCovered: z.boolean(),
  coversPerFundMax: z.number().int().positive().max(100_000_000),
  recoveriesPerClaimMax: z.number().int().positive().max(100_000),
}).refine((p) => p.leverageDefault <= p.leverageMax, { message: 'leverageDefault exceeds leverageMax', path: ['leverageDefault'] });
export type FundsPolicy = z.infer<typeof fundsPolicySchema>;

export class FundsPolicyError extends PuhuiUserError {
  constructor(message: string) { super(message, 'funds_policy'); }
}

export const DEFAULT_FUNDS_POLICY_FILE = fileURLToPath(new URL('../../policies/funds-default.json', import.meta.url));

export function parseFundsPolicy(value: unknown, source = 'funds policy'): FundsPolicy {
  const parsed = fundsPolicySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FundsPolicyError(`${source}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

let defaultPolicy: FundsPolicy | undefined;

export function loadFundsPolicy(file: string = DEFAULT_FUNDS_POLICY_FILE): FundsPolicy {
  if (file === DEFAULT_FUNDS_POLICY_FILE && defaultPolicy !== undefined) return defaultPolicy;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FundsPolicyError(`cannot read the funds policy ${file}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FundsPolicyError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const policy = parseFundsPolicy(value, file);
  if (file === DEFAULT_FUNDS_POLICY_FILE) defaultPolicy = policy;
  return policy;
}
