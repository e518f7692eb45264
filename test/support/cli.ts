/**
 * Runs the puhui command as a user would: `puhui(...)` in a child process from the TypeScript sources (through
 * tsx, so tests never run a stale build; test/cli/compiled.test.ts runs the compiled bin/puhui.js), and
 * `runCli(...)` in this process, capturing stdout and stderr, for the many quick refusals.
 */
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.ts';

export interface CliRun { code: number | null; stdout: string; stderr: string }

export function puhui(...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/run-cli.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let running = false;

/** main(argv) in-process, with stdout and stderr captured (one at a time: the streams are shared). */
export async function runCli(...args: string[]): Promise<CliRun> {
  if (running) throw new Error('runCli calls must not overlap: await each one');
  running = true;
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    running = false;
  }
}
