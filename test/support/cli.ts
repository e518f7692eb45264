/** Runs the puhui command as a user would, in a child process. */
import { spawnSync } from 'node:child_process';

export function puhui(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/puhui.js', ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
