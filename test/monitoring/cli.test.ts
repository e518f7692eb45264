/** `puhui monitor`: refusals are one line with exit 2; a warning is printed with its evidence and actions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { economy } from '../support/economy.ts';
import { readCompactDossiers } from '../../src/features/batch.ts';

test('monitor without a known subcommand, or warnings without --as-of, is refused in one line with exit 2', async () => {
  for (const args of [['monitor'], ['monitor', 'forecast', 'x'], ['monitor', 'warnings', 'x', '91330106MA2AB3CD0X']]) {
    const run = await runCli(...args);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /usage: puhui monitor leadtime DIR/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
});

test('monitor warnings prints one enterprise\'s level, signals with evidence and actions; --json gives the same warning', async () => {
  const { dir } = economy({ enterprises: 300, months: 30, seed: 11 });
  const { codes } = await readCompactDossiers(dir, '2026-06-01');
  const json = await runCli('monitor', 'warnings', dir, codes[5]!, '--as-of', '2026-06-01', '--json');
  assert.equal(json.code, 0, json.stderr);
  const warning = JSON.parse(json.stdout) as { creditCode: string; level: string; reasons: { code: string }[]; evidence: Record<string, unknown[]> };
  assert.equal(warning.creditCode, codes[5]);
  assert.ok(['green', 'yellow', 'red'].includes(warning.level));
  for (const reason of warning.reasons) assert.ok(warning.evidence[reason.code]!.length > 0);
  const text = await runCli('monitor', 'warnings', dir, codes[5]!, '--as-of', '2026-06-01');
  assert.match(text.stdout, new RegExp(`^${codes[5]} as of 2026-06-01: ${warning.level.toUpperCase()} \\(early-warning@`));
  assert.match(text.stdout, /actions: /);
});
