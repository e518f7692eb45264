// Self-proof reading: a synthetic economy's invoices, licences and contracts rendered, degraded (8 ways) and
// read back offline; field and document accuracy per kind and degradation, and per-page latency (p50/p99)
// on one worker with 2 threads. Baseline in the same run: the same models with the detector at the page's
// full resolution and onnxruntime's default of spinning pool threads (what a plain pipeline does), on the first
// pages of the set, so the speed-up is a ratio. The load average is recorded with the figures.
//
//   node --import tsx bench/steps/selfproof.ts [--quick] [--per-kind N]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../../src/data/index.ts';
import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../../src/synth/index.ts';
import { evaluateReader, FIELDS_OF, generateEvaluationSet, OcrPool, type DocumentKind, type EvaluationReport } from '../../src/selfproof/index.ts';

const quick = process.argv.includes('--quick');
const perKindAt = process.argv.indexOf('--per-kind');
const perKind = perKindAt > 0 ? Number(process.argv[perKindAt + 1]) : quick ? 2 : 10;
const baselinePages = quick ? 4 : 24;
const work = mkdtempSync(join(tmpdir(), 'puhui-bench-selfproof-'));
try {
  const raw = join(work, 'raw');
  generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises: 150, months: 24, seed: 21 }, raw);
  const dataset = join(work, 'dataset');
  await importDataset({ sourceDir: raw, targetDir: dataset });
  const set = join(work, 'set');
  const pages = await generateEvaluationSet(dataset, set, { documentsPerKind: perKind, seed: 21 });
  const run = async (detectSideMaxPx: number | undefined, pagesMax: number, spinning = false): Promise<EvaluationReport> => {
    const pool = new OcrPool({ workers: 1, threadsPerWorker: 2, pageTimeoutMs: 120_000, detectSideMaxPx, spinning });
    try {
      return await evaluateReader(set, pool, { pagesMax });
    } finally {
      await pool.close();
    }
  };
  const loadBefore = loadavg()[0]!;
  const reader = await run(undefined, pages.length);
  const loadAfterReader = loadavg()[0]!;
  const baseline = await run(100_000, baselinePages, true);
  const samePages = summariseFirst(reader, baselinePages);
  const summary = {
    pages: pages.length, documentsPerKind: perKind, workers: 1, threadsPerWorker: 2,
    loadAverage1m: { before: Math.round(loadBefore * 10) / 10, afterReader: Math.round(loadAfterReader * 10) / 10, end: Math.round(loadavg()[0]! * 10) / 10 },
    overall: reader.overall, byKind: reader.byKind, byDegradation: reader.byDegradation, byKindAndDegradation: reader.byKindAndDegradation, byField: reader.byField,
    latencyMsP50: Math.round(reader.latencyMsP50), latencyMsP99: Math.round(reader.latencyMsP99), latencyMsMax: Math.round(reader.latencyMsMax),
    cpuMsP50: Math.round(reader.cpuMsP50), cpuMsP99: Math.round(reader.cpuMsP99),
    baselineFullResolution: { pages: baselinePages, spinning: true, latencyMsP50: Math.round(baseline.latencyMsP50), cpuMsP50: Math.round(baseline.cpuMsP50), fieldAccuracy: baseline.overall.fieldAccuracy },
    readerOnSamePages: { latencyMsP50: Math.round(samePages.p50), cpuMsP50: Math.round(samePages.cpuP50), fieldAccuracy: samePages.fieldAccuracy },
    baselineOverReaderP50: Math.round((100 * baseline.latencyMsP50) / samePages.p50) / 100,
    baselineOverReaderCpuP50: Math.round((100 * baseline.cpuMsP50) / samePages.cpuP50) / 100,
    wrong: reader.outcomes.filter((o) => o.wrong.length > 0 || o.error !== null).map((o) => ({ file: o.file, error: o.error, wrong: o.wrong })),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/selfproof${quick ? '-quick' : ''}.json`, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ ...summary, byField: undefined, byKindAndDegradation: undefined, wrong: summary.wrong.length, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}

function summariseFirst(report: EvaluationReport, count: number): { p50: number; cpuP50: number; fieldAccuracy: number } {
  const first = report.outcomes.slice(0, count);
  const times = first.map((o) => o.ms).sort((a, b) => a - b);
  const cpu = first.map((o) => o.cpuMs).sort((a, b) => a - b);
  const fields = first.reduce((n, o) => n + FIELDS_OF[o.kind as DocumentKind].length, 0);
  const wrong = first.reduce((n, o) => n + o.wrong.length, 0);
  return { p50: times[Math.floor(times.length / 2)] ?? 0, cpuP50: cpu[Math.floor(cpu.length / 2)] ?? 0, fieldAccuracy: fields === 0 ? 0 : (fields - wrong) / fields };
}
