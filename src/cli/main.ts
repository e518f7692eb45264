/**
 * The `puhui` command. Every sub-command takes --json for machine output; people get tables and a
 * progress bar. Bad input ends with a one-line message and exit code 2, never a stack trace.
 */
import { intFlag, parse, print, UsageError } from './args.ts';
import { PuhuiUserError, USER_ERROR_EXIT_CODE } from '../domain/errors.ts';
import { join, resolve } from 'node:path';
import { DEFAULT_SYNTH_CONFIG, generateEconomy, type SynthConfig } from '../synth/index.ts';
import { DatasetReader, datasetFiles, importDataset, readManifest, type ImportSummary } from '../data/index.ts';
import { renderDossierSummary, renderTable, summariseDossier } from './inspect.ts';
import { addMonths } from '../domain/period.ts';
import { FEATURES } from '../features/index.ts';
import { computeFeatureTable } from '../features/batch.ts';
import { featureReport, type FeatureReport } from './feature-report.ts';
import { badSql, notYetDefaultedSql, registeredBySql } from '../data/outcomes.ts';
import { commandScore, commandTrain } from './train-command.ts';
import { runTraining } from './train.ts';
import { commandFraud, readFraudLabels } from './fraud.ts';
import { commandSnapshot } from './snapshot.ts';
import { detectFraud, evaluateTypologies } from '../fraud/index.ts';
import { formatYuanShort } from '../domain/money.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ProgressBar } from './progress.ts';
import { backtestRecords, commandBacktest, commandDecide, commandStrategy, decideInShadow, DEFAULT_CHALLENGER, DEFAULT_STRATEGY, summariseDecisions, writeDecisions, type DatasetSetup } from './decide.ts';
import { renderBacktestReport } from './backtest-report.ts';
import { prepareDataset } from '../decision/dataset.ts';
import { loadStrategy, strategyLabel } from '../decision/strategy.ts';
import { commandServe } from './serve.ts';
import { commandAudit } from './audit.ts';

