/**
 * `puhui decide`, `puhui backtest` and `puhui strategy check|diff`: flags parsed, one call to src/pipeline
 * (decisions for one enterprise or a whole dataset, a strategy and a challenger tried on history) or to the
 * decision module (a strategy's own tests, what changed between two versions), and the result rendered.
 */
import { resolve } from 'node:path';
import { formatYuan } from '../domain/money.ts';
import type { DecisionRecord } from '../decision/decide.ts';
import type { StrategyResult } from '../decision/engine.ts';
import { StrategyEngine } from '../decision/engine.ts';
import { loadStrategy, strategyLabel, type Strategy } from '../decision/strategy.ts';
import { runStrategyTests } from '../decision/verify.ts';
import { diffStrategies, type StrategyChange } from '../decision/diff.ts';
import type { BacktestReport, StrategyBacktest, SwapSet } from '../lab/backtest.ts';
import { runBacktestOn } from '../pipeline/backtest.ts';
import { decideOne, runDecideAll, setupDecisions, TERM_MONTHS_MAX, type DecisionRequest, type DecisionSummary, type SkippedEnterprise } from '../pipeline/decide.ts';
import { boundedIntFlag, numberFlag, parse, pathFlag, print, stringFlag, UsageError, type Flags } from './args.ts';
import { renderTable } from './table.ts';
import { ProgressBar } from './progress.ts';

const DATASET_FLAGS = {
  'as-of': { type: 'string' }, strategy: { type: 'string' }, challenger: { type: 'string' }, share: { type: 'string' }, mode: { type: 'string' }, experiment: { type: 'string' },
  model: { type: 'string' }, features: { type: 'string' }, fraud: { type: 'string' }, amount: { type: 'string' }, term: { type: 'string' }, workers: { type: 'string' },
} as const;

const AMOUNT_FEN_MAX = 100_000_000_000; // one billion yuan: far above any SME line

function requestOf(flags: Flags, dir: string): DecisionRequest {
  const workers = boundedIntFlag(flags, 'workers', 0, 16);
  return {
    datasetDir: dir, asOf: stringFlag(flags, 'as-of'), strategyFile: pathFlag(flags, 'strategy'), challengerFile: pathFlag(flags, 'challenger'),
    share: numberFlag(flags, 'share', 0, 1), mode: stringFlag(flags, 'mode'), experimentId: stringFlag(flags, 'experiment'),
    modelFile: pathFlag(flags, 'model'), featureFile: pathFlag(flags, 'features'), fraudFile: pathFlag(flags, 'fraud'),
    amountFen: boundedIntFlag(flags, 'amount', 1, AMOUNT_FEN_MAX), termMonths: boundedIntFlag(flags, 'term', 1, TERM_MONTHS_MAX), ...(workers === null ? {} : { workers }),
  };
}

const OUTCOME_TEXT = { approve: 'APPROVE 通过', review: 'REVIEW 人工审核', decline: 'DECLINE 拒绝' } as const;

export function renderResult(result: StrategyResult): string[] {
  const terms = result.outcome === 'decline' ? '' : `   limit ${formatYuan(result.limitFen)} yuan   rate ${(result.rateBps! / 100).toFixed(2)}% (${result.rateBps} bps)   term ${result.termMonths} months`;
  return [
    `  ${OUTCOME_TEXT[result.outcome]}   risk grade ${result.riskGrade ?? '—'}${terms}`,
    `  strategy ${result.strategy.id}@${result.strategy.version} #${result.strategy.hash.slice(0, 12)} (product ${result.strategy.product})`,
    ...result.reasons.map((r) => `    ${r.code.padEnd(26)} ${r.kind.padEnd(8)} ${r.en} / ${r.zh}`),
  ];
}

function renderTrace(result: StrategyResult): string[] {
  const lines = ['Trace 决策轨迹:'];
  for (const step of result.trace ?? []) {
    lines.push(`  ${step.order}. ${step.node} (${step.type.replace('Node', '')})`);
    for (const rule of step.rules ?? []) {
      const seen = Object.entries(rule.inputs).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ');
      lines.push(`     rule ${rule.id} (row ${rule.row}): ${Object.entries(rule.cells).map(([k, v]) => `${k} ${v}`).join('; ')}${seen ? `   ← ${seen}` : ''}`);
    }
    if (step.rules && step.rules.length === 0) lines.push('     no rule fired');
    for (const branch of step.branches ?? []) lines.push(`     branch ${branch.id}: ${branch.condition === '' ? '(otherwise)' : branch.condition}`);
    for (const [key, value] of Object.entries(step.values ?? {})) lines.push(`     ${key} = ${JSON.stringify(value)}`);
  }
  return lines;
}

