/**
 * `puhui decide`, `puhui backtest` and `puhui strategy check`: credit decisions for one enterprise or a whole
 * dataset, a strategy (and a challenger) tried on history, and a strategy's own tests.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetReader, datasetFiles, readManifest } from '../data/index.ts';
import { computeFeatureTable, readIndustryReference } from '../features/batch.ts';
import { detectFraud } from '../fraud/index.ts';
import { readModel, Scorer } from '../models/scorer.ts';
import { formatYuan } from '../domain/money.ts';
import { applicantFromDossier, prepareDataset, readFraudReport, type PreparedDataset } from '../decision/dataset.ts';
import { DecisionService, type DecisionRecord } from '../decision/decide.ts';
import { StrategyEngine, type StrategyResult } from '../decision/engine.ts';
import { fraudSummaries, marketOn, type Application } from '../decision/inputs.ts';
import { checkExperiment, type Experiment } from '../decision/split.ts';
import { loadStrategy, strategyLabel, type Strategy } from '../decision/strategy.ts';
import { runStrategyTests } from '../decision/verify.ts';
import { diffStrategies, type StrategyChange } from '../decision/diff.ts';
import { readOutcomes, runBacktest, type BacktestReport, type StrategyBacktest, type SwapSet } from '../lab/backtest.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { intFlag, parse, print, UsageError, type Flags } from './args.ts';
import { renderBacktestReport } from './backtest-report.ts';
import { renderTable } from './inspect.ts';
import { ProgressBar } from './progress.ts';

export const DEFAULT_STRATEGY = fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url));
export const DEFAULT_CHALLENGER = fileURLToPath(new URL('../../strategies/tax-loan-challenger.json', import.meta.url));

const DATASET_FLAGS = {
  'as-of': { type: 'string' }, strategy: { type: 'string' }, challenger: { type: 'string' }, share: { type: 'string' }, mode: { type: 'string' }, experiment: { type: 'string' },
  model: { type: 'string' }, features: { type: 'string' }, fraud: { type: 'string' }, amount: { type: 'string' }, term: { type: 'string' }, workers: { type: 'string' },
} as const;

export interface DatasetSetup { dir: string; asOf: string; champion: Strategy; experiment: Experiment | null; modelFile: string | null; application: Application }

function setupOf(flags: Flags, dir: string): DatasetSetup {
  const asOf = typeof flags['as-of'] === 'string' ? flags['as-of'] : readManifest(dir)?.observationDate;
  if (!asOf) throw new UsageError('give --as-of YYYY-MM-DD (the dataset has no manifest with an observation date)');
  const champion = loadStrategy(resolve(typeof flags.strategy === 'string' ? flags.strategy : DEFAULT_STRATEGY));
  let experiment: Experiment | null = null;
  if (typeof flags.challenger === 'string') {
    const challenger = loadStrategy(resolve(flags.challenger));
    const share = typeof flags.share === 'string' ? Number(flags.share) : 0.5;
    const mode = (flags.mode ?? 'shadow') as Experiment['mode'];
    experiment = checkExperiment({ id: typeof flags.experiment === 'string' ? flags.experiment : `${champion.header.id}@${champion.header.version}-vs-${challenger.header.id}@${challenger.header.version}`, challenger, share, mode });
  } else if (flags.share !== undefined || flags.mode !== undefined) {
    throw new UsageError('--share and --mode need --challenger T.json');
  }
  // The demo writes scorecard.json beside the dataset; anywhere else, name the model.
  const besideDataset = join(dirname(dir), 'scorecard.json');
  const modelFile = typeof flags.model === 'string' ? resolve(flags.model) : existsSync(besideDataset) ? besideDataset : null;
  // Everything that can be wrong with the request is found before minutes of feature and network work.
  if (modelFile) readModel(modelFile);
  marketOn(asOf);
  if (typeof flags.out === 'string' && !/\.(jsonl|csv)$/.test(flags.out)) throw new UsageError('--out must end in .jsonl (full records with reasons and trace) or .csv (one row per decision)');
  const amount = flags.amount === undefined ? null : intFlag(flags, 'amount', 0);
  if (amount !== null && amount <= 0) throw new UsageError('--amount is the amount asked for in fen (1 yuan = 100 fen), a whole number above 0');
  const term = flags.term === undefined ? null : intFlag(flags, 'term', 0);
  if (term !== null && (term < 1 || term > 360)) throw new UsageError('--term is a number of months, 1..360');
  return { dir, asOf, champion, experiment, modelFile, application: { product: champion.header.product, amountFen: amount, termMonths: term } };
}

async function prepare(setup: DatasetSetup, flags: Flags, quiet: boolean): Promise<PreparedDataset> {
  const bar = new ProgressBar('decide', quiet);
  bar.update(0, 1, 'features, anti-fraud, scores');
  const prepared = await prepareDataset({
    datasetDir: setup.dir, asOf: setup.asOf, modelFile: setup.modelFile, application: setup.application,
    featureFile: typeof flags.features === 'string' ? resolve(flags.features) : null, fraudFile: typeof flags.fraud === 'string' ? resolve(flags.fraud) : null,
    workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 2),
  });
  bar.done();
  return prepared;
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

export interface DecisionSummary {
  decided: number;
  outcomes: Record<StrategyResult['outcome'], number>;
  approvalRate: number;
  limitFenApproved: number;
  rateBpsMean: number | null;
  topReasons: { code: string; en: string; zh: string; enterprises: number }[];
  challengerActing: number;
}

export function summariseDecisions(records: readonly DecisionRecord[]): DecisionSummary {
  const outcomes = { approve: 0, review: 0, decline: 0 };
  const reasons = new Map<string, { code: string; en: string; zh: string; enterprises: number }>();
  let limit = 0;
  let rateWeighted = 0;
  for (const r of records) {
    outcomes[r.decision.outcome]++;
    if (r.decision.outcome === 'approve') { limit += r.decision.limitFen; rateWeighted += r.decision.limitFen * r.decision.rateBps!; }
    for (const reason of r.decision.reasons) {
      if (reason.kind !== 'decline' && reason.kind !== 'review') continue;
      const entry = reasons.get(reason.code) ?? { code: reason.code, en: reason.en, zh: reason.zh, enterprises: 0 };
      entry.enterprises++;
      reasons.set(reason.code, entry);
    }
  }
  return {
    decided: records.length, outcomes, approvalRate: records.length > 0 ? outcomes.approve / records.length : 0, limitFenApproved: limit,
    rateBpsMean: limit > 0 ? rateWeighted / limit : null, topReasons: [...reasons.values()].sort((a, b) => b.enterprises - a.enterprises).slice(0, 8),
    challengerActing: records.filter((r) => r.arm === 'challenger').length,
  };
}

export function renderSummary(summary: DecisionSummary): string[] {
  const o = summary.outcomes;
  return [
    `${summary.decided} decisions: ${o.approve} approved (${(100 * summary.approvalRate).toFixed(1)}%), ${o.review} to manual review, ${o.decline} declined; limits ${formatYuan(summary.limitFenApproved)} yuan${summary.rateBpsMean !== null ? ` at ${(summary.rateBpsMean / 100).toFixed(2)}% on average` : ''}`,
    ...(summary.challengerActing > 0 ? [`the challenger acted for ${summary.challengerActing}`] : []),
    'Top decline and review reasons 主要拒绝与人工原因:',
    ...summary.topReasons.map((r) => `  ${String(r.enterprises).padStart(6)}  ${r.code.padEnd(24)} ${r.en} / ${r.zh}`),
  ];
}

export function writeDecisions(records: readonly DecisionRecord[], out: string): void {
  if (out.endsWith('.jsonl')) {
    writeFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return;
  }
  if (!out.endsWith('.csv')) throw new UsageError('--out must end in .jsonl (full records with reasons and trace) or .csv (one row per decision)');
  const writer = new CsvFileWriter(out, ['creditCode', 'asOf', 'arm', 'strategyId', 'strategyVersion', 'strategyHash', 'outcome', 'riskGrade', 'limitFen', 'rateBps', 'termMonths', 'reasons', 'modelScore', 'modelPd', 'fraudSignals', 'shadowStrategyVersion', 'shadowOutcome', 'shadowLimitFen', 'shadowRateBps']);
  for (const r of records) {
    const d = r.decision;
    writer.row([r.creditCode, r.asOf, r.arm, d.strategy.id, d.strategy.version, d.strategy.hash, d.outcome, d.riskGrade, d.limitFen, d.rateBps, d.termMonths, d.reasons.map((x) => x.code).join(';'),
      r.model?.score ?? null, r.model?.pd ?? null, r.fraud.codes.join(';'), r.shadow?.strategy.version ?? null, r.shadow?.outcome ?? null, r.shadow?.limitFen ?? null, r.shadow?.rateBps ?? null]);
  }
  writer.close();
}

export async function commandDecide(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { ...DATASET_FLAGS, all: { type: 'boolean' }, out: { type: 'string' }, trace: { type: 'boolean' } });
  const json = flags.json === true;
  if (flags.all ? positionals.length !== 1 || typeof flags.out !== 'string' : positionals.length !== 2) throw new UsageError('usage: puhui decide DIR CREDIT_CODE [--as-of DATE] [--amount FEN] | puhui decide DIR --all --out FILE.jsonl|FILE.csv');
  const setup = setupOf(flags, resolve(positionals[0]!));
  const engine = new StrategyEngine();
  try {
    if (flags.all) {
      const prepared = await prepare(setup, flags, json);
      const started = performance.now();
      const records = await new DecisionService(engine, { champion: setup.champion, experiment: setup.experiment, trace: flags.trace === true }).decideMany(prepared.applicants);
      const seconds = (performance.now() - started) / 1000;
      const out = resolve(flags.out as string);
      writeDecisions(records, out);
      const summary = summariseDecisions(records);
      print(json, { out, model: setup.modelFile, strategy: strategyLabel(setup.champion), seconds: { ...prepared.seconds, decisions: seconds }, summary }, () => [
        `Decided ${records.length} enterprises as of ${setup.asOf} with ${strategyLabel(setup.champion)}${setup.experiment ? ` and challenger ${strategyLabel(setup.experiment.challenger)} (${setup.experiment.mode}, share ${setup.experiment.share})` : ''} in ${seconds.toFixed(2)} s (${Math.round(records.length / seconds)} decisions/s)`,
        setup.modelFile ? `model ${setup.modelFile}` : 'no model (--model FILE): every enterprise goes to manual review for want of a score',
        ...renderSummary(summary), `Written ${out}`,
      ].join('\n'));
      return;
    }
    const code = positionals[1]!.toUpperCase();
    const work = mkdtempSync(join(tmpdir(), 'puhui-decide-'));
    const reader = await DatasetReader.open(setup.dir);
    try {
      const featureFile = typeof flags.features === 'string' ? resolve(flags.features) : join(work, 'features.parquet');
      // The industry reference and the invoice network are the whole dataset's, as of the same date.
      const bar = new ProgressBar('decide', json);
      bar.update(0, 2, 'industry reference (all features)');
      if (typeof flags.features !== 'string') await computeFeatureTable({ datasetDir: setup.dir, asOf: setup.asOf, outFile: featureFile });
      bar.update(1, 2, 'anti-fraud network');
      const report = typeof flags.fraud === 'string' ? readFraudReport(resolve(flags.fraud), setup.asOf) : await detectFraud({ datasetDir: setup.dir, asOf: setup.asOf, featureFile });
      bar.done();
      const applicant = applicantFromDossier(await reader.dossier(code), {
        asOf: setup.asOf, application: setup.application, reference: readIndustryReference(featureFile), fraud: fraudSummaries(report), scorer: setup.modelFile ? new Scorer(setup.modelFile) : null,
      });
      const record = await new DecisionService(engine, { champion: setup.champion, experiment: setup.experiment, trace: true }).decide(applicant);
      print(json, record, () => renderDecision(record));
    } finally {
      reader.close();
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    engine.dispose();
  }
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

/** Champion and challenger on every applicant, the challenger in shadow (a backtest acts on nobody). */
export async function decideInShadow(setup: DatasetSetup, applicants: PreparedDataset['applicants']): Promise<DecisionRecord[]> {
  const engine = new StrategyEngine();
  try {
    const experiment = setup.experiment ? { ...setup.experiment, mode: 'shadow' as const } : null;
    return await new DecisionService(engine, { champion: setup.champion, experiment }).decideMany(applicants);
  } finally {
    engine.dispose();
  }
}

