/**
 * The demo: the whole pipeline on a synthetic economy, each step the same function as its own command —
 * generate, import, one dossier, features as of the observation date and a year before, their information
 * value, anti-fraud, a scorecard trained a year before and tested on the next cohort, a decision for every
 * enterprise with the default strategy and its challenger in shadow, and the backtest of both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader, type ImportSummary } from '../data/index.ts';
import { badSql, notYetDefaultedSql, registeredBySql } from '../data/outcomes.ts';
import { addMonths } from '../domain/period.ts';
import { detectFraud, evaluateTypologies, type FraudReport } from '../fraud/index.ts';
import type { BacktestReport } from '../lab/backtest.ts';
import type { DecisionRecord } from '../decision/decide.ts';
import { loadStrategy } from '../decision/strategy.ts';
import { readFraudLabels } from '../fraud/labels.ts';
import { runTraining } from './train-report.ts';
import type { SynthConfig, SynthResult } from '../synth/index.ts';
import { renderBacktestReport } from './backtest-report.ts';
import { backtestRecords } from './backtest.ts';
import { datasetAsOf, entityPath } from './dataset.ts';
import { DEFAULT_CHALLENGER, DEFAULT_STRATEGY, decideInShadow, prepareDecisions, summariseDecisions, writeDecisions, type DecisionSetup, type DecisionSummary } from './decide.ts';
import { runFeatureTable } from './features.ts';
import type { FeatureIv } from './feature-report.ts';
import { summariseDossier, type DossierSummary } from './inspect.ts';
import { checkTargetFolder, runImport, runSynth } from './synth-import.ts';
import { runSelfproofDemo, type SelfproofDemo } from './demo-selfproof.ts';
import { runDemoLoans, type DemoLoansResult } from './demo-loans.ts';
import { demoCloseSteps, demoWarnings, type DemoWarnings } from '../monitoring/demo.ts';

type Evaluation = Awaited<ReturnType<typeof runTraining>>['evaluation'];

export type DemoStage = 'synth' | 'import' | 'features' | 'information value' | 'anti-fraud' | 'scorecard' | 'decisions' | 'self-proof' | 'loans' | 'done';

export interface DemoResult {
  root: string;
  config: SynthConfig;
  raw: string;
  dataset: string;
  manifest: SynthResult['manifest'];
  import: ImportSummary;
  observationDate: string;
  defaultRate12m: number;
  cohort: number;
  fraud: { kind: string; firms: number; groups: number }[];
  sample: DossierSummary | null;
  features: { enterprises: number; file: string; topInformationValue: FeatureIv[] };
  fraudDetection: ReturnType<typeof evaluateTypologies>;
  fraudReport: Pick<FraudReport, 'rings'> & { flagged: number };
  scorecard: { file: string; report: string; trainedAsOf: string; variables: number; train: Evaluation['train']; test: NonNullable<Evaluation['test']> };
  decisions: { file: string; report: string; champion: string; challenger: string; summary: DecisionSummary; backtest: BacktestReport };
  /** One invoice photo verified and raising a limit, one forged and refused (null: no enterprise qualified). */
  selfProof: SelfproofDemo | null;
  loans: DemoLoansResult;
  warnings: DemoWarnings;
}

