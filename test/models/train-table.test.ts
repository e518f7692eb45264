/**
 * Training and scoring on a user's own table (src/pipeline): label codings, missing labels, every refusal.
 * The tables are HMEQ (datasets/hmeq.csv) recoded the ways users' files come.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDir } from '../support/economy.ts';
import { ModelParamsError } from '../../src/models/params.ts';
import { ScoreError, scoreTableFile } from '../../src/pipeline/score.ts';
import { codeTarget, stratifiedSplit, trainOnTable, TrainError } from '../../src/pipeline/train.ts';
import { TableError } from '../../src/data/table-reader.ts';

const HMEQ = join('datasets', 'hmeq.csv');
const dir = temporaryDir('train-table');
const [header, ...lines] = readFileSync(HMEQ, 'utf8').trim().split(/\r?\n/);
const hmeqBads = lines.filter((l) => l.startsWith('1,')).length;

/** HMEQ with BAD recoded by `code` (and a loan id in front), written as a CSV. */
function recoded(name: string, code: (bad: string, row: number) => string, extraHeader = ''): string {
  const path = join(dir, name);
  const body = lines.map((line, row) => { const [bad, ...rest] = line.split(','); return [`L${100_000 + row}`, code(bad!, row), ...rest].join(','); });
  writeFileSync(path, [`loan_id,${header}${extraHeader}`, ...body].join('\n') + '\n');
  return path;
}

const chimerge = { binning: { method: 'chimerge' as const, maxBins: 10, minBinShare: 0.02 } };
const numeric = recoded('numeric.csv', (bad) => bad);
let reference: Awaited<ReturnType<typeof trainOnTable>> | null = null;
async function referenceRun() {
  reference ??= await trainOnTable({ data: numeric, target: 'BAD', id: 'loan_id', testShare: 0.3, seed: 7, options: chimerge });
  return reference;
}

test('a 0/1 target needs no --bad, and the model matches the published HMEQ level (test AUC about 0.91)', async () => {
  const result = await referenceRun();
  assert.deepEqual(result.coding, { target: 'BAD', badValue: '1', goodValue: '0' });
  assert.equal(result.rows.read, lines.length);
  assert.equal(result.rows.train + result.rows.test, lines.length);
  assert.ok(result.evaluation.test!.auc > 0.89 && result.evaluation.test!.auc < 0.94, String(result.evaluation.test!.auc));
  assert.ok(!result.model.features.some((f) => f.name === 'loan_id' || f.name === 'BAD'), 'neither the id nor the target is a variable');
  assert.equal(result.model.features.find((f) => f.name === 'JOB')?.binning.kind ?? 'categorical', 'categorical');
});

test('string labels good/bad train with --bad bad to the very same model; without --bad they are refused with the values listed', async () => {
  const path = recoded('strings.csv', (bad) => (bad === '1' ? 'bad' : 'good'));
  const result = await trainOnTable({ data: path, target: 'BAD', bad: 'bad', id: 'loan_id', testShare: 0.3, seed: 7, options: chimerge });
  const expected = await referenceRun();
  assert.deepEqual(result.coding, { target: 'BAD', badValue: 'bad', goodValue: 'good' });
  assert.equal(result.evaluation.test!.auc, expected.evaluation.test!.auc);
  assert.deepEqual(result.model.features.map((f) => f.points), expected.model.features.map((f) => f.points));
  await assert.rejects(trainOnTable({ data: path, target: 'BAD', options: chimerge }),
    (error: Error) => error instanceof TrainError && /not coded 0\/1 or true\/false: its values are "good" \(4771 rows\), "bad" \(1189 rows\); say which value means bad with --bad VALUE/.test(error.message));
});

test('a 1 = good, 2 = bad coding with --bad 2 is not inverted; without --bad it is refused instead of silently read', async () => {
  const path = recoded('one-two.csv', (bad) => (bad === '1' ? '2' : '1'));
  const result = await trainOnTable({ data: path, target: 'BAD', bad: '2', testShare: 0.3, seed: 7, options: chimerge });
  const expected = await referenceRun();
  assert.deepEqual(result.coding, { target: 'BAD', badValue: '2', goodValue: '1' });
  assert.equal(result.model.training.bads, expected.model.training.bads);
  assert.equal(result.evaluation.test!.auc, expected.evaluation.test!.auc);
  assert.ok(result.evaluation.test!.auc > 0.89);
  // --bad 2.0 names the same value.
  const spelled = await trainOnTable({ data: path, target: 'BAD', bad: '2.0', testShare: 0.3, seed: 7, options: chimerge });
  assert.equal(spelled.evaluation.test!.auc, result.evaluation.test!.auc);
  await assert.rejects(trainOnTable({ data: path, target: 'BAD' }), /BAD is not coded 0\/1 or true\/false: its values are "1" \(4771 rows\), "2" \(1189 rows\)/);
  await assert.rejects(trainOnTable({ data: path, target: 'BAD', bad: '3' }), /--bad 3 is not a value of BAD; its values: "1" \(4771 rows\), "2" \(1189 rows\)/);
});

