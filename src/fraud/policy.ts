/**
 * A fraud policy is data, like a strategy: every threshold and switch of anti-fraud in one versioned JSON
 * file (policies/fraud-default.json ships with Puhui), validated here with zod. Its identity is the version
 * an analyst gives it and the SHA-256 of its canonical JSON, so every report names exactly the policy that
 * made it. A bad file is refused with every problem listed at once.
 *
 * What each field means and why its default is what it is: docs/fraud.md, "The fraud policy".
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';
import { WINDOW_MONTHS_MAX } from './network.ts';

export const FRAUD_POLICY_SCHEMA = 'puhui-fraud-policy/1';

/**
 * The longest ring the search accepts. Cycles are simple, so no ring is longer than its component; the
 * bound only stops a typo from asking for work that grows exponentially with length. 64 lies far beyond
 * the rings of published VAT cases (3–10 firms) and beyond the 48 hops of the bench's adversarial chain,
 * and distance pruning keeps a long bound cheap where the graph cannot close long loops.
 */
export const CYCLE_LENGTH_MAX = 64;

const fraction = z.number().min(0).max(1);
const fen = z.number().int().min(0);
const positiveInt = z.number().int().min(1);

const ringsSchema = z.object({
  lengthMax: z.number().int().min(2).max(CYCLE_LENGTH_MAX).describe('Longest ring searched, in legs (firms).'),
  legAmountMinFen: fen.describe('A leg (seller → buyer over the window) carrying less than this is not searched.'),
  invoiceAmountMinFen: fen.describe('Invoices below this amount are never matched into a round.'),
  amountTolerance: z.number().min(0).max(0.5).describe('Relative difference allowed between the invoices of two hops beyond commission (rounding, fees).'),
  commissionPerHopMax: z.number().min(0).max(0.5).describe('Largest share a firm may keep from the amount it passes on to the next hop.'),
  invoiceCapsFen: z.array(z.number().int().min(1)).max(16).describe('Invoice caps (最高开票限额) in use: honest firms split large sales into invoices just under a cap.'),
  capBand: z.number().min(0).max(0.5).describe('An invoice within this share below a cap matches only an invoice of exactly its amount.'),
  recurrenceMonthsFull: positiveInt.max(WINDOW_MONTHS_MAX + 1).describe('Months with rounds at which recurrence adds its full weight to suspicion.'),
  onceWeight: fraction.describe('Suspicion factor of a ring seen going round in one month only (1 = recurrence does not matter).'),
  suspicionMin: fraction.describe('Rings at or above this suspicion are signalled.'),
  invoicesPerLegMax: positiveInt.describe('A leg with more invoices is matched on its largest ones only (bounds evidence work; reported).'),
  searchStepsMaxPerRoot: positiveInt.describe('Search steps allowed from one start node; a start node cut short is reported as not covered.'),
  cyclesMax: positiveInt.describe('Cycles examined in all; the start nodes not reached are reported as not covered.'),
}).strict();

const identitiesSchema = z.object({
  hubMembersMin: z.number().int().min(3).describe('An identity shared by at least this many firms is a hub (registered-agent address, call centre): evidence of its own, never a link.'),
  placeholderValues: z.array(z.string()).describe('Identity values that mean "unknown" (hashes of the empty string, zeros): ignored and reported.'),
  shellMembersMin: z.number().int().min(2).describe('A shell cluster has at least this many members.'),
  shellYoungMembersMin: z.number().int().min(0).describe('… of which at least this many are young.'),
  youngMonths: positiveInt.describe('Younger than this many whole months is young (shell clusters and rings report it).'),
}).strict();

