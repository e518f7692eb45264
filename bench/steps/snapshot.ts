/**
 * The online decision path: the snapshot job's time at 20,000 and 200,000 enterprises × 36 months, the time
 * to open a snapshot, and one decision from it (decideOnline, p50/p99), against today's paths measured in the
 * same run: `puhui decide DIR CODE` (the whole dataset's features and invoice network per call) and, in
 * process, a dossier read from the dataset per request with the reference and fraud report prepared once.
 *
 *   node --import tsx bench/steps/snapshot.ts --suite [--quick] [--sizes 20000,200000] [--work DIR]   (writes bench/results/snapshot.json)
 *   node --import tsx bench/steps/snapshot.ts measure DATASET AS_OF CLI_RUNS              (one size; prints JSON)
 *
 * --quick skips the 200,000-firm economy (its generation, import and snapshot take many minutes on 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetReader, datasetFiles } from '../../src/data/index.ts';
import { applicantFromDossier, readFraudReport } from '../../src/decision/dataset.ts';
import { DecisionService } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { fraudSummaries } from '../../src/decision/inputs.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { runTraining } from '../../src/pipeline/train-report.ts';
import { Scorer } from '../../src/models/scorer.ts';
import { buildSnapshot, openSnapshot } from '../../src/pipeline/snapshot.ts';
import { decideOnline, disposeOnlineEngine } from '../../src/pipeline/online.ts';

const ONLINE_DECISIONS = 2_000;
const ONLINE_WARMUP = 200;
const DOSSIER_PATH_DECISIONS = 40;
const OPENS = 21;

function percentiles(times: number[]): { p50Ms: number; p99Ms: number; meanMs: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return { p50Ms: round(at(0.5), 4), p99Ms: round(at(0.99), 4), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 4) };
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function folderBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) bytes += entry.isDirectory() ? folderBytes(join(dir, entry.name)) : statSync(join(dir, entry.name)).size;
  return bytes;
}

/** A deterministic sample of registered enterprises (every k-th code). */
function sample(codes: string[], count: number): string[] {
  const step = Math.max(1, Math.floor(codes.length / count));
  return codes.filter((_, k) => k % step === 0).slice(0, count);
}

