/** `puhui selfproof read` as a user runs it: a bad file is one line on stderr and exit code 2, never a stack trace. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { temporaryDir } from '../support/economy.ts';
import { puhui } from '../support/cli.ts';

const dir = temporaryDir('selfproof-cli');

test('an empty upload, a text file and a missing file are refused in one line with exit code 2', () => {
  const empty = join(dir, 'empty.jpg');
  writeFileSync(empty, '');
  const text = join(dir, 'invoice.png');
  writeFileSync(text, 'this is not a picture\n');
  for (const [file, message] of [[empty, /empty \(0 bytes\)/], [text, /not a JPEG, PNG or PDF/], [join(dir, 'missing.png'), /cannot read .*ENOENT/]] as const) {
    const run = puhui('selfproof', 'read', file);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/);
  }
  const usage = puhui('selfproof', 'scan');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: puhui selfproof read FILE/);
});