const HELP = `puhui — inclusive SME credit on data instead of collateral (普惠)

Usage:
  puhui demo [--out DIR] [--enterprises N] [--json]
      The whole pipeline on a synthetic economy: generate, import, features, anti-fraud, scorecard, a credit
      decision for every enterprise and the backtest of the default strategy against a challenger. 全流程演示。
  puhui synth --out DIR [--enterprises N] [--months M] [--seed S] [--end-month YYYY-MM] [--bad-rate R] [--json]
      Write a deterministic synthetic SME economy (CSV dataset with labels.csv). 生成模拟数据集。
  puhui import DIR --out DIR2 [--external-counterparties] [--json]
      Validate every row of DIR and merge the valid ones into DIR2 (Parquet); rejected rows go to
      DIR2/quarantine/ with file, line, column and reason. 导入并校验数据，问题行隔离存放。
  puhui inspect DIR CREDIT_CODE [--months N] [--json]
      Print an enterprise's dossier: profile and the last N months (default 12). 查看企业档案。
  puhui features --list [--json]
      The feature catalogue: id, group, type, unit, description. 指标目录。
  puhui features DIR [--as-of YYYY-MM-DD] [--out FILE.parquet|FILE.csv] [--report [--labels FILE]] [--workers N] [--json]
      Point-in-time features of every enterprise as of a date (default: the dataset's observation date);
      --report prints each feature's information value against defaults in the 12 months after it. 批量计算指标。
  puhui train --features FILE [--labels FILE] (--target COL | --as-of YYYY-MM-DD) --out model.json [--report report.html]
        [--test-features FILE --test-as-of YYYY-MM-DD | --test-share 0.3 --seed 1] [--method monotonic|quantile|uniform|chimerge|tree]
        [--max-bins N] [--min-bin-share X] [--stepwise forward|backward] [--criterion aic|bic|pvalue] [--json]
      A scorecard (binning, WOE, logistic regression, points, grades) and its report. 训练评分卡。
  puhui score --model model.json --features FILE --out FILE.csv|FILE.parquet [--json]
      Score, probability of bad and grade for every row; the model may be a scorecard, an AHP expert model
      (puhui-ahp/1) or a model set routing segments to models (puhui-modelset/1). 评分。
  puhui fraud DIR [--as-of YYYY-MM-DD] [--out FILE.json] [--eval [--labels FILE]] [--window-months N] [--max-length N] [--json]
      Anti-fraud signals with evidence: circular-invoicing rings, shell clusters, pass-through, burst invoicing,
      single-source inflation, return corrections; --eval prints precision and recall per planted typology. 反欺诈。
  puhui snapshot DIR [--as-of YYYY-MM-DD] [--out DIR] [--workers N] [--json]
      The snapshot online decisions read: industry reference, anti-fraud per enterprise, compact dossiers and
      features as of a date, built once into DIR/../snapshots/<id> (or --out). 构建在线决策快照。
  puhui decide DIR CREDIT_CODE [--as-of YYYY-MM-DD] [--amount FEN] [--term MONTHS] [--strategy S.json] [--model FILE]
        [--challenger T.json [--share 0.2] [--mode shadow|live] [--experiment ID]] [--features FILE] [--fraud FILE.json] [--json]
      One credit decision (approve / review / decline, limit, rate, term) with its reasons and the trace of the rules
      that fired. Default strategy: strategies/tax-loan.json; default model: scorecard.json beside DIR. 授信决策。
  puhui decide DIR --all --out FILE.jsonl|FILE.csv [--trace] [same options]
      Decide every enterprise of the dataset; prints approval rate, limits and the main reasons. 批量决策。
  puhui backtest DIR --strategy S.json [--challenger T.json] [--as-of YYYY-MM-DD] [--labels FILE] [--report FILE.html] [--json]
      Try strategies on history: approval, bad rate and loss of the approved, by grade, segment, region and product,
      and the swap set between two strategies. 策略回测。
  puhui strategy check S.json [T.json ...]
      Validate strategies and run the tests embedded in them. 策略校验。
  puhui strategy diff OLD.json NEW.json [--json]
      What changed between two versions: header, rules cell by cell, expressions, settings, wiring. 策略版本对比。
  puhui serve [--port P] [--database URL | --data DIR] [--dataset DIR] [--strategy S.json] [--challenger T.json --share X --mode M] [--model FILE]
        [--rate-limit REQUESTS_PER_MINUTE_PER_KEY] [--log]
      The HTTP service (OpenAPI at /openapi.json): tenants, consent, audited data, intake, online decisions. 服务。
  puhui serve --demo [--port P]
      A small demo economy in a fresh embedded store; prints API keys and three curl commands. 服务演示。
  puhui audit verify [--database URL | --data DIR] [--json]
      Walk the store's hash-chained audit trail and name the first altered or missing entry (exit 1 if broken). 审计链校验。
`;

async function commandSynth(argv: string[]): Promise<void> {
  const { flags } = parse(argv, { out: { type: 'string' }, enterprises: { type: 'string' }, months: { type: 'string' }, seed: { type: 'string' }, 'end-month': { type: 'string' }, 'bad-rate': { type: 'string' } });
  if (typeof flags.out !== 'string') throw new UsageError('synth needs --out DIR');
  const config: SynthConfig = {
    ...DEFAULT_SYNTH_CONFIG,
    enterprises: intFlag(flags, 'enterprises', DEFAULT_SYNTH_CONFIG.enterprises),
    months: intFlag(flags, 'months', DEFAULT_SYNTH_CONFIG.months),
    seed: intFlag(flags, 'seed', DEFAULT_SYNTH_CONFIG.seed),
    endMonth: typeof flags['end-month'] === 'string' ? flags['end-month'] : DEFAULT_SYNTH_CONFIG.endMonth,
    badRate: typeof flags['bad-rate'] === 'string' ? Number(flags['bad-rate']) : DEFAULT_SYNTH_CONFIG.badRate,
  };
  const result = runSynth(config, resolve(flags.out), flags.json === true);
  print(flags.json === true, result.manifest, () => renderRowCounts(`Synthetic economy written to ${result.dir}`, result.manifest.rowCounts ?? {}));
}

