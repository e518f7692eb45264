/**
 * Benchmarks, each step in its own child process so peak memory (max RSS) is that step's alone, at 2,000 and
 * 20,000 enterprises × 36 months:
 * - foundation: synthetic-economy generation and import throughput; the import against a plain DuckDB
 *   CSV → Parquet copy of the same files (no validation), the floor any validating import stands on;
 * - features: batch throughput (enterprises/s) against the same features written as DuckDB SQL (a subset
 *   of 16 of the catalogue, bench/features-sql.ts), and online latency for one enterprise with ~2,000 invoices.
 * - decisions: one full credit decision in-process (p50/p99) and batch decisions per second, the rules engine
 *   against the same strategy written by hand in TypeScript.
 * Memory growth is compared against the growth of the data. Results go to bench/results/*.json.
 *
 * - startup: `puhui --help` and `puhui features --list` (the compiled CLI) against `node -e 0` and against the
 *   same CLI from the TypeScript sources, in the same run.
 *
 *   npm run bench                      the full run (20,000 × 36; about 3 minutes)
 *   npm run bench -- --quick           small sizes only, for a smoke check
 *   npm run bench -- --startup-only    the start-up figures alone
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURES } from '../src/features/index.ts';
import { SQL_FEATURES } from './features-sql.ts';

const quick = process.argv.includes('--quick');
const startupOnly = process.argv.includes('--startup-only');
const sizes = quick ? [500, 2_000] : [2_000, 20_000];
const months = 36;

interface Measure { seconds: number; maxRssMb: number; output: Record<string, unknown> }

function measure(script: string, args: string[]): Measure {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as Record<string, unknown>;
  return { seconds, maxRssMb: Math.round(Number(output.maxRssKb) / 1024), output };
}

// Start-up first, before the machine is busy with the larger steps' leftovers.
{
  const startup = measure('bench/steps/startup.ts', [quick ? '5' : '9']);
  const s = startup.output as { medianMs: Record<string, number>; overNodeBare: { help: number; featuresList: number }; sourcesOverCompiled: { help: number; featuresList: number } };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/startup.json', JSON.stringify({
    benchmark: 'start-up of the puhui command', date: new Date().toISOString().slice(0, 10), node: process.version, quick, ...startup.output,
    aims: { helpMsMax: 300, featuresListMsMax: 300, note: 'a few hundred milliseconds for --help and features --list, compiled JavaScript, on 2 cores' },
    baselineNote: 'nodeBare = node -e 0 (starting Node itself); *FromSources = the same CLI compiled by tsx at the call, as every call was before the build',
  }, null, 2) + '\n');
  const m = s.medianMs;
  console.log(`start-up: puhui --help ${m.help} ms, features --list ${m.featuresList} ms, node -e 0 ${m.nodeBare} ms (×${s.overNodeBare.help}, ×${s.overNodeBare.featuresList}); from the sources through tsx ×${s.sourcesOverCompiled.help} and ×${s.sourcesOverCompiled.featuresList} slower`);
  console.log('written bench/results/startup.json');
  if (startupOnly) process.exit(0);
}

console.log(`early warnings: ${JSON.stringify(measure('bench/steps/warnings.ts', [String(quick ? 2_000 : 20_000)]).output.leadTime)} (bench/results/warnings.json)`);
const work = mkdtempSync(join(tmpdir(), 'puhui-bench-'));
const asOf = '2025-10-01';
const results: Record<string, unknown>[] = [];
const featureResults: Record<string, unknown>[] = [];
let online: Record<string, unknown> = {};
let decisions: Measure | null = null;
try {
  for (const enterprises of sizes) {
    const raw = join(work, `raw-${enterprises}`);
    const generated = measure('bench/steps/synth.ts', [raw, String(enterprises), String(months)]);
    const rows = Number(generated.output.rows);
    const imported = measure('bench/steps/import.ts', [raw, join(work, `dataset-${enterprises}`)]);
    const copied = measure('bench/steps/copy.ts', [raw, join(work, `copy-${enterprises}`)]);
    const dataset = join(work, `dataset-${enterprises}`);
    const features = measure('bench/steps/features.ts', [dataset, asOf, '2']);
    const featuresInline = measure('bench/steps/features.ts', [dataset, asOf, '0']);
    const sql = measure('bench/steps/features-sql.ts', [dataset, asOf]);
    if (enterprises === sizes.at(-1)) {
      online = measure('bench/steps/online.ts', [dataset]).output;
      decisions = measure('bench/steps/decisions.ts', [dataset, asOf]);
    }
    featureResults.push({
      enterprises,
      batch: { seconds: round(features.seconds), enterprisesPerSecond: Math.round(enterprises / Number(features.output.seconds)), maxRssMb: features.maxRssMb, workers: 2 },
      batchInline: { enterprisesPerSecond: Math.round(enterprises / Number(featuresInline.output.seconds)), maxRssMb: featuresInline.maxRssMb },
      duckdbSql: { seconds: round(Number(sql.output.seconds)), maxRssMb: sql.maxRssMb, features: SQL_FEATURES.length },
      batchOverSql: round(Number(features.output.seconds) / Number(sql.output.seconds)),
    });
    results.push({
      enterprises, months, rows, invoices: generated.output.invoices,
      synth: { seconds: round(generated.seconds), rowsPerSecond: Math.round(rows / generated.seconds), maxRssMb: generated.maxRssMb },
      import: { seconds: round(imported.seconds), rowsPerSecond: Math.round(rows / imported.seconds), maxRssMb: imported.maxRssMb, rejected: imported.output.rejected },
      plainCopy: { seconds: round(copied.seconds), maxRssMb: copied.maxRssMb },
      importOverPlainCopy: round(imported.seconds / copied.seconds),
    });
    rmSync(raw, { recursive: true, force: true });
    rmSync(join(work, `copy-${enterprises}`), { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const base = results[0] as { rows: number; synth: { maxRssMb: number }; import: { maxRssMb: number } };
const largest = results.at(-1) as typeof base;
const summary = {
  benchmark: 'foundation: synthetic economy and import', date: new Date().toISOString().slice(0, 10), node: process.version, quick, results,
  growth: {
    rowsRatio: round(largest.rows / base.rows),
    synthMaxRssRatio: round(largest.synth.maxRssMb / base.synth.maxRssMb),
    importMaxRssRatio: round(largest.import.maxRssMb / base.import.maxRssMb),
  },
  aims: { synthSecondsMax: 60, importSecondsMax: 60, note: 'at 20,000 enterprises × 36 months on 2 cores' },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/foundation.json', JSON.stringify(summary, null, 2) + '\n');
for (const r of results as { enterprises: number; rows: number; synth: { seconds: number; rowsPerSecond: number; maxRssMb: number }; import: { seconds: number; rowsPerSecond: number; maxRssMb: number }; importOverPlainCopy: number }[]) {
  console.log(`${r.enterprises} × ${months}: ${r.rows} rows · synth ${r.synth.seconds}s (${r.synth.rowsPerSecond} rows/s, ${r.synth.maxRssMb} MB) · import ${r.import.seconds}s (${r.import.rowsPerSecond} rows/s, ${r.import.maxRssMb} MB, ${r.importOverPlainCopy}× a plain copy)`);
}
console.log(`growth ×${summary.growth.rowsRatio} rows → synth memory ×${summary.growth.synthMaxRssRatio}, import memory ×${summary.growth.importMaxRssRatio}`);
console.log('written bench/results/foundation.json');

const featureSummary = {
  benchmark: 'features: batch table and online latency', date: summary.date, node: process.version, quick, asOf, features: FEATURES.length,
  online, batch: featureResults,
  aims: { onlineP99MsMax: 0.5, batchEnterprisesPerSecondMin: 10_000, note: 'online: one enterprise with 36 months and ~2,000 invoices; batch: 20,000 enterprises on 2 cores' },
  note: `the DuckDB SQL baseline computes ${SQL_FEATURES.length} of the ${FEATURES.length} features (same definitions, checked equal by test/features/sql-baseline.test.ts)`,
};
writeFileSync('bench/results/features.json', JSON.stringify(featureSummary, null, 2) + '\n');
const latency = online as { invoices?: number; fromDossier?: { p50Ms: number; p99Ms: number }; fromCompact?: { p50Ms: number; p99Ms: number } };
if (latency.fromDossier) {
  console.log(`online, ${latency.invoices} invoices: from a Dossier p50 ${latency.fromDossier.p50Ms.toFixed(3)} ms, p99 ${latency.fromDossier.p99Ms.toFixed(3)} ms; from its compact form p50 ${latency.fromCompact!.p50Ms.toFixed(3)} ms, p99 ${latency.fromCompact!.p99Ms.toFixed(3)} ms`);
}
for (const r of featureResults as { enterprises: number; batch: { enterprisesPerSecond: number; maxRssMb: number }; batchInline: { enterprisesPerSecond: number }; duckdbSql: { seconds: number }; batchOverSql: number }[]) {
  console.log(`features ${r.enterprises}: ${r.batch.enterprisesPerSecond} enterprises/s with 2 workers (${r.batchInline.enterprisesPerSecond}/s inline), ${r.batch.maxRssMb} MB; ${FEATURES.length} features take ${r.batchOverSql}× the time DuckDB SQL takes for ${SQL_FEATURES.length}`);
}
console.log('written bench/results/features.json');

// Credit decisions on the largest economy: online latency and batch throughput, engine against hand-written TypeScript.
{
  const d = decisions!.output as {
    enterprises: number; approved: number;
    online: Record<'fullDecision' | 'fullDecisionNative' | 'strategyOnly' | 'strategyOnlyNative', { p50Ms: number; p99Ms: number }>;
    batch: { endToEndSeconds: number; endToEndPerSecond: number; stages: { features: number; fraud: number; readAndScore: number }; strategySeconds: number; strategyPerSecond: number; nativePerSecond: number };
  };
  const decisionStagePerSecond = Math.round(d.enterprises / (d.batch.stages.readAndScore + d.batch.strategySeconds));
  const decisionSummary = {
    benchmark: 'credit decisions: online latency and batch throughput', date: summary.date, node: process.version, quick, enterprises: d.enterprises, approved: d.approved,
    online: d.online, batch: { ...d.batch, decisionStagePerSecond },
    engineOverNative: {
      onlineFullDecisionP50: round(d.online.fullDecision.p50Ms / d.online.fullDecisionNative.p50Ms), onlineFullDecisionP99: round(d.online.fullDecision.p99Ms / d.online.fullDecisionNative.p99Ms),
      strategyOnlyP50: round(d.online.strategyOnly.p50Ms / d.online.strategyOnlyNative.p50Ms), batchStrategy: round(d.batch.nativePerSecond / d.batch.strategyPerSecond),
    },
    maxRssMb: decisions!.maxRssMb,
    aims: { onlineFullDecisionP99MsMax: 2, batchDecisionsPerSecondMin: 5_000, note: 'online: features from the dossier + fraud lookup + routed score + strategy, one at a time; batch: score + strategy for every enterprise given the feature table and the fraud report, 2 cores' },
    baselineNote: 'native = the same strategy (strategies/tax-loan.json) written by hand in TypeScript (src/decision/native-tax-loan.ts), measured in the same process',
  };
  writeFileSync('bench/results/decisions.json', JSON.stringify(decisionSummary, null, 2) + '\n');
  const o = d.online;
  console.log(`decisions ${d.enterprises}: one full decision p50 ${o.fullDecision.p50Ms.toFixed(3)} ms, p99 ${o.fullDecision.p99Ms.toFixed(3)} ms (hand-written strategy: p50 ${o.fullDecisionNative.p50Ms.toFixed(3)}, p99 ${o.fullDecisionNative.p99Ms.toFixed(3)}); strategy alone p50 ${o.strategyOnly.p50Ms.toFixed(3)} ms vs ${o.strategyOnlyNative.p50Ms.toFixed(4)} ms`);
  console.log(`decisions batch: ${decisionStagePerSecond} decisions/s given features and fraud report (strategy ${d.batch.strategyPerSecond}/s, hand-written ${d.batch.nativePerSecond}/s, ×${decisionSummary.engineOverNative.batchStrategy}); end to end with features and anti-fraud ${d.batch.endToEndPerSecond}/s`);
  console.log('written bench/results/decisions.json');
}

// Anti-fraud ring detection at national scale (1,000,000 enterprises, 10,000,000 edges; --quick: a tenth).
const ringNodes = quick ? 100_000 : 1_000_000;
const rings = measure('bench/steps/rings.ts', [String(ringNodes), String(ringNodes * 10), '60000']);
const r = rings.output as { edges: number; buildSeconds: number; searchSeconds: number; plantedRecall: number; limits: number; baseline: { seconds: number; cutShort: boolean; plantedRecall: number } };
const fraudSummary = {
  benchmark: 'anti-fraud: ring detection', date: summary.date, node: process.version, quick, nodes: ringNodes, ...rings.output, maxRssMb: rings.maxRssMb,
  baselineOverPruned: round(r.baseline.seconds / r.searchSeconds),
  aims: { secondsMax: 60, memoryMbMax: 4096, note: '1,000,000 enterprises and 10,000,000 invoice edges with planted rings, 2 cores' },
  baselineNote: 'the same depth-first enumeration without strongly-connected-component pruning, same constraints, same run',
};
writeFileSync('bench/results/fraud.json', JSON.stringify(fraudSummary, null, 2) + '\n');
console.log(`rings ${ringNodes} nodes / ${r.edges} edges: build ${round(r.buildSeconds)} s, SCC + search ${round(r.searchSeconds)} s, planted recall ${r.plantedRecall}, ${rings.maxRssMb} MB; without component pruning ${round(r.baseline.seconds)} s (${fraudSummary.baselineOverPruned}×)${r.baseline.cutShort ? ', cut short by its time budget' : ''}`);
console.log('written bench/results/fraud.json');

// Model kit: binning + WOE + logistic regression on 1,000,000 rows × 50 features, and scoring them (--quick: 100,000).
const modelRows = quick ? 100_000 : 1_000_000;
const models = measure('bench/steps/models.ts', [String(modelRows)]);
const mo = models.output as { fitSeconds: number; scoreSeconds: number; scoreRowsPerSecond: number; kept: number };
writeFileSync('bench/results/models.json', JSON.stringify({
  benchmark: 'model kit: fit and score', date: summary.date, node: process.version, quick, rows: modelRows, features: 50, ...models.output, maxRssMb: models.maxRssMb,
  aims: { fitSecondsMax: 60, scoreRowsPerSecondMin: 1_000_000, memoryMbMax: 4096, note: '1,000,000 rows × 50 features on 2 cores' },
}, null, 2) + '\n');
console.log(`models ${modelRows} rows × 50 features: fit ${round(mo.fitSeconds)} s (${mo.kept} kept), score ${mo.scoreRowsPerSecond} rows/s, ${models.maxRssMb} MB`);
console.log('written bench/results/models.json');

spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/snapshot.ts', '--suite', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // online decisions from a snapshot: bench/results/snapshot.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/service.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // decisions over HTTP: bench/results/service.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/market.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // the marketplace: bench/results/market.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/close.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // the loans' nightly close, 1 vs 2 workers: bench/results/close.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/selfproof.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // self-proof OCR accuracy and latency: bench/results/selfproof.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/platform.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // platform simulation, time per simulated month: bench/results/platform.json
spawnSync(process.execPath, ['--import', 'tsx', 'bench/steps/dispatch.ts', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' }); // whitelist dispatch, MIP against greedy: bench/results/dispatch.json

// The cycle search beside networkx (the bench's yardstick only; the product never calls Python).
const cycles = measure('bench/steps/cycles.ts', quick ? ['--quick'] : []);
writeFileSync(join('bench', 'results', 'cycles.json'), JSON.stringify({
  benchmark: 'anti-fraud: complete cycle search against networkx', date: summary.date, node: process.version, quick, ...cycles.output, maxRssMb: cycles.maxRssMb,
}, null, 2) + '\n');

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
