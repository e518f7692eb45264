/**
 * The marketplace's policy (policies/platform-default.json, `puhui-platform/1`): how long a need stays open,
 * per product line whether the first claim wins or up to k banks may offer, the claim window and the claim SLA,
 * what consent an offer needs, the financial supermarket's ranking weights and the red/yellow/green thresholds.
 * Validated with zod where it is read; a copy with its own `version` changes the platform's behaviour, never code.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';
import { CONSENT_SCOPES, InvalidRequestError } from '../store/index.ts';

export const DEFAULT_PLATFORM_POLICY_FILE = fileURLToPath(new URL('../../policies/platform-default.json', import.meta.url));
export const PLATFORM_POLICY_SCHEMA = 'puhui-platform/1';
const HOURS_MAX = 24 * 366;
const OFFERS_MAX_LIMIT = 50;

export class PlatformPolicyError extends PuhuiUserError {
  constructor(message: string) { super(message, 'platform_policy'); }
}

const productLinePolicy = z.object({
  claimMode: z.enum(['first_wins', 'multi_offer']),
  /** How many banks may hold a claim (or a pending offer) on one need at once: 1 when the first claim wins. */
  offersMax: z.number().int().min(1).max(OFFERS_MAX_LIMIT),
  /** Claims are taken from publication until this many hours later. */
  claimWindowHours: z.number().int().min(1).max(HOURS_MAX),
  /** A claim neither offered on nor declined within this many hours returns the need to the pool. */
  claimSlaHours: z.number().int().min(1).max(HOURS_MAX),
}).strict().refine((line) => (line.claimMode === 'first_wins') === (line.offersMax === 1), {
  message: 'first_wins means offersMax 1; multi_offer means offersMax 2 or more',
});

const gradeList = z.array(z.enum(['A', 'B', 'M', 'C', 'D'])).max(5);

export const platformPolicySchema = z.object({
  schema: z.literal(PLATFORM_POLICY_SCHEMA),
  version: z.string().min(1).max(40),
  description: z.string().max(1000).optional(),
  needOpenDays: z.number().int().min(1).max(366),
  productLines: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), productLinePolicy)
    .refine((lines) => Object.keys(lines).length >= 1 && Object.keys(lines).length <= 50, { message: 'lists 1..50 product lines' }),
  offer: z.object({ consentScopes: z.array(z.enum(CONSENT_SCOPES)).min(1).max(CONSENT_SCOPES.length) }).strict(),
  supermarket: z.object({
    weights: z.object({ price: z.number().min(0).max(1), approvalChance: z.number().min(0).max(1) }).strict()
      .refine((w) => Math.abs(w.price + w.approvalChance - 1) < 1e-9, { message: 'the weights add up to 1' }),
    /** The approval chance given to a product whose pre-screen says "review" (an "approve" counts 1). */
    reviewApprovalChance: z.number().min(0).max(1),
    productsMax: z.number().int().min(1).max(200),
  }).strict(),
  riskLight: z.object({
    redFraudHighMin: z.number().int().min(1),
    yellowFraudMediumMin: z.number().int().min(1),
    redTaxGrades: gradeList,
    yellowTaxGrades: gradeList,
  }).strict(),
}).strict();

export type PlatformPolicy = z.infer<typeof platformPolicySchema>;
export type ProductLinePolicy = z.infer<typeof productLinePolicy>;

export function parsePlatformPolicy(value: unknown, source = 'platform policy'): PlatformPolicy {
  const parsed = platformPolicySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PlatformPolicyError(`${source}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

const loaded = new Map<string, PlatformPolicy>();

/** Reads and validates a policy file (cached per path: policy files are versioned and not edited in place). */
export function loadPlatformPolicy(path: string = DEFAULT_PLATFORM_POLICY_FILE): PlatformPolicy {
  const cached = loaded.get(path);
  if (cached) return cached;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PlatformPolicyError(`cannot read the platform policy ${path}: ${(error as Error).message}`);
  }
  const policy = parsePlatformPolicy(value, path);
  loaded.set(path, policy);
  return policy;
}

const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A record's id: the caller's (the simulation passes its own, so that a seeded run is the same run twice) or a new
 * UUID. The API never passes one.
 */
export function recordIdOf(given: string | undefined): string {
  if (given === undefined) return randomUUID();
  if (!RECORD_ID.test(given)) throw new InvalidRequestError(`an id has 1..64 characters of A-Z a-z 0-9 _ -, got '${given.slice(0, 70)}'`, 'invalid_id');
  return given;
}

export function productLineOf(policy: PlatformPolicy, productLine: string): ProductLinePolicy {
  const line = policy.productLines[productLine];
  if (!line) {
    throw new PlatformPolicyError(`product line '${productLine}' is not in platform policy ${policy.version}; lines: ${Object.keys(policy.productLines).join(', ')}`);
  }
  return line;
}
