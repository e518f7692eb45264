/** `puhui train` / `puhui score` on a user's own CSV, run as a user runs them: one line and exit code 2 for bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDir } from '../support/economy.ts';
import { puhui } from '../support/cli.ts';

const dir = temporaryDir('cli-own-table');
const [header, ...lines] = readFileSync(join('datasets', 'hmeq.csv'), 'utf8').trim().split(/\r?\n/);
const labelled = join(dir, 'loans.csv');
// HMEQ with string labels and a loan id, as a bank's extract might come.
writeFileSync(labelled, [`loan_id,${header!.replace('BAD', 'status')}`, ...lines.map((l, row) => `L${row + 1},${l.startsWith('1,') ? 'bad' : 'good'}${l.slice(1)}`)].join('\n') + '\n');

function refused(result: ReturnType<typeof puhui>, message: RegExp): void {
  assert.equal(result.code, 2, result.stderr + result.stdout);
  assert.match(result.stderr, /^puhui: [^\n]*\n$/, 'one line');
  assert.match(result.stderr, message);
}

test('train and score a CSV with string labels end to end, keyed by the loan id', () => {
  const model = join(dir, 'model.json');
  const trained = puhui('train', labelled, '--target', 'status', '--bad', 'bad', '--id', 'loan_id', '--method', 'chimerge', '--max-bins', '10',
    '--min-bin-share', '0.02', '--out', model, '--report', join(dir, 'report.html'), '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.deepEqual(summary.coding, { target: 'status', badValue: 'bad', goodValue: 'good' });
  assert.ok(summary.evaluation.test.auc > 0.89, JSON.stringify(summary.evaluation.test));
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /评分卡报告/);
  const scored = puhui('score', labelled, '--model', model, '--id', 'loan_id', '--out', join(dir, 'scores.csv'));
  assert.equal(scored.code, 0, scored.stderr);
  const rows = readFileSync(join(dir, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(rows.length, lines.length + 1);
  assert.match(rows[1]!, /^L1,all,/);
});

test('bad flag values are all reported at once, in one line, exit code 2', () => {
  const out = join(dir, 'x.json');
  refused(puhui('train', labelled, '--target', 'status', '--bad', 'bad', '--out', out, '--min-bin-share', 'abc', '--max-bins', '1.5', '--criterion', 'foo'),
    /(?=.*--min-bin-share must be a number, got 'abc')(?=.*--max-bins must be a whole number in \[2, 100\], got 1.5)(?=.*--criterion and --p-value-max choose how --stepwise selects)/);
  refused(puhui('train', labelled, '--target', 'status', '--bad', 'bad', '--out', out, '--min-bin-share', '5', '--method', 'foo', '--stepwise', 'forward', '--criterion', 'foo', '--l2=-1', '--grades', '40'),
    /(?=.*--method must be one of quantile, uniform, chimerge, tree, monotonic, got 'foo')(?=.*--min-bin-share must be a number in \[0, 0.5\), got 5)(?=.*--l2 .*got -1)(?=.*--grades .*got 40)(?=.*--criterion must be one of aic, bic, pvalue, got 'foo')/);
  refused(puhui('train', labelled, '--target', 'status', '--out', out), /status is not coded 0\/1 or true\/false: its values are "good" \(4771 rows\), "bad" \(1189 rows\)/);
  refused(puhui('train', labelled, '--target', 'nope', '--bad', 'bad', '--out', out, '--exclude', 'ghost'), /--target nope: .* has no such column.*; --exclude ghost: .* has no such column/);
  refused(puhui('train', join(dir, 'absent.csv'), '--target', 'status', '--bad', 'bad'), /--out model\.json is required/);
});

test('score refuses a model file with null points and a table without the model\'s columns, in one line', () => {
  const model = join(dir, 'model.json');
  const damaged = JSON.parse(readFileSync(model, 'utf8'));
  damaged.features[0].points[0] = null;
  writeFileSync(join(dir, 'damaged.json'), JSON.stringify(damaged));
  refused(puhui('score', labelled, '--model', join(dir, 'damaged.json'), '--out', join(dir, 's.csv')), /damaged puhui-scorecard\/1 model file: features\.0\.points\.0/);
  writeFileSync(join(dir, 'thin.csv'), 'loan_id,LOAN\nL1,1000\n');
  refused(puhui('score', join(dir, 'thin.csv'), '--model', model, '--out', join(dir, 's.csv')), /the model needs the column [A-Z]+, which .*thin\.csv does not have/);
});
