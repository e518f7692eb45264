/**
 * Runs the puhui command as a user would: `puhui(...)` in a child process from the TypeScript sources (through
 * tsx, so tests never run a stale build; test/cli/compiled.test.ts runs the compiled bin/puhui.js), and
 * `runCli(...)` in this process, capturing stdout and stderr, for the many quick refusals.
 */
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.ts';
import { withOutput } from '../../src/cli/args.ts';

export interface CliRun { code: number | null; stdout: string; stderr: string }

export function puhui(...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/run-cli.ts', ...args], { encoding: 'utf8', timeout: 900_000 }); // a safety net: the demo takes seconds on idle cores, minutes on busy shared ones
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** main(argv) in-process, with the commands' stdout and stderr captured (one at a time). */
export async function runCli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await withOutput({ stdout: (text) => out.push(text), stderr: (text) => err.push(text) }, () => main(args));
  return { code, stdout: out.join(''), stderr: err.join('') };
}
