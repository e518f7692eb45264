/** The whitelist dispatch policy (issue #13 item 3): objective, size limits and the MIP's budget, from policies/dispatch-default.json. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';

export const DISPATCH_OBJECTIVES = ['matchedFirms', 'expectedValue'] as const;
export type DispatchObjective = (typeof DISPATCH_OBJECTIVES)[number];

const dispatchPolicySchema = z.object({
  schema: z.literal('puhui-dispatch-policy/1'),
  id: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  titleEn: z.string().max(300).optional(),
  titleZh: z.string().max(300).optional(),
  notes: z.array(z.string().max(2_000)).max(50).optional(),
  objective: z.enum(DISPATCH_OBJECTIVES),
  firmsMax: z.number().int().positive().max(1_000_000),
  banksMax: z.number().int().positive().max(10_000),
  pairsMax: z.number().int().positive().max(50_000_000),
  mipNodesMax: z.number().int().positive().max(100_000_000),
  mipRelativeGap: z.number().min(0).max(1),
  feasibilityTolerance: z.number().positive().max(1e-6),
});
export type DispatchPolicy = z.infer<typeof dispatchPolicySchema>;

export class DispatchPolicyError extends PuhuiUserError {
  constructor(message: string) { super(message, 'dispatch_policy'); }
}

export const DEFAULT_DISPATCH_POLICY_FILE = fileURLToPath(new URL('../../policies/dispatch-default.json', import.meta.url));

export function parseDispatchPolicy(value: unknown, source = 'dispatch policy'): DispatchPolicy {
  const parsed = dispatchPolicySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DispatchPolicyError(`${source}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

let defaultPolicy: DispatchPolicy | undefined;

export function loadDispatchPolicy(file: string = DEFAULT_DISPATCH_POLICY_FILE): DispatchPolicy {
  if (file === DEFAULT_DISPATCH_POLICY_FILE && defaultPolicy !== undefined) return defaultPolicy;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DispatchPolicyError(`cannot read the dispatch policy ${file}: ${(error as Error).message}`);
  }
  const policy = parseDispatchPolicy(value, file);
  if (file === DEFAULT_DISPATCH_POLICY_FILE) defaultPolicy = policy;
  return policy;
}
