import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDir } from '../support/economy.ts';
import { puhui } from '../support/cli.ts';


test('synth, import and inspect work together from the command line, with --json', () => {
  const root = temporaryDir('cli');
  const synth = puhui('synth', '--out', join(root, 'raw'), '--enterprises', '200', '--months', '30', '--seed', '5', '--json');
  assert.equal(synth.code, 0, synth.stderr);
  const manifest = JSON.parse(synth.stdout);
  assert.equal(manifest.enterprises, 200);
  assert.ok(manifest.rowCounts.invoices > 1000);
  const imported = puhui('import', join(root, 'raw'), '--out', join(root, 'dataset'), '--json');
  assert.equal(imported.code, 0, imported.stderr);
  const summary = JSON.parse(imported.stdout);
  assert.ok(summary.entities.every((e: { rowsRejected: number }) => e.rowsRejected === 0));
  const creditCode = readFileSync(join(root, 'raw', 'enterprises.csv'), 'utf8').split('\n')[1]!.split(',')[0]!;
  const inspected = puhui('inspect', join(root, 'dataset'), creditCode, '--json');
  assert.equal(inspected.code, 0, inspected.stderr);
  const dossier = JSON.parse(inspected.stdout);
  assert.equal(dossier.creditCode, creditCode);
  assert.equal(dossier.months.length, 12);
  const text = puhui('inspect', join(root, 'dataset'), creditCode);
  assert.match(text.stdout, /month\s+sales\s+tax paid/);
});