const policyShape = z.object({
  schema: z.literal(FRAUD_POLICY_SCHEMA),
  id: z.string().min(1),
  version: z.string().min(1),
  titleEn: z.string().min(1),
  titleZh: z.string().min(1),
  windowMonths: z.number().int().min(1).max(WINDOW_MONTHS_MAX).describe('Months before the as-of month searched, plus the as-of month up to the as-of date.'),
  rings: ringsSchema,
  identities: identitiesSchema,
  passThrough: z.object({ ratioMin: z.number().min(0), ratioMax: z.number().min(0), uninvoicedShareMax: fraction, burdenMax: fraction }).strict(),
  singleSource: z.object({ bankOverDeclaredMax: z.number().min(0) }).strict(),
  correctionUplift: z.object({ upliftMin: z.number().min(0) }).strict(),
  burst: z.object({ ageMonthsMax: z.number().int().min(0), sales3mFenMin: fen, salesOverCapitalMin: z.number().min(0) }).strict(),
  lateBackfill: z.object({ lateFilingsMin: positiveInt }).strict(),
  sourceMismatch: z.object({ declaredOverInvoicedMin: z.number().min(1), uninvoicedShareMax: fraction }).strict(),
}).strict().superRefine((policy, context) => {
  if (policy.passThrough.ratioMin > policy.passThrough.ratioMax) {
    context.addIssue({ code: 'custom', path: ['passThrough', 'ratioMin'], message: 'must not exceed passThrough.ratioMax' });
  }
  if (policy.identities.shellYoungMembersMin > policy.identities.shellMembersMin) {
    context.addIssue({ code: 'custom', path: ['identities', 'shellYoungMembersMin'], message: 'must not exceed identities.shellMembersMin' });
  }
  if (policy.identities.hubMembersMin <= policy.identities.shellMembersMin) {
    context.addIssue({ code: 'custom', path: ['identities', 'hubMembersMin'], message: 'must exceed identities.shellMembersMin (a hub must be larger than a shell cluster)' });
  }
});

export type FraudPolicyDocument = z.infer<typeof policyShape>;
export type RingPolicy = FraudPolicyDocument['rings'];

export interface FraudPolicy {
  document: FraudPolicyDocument;
  /** Hex SHA-256 of the canonical JSON of the document. */
  hash: string;
  source: string;
}

export class FraudPolicyError extends PuhuiUserError {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`fraud policy ${source}: ${problems.join('; ')}`, 'fraud_policy');
  }
}

export const DEFAULT_FRAUD_POLICY_FILE = fileURLToPath(new URL('../../policies/fraud-default.json', import.meta.url));

/** Canonical JSON: keys sorted at every level, no whitespace; equal documents give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort().filter((k) => record[k] !== undefined);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Checks a policy document; every problem is named at once, with its path in the document. */
export function parseFraudPolicy(document: unknown, source: string): FraudPolicy {
  const result = policyShape.safeParse(document);
  if (!result.success) {
    throw new FraudPolicyError(source, result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(document)'}: ${issue.message}`));
  }
  return { document: result.data, hash: createHash('sha256').update(canonicalJson(result.data)).digest('hex'), source };
}

export function loadFraudPolicy(path: string = DEFAULT_FRAUD_POLICY_FILE): FraudPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FraudPolicyError(path, [`cannot read it: ${(error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FraudPolicyError(path, [`not JSON: ${(error as Error).message}`]);
  }
  return parseFraudPolicy(document, path);
}

let defaultPolicy: FraudPolicy | null = null;

/** The policy shipped with Puhui (read once per process). */
export function defaultFraudPolicy(): FraudPolicy {
  defaultPolicy ??= loadFraudPolicy(DEFAULT_FRAUD_POLICY_FILE);
  return defaultPolicy;
}

/**
 * A policy with some fields replaced (the CLI's --window-months and --max-length): validated again, and
 * its version marked so the report does not pass the result off as the file's policy.
 */
export function withOverrides(policy: FraudPolicy, overrides: { windowMonths?: number; lengthMax?: number }): FraudPolicy {
  const entries = Object.entries(overrides).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return policy;
  const document = {
    ...policy.document,
    version: `${policy.document.version}+${entries.map(([k, v]) => `${k}=${v}`).join(',')}`,
    windowMonths: overrides.windowMonths ?? policy.document.windowMonths,
    rings: { ...policy.document.rings, lengthMax: overrides.lengthMax ?? policy.document.rings.lengthMax },
  };
  return parseFraudPolicy(document, `${policy.source} (with overrides)`);
}