test('True/False labels are read as a boolean target', async () => {
  const path = recoded('booleans.csv', (bad) => (bad === '1' ? 'True' : 'False'));
  const result = await trainOnTable({ data: path, target: 'BAD', testShare: 0.3, seed: 7, options: chimerge });
  assert.equal(result.coding.badValue.toLowerCase(), 'true');
  assert.equal(result.model.training.bads, (await referenceRun()).model.training.bads);
});

test('rows without a label are dropped with a count, never counted as good; or refused when asked', async () => {
  // Every 20th row loses its label, bads and goods alike.
  const path = recoded('missing.csv', (bad, row) => (row % 20 === 0 ? '' : bad));
  const blanked = lines.filter((_, row) => row % 20 === 0);
  const blankedBads = blanked.filter((l) => l.startsWith('1,')).length;
  const result = await trainOnTable({ data: path, target: 'BAD', testShare: 0, options: chimerge });
  assert.equal(result.rows.read, lines.length);
  assert.equal(result.rows.missingTarget, blanked.length);
  assert.equal(result.model.training.rows, lines.length - blanked.length);
  assert.equal(result.model.training.bads, hmeqBads - blankedBads);
  await assert.rejects(trainOnTable({ data: path, target: 'BAD', missingTarget: 'refuse' }),
    new RegExp(`${blanked.length} rows of .* have no BAD; fill them in, or drop them with --missing-target drop`));
});

test('the test share is stratified: bads and goods go to the test set in the same proportion', () => {
  const bad = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const { train, test: held } = stratifiedSplit(bad, 0.3, 5);
  assert.equal(held.length, 300);
  assert.equal(held.filter((i) => bad[i]).length, 30);
  assert.equal(train.filter((i) => bad[i]).length, 70);
  assert.notDeepEqual(stratifiedSplit(bad, 0.3, 6).test, held, 'the seed chooses the rows');
});

test('a declared categorical column of numbers gets a bin per code; a date column is left out with the reason', async () => {
  const path = join(dir, 'typed.csv');
  writeFileSync(path, ['region,opened,score,bad', ...Array.from({ length: 3000 }, (_, i) => {
    const region = [11, 31, 44][i % 3]!;
    const bad = (i * 7919) % 100 < (region === 44 ? 30 : 8) ? 1 : 0;
    return `${region},2024-0${1 + (i % 9)}-15,${(i * 37) % 1000},${bad}`;
  })].join('\n'));
  const result = await trainOnTable({ data: path, target: 'bad', categorical: ['region'], testShare: 0, options: { ivMin: 0 } });
  const region = result.model.features.find((f) => f.name === 'region');
  assert.ok(region && region.binning.kind === 'categorical' && region.binning.groups.some((g) => g.includes('44')), JSON.stringify(region?.binning));
  assert.deepEqual(result.ignored, [{ name: 'opened', reason: 'type DATE is neither numbers nor text (convert it, or --exclude it)' }]);
});