async function measure(dataset: string, asOf: string, cliRuns: number): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-bench-snapshot-'));
  try {
    let started = performance.now();
    const info = await buildSnapshot({ datasetDir: dataset, asOf, outDir: work });
    const buildSeconds = (performance.now() - started) / 1000;
    const opens: number[] = [];
    for (let k = 0; k < OPENS; k++) {
      started = performance.now();
      openSnapshot(info.dir).close();
      opens.push(performance.now() - started);
    }
    const snapshot = openSnapshot(info.dir);
    const registered = snapshot.creditCodes().filter((code) => snapshot.has(code));
    // A scorecard on the snapshot's own feature table: the decision scores, grades and prices as in production.
    const modelFile = join(work, 'scorecard.json');
    const labels = datasetFiles(dataset).find((f) => f.entity === 'labels')!.path;
    await runTraining({ features: join(info.dir, 'features.parquet'), labels, target: null, asOf, testFeatures: null, testAsOf: null, testShare: 0, seed: 1, out: modelFile, report: null, options: { binning: { maxBins: 4, minBinShare: 0.1 }, stepwise: { direction: 'forward', criterion: 'bic' } } });

    const codes = sample(registered, ONLINE_DECISIONS);
    for (const code of codes.slice(0, ONLINE_WARMUP)) await decideOnline(snapshot, { creditCode: code }, { modelFile });
    const times: number[] = [];
    const outcomes: Record<string, number> = {};
    for (const code of codes) {
      started = performance.now();
      const record = await decideOnline(snapshot, { creditCode: code }, { modelFile });
      times.push(performance.now() - started);
      outcomes[record.decision.outcome] = (outcomes[record.decision.outcome] ?? 0) + 1;
    }
    const withChallenger: number[] = [];
    for (const code of codes.slice(0, 500)) {
      started = performance.now();
      await decideOnline(snapshot, { creditCode: code }, { modelFile, challenger: 'strategies/tax-loan-challenger.json', share: 0.2, mode: 'live' });
      withChallenger.push(performance.now() - started);
    }
    const online = percentiles(times);

    // Today's in-process path without a snapshot: the dossier read from the dataset per request (DuckDB over
    // Parquet), features computed online, the reference and the fraud report prepared once.
    const reader = await DatasetReader.open(dataset);
    const engine = new StrategyEngine();
    const service = new DecisionService(engine, { champion: loadStrategy('strategies/tax-loan.json') });
    const context = {
      asOf, application: { product: 'tax_loan', amountFen: null, termMonths: null }, reference: snapshot.reference,
      fraud: fraudSummaries(readFraudReport(join(info.dir, 'fraud-report.json'), asOf)), scorer: new Scorer(modelFile),
    };
    const dossierTimes: number[] = [];
    for (const code of sample(registered, DOSSIER_PATH_DECISIONS)) {
      started = performance.now();
      await service.decide(applicantFromDossier(await reader.dossier(code), context));
      dossierTimes.push(performance.now() - started);
    }
    reader.close();
    engine.dispose();
    const dossierPath = percentiles(dossierTimes);

    // Today's command: `puhui decide DIR CODE` recomputes every feature and the invoice network per call.
    const cliSeconds: number[] = [];
    for (const code of sample(registered, cliRuns)) {
      started = performance.now();
      const run = spawnSync(process.execPath, ['bin/puhui.js', 'decide', dataset, code, '--as-of', asOf, '--model', modelFile, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (run.status !== 0) throw new Error(`puhui decide failed: ${run.stderr}`);
      cliSeconds.push((performance.now() - started) / 1000);
    }
    const cliMedianSeconds = cliSeconds.length > 0 ? [...cliSeconds].sort((a, b) => a - b)[Math.floor(cliSeconds.length / 2)]! : null;
    snapshot.close();
    disposeOnlineEngine();
    return {
      enterprises: info.enterprises, snapshotId: info.id,
      build: { seconds: round(buildSeconds), megabytes: round(folderBytes(info.dir) / 1e6, 1) },
      open: { firstMs: round(opens[0]!, 3), p50Ms: percentiles(opens).p50Ms },
      decideOnline: { decisions: codes.length, ...online, outcomes, withLiveChallenger: percentiles(withChallenger) },
      dossierPerRequest: { decisions: DOSSIER_PATH_DECISIONS, ...dossierPath },
      cliDecide: { runs: cliSeconds.length, seconds: cliSeconds.map((s) => round(s)), medianSeconds: cliMedianSeconds === null ? null : round(cliMedianSeconds) },
      ratios: {
        cliDecideOverOnlineP50: cliMedianSeconds === null ? null : Math.round((cliMedianSeconds * 1000) / online.p50Ms),
        dossierPerRequestOverOnlineP50: round(dossierPath.p50Ms / online.p50Ms, 1),
      },
      maxRssKb: process.resourceUsage().maxRSS,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function child(script: string, args: string[]): { seconds: number; output: Record<string, unknown> } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, output: JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
}

async function suite(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const sizesFlag = argv.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? argv[sizesFlag + 1]!.split(',').map(Number) : quick ? [20_000] : [20_000, 200_000];
  const months = 36;
  const asOf = '2025-10-01';
  // --work DIR keeps the generated economies there and reuses them on the next run (they take minutes to make).
  const workFlag = argv.indexOf('--work');
  const keep = workFlag >= 0;
  const work = keep ? argv[workFlag + 1]! : mkdtempSync(join(tmpdir(), 'puhui-bench-online-'));
  mkdirSync(work, { recursive: true });
  const results: Record<string, unknown>[] = [];
  try {
    for (const enterprises of sizes) {
      const raw = join(work, `raw-${enterprises}`);
      const dataset = join(work, `dataset-${enterprises}`);
      const reused = existsSync(join(dataset, 'enterprises.parquet'));
      const synth = reused ? null : child('bench/steps/synth.ts', [raw, String(enterprises), String(months)]);
      const imported = reused ? null : child('bench/steps/import.ts', [raw, dataset]);
      if (!keep) rmSync(raw, { recursive: true, force: true });
      // The command path recomputes the whole dataset per call: 3 runs at 20,000, 1 at larger sizes.
      const measured = child('bench/steps/snapshot.ts', ['measure', dataset, asOf, enterprises <= 20_000 ? '3' : '1']);
      results.push({ enterprises, months, ...(synth ? { rows: synth.output.rows, synthSeconds: round(synth.seconds), importSeconds: round(imported!.seconds) } : { reusedEconomy: true }),
        ...measured.output, maxRssMb: Math.round(Number(measured.output.maxRssKb) / 1024) });
      if (!keep) rmSync(dataset, { recursive: true, force: true });
      console.error(`snapshot bench ${enterprises}: ${JSON.stringify(results.at(-1))}`);
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/snapshot.json', JSON.stringify({
    benchmark: 'online decisions: snapshot job, open, decideOnline against puhui decide DIR CODE', date: new Date().toISOString().slice(0, 10), node: process.version, quick, asOf, results,
    aims: { openMsMax: 1000, decideOnlineP99MsMax: 2, note: 'open: 20,000 firms well under a second; one decision in-process about a millisecond; 2 cores shared with other work' },
    baselineNote: 'cliDecide = `puhui decide DIR CODE` as a user runs it (features of the whole dataset and its invoice network per call); dossierPerRequest = in process, the dossier read from the Parquet dataset per request with the reference and fraud report prepared once; both measured in the same run as decideOnline',
  }, null, 2) + '\n');
  for (const r of results as { enterprises: number; build: { seconds: number; megabytes: number }; open: { firstMs: number }; decideOnline: { p50Ms: number; p99Ms: number }; cliDecide: { medianSeconds: number | null }; ratios: { cliDecideOverOnlineP50: number | null; dossierPerRequestOverOnlineP50: number } }[]) {
    console.log(`snapshot ${r.enterprises}: build ${r.build.seconds} s (${r.build.megabytes} MB), open ${r.open.firstMs} ms; decideOnline p50 ${r.decideOnline.p50Ms} ms, p99 ${r.decideOnline.p99Ms} ms; puhui decide DIR CODE ${r.cliDecide.medianSeconds} s (×${r.ratios.cliDecideOverOnlineP50}); dossier per request ×${r.ratios.dossierPerRequestOverOnlineP50}`);
  }
  console.log('written bench/results/snapshot.json');
}

const argv = process.argv.slice(2);
if (argv[0] === 'measure') {
  const [, dataset, asOf, cliRuns] = argv;
  console.log(JSON.stringify(await measure(dataset!, asOf!, Number(cliRuns ?? '1'))));
} else if (argv.includes('--suite')) {
  await suite(argv);
} else {
  throw new Error('usage: bench/steps/snapshot.ts --suite [--quick] [--sizes N,M] | measure DATASET AS_OF CLI_RUNS');
}