test('bad input ends with a one-line message and exit code 2, never a stack trace', () => {
  const cases = [
    puhui('synth', '--enterprises', '5'),
    puhui('synth', '--out', temporaryDir('x'), '--enterprises', 'many'),
    puhui('synth', '--out', temporaryDir('x'), '--enterprises', '10'),
    puhui('import', '/nonexistent/folder', '--out', temporaryDir('y')),
    puhui('inspect', temporaryDir('z'), '91310000631696382C'),
    puhui('inspect', join('test', 'nonexistent'), 'NOPE'),
    puhui('frobnicate'),
    puhui('synth', '--bogus-flag'),
  ];
  for (const result of cases) {
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^puhui: /);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test('features --list prints the catalogue, and features --report ranks features by information value', () => {
  const list = puhui('features', '--list', '--json');
  assert.equal(list.code, 0, list.stderr);
  const catalogue = JSON.parse(list.stdout) as { id: string; descriptionZh: string }[];
  assert.ok(catalogue.length >= 60);
  assert.ok(catalogue.every((f) => f.id && f.descriptionZh));
  const root = temporaryDir('cli-features');
  assert.equal(puhui('synth', '--out', join(root, 'raw'), '--enterprises', '600', '--months', '36', '--json').code, 0);
  const result = puhui('features', join(root, 'raw'), '--out', join(root, 'features.csv'), '--report', '--json');
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.enterprises, 600);
  assert.equal(summary.report.features.length, catalogue.length);
  assert.ok(summary.report.defaults > 0);
  const top = summary.report.features[0];
  assert.ok(top.iv > 0.1, JSON.stringify(top));
  assert.match(readFileSync(join(root, 'features.csv'), 'utf8').split('\n')[0]!, /^creditCode,age_months,/);
});

test('fraud --eval reports precision and recall per typology, and --out writes every signal with evidence', () => {
  const root = temporaryDir('cli-fraud');
  assert.equal(puhui('synth', '--out', join(root, 'raw'), '--enterprises', '800', '--json').code, 0);
  const result = puhui('fraud', join(root, 'raw'), '--eval', '--out', join(root, 'fraud.json'), '--json');
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.deepEqual(summary.evaluation.map((e: { typology: string }) => e.typology), ['shell', 'ring', 'burst_invoicing', 'pass_through', 'single_source', 'correction_inflation']);
  const report = JSON.parse(readFileSync(join(root, 'fraud.json'), 'utf8'));
  assert.ok(report.signals.length > 0 && report.signals.every((s: { evidence: object }) => Object.keys(s.evidence).length > 0));
  const named = puhui('fraud', join(root, 'raw'), '--eval', join(root, 'raw', 'labels.csv'), '--json');
  assert.equal(named.code, 0, named.stderr);
  assert.deepEqual(JSON.parse(named.stdout).evaluation, summary.evaluation);
  assert.equal(puhui('fraud', join(root, 'raw'), '--max-length', '99').code, 2);
});

test('train writes a model and a self-contained report, and score reproduces the model on new rows', () => {
  const root = temporaryDir('cli-train');
  assert.equal(puhui('synth', '--out', join(root, 'raw'), '--enterprises', '1500', '--json').code, 0);
  assert.equal(puhui('features', join(root, 'raw'), '--as-of', '2024-10-01', '--out', join(root, 'early.parquet'), '--json').code, 0);
  assert.equal(puhui('features', join(root, 'raw'), '--as-of', '2025-10-01', '--out', join(root, 'late.csv'), '--json').code, 0);
  const trained = puhui('train', '--features', join(root, 'early.parquet'), '--labels', join(root, 'raw', 'labels.csv'), '--as-of', '2024-10-01',
    '--test-features', join(root, 'late.csv'), '--test-as-of', '2025-10-01', '--out', join(root, 'model.json'), '--report', join(root, 'report.html'), '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.ok(summary.features.length >= 3 && summary.evaluation.train.auc > 0.6 && summary.evaluation.test.auc > 0.55, JSON.stringify(summary.evaluation));
  const report = readFileSync(join(root, 'report.html'), 'utf8');
  assert.match(report, /评分卡报告/);
  assert.match(report, /echarts\.init/);
  assert.doesNotMatch(report, /<script src=/); // nothing fetched from outside
  const scored = puhui('score', '--model', join(root, 'model.json'), '--features', join(root, 'late.csv'), '--out', join(root, 'scores.csv'), '--json');
  assert.equal(scored.code, 0, scored.stderr);
  const lines = readFileSync(join(root, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'creditCode,segment,score,probability,grade');
  assert.equal(lines.length - 1, JSON.parse(scored.stdout).rows);
  // An AHP expert model for small-scale taxpayers, the scorecard for the rest, joined by a model set.
  writeFileSync(join(root, 'expert.json'), JSON.stringify({ schema: 'puhui-ahp/1', root: {
    name: 'expert', comparisons: [[1, 3], [1 / 3, 1]],
    children: [
      { name: 'grade', indicator: { feature: 'tax_grade_score', direction: 'higher_better', min: 1, max: 5 } },
      { name: 'inquiries', indicator: { feature: 'bureau_inquiries_6m', direction: 'lower_better', min: 0, max: 10 } },
    ] } }));
  writeFileSync(join(root, 'set.json'), JSON.stringify({ schema: 'puhui-modelset/1', defaultModel: 'model.json',
    segments: [{ name: 'small-scale', model: 'expert.json', when: { taxpayerType: 'small_scale' } }] }));
  const routed = puhui('score', '--model', join(root, 'set.json'), '--features', join(root, 'late.csv'), '--out', join(root, 'routed.csv'), '--json');
  assert.equal(routed.code, 0, routed.stderr);
  const rows = readFileSync(join(root, 'routed.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const expert = rows.filter((r) => r[1] === 'small-scale');
  const card = rows.filter((r) => r[1] === 'default');
  assert.ok(expert.length > 0 && card.length > 0);
  assert.ok(expert.every((r) => Number(r[2]) >= 0 && Number(r[2]) <= 100 && r[3] === '' && r[4] === ''), JSON.stringify(expert[0]));
  assert.ok(card.every((r) => r[3] !== '' && /^[A-H]$/.test(r[4]!)), JSON.stringify(card[0]));
  const wrongModel = puhui('score', '--model', join(root, 'report.html'), '--features', join(root, 'late.csv'), '--out', join(root, 'x.csv'));
  assert.equal(wrongModel.code, 2, wrongModel.stderr);
  assert.match(wrongModel.stderr, /not a puhui-scorecard\/1 model file/);
});
