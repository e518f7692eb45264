/**
 * Decisions over a dataset, as a user runs them: the CSV feature table `puhui features` writes feeds
 * `puhui decide`; `decide --all` says which enterprises it left out and why; traced money carries no float
 * noise; an entity the dataset never had makes its features missing, not zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfFolder, importedEconomy, temporaryDir } from '../support/economy.ts';
import { runCli } from '../support/cli.ts';

const { dataset, raw } = await importedEconomy();
const root = temporaryDir('cli-decide');
const features = join(root, 'features.csv');
const observation = JSON.parse(readFileSync(join(dataset, 'manifest.json'), 'utf8')).observationDate as string;

test('decide --all reads the CSV feature table puhui features writes, lists the firms it left out and why, and traces whole fen', async () => {
  const computed = await runCli('features', dataset, '--out', features, '--json');
  assert.equal(computed.code, 0, computed.stderr);
  const out = join(root, 'decisions.jsonl');
  const run = await runCli('decide', dataset, '--all', '--features', features, '--out', out, '--trace', '--json');
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { summary: { decided: number }; skipped: { creditCode: string; reason: string }[] };
  const enterprises = readFileSync(join(raw, 'enterprises.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const registeredLater = enterprises.filter((e) => e[2]! > observation).map((e) => e[0]!).sort();
  assert.ok(registeredLater.length > 0, 'the fixture has firms registered after the observation date');
  assert.deepEqual(summary.skipped.map((s) => s.creditCode).sort(), registeredLater);
  assert.ok(summary.skipped.every((s) => s.reason === 'registered after the as-of date'));
  assert.equal(summary.summary.decided + summary.skipped.length, enterprises.length);
  const text = await runCli('decide', dataset, '--all', '--features', features, '--out', join(root, 'decisions.csv'));
  assert.match(text.stdout, new RegExp(`Not decided 未决策: ${registeredLater.length} enterprises of the dataset\\n\\s+${registeredLater.length}  registered after the as-of date: ${registeredLater[0]}`));
  // Traced numbers: 12 significant digits at most (no 1497213.9999999998 fen).
  const records = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { trace?: unknown; decision: { trace: unknown } });
  const traced = JSON.stringify(records.map((r) => r.decision.trace));
  const numbers = traced.match(/-?\d+\.\d+(e-?\d+)?/g) ?? [];
  assert.ok(numbers.length > 100, 'the trace holds fractional numbers');
  const noisy = numbers.filter((n) => n.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length > 12);
  assert.deepEqual(noisy.slice(0, 5), []);
});

test('decide on one enterprise with the CSV feature table gives its batch decision', async () => {
  const batch = readFileSync(join(root, 'decisions.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const row = batch.find((r) => r[6] === 'approve') ?? batch[0]!;
  const run = await runCli('decide', dataset, row[0]!, '--features', features, '--json');
  assert.equal(run.code, 0, run.stderr);
  const record = JSON.parse(run.stdout);
  assert.equal(record.decision.outcome, row[6]);
  assert.equal(String(record.decision.limitFen), row[8]);
});

test('an entity the dataset never had (bank statements) makes its features missing, not zero', async () => {
  const copy = copyOfFolder(dataset, 'no-bank');
  rmSync(join(copy, 'bankMonths.parquet'));
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
  delete manifest.rowCounts.bankMonths;
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
  const out = join(root, 'no-bank.csv');
  const run = await runCli('features', copy, '--out', out, '--json');
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { unavailable: string[]; featuresUnavailable: string[] };
  assert.deepEqual(result.unavailable, ['bankMonths']);
  assert.ok(result.featuresUnavailable.includes('bank_months_present_12m') && result.featuresUnavailable.includes('xs_bank_vs_declared_12m'));
  const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((line) => line.split(','));
  const column = header!.indexOf('bank_months_present_12m');
  assert.ok(rows.length > 100 && rows.every((r) => r[column] === ''), 'never 0 bank months: unknown');
  const full = readFileSync(features, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  assert.ok(full.some((r) => r[column] !== '' && Number(r[column]) > 0), 'with statements the feature has values');
  const text = await runCli('features', copy, '--out', out);
  assert.match(text.stdout, /Not in the dataset: bankMonths; the \d+ features that read them are missing \(not zero\)/);
});
