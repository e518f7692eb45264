/**
 * Every command meets malformed input with one line on stderr and exit code 2, naming what was wrong, before
 * doing any work. The commands run in this process (main(argv)) on one small imported economy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFolder, importedEconomy, temporaryDir } from '../support/economy.ts';
import { runCli, type CliRun } from '../support/cli.ts';

const fixture = await importedEconomy();
const { dataset, raw } = fixture;
const scratch = temporaryDir('refusals');
const someCode = readFileSync(join(raw, 'enterprises.csv'), 'utf8').split('\n')[1]!.split(',')[0]!;
const strategy = 'strategies/tax-loan.json';

/** A raw folder with only the enterprises and their invoices: enough for an import, quicker than the whole economy. */
function smallSource(prefix: string): string {
  const source = join(temporaryDir(prefix), 'raw');
  mkdirSync(source);
  for (const file of ['enterprises.csv', 'invoices.csv']) copyFileSync(join(raw, file), join(source, file));
  return source;
}

function assertRefused(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line expected: ${run.stderr}`);
  assert.match(run.stderr, /^puhui: /);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
}

// ---- the dataset itself
test('features refuses a dataset folder that does not exist', async () => {
  assertRefused(await runCli('features', join(scratch, 'nowhere'), '--out', join(scratch, 'f.parquet')), /dataset folder .*nowhere does not exist/);
});

test('features refuses a dataset without its manifest (an import killed part-way)', async () => {
  const copy = copyOfFolder(dataset, 'no-manifest');
  rmSync(join(copy, 'manifest.json'));
  assertRefused(await runCli('features', copy, '--out', join(scratch, 'f.parquet')), /no manifest\.json: it is not a complete dataset/);
});

test('inspect refuses a dataset whose manifest lists an entity file that is missing', async () => {
  const copy = copyOfFolder(dataset, 'no-invoices');
  rmSync(join(copy, 'invoices.parquet'));
  assertRefused(await runCli('inspect', copy, someCode), /incomplete: its manifest lists invoices \(\d+ rows\) but the file is missing/);
});

test('decide --all refuses a dataset whose manifest is not valid', async () => {
  const copy = copyOfFolder(dataset, 'bad-manifest');
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
  manifest.rowCounts.invoices = 'many';
  manifest.observationDate = '2025-13-01';
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
  assertRefused(await runCli('decide', copy, '--all', '--out', join(scratch, 'd.csv')), /manifest\.json is not a valid manifest: .*observationDate must be a date.*rowCounts\.invoices/);
});

test('features refuses a dataset that never had invoices, instead of writing inv_* = 0 for every firm', async () => {
  const copy = copyOfFolder(dataset, 'never-invoices');
  rmSync(join(copy, 'invoices.parquet'));
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
  delete manifest.rowCounts.invoices;
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
  assertRefused(await runCli('features', copy, '--out', join(scratch, 'f.parquet')), /has no invoices: the feature table needs it/);
});

// ---- features
test('features refuses --out with an extension it cannot write (x.txt)', async () => {
  const out = join(scratch, 'x.txt');
  assertRefused(await runCli('features', dataset, '--out', out), /--out x\.txt: the file name must end in \.parquet or \.csv/);
  assert.equal(existsSync(out), false);
});

test('features refuses an output folder that does not exist', async () => {
  assertRefused(await runCli('features', dataset, '--out', join(scratch, 'missing', 'f.parquet')), /--out: the folder .*missing does not exist/);
});

test('features refuses --as-of beyond the end of the data', async () => {
  assertRefused(await runCli('features', dataset, '--as-of', '2031-01-01', '--out', join(scratch, 'f.parquet')), /--as-of 2031-01-01 is after the end of the data \(\d{4}-\d{2}\)/);
});

test('features refuses --as-of before the data starts', async () => {
  assertRefused(await runCli('features', dataset, '--as-of', '2001-01-01', '--out', join(scratch, 'f.parquet')), /--as-of 2001-01-01 is before the data starts/);
});

test('features refuses an --as-of that is not a date', async () => {
  assertRefused(await runCli('features', dataset, '--as-of', '2025-02-30', '--out', join(scratch, 'f.parquet')), /--as-of must be a date YYYY-MM-DD, got '2025-02-30'/);
});

test('features refuses --workers that is not a whole number in range', async () => {
  assertRefused(await runCli('features', dataset, '--workers', 'abc', '--out', join(scratch, 'f.parquet')), /--workers must be a whole number, got 'abc'/);
  assertRefused(await runCli('features', dataset, '--workers', '99', '--out', join(scratch, 'f.parquet')), /--workers must be between 0 and 16, got 99/);
});

test('features --report refuses a labels file that does not exist', async () => {
  assertRefused(await runCli('features', dataset, '--report', '--labels', join(scratch, 'labels.csv')), /--labels .*labels\.csv does not exist/);
});

test('features refuses an unknown flag', async () => {
  assertRefused(await runCli('features', dataset, '--out', join(scratch, 'f.parquet'), '--asof', '2025-01-01'), /Unknown option '--asof'/);
});

// ---- decide
test('decide refuses a credit code the dataset does not have, before computing the dataset\'s features', async () => {
  assertRefused(await runCli('decide', dataset, '91310000631696382C'), /no enterprise with credit code 91310000631696382C/);
});

test('decide refuses a feature table that does not exist', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--features', join(scratch, 'none.parquet')), /--features .*none\.parquet does not exist/);
});

test('decide --all refuses --out with an extension it cannot write', async () => {
  assertRefused(await runCli('decide', dataset, '--all', '--out', join(scratch, 'd.txt')), /--out d\.txt: the file name must end in \.jsonl or \.csv/);
});

test('decide refuses a challenger share that is not a number in 0..1', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--challenger', strategy, '--share', 'NaN'), /--share must be a number, got 'NaN'/);
  assertRefused(await runCli('decide', dataset, someCode, '--challenger', strategy, '--share', '2'), /--share must be between 0 and 1, got 2/);
});

test('decide refuses an unknown --mode', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--challenger', strategy, '--mode', 'sideways'), /--mode must be shadow or live, got 'sideways'/);
});

test('decide refuses --share without a challenger', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--share', '0.2'), /--share and --mode need --challenger/);
});

test('decide refuses an amount that is not a whole number of fen above 0', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--amount', '12.5'), /--amount must be a whole number, got '12\.5'/);
  assertRefused(await runCli('decide', dataset, someCode, '--amount', '0'), /--amount must be between 1 and/);
});

test('decide refuses a term outside 1..360 months', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--term', '999'), /--term must be between 1 and 360, got 999/);
});

test('decide refuses a strategy file that does not exist', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--strategy', join(scratch, 'nope.json')), /nope\.json/);
});

test('decide refuses a model file that is not a model', async () => {
  const notModel = join(scratch, 'not-model.json');
  writeFileSync(notModel, '{"hello": 1}');
  assertRefused(await runCli('decide', dataset, someCode, '--model', notModel), /not a puhui-scorecard\/1 model file/);
});

test('decide refuses a fraud report that does not exist', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--fraud', join(scratch, 'fraud.json')), /--fraud .*fraud\.json does not exist/);
});

test('decide refuses --as-of beyond the data', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--as-of', '2030-06-01'), /after the end of the data/);
});

test('decide refuses --out without --all', async () => {
  assertRefused(await runCli('decide', dataset, someCode, '--out', join(scratch, 'x.csv')), /--out and --trace go with --all/);
});

// ---- backtest
test('backtest refuses a labels file that does not exist', async () => {
  assertRefused(await runCli('backtest', dataset, '--labels', join(scratch, 'outcomes.csv')), /--labels .*outcomes\.csv does not exist/);
});

test('backtest refuses a report that is not .html', async () => {
  assertRefused(await runCli('backtest', dataset, '--report', join(scratch, 'report.pdf')), /--report report\.pdf: the file name must end in \.html/);
});

test('backtest refuses a challenger that is not JSON', async () => {
  const broken = join(scratch, 'broken.json');
  writeFileSync(broken, '{"puhui": ');
  assertRefused(await runCli('backtest', dataset, '--challenger', broken), /broken\.json/);
});

// ---- strategy
test('strategy check refuses a file that does not exist', async () => {
  assertRefused(await runCli('strategy', 'check', join(scratch, 'missing.json')), /missing\.json/);
});

test('strategy check refuses JSON that is not a strategy', async () => {
  const other = join(scratch, 'other.json');
  writeFileSync(other, '{"nodes": []}');
  assertRefused(await runCli('strategy', 'check', other), /missing header/);
});

test('strategy diff refuses one file instead of two', async () => {
  assertRefused(await runCli('strategy', 'diff', strategy), /usage: puhui strategy diff OLD\.json NEW\.json/);
});

test('strategy refuses an unknown sub-command', async () => {
  assertRefused(await runCli('strategy', 'approve', strategy), /usage: puhui strategy check/);
});

// ---- import
test('import refuses a source folder that does not exist', async () => {
  assertRefused(await runCli('import', join(scratch, 'no-source'), '--out', join(scratch, 'ds')), /source folder .*no-source does not exist/);
});

test('import refuses an output folder whose parent does not exist, before any work', async () => {
  assertRefused(await runCli('import', raw, '--out', join(scratch, 'no-parent', 'ds')), /--out .*ds: the folder .*no-parent does not exist/);
  assert.equal(existsSync(join(scratch, 'no-parent')), false);
});

test('import refuses an output that is a file', async () => {
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'x');
  assertRefused(await runCli('import', raw, '--out', file), /--out .*a-file is a file, not a folder/);
});

test('import refuses to import a folder into itself', async () => {
  assertRefused(await runCli('import', raw, '--out', raw), /the source and the target are the same folder/);
});

test('import refuses while another import into the same folder runs, and takes over a lock left by a dead one', async () => {
  const target = join(temporaryDir('locked'), 'ds');
  mkdirSync(target);
  writeFileSync(join(target, '.import.lock'), String(process.pid)); // a live process (this one) holds it
  assertRefused(await runCli('import', raw, '--out', target), /another import into .*ds is running \(process \d+\); wait for it to finish/);
  assert.equal(existsSync(join(target, 'enterprises.parquet')), false);
  writeFileSync(join(target, '.import.lock'), '999999999'); // no such process
  const run = await runCli('import', smallSource('lock-source'), '--out', target, '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(join(target, '.import.lock')), false);
  assert.equal(existsSync(join(target, 'manifest.json')), true);
});

test('import of a GBK file names the root cause, exits 2 and leaves no manifest, so no reader takes the dataset', async () => {
  const source = smallSource('gbk');
  const utf8 = readFileSync(join(source, 'enterprises.csv'), 'utf8');
  // Every Chinese character as a GBK-style double byte: not UTF-8.
  const bytes = Buffer.concat([...utf8].map((ch) => (ch.charCodeAt(0) < 0x80 ? Buffer.from(ch) : Buffer.from([0xc6, 0xf3]))));
  writeFileSync(join(source, 'enterprises.csv'), bytes);
  const target = join(temporaryDir('gbk-target'), 'ds');
  const run = await runCli('import', source, '--out', target, '--json');
  assertRefused(run, /import failed: every one of the \d+ rows of enterprises\.csv was rejected, mainly: .*not valid UTF-8/);
  const summary = JSON.parse(run.stdout);
  assert.match(summary.rootCause, /enterprises\.csv/);
  assert.ok(summary.entities.find((e: { entity: string }) => e.entity === 'invoices').reasons.some((r: { message: string }) => /refers to no known enterprises/.test(r.message)), 'the cascade is still reported');
  assert.equal(existsSync(join(target, 'manifest.json')), false);
  assertRefused(await runCli('features', target, '--out', join(scratch, 'f.parquet')), /no manifest\.json/);
});

// ---- inspect, synth, demo, and the command line itself
test('inspect refuses a credit code with a wrong check character', async () => {
  const typo = someCode.slice(0, 17) + (someCode.endsWith('0') ? '1' : '0');
  assertRefused(await runCli('inspect', dataset, typo), /is not a unified social credit code .*check character/);
});

test('inspect refuses --months out of range', async () => {
  assertRefused(await runCli('inspect', dataset, someCode, '--months', '0'), /--months must be between 1 and 120, got 0/);
});

test('inspect refuses a credit code the dataset does not have', async () => {
  assertRefused(await runCli('inspect', dataset, '91310000631696382C'), /no enterprise with credit code 91310000631696382C/);
});

test('synth refuses a bad rate that is not a number', async () => {
  assertRefused(await runCli('synth', '--out', join(scratch, 'synth'), '--bad-rate', 'abc'), /--bad-rate must be a number, got 'abc'/);
});

test('synth refuses an output folder whose parent does not exist', async () => {
  assertRefused(await runCli('synth', '--out', join(scratch, 'nowhere', 'raw'), '--enterprises', '60'), /--out .*raw: the folder .*nowhere does not exist/);
});

test('demo refuses --enterprises that is not a whole number', async () => {
  assertRefused(await runCli('demo', '--out', join(scratch, 'demo'), '--enterprises', '1e3'), /--enterprises must be a whole number, got '1e3'/);
});

test('demo refuses an output that is a file', async () => {
  const file = join(scratch, 'demo-file');
  writeFileSync(file, '');
  assertRefused(await runCli('demo', '--out', file, '--enterprises', '60'), /--out .*demo-file is a file, not a folder/);
});

test('an unknown command is refused with a pointer to the help', async () => {
  assertRefused(await runCli('frobnicate'), /unknown command 'frobnicate'; try 'puhui --help'/);
});

test('puhui CMD --help prints that command\'s usage, not the global help', async () => {
  for (const command of ['decide', 'features', 'import', 'strategy', 'backtest']) {
    const run = await runCli(command, '--help');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Usage:\\n  puhui ${command} `));
    assert.doesNotMatch(run.stdout, /puhui demo/);
  }
  const all = await runCli('--help');
  assert.match(all.stdout, /puhui demo[\s\S]*puhui strategy diff[\s\S]*Exit codes: 0 done/);
  assert.equal((await runCli('help', 'train')).stdout.includes('puhui train --features'), true);
});
