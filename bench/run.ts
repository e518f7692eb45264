/**
 * Benchmarks for the foundation: synthetic-economy generation and import throughput, and peak memory as
 * the economy grows (2,000 → 20,000 enterprises × 36 months). Each size runs in its own child process so
 * peak memory (max RSS) is that run's alone. Ratios compare against the smallest size measured in the same
 * run; for the import, against a plain DuckDB CSV → Parquet copy of the same files (no validation), the
 * floor any validating import has to stand on. Results go to bench/results/foundation.json.
 *
 *   npm run bench                 the full run (20,000 × 36; about 3 minutes)
 *   npm run bench -- --quick      small sizes only, for a smoke check
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
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

const work = mkdtempSync(join(tmpdir(), 'puhui-bench-'));
const results: Record<string, unknown>[] = [];
try {
  for (const enterprises of sizes) {
    const raw = join(work, `raw-${enterprises}`);
    const generated = measure('bench/steps/synth.ts', [raw, String(enterprises), String(months)]);
    const rows = Number(generated.output.rows);
    const imported = measure('bench/steps/import.ts', [raw, join(work, `dataset-${enterprises}`)]);
    const copied = measure('bench/steps/copy.ts', [raw, join(work, `copy-${enterprises}`)]);
    results.push({
      enterprises, months, rows, invoices: generated.output.invoices,
      synth: { seconds: round(generated.seconds), rowsPerSecond: Math.round(rows / generated.seconds), maxRssMb: generated.maxRssMb },
      import: { seconds: round(imported.seconds), rowsPerSecond: Math.round(rows / imported.seconds), maxRssMb: imported.maxRssMb, rejected: imported.output.rejected },
      plainCopy: { seconds: round(copied.seconds), maxRssMb: copied.maxRssMb },
      importOverPlainCopy: round(imported.seconds / copied.seconds),
    });
    rmSync(raw, { recursive: true, force: true });
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

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
