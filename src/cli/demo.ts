/** `puhui demo`: the whole pipeline on a synthetic economy (src/pipeline/demo.ts), rendered. */
import { resolve } from 'node:path';
import { formatYuanShort } from '../domain/money.ts';
import { FEATURES } from '../features/index.ts';
import { runDemo, type DemoResult } from '../pipeline/demo.ts';
import { parse, pathFlag, print } from './args.ts';
import { renderImportSummary } from './import.ts';
import { renderDossierSummary } from './inspect.ts';
import { ProgressBar } from './progress.ts';
import { renderRowCounts, synthConfigOf } from './synth.ts';
import { renderTable } from './table.ts';
import { renderSelfproofDemo } from '../pipeline/demo-selfproof.ts';
import { renderDemoLoans } from './loan.ts';
import { renderDemoWarnings } from '../monitoring/demo.ts';

const percent = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);

/** The demo's JSON: the result, with each strategy's overall tally (the full backtest is in the HTML report). */
function jsonOf(result: DemoResult) {
  const { backtest, ...decisions } = result.decisions;
  return {
    ...result, fraudReport: undefined,
    decisions: { ...decisions, backtest: { cohort: backtest.cohort, champion: backtest.champion.overall, challenger: backtest.challenger?.overall ?? null, comparison: backtest.comparison } },
  };
}

function renderDemo(result: DemoResult): string {
  const { config, decisions } = result;
  const backtest = decisions.backtest;
  const champ = backtest.champion.overall;
  const chall = backtest.challenger!.overall;
  const swapIn = backtest.comparison!.challengerOnly;
  return [
    renderRowCounts(`Synthetic economy: ${config.enterprises} enterprises × ${config.months} months (seed ${config.seed}) in ${result.raw}`, result.manifest.rowCounts ?? {}),
    '', renderImportSummary(result.import), '',
    `12-month default rate as of ${result.observationDate}: ${(result.defaultRate12m * 100).toFixed(2)}% of ${result.cohort} trading firms (target ${(config.badRate * 100).toFixed(1)}%)`,
    `Planted fraud 模拟欺诈: ${result.fraud.map((f) => `${f.kind} ${f.firms} firms / ${f.groups} groups`).join(', ')}`,
    '', result.sample ? renderDossierSummary(result.sample) : '',
    '', `Features 指标: ${FEATURES.length} per enterprise as of ${result.observationDate}; strongest against the next 12 months' defaults:`,
    ...result.features.topInformationValue.map((f) => `  ${f.id.padEnd(30)} IV ${f.iv.toFixed(3)} (${f.strength})`),
    '', `Anti-fraud 反欺诈 as of ${result.observationDate}: ${result.fraudReport.rings.length} rings, ${result.fraudReport.flagged} enterprises flagged`,
    ...renderTable(['typology', 'planted', 'flagged', 'precision', 'recall'], result.fraudDetection.map((e) => [e.typology, String(e.planted), String(e.flagged), e.precision.toFixed(2), e.recall.toFixed(2)])).map((l) => `  ${l}`),
    '', `Scorecard 评分卡 trained as of ${result.scorecard.trainedAsOf}, tested on the cohort of ${result.observationDate}: ${result.scorecard.variables} variables,`,
    `  AUC ${result.scorecard.train.auc.toFixed(3)} → ${result.scorecard.test.auc.toFixed(3)}, KS ${result.scorecard.train.ks.toFixed(3)} → ${result.scorecard.test.ks.toFixed(3)}; report ${result.scorecard.report}`,
    '', `Decisions 授信决策 as of ${result.observationDate}: ${decisions.champion} on ${backtest.cohort.enterprises} trading firms (${percent(backtest.cohort.badRate)} went bad in the next 12 months):`,
    `  ${champ.approved} approved (${percent(champ.approvalRate)}), ${champ.reviewed} to manual review, ${champ.declined} declined; approved ${champ.goodsApproved} of ${champ.goods} good firms (${percent(champ.goodsApproved / champ.goods)}) and ${champ.badsApproved} of ${champ.bads} that went bad`,
    `  bad rate of the approved ${percent(champ.badRateApproved)} vs ${percent(champ.badRateDeclined)} of the declined; fraud let through: ${champ.fraudsApproved} of ${champ.frauds} (${champ.fraudsReviewed} to review)`,
    `  limits ${formatYuanShort(champ.limitFenApproved)} yuan, ${formatYuanShort(champ.limitFenMean ?? 0)} on average, at ${((champ.rateBpsMean ?? 0) / 100).toFixed(2)}% a year`,
    `  top reasons: ${backtest.champion.reasons.filter((r) => r.kind === 'decline' || r.kind === 'review').slice(0, 5).map((r) => `${r.code} ${r.enterprises}`).join(', ')}`,
    `  challenger ${decisions.challenger} (shadow): ${chall.approved} approved (${percent(chall.approvalRate)}), bad rate ${percent(chall.badRateApproved)}; swap-in ${swapIn.enterprises} firms with bad rate ${percent(swapIn.badRate)}`,
    `  every decision: ${decisions.file}; backtest report: ${decisions.report}`,
    '', ...renderSelfproofDemo(result.selfProof),
    '', ...renderDemoLoans(result.loans),
    '', ...renderDemoWarnings(result.warnings),
    '', `Next: puhui decide ${result.dataset} <credit code> · puhui backtest ${result.dataset} --challenger strategies/tax-loan-challenger.json · puhui fraud ${result.dataset} --eval`,
  ].join('\n');
}

export async function commandDemo(argv: string[]): Promise<void> {
  const { flags } = parse(argv, { out: { type: 'string' }, enterprises: { type: 'string' } });
  const json = flags.json === true;
  const bar = new ProgressBar('demo', json);
  const result = await runDemo(pathFlag(flags, 'out') ?? resolve('puhui-demo'), synthConfigOf(flags), (stage, done, total) => bar.update(done, total, stage));
  bar.done();
  print(json, jsonOf(result), () => renderDemo(result));
}