export function renderDecision(record: DecisionRecord): string {
  const m = record.model;
  return [
    `Decision 授信决策 for ${record.creditCode} as of ${record.asOf}${record.application.amountFen !== null ? `, asking ${formatYuan(record.application.amountFen)} yuan` : ''}`,
    `  model ${m ? `${m.model} (segment ${m.segment}) score ${m.score.toFixed(1)}${m.pd !== null ? `, PD ${(100 * m.pd).toFixed(2)}%` : ''}` : 'none'} · fraud ${record.fraud.codes.length > 0 ? record.fraud.codes.join(', ') : 'no signal'}`,
    ...(record.shadow ? [`${record.arm === 'champion' ? 'Champion (acting) 冠军' : 'Challenger (acting) 挑战者'}:`] : []),
    ...renderResult(record.decision),
    ...(record.shadow ? [`${record.arm === 'champion' ? 'Challenger (shadow) 挑战者（影子）' : 'Champion (shadow) 冠军（影子）'}:`, ...renderResult(record.shadow)] : []),
    '', ...renderTrace(record.decision),
  ].join('\n');
}

export type { DecisionSummary };

export function renderSummary(summary: DecisionSummary): string[] {
  const o = summary.outcomes;
  return [
    `${summary.decided} decisions: ${o.approve} approved (${(100 * summary.approvalRate).toFixed(1)}%), ${o.review} to manual review, ${o.decline} declined; limits ${formatYuan(summary.limitFenApproved)} yuan${summary.rateBpsMean !== null ? ` at ${(summary.rateBpsMean / 100).toFixed(2)}% on average` : ''}`,
    ...(summary.challengerActing > 0 ? [`the challenger acted for ${summary.challengerActing}`] : []),
    'Top decline and review reasons 主要拒绝与人工原因:',
    ...summary.topReasons.map((r) => `  ${String(r.enterprises).padStart(6)}  ${r.code.padEnd(24)} ${r.en} / ${r.zh}`),
  ];
}

function renderSkipped(skipped: readonly SkippedEnterprise[]): string[] {
  if (skipped.length === 0) return [];
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.creditCode]);
  return [`Not decided 未决策: ${skipped.length} enterprises of the dataset`, ...[...byReason].map(([reason, codes]) =>
    `  ${String(codes.length).padStart(6)}  ${reason}: ${codes.slice(0, 5).join(', ')}${codes.length > 5 ? ` … (every one in --json)` : ''}`)];
}

export async function commandDecide(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { ...DATASET_FLAGS, all: { type: 'boolean' }, out: { type: 'string' }, trace: { type: 'boolean' } });
  const json = flags.json === true;
  if (flags.all ? positionals.length !== 1 || typeof flags.out !== 'string' : positionals.length !== 2) throw new UsageError('usage: puhui decide DIR CREDIT_CODE [--as-of DATE] [--amount FEN] | puhui decide DIR --all --out FILE.jsonl|FILE.csv');
  if (!flags.all && (flags.out !== undefined || flags.trace !== undefined)) throw new UsageError('--out and --trace go with --all (one decision always prints its trace)');
  const setup = setupDecisions(requestOf(flags, resolve(positionals[0]!)), 'a credit decision');
  const bar = new ProgressBar('decide', json);
  if (flags.all) {
    const run = await runDecideAll(setup, resolve(flags.out as string), flags.trace === true, (stage) => bar.update(stage === 'decisions' ? 1 : 0, 2, stage));
    bar.done();
    const { records, summary, seconds, skipped, out } = run;
    print(json, { out, model: setup.modelFile, strategy: strategyLabel(setup.champion), seconds, summary, skipped }, () => [
      `Decided ${records.length} enterprises as of ${setup.asOf} with ${strategyLabel(setup.champion)}${setup.experiment ? ` and challenger ${strategyLabel(setup.experiment.challenger)} (${setup.experiment.mode}, share ${setup.experiment.share})` : ''} in ${seconds.decisions.toFixed(2)} s (${Math.round(records.length / Math.max(seconds.decisions, 1e-9))} decisions/s)`,
      setup.modelFile ? `model ${setup.modelFile}` : 'no model (--model FILE): every enterprise goes to manual review for want of a score',
      ...renderSummary(summary), ...renderSkipped(skipped), `Written ${out}`,
    ].join('\n'));
    return;
  }
  const record = await decideOne(setup, positionals[1]!.trim().toUpperCase(), (stage, done, total) => bar.update(done, total, stage));
  bar.done();
  print(json, record, () => renderDecision(record));
}