export async function backtestRecords(setup: DatasetSetup, prepared: PreparedDataset, records: readonly DecisionRecord[], labelsFile: string): Promise<BacktestReport> {
  return runBacktest({
    asOf: setup.asOf, records, outcomes: await readOutcomes(labelsFile),
    profiles: new Map(prepared.applicants.map((a) => [a.enterprise.creditCode, a.enterprise])),
    lossGivenDefault: { champion: setup.champion.header.lossGivenDefault, challenger: setup.experiment?.challenger.header.lossGivenDefault ?? null },
  });
}

export async function commandBacktest(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { ...DATASET_FLAGS, labels: { type: 'string' }, report: { type: 'string' } });
  const json = flags.json === true;
  if (positionals.length !== 1) throw new UsageError('usage: puhui backtest DIR --strategy S.json [--challenger T.json] --as-of DATE --labels labels.csv [--report FILE.html]');
  const dir = resolve(positionals[0]!);
  const setup = setupOf(flags, dir);
  const labelsFile = typeof flags.labels === 'string' ? resolve(flags.labels) : datasetFiles(dir).find((f) => f.entity === 'labels')?.path;
  if (!labelsFile) throw new UsageError('a backtest needs outcomes: give --labels FILE (creditCode, defaultMonth and optionally fraudKind)');
  const prepared = await prepare(setup, flags, json);
  const report = await backtestRecords(setup, prepared, await decideInShadow(setup, prepared.applicants), labelsFile);
  const reportFile = typeof flags.report === 'string' ? resolve(flags.report) : null;
  if (reportFile) writeFileSync(reportFile, renderBacktestReport(report));
  print(json, { ...report, model: setup.modelFile, reportFile }, () => [renderBacktest(report), reportFile ? `\nReport with charts: ${reportFile}` : ''].join('\n'));
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

