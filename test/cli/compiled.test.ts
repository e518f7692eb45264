/**
 * The installed command runs compiled JavaScript: dist/ is built from src/ by the package's build (what
 * `prepare` runs on install), bin/puhui.js runs it, the feature workers load the compiled worker, and files read
 * relative to modules (strategies, the charting library) resolve from dist/ as from src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importedEconomy, temporaryDir } from '../support/economy.ts';

const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8', timeout: 600_000 });

function compiled(...args: string[]) {
  return spawnSync(process.execPath, ['bin/puhui.js', ...args], { encoding: 'utf8', timeout: 300_000 });
}

test('the build compiles src/ into dist/, worker entry included', () => {
  assert.equal(build.status, 0, build.stdout + build.stderr);
  for (const file of ['cli/main.js', 'pipeline/demo.js', 'features/batch-worker.js', 'features/batch-worker-entry.js']) assert.ok(existsSync(join('dist', file)), file);
  assert.doesNotMatch(readFileSync('dist/cli/main.js', 'utf8'), /from "\.\/args\.ts"|import\("\.\/demo\.ts"\)/);
});

test('bin/puhui.js answers --help, CMD --help and features --list from the compiled code', () => {
  const help = compiled('--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage:[\s\S]*puhui strategy diff/);
  assert.match(compiled('fraud', '--help').stdout, /^Usage:\n {2}puhui fraud DIR/);
  const list = compiled('features', '--list', '--json');
  assert.equal(list.status, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).length, 80);
  const refused = compiled('features', '/nonexistent/dataset', '--out', 'x.parquet');
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^puhui: dataset folder \/nonexistent\/dataset does not exist\n$/);
});

test('the compiled feature batch runs on worker threads and writes what the sources write', async () => {
  const { dataset } = await importedEconomy();
  const root = temporaryDir('compiled');
  const run = compiled('features', dataset, '--workers', '2', '--out', join(root, 'compiled.csv'), '--json');
  assert.equal(run.status, 0, run.stderr);
  const { runFeatureTable } = await import('../../src/pipeline/features.ts');
  await runFeatureTable({ datasetDir: dataset, asOf: null, outFile: join(root, 'sources.csv'), report: false, labelsFile: null, workers: 0 });
  assert.equal(readFileSync(join(root, 'compiled.csv'), 'utf8'), readFileSync(join(root, 'sources.csv'), 'utf8'));
});

test('files read relative to modules resolve from dist/: the default strategies and the charting library', async () => {
  const decide = await import(new URL('../../dist/pipeline/decide.js', import.meta.url).href) as { DEFAULT_STRATEGY: string; DEFAULT_CHALLENGER: string };
  assert.ok(existsSync(decide.DEFAULT_STRATEGY) && existsSync(decide.DEFAULT_CHALLENGER), decide.DEFAULT_STRATEGY);
  const html = await import(new URL('../../dist/pipeline/html.js', import.meta.url).href) as { echartsSource: () => string };
  assert.ok(html.echartsSource().length > 100_000);
});