function runSynth(config: SynthConfig, dir: string, quiet: boolean) {
  const bar = new ProgressBar('synth ', quiet);
  const result = generateEconomy(config, dir, (stage, done, total) => bar.update(done, total, stage));
  bar.done();
  return result;
}

async function runImport(source: string, target: string, external: boolean, quiet: boolean): Promise<ImportSummary> {
  const bar = new ProgressBar('import', quiet);
  const summary = await importDataset({ sourceDir: source, targetDir: target, allowExternalCounterparties: external, onProgress: (entity, done, total) => bar.update(done, total, entity) });
  bar.done();
  return summary;
}

function renderImportSummary(summary: ImportSummary): string {
  const rows = summary.entities.map((e) => [e.entity, String(e.rowsRead), String(e.rowsAdded), String(e.rowsUnchanged), String(e.rowsRejected), e.fileError ? `FILE: ${e.fileError}` : e.reasons.slice(0, 2).map((r) => `${r.column} ${r.message} (${r.rows})`).join('; ')]);
  const lines = [`Imported ${summary.sourceDir} into ${summary.targetDir}`, ...renderTable(['entity', 'read', 'added', 'unchanged', 'rejected', 'main reasons'], rows)];
  if (summary.entities.some((e) => e.rowsRejected > 0)) lines.push(`Rejected rows, with line and reason: ${join(summary.targetDir, 'quarantine')}/`);
  if (summary.unknownFiles.length > 0) lines.push(`Not imported (unknown file names): ${summary.unknownFiles.join(', ')}`);
  return lines.join('\n');
}

async function commandImport(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { out: { type: 'string' }, 'external-counterparties': { type: 'boolean' } });
  if (positionals.length !== 1 || typeof flags.out !== 'string') throw new UsageError('usage: puhui import DIR --out DIR2');
  const summary = await runImport(resolve(positionals[0]!), resolve(flags.out), flags['external-counterparties'] === true, flags.json === true);
  print(flags.json === true, summary, () => renderImportSummary(summary));
  if (summary.entities.some((e) => e.fileError)) process.exitCode = 1;
}

