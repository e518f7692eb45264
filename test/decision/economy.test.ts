/**
 * The default strategy on the demo's synthetic economy (2,000 firms, seed 1): the figures documented in
 * docs/decisions.md are reproduced within tolerance, the JDM graph agrees with its hand-written twin on
 * every enterprise, one enterprise decided online agrees with the batch, and the commands behave.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { datasetDossierSource } from '../../src/monitoring/close-step.ts';
import { Rescorer } from '../../src/monitoring/rescore.ts';
import { prepareDataset } from '../../src/decision/dataset.ts';
import { strategyInput } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { taxLoanNative } from '../../src/decision/native-tax-loan.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { temporaryDir } from '../support/economy.ts';
import { puhui } from '../support/cli.ts';


// The one full demo of the suite, into a folder it creates (as on a first run); the CLI test reads nothing else of it.
const root = join(temporaryDir('decisions'), 'puhui-demo');
const dataset = join(root, 'dataset');
let demo: {
  observationDate: string;
  decisions: { file: string; report: string; backtest: { cohort: { enterprises: number; badRate: number; frauds: number }; champion: Record<string, number>; challenger: Record<string, number>; comparison: { challengerOnly: { enterprises: number } } } };
};

test('the demo decides every enterprise: approves most good firms, at a lower bad rate than it declines, and stops the fraud', () => {
  const run = puhui('demo', '--out', root, '--json');
  assert.equal(run.code, 0, run.stderr);
  demo = JSON.parse(run.stdout);
  // The whole pipeline ran: nothing of the synthetic import quarantined, features for every firm, the six
  // typologies evaluated, an out-of-time scorecard with its report.
  const whole = JSON.parse(run.stdout);
  assert.ok(whole.import.entities.every((e: { rowsRejected: number }) => e.rowsRejected === 0));
  assert.equal(whole.features.enterprises, 2000);
  assert.equal(whole.fraudDetection.length, 6);
  assert.ok(whole.scorecard.test.auc > 0.5 && readFileSync(whole.scorecard.report, 'utf8').includes('评分卡报告'));
  // After the decisions: a genuine invoice photo raises a limit and a forged one does not; the approved loans are
  // booked, repaid and closed for 12 months with a balanced ledger; every borrower with open loans at the last close gets a warning level.
  assert.ok(whole.selfProof !== null && whole.selfProof.genuine.limitFen > (whole.selfProof.before.limitFen ?? 0), JSON.stringify(whole.selfProof?.genuine));
  assert.ok(whole.selfProof.forged.contradicted.length > 0 && whole.selfProof.forged.outcome === 'review');
  assert.ok(whole.loans.loans > 500 && whole.loans.stoppedPaying > 0 && whole.loans.months.length === 12, `${whole.loans.loans} loans`);
  assert.deepEqual(whole.loans.ledgerProblems, []);
  // At the last close the loans still open are mostly those of firms that stopped paying: warned.
  const levels = whole.warnings.byLevel as Record<string, number>;
  assert.ok(levels.red! + levels.yellow! > 0 && levels.red! + levels.yellow! + levels.green! <= whole.loans.loans, JSON.stringify(levels));
  const { cohort, champion, challenger } = demo.decisions.backtest;
  // 1,776 firms, 4.67% bad (labels unchanged by the generator's run-up to default, issue #14). Since that run-up
  // (honest defaulters decline for 6-18 months first, docs/synthetic-economy.md) the scorecard trained a year
  // before learns falling sales and filings, and the strategy turns away more firms with them, good and bad:
  // approved 49.2% -> 43.9%; good firms 52.2% -> 44.8%; bad firms 39.8% -> 26.5%; approved bad rate 3.78% ->
  // 2.82% vs 6.4% among the declined; 0 of 95 frauds approved. The good-firm bound moves from half to 40% and
  // the bad-firm bounds tighten (0.45 -> 0.35 of the bad approved, 0.9 -> 0.75 of the cohort's bad rate): the
  // strategy trades approvals for a cleaner book, it is not loosened. docs/decisions.md still shows the older run.
  assert.equal(cohort.enterprises, 1776);
  assert.ok(Math.abs(cohort.badRate - 0.0467) < 0.005, `cohort bad rate ${cohort.badRate}`);
  assert.ok(Math.abs(champion.approvalRate! - 0.439) < 0.03, `approval ${champion.approvalRate}`);
  assert.ok(champion.goodsApproved! / champion.goods! > 0.4, `good firms approved ${champion.goodsApproved} of ${champion.goods}`);
  assert.ok(champion.badsApproved! / champion.bads! < 0.35, `bad firms approved ${champion.badsApproved} of ${champion.bads}`);
  assert.ok(champion.badRateApproved! < 0.75 * cohort.badRate, `approved bad rate ${champion.badRateApproved} vs ${cohort.badRate}`);
  assert.ok(champion.badRateDeclined! > 1.15 * cohort.badRate);
  assert.ok(champion.fraudsApproved! <= 3 && cohort.frauds >= 80, `fraud approved ${champion.fraudsApproved} of ${cohort.frauds}`);
  assert.ok(challenger.approved! > champion.approved!, 'the challenger (businesses from 12 months, 5,000 yuan of VAT) approves more');
  assert.ok(demo.decisions.backtest.comparison.challengerOnly.enterprises === challenger.approved! - champion.approved!, 'the challenger only widens');
  assert.ok(readFileSync(demo.decisions.report, 'utf8').includes('策略回测'));
  const csv = readFileSync(demo.decisions.file, 'utf8').trim().split('\n');
  assert.ok(csv[0]!.startsWith('creditCode,asOf,arm,strategyId,strategyVersion,strategyHash,outcome'));
  assert.ok(csv.length > 1900);
});

test('the strategy graph and its hand-written twin decide every enterprise alike', async () => {
  const prepared = await prepareDataset({
    datasetDir: dataset, asOf: demo.observationDate, modelFile: join(root, 'scorecard.json'), featureFile: join(root, `features-${demo.observationDate}.parquet`),
    application: { product: 'tax_loan', amountFen: null, termMonths: null },
  });
  const engine = new StrategyEngine();
  try {
    const inputs = prepared.applicants.map(strategyInput);
    const results = await engine.evaluateMany(loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url))), inputs);
    const outcomes = new Set<string>();
    results.forEach((r, k) => {
      outcomes.add(r.outcome);
      assert.deepEqual(taxLoanNative(inputs[k]!), { outcome: r.outcome, riskGrade: r.riskGrade, limitFen: r.limitFen, rateBps: r.rateBps, termMonths: r.termMonths, reasons: r.reasons.map((x) => x.code) }, inputs[k]!.enterprise.creditCode);
    });
    assert.equal(outcomes.size, 3);
  } finally {
    engine.dispose();
  }
});

test('rescoring at the close (early warnings) gives, on the decision date, the probability the decision saw', async () => {
  const prepared = await prepareDataset({
    datasetDir: dataset, asOf: demo.observationDate, modelFile: join(root, 'scorecard.json'), featureFile: join(root, `features-${demo.observationDate}.parquet`),
    application: { product: 'tax_loan', amountFen: null, termMonths: null },
  });
  const rescorer = new Rescorer(datasetDossierSource(dataset), join(root, 'scorecard.json'));
  const scored = prepared.applicants.filter((a) => a.model?.pd !== null && a.model?.pd !== undefined);
  assert.ok(scored.length > 1000);
  // Every 25th applicant: the close computes features from the dataset itself, the decision read the feature file.
  for (let k = 0; k < scored.length; k += 25) {
    const applicant = scored[k]!;
    const pd = await rescorer.probability(applicant.enterprise.creditCode, demo.observationDate);
    assert.ok(pd !== null && Math.abs(pd - applicant.model!.pd!) < 1e-12, `${applicant.enterprise.creditCode}: ${pd} vs ${applicant.model!.pd}`);
  }
  // A year on, the same borrowers' probabilities move (fresh data), and the context gives both figures.
  const later = `${Number(demo.observationDate.slice(0, 4)) + 1}${demo.observationDate.slice(4)}`;
  const context = await rescorer.context()(scored[0]!.enterprise.creditCode, later, []);
  assert.equal(context.pdAtBooking, null, 'no open loan: no booking date');
  assert.ok(typeof context.pdNow === 'number');
});

test('puhui decide: one enterprise online gives the batch decision, with reasons and trace; --all writes every decision', () => {
  const fraud = join(root, 'fraud.json');
  assert.equal(puhui('fraud', dataset, '--out', fraud, '--json').code, 0);
  const batch = readFileSync(demo.decisions.file, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const picks = [batch.find((r) => r[6] === 'approve')!, batch.find((r) => r[6] === 'decline')!, batch.find((r) => r[6] === 'review')!];
  for (const row of picks) {
    const run = puhui('decide', dataset, row[0]!, '--features', join(root, `features-${demo.observationDate}.parquet`), '--fraud', fraud, '--json');
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout);
    assert.equal(record.decision.outcome, row[6]);
    assert.equal(String(record.decision.limitFen), row[8]);
    assert.equal(record.decision.reasons.map((r: { code: string }) => r.code).join(';'), row[11]);
    assert.equal(record.decision.strategy.hash, row[5]);
    assert.ok(record.decision.trace.length === 6 && record.decision.reasons.every((r: { en: string; zh: string }) => r.en && r.zh));
  }
  const text = puhui('decide', dataset, picks[0]![0]!, '--fraud', fraud, '--amount', '1000000');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /APPROVE 通过[\s\S]*L_AMOUNT_ASKED[\s\S]*Trace 决策轨迹/);
  const all = puhui('decide', dataset, '--all', '--out', join(root, 'all.jsonl'), '--fraud', fraud, '--challenger', 'strategies/tax-loan-challenger.json', '--share', '0.3', '--mode', 'live', '--json');
  assert.equal(all.code, 0, all.stderr);
  const records = readFileSync(join(root, 'all.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const share = records.filter((r) => r.arm === 'challenger').length / records.length;
  assert.ok(Math.abs(share - 0.3) < 0.05, `challenger share ${share}`);
  assert.ok(records.every((r) => r.shadow !== null));
});

test('puhui backtest compares two strategies and writes the report; bad input is a one-line error', () => {
  const report = join(root, 'backtest.html');
  const run = puhui('backtest', dataset, '--strategy', 'strategies/tax-loan.json', '--challenger', 'strategies/tax-loan-challenger.json', '--labels', join(dataset, 'labels.parquet'), '--report', report, '--json');
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.champion.overall.approved, demo.decisions.backtest.champion.approved);
  assert.equal(result.comparison.challengerOnly.enterprises, demo.decisions.backtest.comparison.challengerOnly.enterprises);
  assert.ok(result.champion.byGrade.length >= 5 && result.champion.byRegion.length >= 5 && result.champion.bySegment.length >= 2);
  assert.ok(readFileSync(report, 'utf8').includes('Champion vs challenger'));
  // Scores routed by segment reach the strategy and the lab's breakdown.
  writeFileSync(join(root, 'set.json'), JSON.stringify({ schema: 'puhui-modelset/1', defaultModel: 'scorecard.json', segments: [{ name: 'general-taxpayers', model: 'scorecard.json', when: { taxpayerType: 'general' } }] }));
  const routed = puhui('backtest', dataset, '--model', join(root, 'set.json'), '--json');
  assert.equal(routed.code, 0, routed.stderr);
  assert.deepEqual(JSON.parse(routed.stdout).champion.bySegment.map((b: { key: string }) => b.key), ['general · general-taxpayers', 'small_scale · default']);
  const invoice = puhui('backtest', dataset, '--strategy', 'strategies/invoice-loan.json', '--json');
  assert.equal(invoice.code, 0, invoice.stderr);
  assert.equal(JSON.parse(invoice.stdout).champion.byProduct[0].key, 'invoice_loan');
  for (const args of [['decide', dataset, '91330106MA2AB3CD0X'], ['decide', dataset, 'X', '--amount', '-5'], ['backtest', dataset, '--strategy', 'package.json'], ['decide', dataset, 'X', '--mode', 'live'], ['decide', dataset, '--all', '--out', 'x.txt'], ['decide', dataset, '--all', '--out', 'x.csv', '--as-of', '2018-01-01'],
    ['backtest', dataset, '--challenger', 'strategies/tax-loan-challenger.json', '--share', '2'], ['decide', dataset, 'X', '--model', 'no-such-model.json']]) {
    const bad = puhui(...args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
  const check = puhui('strategy', 'check', 'strategies/tax-loan.json', 'strategies/invoice-loan.json');
  assert.equal(check.code, 0, check.stdout);
  assert.match(check.stdout, /6 of 6 tests pass[\s\S]*4 of 4 tests pass/);
});