function pctText(v: number | null, digits = 1): string {
  return v === null ? '—' : `${(100 * v).toFixed(digits)}%`;
}

export function renderBacktest(report: BacktestReport): string {
  const strategies: StrategyBacktest[] = [report.champion, ...(report.challenger ? [report.challenger] : [])];
  const row = (label: string, value: (s: StrategyBacktest) => string) => [label, ...strategies.map(value)];
  const lines = [
    `Backtest as of ${report.asOf}: ${report.cohort.enterprises} enterprises, ${report.cohort.bads} went bad within ${report.horizonMonths} months (${pctText(report.cohort.badRate, 2)}), ${report.cohort.frauds} fraudulent`,
    ...renderTable(['', ...strategies.map((s) => `${s.strategy.id}@${s.strategy.version}`)], [
      row('approved 通过', (s) => `${s.overall.approved} (${pctText(s.overall.approvalRate)})`),
      row('manual review 人工', (s) => String(s.overall.reviewed)),
      row('declined 拒绝', (s) => String(s.overall.declined)),
      row('bad rate of approved 通过坏账率', (s) => pctText(s.overall.badRateApproved, 2)),
      row('bad rate of declined 拒绝坏账率', (s) => pctText(s.overall.badRateDeclined, 2)),
      row('goods approved 通过的好客户', (s) => `${s.overall.goodsApproved} of ${s.overall.goods} (${pctText(s.overall.goods > 0 ? s.overall.goodsApproved / s.overall.goods : null)})`),
      row('bads approved 通过的坏客户', (s) => `${s.overall.badsApproved} of ${s.overall.bads} (${pctText(s.overall.bads > 0 ? s.overall.badsApproved / s.overall.bads : null)})`),
      row('fraud approved 通过的欺诈', (s) => `${s.overall.fraudsApproved} of ${s.overall.frauds}`),
      row('limits granted 授信总额 (yuan)', (s) => formatYuan(s.overall.limitFenApproved)),
      row('mean rate 平均利率', (s) => (s.overall.rateBpsMean === null ? '—' : `${(s.overall.rateBpsMean / 100).toFixed(2)}%`)),
      row('expected loss 预期损失 (yuan)', (s) => formatYuan(s.overall.expectedLossFen)),
      row('realised loss 实际损失 (yuan)', (s) => formatYuan(s.overall.realisedLossFen)),
    ]),
  ];
  const c = report.comparison;
  if (c) {
    const swapRow = (label: string, set: SwapSet) => [label, String(set.enterprises), String(set.bads), pctText(set.badRate, 2), String(set.frauds), formatYuan(set.limitFen)];
    lines.push('', 'Swap set 交换集 (approved by one strategy only):', ...renderTable(['', 'enterprises', 'bads', 'bad rate', 'fraud', 'limits (yuan)'], [
      swapRow('champion only (swap-out)', c.championOnly), swapRow('challenger only (swap-in)', c.challengerOnly), swapRow('both', c.approvedByBoth),
    ]));
  }
  lines.push('', `By risk grade (${report.champion.strategy.id}@${report.champion.strategy.version}):`, ...renderTable(['grade', 'enterprises', 'approved', 'bad rate', 'bad rate approved'],
    report.champion.byGrade.map((g) => [g.label, String(g.tally.enterprises), String(g.tally.approved), pctText(g.tally.badRate, 2), pctText(g.tally.badRateApproved, 2)])));
  return lines.join('\n');
}