async function commandInspect(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { months: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('usage: puhui inspect DIR CREDIT_CODE');
  const reader = await DatasetReader.open(resolve(positionals[0]!));
  try {
    const summary = summariseDossier(await reader.dossier(positionals[1]!.toUpperCase()), intFlag(flags, 'months', 12));
    print(flags.json === true, summary, () => renderDossierSummary(summary));
  } finally {
    reader.close();
  }
}

async function commandDemo(argv: string[]): Promise<void> {
  const { flags } = parse(argv, { out: { type: 'string' }, enterprises: { type: 'string' } });
  const json = flags.json === true;
  const root = resolve(typeof flags.out === 'string' ? flags.out : 'puhui-demo');
  const config = { ...DEFAULT_SYNTH_CONFIG, enterprises: intFlag(flags, 'enterprises', DEFAULT_SYNTH_CONFIG.enterprises) };
  const raw = join(root, 'raw');
  const dataset = join(root, 'dataset');
  const synth = runSynth(config, raw, json);
  const imported = await runImport(raw, dataset, false, json);
  const reader = await DatasetReader.open(dataset);
  try {
    const observation = readManifest(dataset)?.observationDate ?? '';
    const obsMonth = observation.slice(0, 7);
    const [outcome] = await reader.query(`SELECT count(*) AS n, avg(${badSql('defaultMonth', observation)}::INTEGER) AS rate
      FROM labels JOIN enterprises USING (creditCode) WHERE ${registeredBySql('establishedDate', observation)} AND ${notYetDefaultedSql('defaultMonth', observation)}`);
    const fraud = await reader.query(`SELECT fraudKind, count(*) AS firms, count(DISTINCT fraudGroup) AS groups FROM labels WHERE fraudKind <> 'none' GROUP BY 1 ORDER BY 1`);
    const sample = await reader.sampleCreditCode(`creditCode IN (SELECT creditCode FROM labels WHERE fraudKind = 'none') AND taxpayerType = 'general' AND establishedDate < '2020-01-01'`);
    const dossier = sample ? summariseDossier(await reader.dossier(sample)) : null;
    // The rest of the pipeline, each step the same code as its own command.
    const files = datasetFiles(dataset);
    const labelsFile = files.find((f) => f.entity === 'labels')!.path;
    const enterprisesFile = files.find((f) => f.entity === 'enterprises')!.path;
    const trainAsOf = `${addMonths(obsMonth, -12)}-01`;
    const featuresNow = join(root, `features-${observation}.parquet`);
    const featuresBefore = join(root, `features-${trainAsOf}.parquet`);
    const bar = new ProgressBar('pipeline', json);
    bar.update(0, 5, 'features');
    const features = await computeFeatureTable({ datasetDir: dataset, asOf: observation, outFile: featuresNow });
    await computeFeatureTable({ datasetDir: dataset, asOf: trainAsOf, outFile: featuresBefore });
    bar.update(1, 5, 'information value');
    const report = await featureReport(featuresNow, labelsFile, enterprisesFile, observation);
    bar.update(2, 5, 'anti-fraud');
    const fraudReport = await detectFraud({ datasetDir: dataset, asOf: observation, featureFile: featuresNow });
    const fraudEvaluation = evaluateTypologies(fraudReport, await readFraudLabels(labelsFile));
    bar.update(3, 5, 'scorecard');
    const modelFile = join(root, 'scorecard.json');
    const reportFile = join(root, 'scorecard-report.html');
    const trained = await runTraining({
      features: featuresBefore, labels: labelsFile, target: null, asOf: trainAsOf, testFeatures: featuresNow, testAsOf: observation,
      testShare: 0, seed: 1, out: modelFile, report: reportFile, options: {},
    });
    bar.update(4, 5, 'decisions');
    const setup: DatasetSetup = {
      dir: dataset, asOf: observation, champion: loadStrategy(DEFAULT_STRATEGY), modelFile,
      experiment: { id: 'demo', challenger: loadStrategy(DEFAULT_CHALLENGER), share: 0.5, mode: 'shadow' },
      application: { product: 'tax_loan', amountFen: null, termMonths: null },
    };
    const prepared = await prepareDataset({ datasetDir: dataset, asOf: observation, modelFile, featureFile: featuresNow, fraudReport, application: setup.application });
    const decisions = await decideInShadow(setup, prepared.applicants);
    const decisionsFile = join(root, 'decisions.csv');
    writeDecisions(decisions, decisionsFile);
    const backtest = await backtestRecords(setup, prepared, decisions, labelsFile);
    const backtestFile = join(root, 'backtest-report.html');
    writeFileSync(backtestFile, renderBacktestReport(backtest));
    bar.update(5, 5, 'done');
    bar.done();
    const result = {
      root, manifest: synth.manifest, import: imported, observationDate: observation,
      defaultRate12m: Number(outcome?.rate ?? 0), cohort: Number(outcome?.n ?? 0),
      fraud: fraud.map((f) => ({ kind: String(f.fraudKind), firms: Number(f.firms), groups: Number(f.groups) })), sample: dossier,
      features: { enterprises: features.enterprises, file: featuresNow, topInformationValue: report.features.slice(0, 5) },
      fraudDetection: fraudEvaluation, scorecard: { file: modelFile, report: reportFile, trainedAsOf: trainAsOf, train: trained.evaluation.train, test: trained.evaluation.test },
      decisions: { file: decisionsFile, report: backtestFile, summary: summariseDecisions(decisions), backtest: { cohort: backtest.cohort, champion: backtest.champion.overall, challenger: backtest.challenger?.overall ?? null, comparison: backtest.comparison } },
    };
    const champ = backtest.champion.overall;
    const chall = backtest.challenger!.overall;
    const swapIn = backtest.comparison!.challengerOnly;
    const percent = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
    print(json, result, () => [
      renderRowCounts(`Synthetic economy: ${config.enterprises} enterprises × ${config.months} months (seed ${config.seed}) in ${raw}`, synth.manifest.rowCounts ?? {}),
      '', renderImportSummary(imported), '',
      `12-month default rate as of ${observation}: ${(result.defaultRate12m * 100).toFixed(2)}% of ${result.cohort} trading firms (target ${(config.badRate * 100).toFixed(1)}%)`,
      `Planted fraud 模拟欺诈: ${result.fraud.map((f) => `${f.kind} ${f.firms} firms / ${f.groups} groups`).join(', ')}`,
      '', dossier ? renderDossierSummary(dossier) : '',
      '', `Features 指标: ${FEATURES.length} per enterprise as of ${observation}; strongest against the next 12 months' defaults:`,
      ...report.features.slice(0, 5).map((f) => `  ${f.id.padEnd(30)} IV ${f.iv.toFixed(3)} (${f.strength})`),
      '', `Anti-fraud 反欺诈 as of ${observation}: ${fraudReport.rings.length} rings, ${fraudReport.enterprises.length} enterprises flagged`,
      ...renderTable(['typology', 'planted', 'flagged', 'precision', 'recall'], fraudEvaluation.map((e) => [e.typology, String(e.planted), String(e.flagged), e.precision.toFixed(2), e.recall.toFixed(2)])).map((l) => `  ${l}`),
      '', `Scorecard 评分卡 trained as of ${trainAsOf}, tested on the cohort of ${observation}: ${trained.model.features.length} variables,`,
      `  AUC ${trained.evaluation.train.auc.toFixed(3)} → ${trained.evaluation.test!.auc.toFixed(3)}, KS ${trained.evaluation.train.ks.toFixed(3)} → ${trained.evaluation.test!.ks.toFixed(3)}; report ${reportFile}`,
      '', `Decisions 授信决策 as of ${observation}: ${strategyLabel(setup.champion)} on ${backtest.cohort.enterprises} trading firms (${percent(backtest.cohort.badRate)} went bad in the next 12 months):`,
      `  ${champ.approved} approved (${percent(champ.approvalRate)}), ${champ.reviewed} to manual review, ${champ.declined} declined; approved ${champ.goodsApproved} of ${champ.goods} good firms (${percent(champ.goodsApproved / champ.goods)}) and ${champ.badsApproved} of ${champ.bads} that went bad`,
      `  bad rate of the approved ${percent(champ.badRateApproved)} vs ${percent(champ.badRateDeclined)} of the declined; fraud let through: ${champ.fraudsApproved} of ${champ.frauds} (${champ.fraudsReviewed} to review)`,
      `  limits ${formatYuanShort(champ.limitFenApproved)} yuan, ${formatYuanShort(champ.limitFenMean ?? 0)} on average, at ${((champ.rateBpsMean ?? 0) / 100).toFixed(2)}% a year`,
      `  top reasons: ${backtest.champion.reasons.filter((r) => r.kind === 'decline' || r.kind === 'review').slice(0, 5).map((r) => `${r.code} ${r.enterprises}`).join(', ')}`,
      `  challenger ${strategyLabel(setup.experiment!.challenger)} (shadow): ${chall.approved} approved (${percent(chall.approvalRate)}), bad rate ${percent(chall.badRateApproved)}; swap-in ${swapIn.enterprises} firms with bad rate ${percent(swapIn.badRate)}`,
      `  every decision: ${decisionsFile}; backtest report: ${backtestFile}`,
      '', `Next: puhui decide ${dataset} <credit code> · puhui backtest ${dataset} --challenger strategies/tax-loan-challenger.json · puhui fraud ${dataset} --eval`,
    ].join('\n'));
  } finally {
    reader.close();
  }
}

async function commandFeatures(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { list: { type: 'boolean' }, 'as-of': { type: 'string' }, out: { type: 'string' }, report: { type: 'boolean' }, labels: { type: 'string' }, workers: { type: 'string' } });
  const json = flags.json === true;
  if (flags.list) {
    print(json, FEATURES.map(({ compute: _compute, ...spec }) => spec), () => renderTable(['id', 'group', 'type', 'unit', 'description / 说明'],
      FEATURES.map((f) => [f.id, f.group, f.type, f.unit, `${f.descriptionEn} / ${f.descriptionZh}`])).join('\n'));
    return;
  }
  if (positionals.length !== 1) throw new UsageError('usage: puhui features DIR --as-of YYYY-MM-DD --out FILE [--report] | puhui features --list');
  const dir = resolve(positionals[0]!);
  const asOf = typeof flags['as-of'] === 'string' ? flags['as-of'] : readManifest(dir)?.observationDate;
  if (!asOf) throw new UsageError('give --as-of YYYY-MM-DD (the dataset has no manifest with an observation date)');
  if (typeof flags.out !== 'string' && !flags.report) throw new UsageError('give --out FILE.parquet|FILE.csv, --report, or both');
  const scratch = typeof flags.out === 'string' ? null : mkdtempSync(join(tmpdir(), 'puhui-features-'));
  const outFile = typeof flags.out === 'string' ? resolve(flags.out) : join(scratch!, 'features.parquet');
  try {
    const bar = new ProgressBar('features', json);
    const result = await computeFeatureTable({ datasetDir: dir, asOf, outFile, workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 2), onProgress: (done, total) => bar.update(done, total, `${done}/${total} shards`) });
    bar.done();
    let report: FeatureReport | null = null;
    if (flags.report) {
      const files = datasetFiles(dir);
      const labels = typeof flags.labels === 'string' ? resolve(flags.labels) : files.find((f) => f.entity === 'labels')?.path;
      if (!labels) throw new UsageError('the report needs outcomes: give --labels FILE (creditCode, defaultMonth …)');
      report = await featureReport(outFile, labels, files.find((f) => f.entity === 'enterprises')!.path, asOf);
    }
    const summary = { ...result, outFile: scratch ? null : result.outFile, referenceFile: scratch ? null : result.referenceFile, report };
    print(json, summary, () => [
      `${result.enterprises} enterprises × ${FEATURES.length} features as of ${asOf} in ${result.seconds.toFixed(1)} s (${Math.round(result.enterprises / result.seconds)} enterprises/s)`,
      scratch ? '' : `Written ${result.outFile}; industry reference (${result.referenceGroups} groups) ${result.referenceFile}`,
      ...(report ? ['', `Information value against defaults in the 12 months after ${asOf}: ${report.defaults} of ${report.enterprises} (${(report.badRate * 100).toFixed(2)}%)`,
        ...renderTable(['feature', 'group', 'IV', 'strength', 'missing'], report.features.map((f) => [f.id, f.group, f.iv.toFixed(3), f.strength, `${Math.round(f.missingShare * 100)}%`]))] : []),
    ].filter((line) => line !== '').join('\n'));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function renderRowCounts(title: string, counts: Record<string, number | undefined>): string {
  return [title, ...renderTable(['entity', 'rows'], Object.entries(counts).map(([entity, n]) => [entity, String(n ?? 0)]))].join('\n');
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { demo: commandDemo, synth: commandSynth, import: commandImport, inspect: commandInspect, features: commandFeatures, fraud: commandFraud, train: commandTrain, score: commandScore, decide: commandDecide, backtest: commandBacktest, strategy: commandStrategy, snapshot: commandSnapshot, serve: commandServe, audit: commandAudit };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command '${command}'; try 'puhui help'`);
    if (rest.includes('--help')) {
      process.stdout.write(HELP);
      return 0;
    }
    await run(rest);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Errors that describe bad input: the user gets the message, never a stack trace.
    if (error instanceof PuhuiUserError) {
      process.stderr.write(`puhui: ${error.message}\n`);
      return USER_ERROR_EXIT_CODE;
    }
    process.stderr.write(`puhui: internal error: ${(error as Error).message}\n`);
    if (process.env.PUHUI_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write('(set PUHUI_DEBUG=1 for the stack trace, and please report it)\n');
    return 3;
  }
}
