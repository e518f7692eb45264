/** Command-line plumbing shared by the commands: flag parsing, typed usage errors, JSON-or-text output. */
import { PuhuiUserError } from '../domain/errors.ts';
import { parseArgs } from 'node:util';

export class UsageError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'usage');
  }
}

export type Flags = Record<string, string | boolean | undefined>;

export function parse(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
    return { flags: values as Flags, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, ' ').trim());
  }
}

export function intFlag(flags: Flags, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(value)) throw new UsageError(`--${name} must be a whole number, got '${String(raw)}'`);
  return value;
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
}

