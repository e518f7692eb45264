// Credit decisions: one full decision in-process (features from the dossier + fraud lookup + routed score +
// strategy), p50/p99; batch decisions per second on 2 cores; and beside each, the same strategy written by
// hand in TypeScript (src/decision/native-tax-loan.ts), so the rules engine's overhead is a measured ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetReader, datasetFiles } from '../../src/data/index.ts';
import type { Dossier } from '../../src/domain/dossier.ts';
import { computeFeatureTable, readIndustryReference } from '../../src/features/batch.ts';
import { detectFraud } from '../../src/fraud/index.ts';
import { Scorer } from '../../src/models/scorer.ts';
import { runTraining } from '../../src/pipeline/train-report.ts';
import { applicantFromDossier, prepareDataset } from '../../src/decision/dataset.ts';
import { DecisionService, strategyInput } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { fraudSummaries } from '../../src/decision/inputs.ts';
import { taxLoanNative } from '../../src/decision/native-tax-loan.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { addMonths } from '../../src/domain/period.ts';

const [dataset, asOf] = process.argv.slice(2) as [string, string];
const work = mkdtempSync(join(tmpdir(), 'puhui-bench-decisions-'));
const engine = new StrategyEngine();
try {
  const strategy = loadStrategy('strategies/tax-loan.json');
  const labels = datasetFiles(dataset).find((f) => f.entity === 'labels')!.path;
  // A scorecard trained a year earlier, as the demo does.
  const trainAsOf = `${addMonths(asOf.slice(0, 7), -12)}-01`;
  const trainFeatures = join(work, 'train.parquet');
  const features = join(work, 'features.parquet');
  await computeFeatureTable({ datasetDir: dataset, asOf: trainAsOf, outFile: trainFeatures });
  const modelFile = join(work, 'scorecard.json');
  await runTraining({ features: trainFeatures, labels, target: null, asOf: trainAsOf, testFeatures: null, testAsOf: null, testShare: 0, seed: 1, out: modelFile, report: null, options: {} });

  // Batch: every enterprise of the dataset, end to end (features on 2 workers, anti-fraud, scores, strategy).
  let started = performance.now();
  const prepared = await prepareDataset({ datasetDir: dataset, asOf, modelFile, application: { product: 'tax_loan', amountFen: null, termMonths: null } });
  const service = new DecisionService(engine, { champion: strategy });
  const stageStarted = performance.now();
  const records = await service.decideMany(prepared.applicants);
  const stageSeconds = (performance.now() - stageStarted) / 1000;
  const endToEndSeconds = (performance.now() - started) / 1000;
  const inputs = prepared.applicants.map(strategyInput);
  started = performance.now();
  for (const input of inputs) taxLoanNative(input);
  const nativeStageSeconds = (performance.now() - started) / 1000;

  // Online: one enterprise at a time, from its dossier, as an API call would.
  await computeFeatureTable({ datasetDir: dataset, asOf, outFile: features });
  const reference = readIndustryReference(features);
  const fraud = fraudSummaries(await detectFraud({ datasetDir: dataset, asOf, featureFile: features }));
  const scorer = new Scorer(modelFile);
  const reader = await DatasetReader.open(dataset);
  const codes = (await reader.query(`SELECT creditCode FROM enterprises WHERE establishedDate <= '${asOf}' ORDER BY hash(creditCode) LIMIT 300`)).map((r) => String(r.creditCode));
  const dossiers: Dossier[] = [];
  for (const code of codes) dossiers.push(await reader.dossier(code));
  reader.close();
  const online = { asOf, application: { product: 'tax_loan', amountFen: null, termMonths: null }, reference, fraud, scorer };
  const applicantOf = (d: Dossier) => applicantFromDossier(d, online);
  const percentiles = async (run: (d: Dossier) => Promise<unknown> | unknown, iterations: number) => {
    for (let i = 0; i < 3000; i++) await run(dossiers[i % dossiers.length]!); // warm up: the tail of a short run is the JIT's, not ours
    const times = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await run(dossiers[i % dossiers.length]!);
      times[i] = performance.now() - t;
    }
    times.sort();
    return { p50Ms: times[Math.floor(iterations * 0.5)]!, p99Ms: times[Math.floor(iterations * 0.99)]! };
  };
  const withEngine = await percentiles((d) => service.decide(applicantOf(d)), 20000);
  const withNative = await percentiles((d) => taxLoanNative(strategyInput(applicantOf(d))), 20000);
  const prebuilt = dossiers.map((d) => strategyInput(applicantOf(d)));
  let k = 0;
  const engineOnly = await percentiles(() => engine.evaluate(strategy, prebuilt[k++ % prebuilt.length]!), 20000);
  const nativeOnly = await percentiles(() => taxLoanNative(prebuilt[k++ % prebuilt.length]!), 20000);
  const approved = records.filter((r) => r.decision.outcome === 'approve').length;
  console.log(JSON.stringify({
    enterprises: records.length, approved,
    online: { fullDecision: withEngine, fullDecisionNative: withNative, strategyOnly: engineOnly, strategyOnlyNative: nativeOnly, dossiers: dossiers.length },
    batch: {
      endToEndSeconds, endToEndPerSecond: Math.round(records.length / endToEndSeconds), stages: prepared.seconds,
      strategySeconds: stageSeconds, strategyPerSecond: Math.round(records.length / stageSeconds), nativePerSecond: Math.round(records.length / nativeStageSeconds),
    },
    maxRssKb: process.resourceUsage().maxRSS,
  }));
} finally {
  engine.dispose();
  rmSync(work, { recursive: true, force: true });
}
