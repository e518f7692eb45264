/**
 * The service's self-proof limits and OCR settings, from a versioned policy file (policies/selfproof-default.json),
 * validated once when the service starts. The file and page limits bound what one upload can cost; the page
 * timeout bounds what one page can hold a worker.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PuhuiUserError } from '../domain/errors.ts';

export const DEFAULT_SELFPROOF_POLICY_FILE = fileURLToPath(new URL('../../policies/selfproof-default.json', import.meta.url));

const policySchema = z.object({
  schema: z.literal('puhui-selfproof-policy/1'),
  version: z.string().min(1),
  source: z.string().min(1),
  fileBytesMax: z.number().int().min(1024).max(200 * 1024 * 1024),
  pagePixelsMax: z.number().int().min(10_000).max(200_000_000),
  pdfPagesMax: z.number().int().min(1).max(100),
  pageTimeoutMs: z.number().int().min(100).max(600_000),
  ocrWorkers: z.number().int().min(1).max(16),
  ocrThreadsPerWorker: z.number().int().min(1).max(16),
  /** Uploads being read at once in one process (each holds its decoded pages); beyond it an upload gets 503 ocr_busy. */
  readingsInFlightMax: z.number().int().min(1).max(256),
}).strict();

export type SelfproofPolicy = z.infer<typeof policySchema>;

export class SelfproofPolicyError extends PuhuiUserError {
  constructor(message: string) { super(message, 'selfproof_policy'); }
}

export function parseSelfproofPolicy(value: unknown, where = 'the self-proof policy'): SelfproofPolicy {
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SelfproofPolicyError(`${where}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

export function loadSelfproofPolicy(file = DEFAULT_SELFPROOF_POLICY_FILE): SelfproofPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SelfproofPolicyError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseSelfproofPolicy(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new SelfproofPolicyError(`${file} is not JSON: ${error.message}`);
    throw error;
  }
}