export async function runDemo(root: string, config: SynthConfig, onStage: (stage: DemoStage, done: number, total: number) => void = () => {}): Promise<DemoResult> {
  checkTargetFolder(root, '--out');
  mkdirSync(root, { recursive: true });
  const raw = join(root, 'raw');
  const dataset = join(root, 'dataset');
  onStage('synth', 0, 1);
  const synth = runSynth(config, raw, (_stage, done, total) => onStage('synth', done, total));
  const imported = await runImport({ sourceDir: raw, targetDir: dataset, allowExternalCounterparties: false }, (_entity, done, total) => onStage('import', done, total));
  const { contents, asOf: observation } = datasetAsOf(dataset, null, ['invoices', 'labels'], 'the demo');
  const labelsFile = entityPath(contents, 'labels')!;
  const cohort = await cohortOf(dataset, observation);
  const trainAsOf = `${addMonths(observation.slice(0, 7), -12)}-01`;
  const featuresNow = join(root, `features-${observation}.parquet`);
  const featuresBefore = join(root, `features-${trainAsOf}.parquet`);
  onStage('features', 0, 7);
  const features = await runFeatureTable({ datasetDir: dataset, asOf: observation, outFile: featuresNow, report: true, labelsFile: null });
  await runFeatureTable({ datasetDir: dataset, asOf: trainAsOf, outFile: featuresBefore, report: false, labelsFile: null });
  onStage('anti-fraud', 2, 7);
  const fraudReport = await detectFraud({ datasetDir: dataset, asOf: observation, featureFile: featuresNow });
  const fraudEvaluation = evaluateTypologies(fraudReport, await readFraudLabels(labelsFile));
  onStage('scorecard', 3, 7);
  const modelFile = join(root, 'scorecard.json');
  const modelReport = join(root, 'scorecard-report.html');
  const trained = await runTraining({
    features: featuresBefore, labels: labelsFile, target: null, asOf: trainAsOf, testFeatures: featuresNow, testAsOf: observation,
    testShare: 0, seed: 1, out: modelFile, report: modelReport, options: {},
  });
  onStage('decisions', 4, 7);
  const setup: DecisionSetup = {
    dir: dataset, contents, asOf: observation, champion: loadStrategy(DEFAULT_STRATEGY), modelFile, featureFile: featuresNow, fraudFile: null,
    experiment: { id: 'demo', challenger: loadStrategy(DEFAULT_CHALLENGER), share: 0.5, mode: 'shadow' },
    application: { product: 'tax_loan', amountFen: null, termMonths: null },
  };
  const prepared = await prepareDecisions(setup, fraudReport);
  const decisions: DecisionRecord[] = await decideInShadow(setup, prepared.applicants);
  const decisionsFile = join(root, 'decisions.csv');
  writeDecisions(decisions, decisionsFile);
  const backtest = await backtestRecords(setup, prepared, decisions, labelsFile);
  const backtestFile = join(root, 'backtest-report.html');
  writeFileSync(backtestFile, renderBacktestReport(backtest));
  onStage('self-proof', 5, 7);
  const selfProof = await runSelfproofDemo({ root, dataset, champion: setup.champion, applicants: prepared.applicants, decisions });
  onStage('loans', 6, 7);
  // The approved loans on the embedded store, 12 months of repayments and a close at each month end. Early
  // warnings (src/monitoring) plug into that close here, as closeSteps.
  const loans = await runDemoLoans({ root, dataset, observationDate: observation, decisions, closeSteps: demoCloseSteps(dataset, modelFile) });
  const warnings = await demoWarnings(loans.storeDir, loans.final.date);
  onStage('done', 7, 7);
  return {
    root, config, raw, dataset, manifest: synth.manifest, import: imported, observationDate: observation, ...cohort,
    features: { enterprises: features.enterprises, file: featuresNow, topInformationValue: features.report!.features.slice(0, 5) },
    fraudDetection: fraudEvaluation, fraudReport: { rings: fraudReport.rings, flagged: fraudReport.enterprises.length },
    scorecard: {
      file: modelFile, report: modelReport, trainedAsOf: trainAsOf, variables: trained.model.features.length,
      train: trained.evaluation.train, test: trained.evaluation.test!,
    },
    decisions: {
      file: decisionsFile, report: backtestFile, champion: `${setup.champion.header.id}@${setup.champion.header.version}`,
      challenger: `${setup.experiment!.challenger.header.id}@${setup.experiment!.challenger.header.version}`, summary: summariseDecisions(decisions),
      backtest,
    },
    selfProof,
    loans,
    warnings,
  };
}

/** The observation cohort's 12-month default rate, the planted fraud, and one ordinary firm's dossier. */
async function cohortOf(dataset: string, observation: string) {
  const reader = await DatasetReader.open(dataset);
  try {
    const [outcome] = await reader.query(`SELECT count(*) AS n, avg(${badSql('defaultMonth', observation)}::INTEGER) AS rate
      FROM labels JOIN enterprises USING (creditCode) WHERE ${registeredBySql('establishedDate', observation)} AND ${notYetDefaultedSql('defaultMonth', observation)}`);
    const fraud = await reader.query(`SELECT fraudKind, count(*) AS firms, count(DISTINCT fraudGroup) AS groups FROM labels WHERE fraudKind <> 'none' GROUP BY 1 ORDER BY 1`);
    const sample = await reader.sampleCreditCode(`creditCode IN (SELECT creditCode FROM labels WHERE fraudKind = 'none') AND taxpayerType = 'general' AND establishedDate < '2020-01-01'`);
    return {
      defaultRate12m: Number(outcome?.rate ?? 0), cohort: Number(outcome?.n ?? 0),
      fraud: fraud.map((f) => ({ kind: String(f.fraudKind), firms: Number(f.firms), groups: Number(f.groups) })),
      sample: sample ? summariseDossier(await reader.dossier(sample)) : null,
    };
  } finally {
    reader.close();
  }
}
