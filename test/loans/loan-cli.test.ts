/** `puhui loan schedule` as a user runs it: the golden schedule in yuan, --json, and bad input with exit code 2. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { puhui } from '../support/cli.ts';
import { commandLoan, fenOfYuanText } from '../../src/cli/loan.ts';
import { PuhuiUserError } from '../../src/domain/errors.ts';

test('puhui loan schedule prints the golden equal-instalment schedule and --json gives every instalment', () => {
  const text = puhui('loan', 'schedule', '--principal', '5000', '--rate', '12', '--months', '18', '--method', 'equal-instalment', '--multiple', '1', '--start', '2025-01-15');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^1\s+2025-02-15\s+255\.00\s+50\.00\s+305\.00\s+4745\.00$/m);
  assert.match(text.stdout, /^18\s+2026-07-15\s+300\.22\s+3\.00\s+303\.22\s+0\.00$/m);
  assert.match(text.stdout, /interest 488\.22/);
  const json = puhui('loan', 'schedule', '--principal', '5000', '--rate', '12', '--months', '18', '--method', 'equal-principal', '--start', '2025-01-15', '--json');
  assert.equal(json.code, 0, json.stderr);
  const schedule = JSON.parse(json.stdout);
  assert.equal(schedule.instalments.length, 18);
  assert.deepEqual(Object.keys(schedule.instalments[0]).filter((k) => !k.endsWith('Fen')), ['number', 'dueDate', 'principal', 'interest', 'total', 'balance']);
  assert.deepEqual([schedule.instalments[0].total, schedule.instalments[17].principal, schedule.totals.interest], ['327.78', '277.74', '475.00']);
});

test('puhui loan schedule refuses bad input with one line and exit code 2', () => {
  // One refused by the flag parsing, one by the schedule's own checks; the other checks are unit-tested below.
  for (const args of [['--principal', '5000.123', '--rate', '12', '--months', '18'], ['--principal', '5000', '--rate', '12', '--months', '0']]) {
    const result = puhui('loan', 'schedule', ...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /at .*\.ts/);
  }
});

test('yuan text becomes fen by its digits, and bad flags are user errors', async () => {
  assert.deepEqual(['5000', '0.1', '1234.56', '0.07'].map((t) => fenOfYuanText(t, 'principal')), [500_000, 10, 123_456, 7]);
  for (const bad of ['-5', '1e3', '1.234', '', '12,000']) assert.throws(() => fenOfYuanText(bad, 'principal'), PuhuiUserError);
  const base = ['schedule', '--principal', '5000', '--rate', '12', '--months', '18', '--start', '2025-01-15'];
  for (const extra of [['--rate', 'twelve'], ['--method', 'balloon'], ['--start', '2025-02-30'], ['--day-count', 'actual/366'], ['--decimals', '3']]) {
    await assert.rejects(commandLoan([...base, ...extra]), PuhuiUserError, extra.join(' '));
  }
  await assert.rejects(commandLoan(['plan', '--principal', '1']), PuhuiUserError);
});
