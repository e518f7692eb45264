/** Command-line plumbing shared by the commands: flag parsing, typed usage errors, JSON-or-text output. */
import { PuhuiUserError } from '../domain/errors.ts';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';

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

/** Where commands write: the process's stdout and stderr, or (for tests running main in-process) a sink. */
export interface Output { stdout: (text: string) => void; stderr: (text: string) => void }

const PROCESS_OUTPUT: Output = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
let output: Output = PROCESS_OUTPUT;

export function writeOut(text: string): void {
  output.stdout(text);
}

export function writeErr(text: string): void {
  output.stderr(text);
}

/** Runs `work` with the commands' output going to `sink` (one at a time). */
export async function withOutput<T>(sink: Output, work: () => Promise<T>): Promise<T> {
  if (output !== PROCESS_OUTPUT) throw new Error('withOutput calls must not overlap');
  output = sink;
  try {
    return await work();
  } finally {
    output = PROCESS_OUTPUT;
  }
}

export function print(json: boolean, value: unknown, text: () => string): void {
  writeOut(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
}


/** A string flag's value, or null when it was not given. */
export function stringFlag(flags: Flags, name: string): string | null {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : null;
}

/** A path flag resolved against the working folder, or null when it was not given. */
export function pathFlag(flags: Flags, name: string): string | null {
  const raw = stringFlag(flags, name);
  if (raw === null) return null;
  if (raw.trim() === '') throw new UsageError(`--${name} needs a file or folder name`);
  return resolve(raw);
}

/** A decimal flag within [min, max], or null when it was not given; 'abc', NaN and out-of-range values are refused. */
export function numberFlag(flags: Flags, name: string, min: number, max: number): number | null {
  const raw = stringFlag(flags, name);
  if (raw === null) return null;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got '${raw}'`);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return value;
}

/** A whole-number flag within [min, max], or null when it was not given. */
export function boundedIntFlag(flags: Flags, name: string, min: number, max: number): number | null {
  if (flags[name] === undefined) return null;
  const value = intFlag(flags, name, 0);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}