export async function commandStrategy(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, {});
  if (positionals[0] === 'diff') {
    if (positionals.length !== 3) throw new UsageError('usage: puhui strategy diff OLD.json NEW.json');
    const before = loadStrategy(resolve(positionals[1]!));
    const after = loadStrategy(resolve(positionals[2]!));
    const changes = diffStrategies(before, after);
    print(flags.json === true, { before: strategyLabel(before), after: strategyLabel(after), changes }, () => renderChanges(before, after, changes));
    return;
  }
  if (positionals[0] !== 'check' || positionals.length < 2) throw new UsageError('usage: puhui strategy check S.json [T.json ...] | puhui strategy diff OLD.json NEW.json');
  const engine = new StrategyEngine();
  try {
    const results: { strategy: string; titleEn: string; titleZh: string; tests: Awaited<ReturnType<typeof runStrategyTests>> }[] = [];
    for (const path of positionals.slice(1)) {
      const strategy = loadStrategy(resolve(path));
      results.push({ strategy: strategyLabel(strategy), titleEn: strategy.header.titleEn, titleZh: strategy.header.titleZh, tests: await runStrategyTests(engine, strategy) });
    }
    print(flags.json === true, results, () => results.map((r) => [`${r.strategy} — ${r.titleEn} / ${r.titleZh}`,
      ...r.tests.map((t) => `  ${t.passed ? 'pass' : 'FAIL'}  ${t.name}${t.problems.map((p) => `\n        ${p}`).join('')}`),
      `  ${r.tests.filter((t) => t.passed).length} of ${r.tests.length} tests pass`].join('\n')).join('\n'));
    if (results.some((r) => r.tests.some((t) => !t.passed))) process.exitCode = 1;
  } finally {
    engine.dispose();
  }
}