test('refusals before any fitting: unknown columns, bad parameters, all reported at once', async () => {
  await assert.rejects(trainOnTable({ data: numeric, target: 'DEFAULT', id: 'key', exclude: ['NOPE'], categorical: ['JOBS'] }), (error: Error) => {
    assert.ok(error instanceof ModelParamsError, String(error));
    assert.equal(error.problems.length, 4, error.message);
    assert.match(error.message, /target DEFAULT: .* has no such column \(columns: loan_id, BAD, LOAN/);
    return true;
  });
  await assert.rejects(trainOnTable({ data: numeric, target: 'BAD', options: { binning: { minBinShare: 5, method: 'foo' as 'tree' }, l2: Number.NaN, stepwise: { direction: 'forward', criterion: 'foo' as 'aic' } } }),
    (error: Error) => error instanceof ModelParamsError && error.problems.length === 4);
  await assert.rejects(trainOnTable({ data: numeric, target: 'BAD', testShare: 0.7, seed: -1, missingTarget: 'keep' as 'drop' }),
    (error: Error) => error instanceof ModelParamsError && error.problems.length === 3, 'checked before reading');
  await assert.rejects(trainOnTable({ data: numeric, target: 'BAD', out: join(dir, 'no-such-folder', 'model.json') }), /cannot write .*no folder/);
  await assert.rejects(trainOnTable({ data: join(dir, 'absent.csv'), target: 'BAD' }), (error: Error) => error instanceof TableError && /no such file/.test(error.message));
  await assert.rejects(trainOnTable({ data: join(dir, 'model.json'), target: 'BAD' }), /no such file|give a \.csv or \.parquet/);
  writeFileSync(join(dir, 'empty.csv'), 'a,b,BAD\n');
  await assert.rejects(trainOnTable({ data: join(dir, 'empty.csv'), target: 'BAD' }), TrainError);
  const oneClass = recoded('one-class.csv', () => '0');
  await assert.rejects(trainOnTable({ data: oneClass, target: 'BAD' }), /has only the value 0: a scorecard needs both goods and bads/);
  const three = recoded('three.csv', (bad, row) => (row % 50 === 0 ? '9' : bad));
  await assert.rejects(trainOnTable({ data: three, target: 'BAD', bad: '1' }), /BAD has 3 distinct values .*a target needs exactly two/);
});

test('a separate test table must carry the same columns and labels', async () => {
  const strings = recoded('strings-train.csv', (bad) => (bad === '1' ? 'bad' : 'good'));
  const other = recoded('strings-test.csv', (bad, row) => (row === 3 ? 'unknown' : bad === '1' ? 'bad' : 'good'));
  await assert.rejects(trainOnTable({ data: strings, target: 'BAD', bad: 'bad', test: other }), /has the value "unknown", neither the bad "bad" nor the good "good"/);
  const good = recoded('strings-test-good.csv', (bad) => (bad === '1' ? 'bad' : 'good'));
  const result = await trainOnTable({ data: strings, target: 'BAD', bad: 'bad', test: good, exclude: ['loan_id'] });
  assert.equal(result.rows.test, lines.length);
  assert.deepEqual(result.ignored, [{ name: 'loan_id', reason: 'excluded' }]);
});

test('score checks the model\'s columns by name and type, and keys the output by --id', async () => {
  const modelFile = join(dir, 'hmeq-model.json');
  await trainOnTable({ data: numeric, target: 'BAD', id: 'loan_id', testShare: 0.3, seed: 7, options: chimerge, out: modelFile });
  const out = join(dir, 'scores.csv');
  const scored = await scoreTableFile({ model: modelFile, data: numeric, id: 'loan_id', out });
  assert.equal(scored.rows, lines.length);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'loan_id,segment,score,probability,grade');
  assert.match(rows[1]!, /^L100000,all,\d+\.\d+,0\.\d+,[A-H]$/);
  // Scores from the file equal the training-time scores (the reference run's test AUC is reproduced on its rows).
  const parquet = await scoreTableFile({ model: modelFile, data: numeric, out: join(dir, 'scores.parquet') });
  assert.equal(parquet.key, 'row');
  // A table without DEBTINC, and one where DEROG holds text: refused, both named.
  const broken = join(dir, 'broken.csv');
  writeFileSync(broken, readFileSync(numeric, 'utf8').replace('DEBTINC', 'DEBT_INCOME').replace(/^(([^,\n]*,){8})0,/m, '$1none,'));
  await assert.rejects(scoreTableFile({ model: modelFile, data: broken, out }), (error: Error) => error instanceof ScoreError
    && /needs the column DEBTINC/.test(error.message) && /column DEROG holds text \(e\.g\. "none"\)/.test(error.message));
  await assert.rejects(scoreTableFile({ model: modelFile, data: numeric, id: 'nope', out }), /--id nope: .* has no such column/);
  await assert.rejects(scoreTableFile({ model: modelFile, data: numeric, out: join(dir, 'scores.txt') }), /must end in \.csv or \.parquet/);
  await assert.rejects(scoreTableFile({ model: modelFile, data: join(dir, 'absent.csv'), out }), (error: Error) => error instanceof TableError && /no such file/.test(error.message));
  await assert.rejects(scoreTableFile({ model: join(dir, 'absent.json'), data: numeric, out }), /absent\.json is not a puhui-scorecard\/1 model file \(no such file\)/);
  await assert.rejects(scoreTableFile({ model: modelFile, data: numeric, out: join(dir, 'no-folder', 's.csv') }), /cannot write .*no folder/);
  writeFileSync(join(dir, 'header-only.csv'), `${readFileSync(numeric, 'utf8').split('\n')[0]}\n`);
  await assert.rejects(scoreTableFile({ model: modelFile, data: join(dir, 'header-only.csv'), out }), /has no rows to score/);
});

test('codeTarget lists at most ten values and counts missing ones', () => {
  const many = Array.from({ length: 12 }, (_, k) => ({ value: `v${k}`, rows: 12 - k }));
  assert.throws(() => codeTarget('status', [...many, { value: null, rows: 3 }], null), /"v0" \(12 rows\), .*"v9" \(3 rows\), …; say which value/);
});