export async function commandBacktest(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { ...DATASET_FLAGS, labels: { type: 'string' }, report: { type: 'string' } });
  const json = flags.json === true;
  if (positionals.length !== 1) throw new UsageError('usage: puhui backtest DIR [--strategy S.json] [--challenger T.json] [--as-of DATE] [--labels labels.csv] [--report FILE.html]');
  const setup = setupDecisions(requestOf(flags, resolve(positionals[0]!)), 'a backtest');
  const bar = new ProgressBar('backtest', json);
  const run = await runBacktestOn(setup, { labelsFile: pathFlag(flags, 'labels'), reportFile: pathFlag(flags, 'report') }, (stage) => bar.update(stage === 'decisions' ? 1 : 0, 2, stage));
  bar.done();
  print(json, { ...run.report, model: setup.modelFile, reportFile: run.reportFile, skipped: run.skipped }, () => [
    renderBacktest(run.report), ...renderSkipped(run.skipped).map((l) => `\n${l}`), run.reportFile ? `\nReport with charts: ${run.reportFile}` : '',
  ].join('\n'));
}

export function renderChanges(before: Strategy, after: Strategy, changes: readonly StrategyChange[]): string {
  const show = (v: unknown) => JSON.stringify(v);
  const lines = [`${strategyLabel(before)} → ${strategyLabel(after)}: ${changes.length === 0 ? 'no change' : `${changes.length} change${changes.length === 1 ? '' : 's'}`}`];
  for (const c of changes) {
    if (c.what === 'rule changed') {
      const cells = Object.keys(c.after as Record<string, unknown>).map((k) => `${k}: ${show((c.before as Record<string, unknown>)[k])} → ${show((c.after as Record<string, unknown>)[k])}`);
      lines.push(`  ${c.where}: rule ${c.item} changed — ${cells.join('; ')}`);
    } else if (c.what === 'rule added' || c.what === 'rule removed') {
      const cells = Object.entries((c.after ?? c.before) as Record<string, string>).map(([k, v]) => `${k} ${v}`).join('; ');
      lines.push(`  ${c.where}: ${c.what} ${c.item} — ${cells}`);
    } else if (c.what === 'header') {
      lines.push(`  header ${c.item}: ${show(c.before)} → ${show(c.after)}`);
    } else {
      lines.push(`  ${c.where}: ${c.what}${c.item ? ` ${c.item}` : ''}: ${show(c.before)} → ${show(c.after)}`);
    }
  }
  return lines.join('\n');
}

export async function commandStrategy(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv, {});
  if (positionals[0] === 'diff') {
    if (positionals.length !== 3) throw new UsageError('usage: puhui strategy diff OLD.json NEW.json');
    const before = loadStrategy(resolve(positionals[1]!));
    const after = loadStrategy(resolve(positionals[2]!));
    const changes = diffStrategies(before, after);
    print(flags.json === true, { before: strategyLabel(before), after: strategyLabel(after), changes }, () => renderChanges(before, after, changes));
    return 0;
  }
  if (positionals[0] !== 'check' || positionals.length < 2) throw new UsageError('usage: puhui strategy check S.json [T.json ...] | puhui strategy diff OLD.json NEW.json');
  // Every file is loaded (and refused, if it must be) before any test runs.
  const strategies = positionals.slice(1).map((path) => loadStrategy(resolve(path)));
  const engine = new StrategyEngine();
  try {
    const results: { strategy: string; titleEn: string; titleZh: string; tests: Awaited<ReturnType<typeof runStrategyTests>> }[] = [];
    for (const strategy of strategies) {
      results.push({ strategy: strategyLabel(strategy), titleEn: strategy.header.titleEn, titleZh: strategy.header.titleZh, tests: await runStrategyTests(engine, strategy) });
    }
    print(flags.json === true, results, () => results.map((r) => [`${r.strategy} — ${r.titleEn} / ${r.titleZh}`,
      ...r.tests.map((t) => `  ${t.passed ? 'pass' : 'FAIL'}  ${t.name}${t.problems.map((p) => `\n        ${p}`).join('')}`),
      `  ${r.tests.filter((t) => t.passed).length} of ${r.tests.length} tests pass`].join('\n')).join('\n'));
    return results.some((r) => r.tests.some((t) => !t.passed)) ? 1 : 0;
  } finally {
    engine.dispose();
  }
}
