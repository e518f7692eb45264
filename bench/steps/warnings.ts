// Early warnings at scale: generate an economy, measure the lead time of strategies/early-warning.json
// (share of defaults flagged 3–6 months ahead, false alarms among firms that do not default), and the speed
// of one warning: the signals alone (the baseline: point-in-time computation on the feature context) against
// signals + the rules engine, measured in the same run. Writes bench/results/warnings.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../../src/synth/index.ts';
import { readCompactDossiers } from '../../src/features/batch.ts';
import { dayNumber } from '../../src/domain/period.ts';
import { evaluateWarnings, loadMonitoringPolicy, loadWarningStrategy, measureLeadTime, WarningEngine, warningSignals } from '../../src/monitoring/index.ts';

const enterprises = Number(process.argv[2] ?? 5_000);
const work = mkdtempSync(join(tmpdir(), 'puhui-warnings-'));
const round = (x: number) => Math.round(x * 1000) / 1000;
try {
  generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises }, work);
  const engine = new WarningEngine();
  const strategy = loadWarningStrategy();
  let started = performance.now();
  const report = await measureLeadTime({ datasetDir: work, strategy, engine, policy: loadMonitoringPolicy() });
  const leadTimeSeconds = (performance.now() - started) / 1000;
  const asOf = '2026-06-01';
  const { codes, dossiers } = await readCompactDossiers(work, asOf);
  started = performance.now();
  for (const d of dossiers) warningSignals(d, dayNumber(asOf));
  const signalsSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for (let k = 0; k < dossiers.length; k++) await evaluateWarnings(engine, strategy, dossiers[k]!, asOf, { creditCode: codes[k]! });
  const warningsSeconds = (performance.now() - started) / 1000;
  engine.dispose();
  const summary = {
    benchmark: 'early warnings: lead time and speed', date: new Date().toISOString().slice(0, 10), node: process.version, enterprises, loadAverage1m: round(loadavg()[0]!),
    leadTime: report, leadTimeSeconds: round(leadTimeSeconds),
    speed: {
      enterprises: dossiers.length, signalsPerSecond: Math.round(dossiers.length / signalsSeconds), warningsPerSecond: Math.round(dossiers.length / warningsSeconds),
      warningOverSignals: round(warningsSeconds / signalsSeconds), baselineNote: 'baseline = the signals alone on the same dossiers in the same run; a warning adds the rules engine',
    },
    aims: { detectionShareMin: 0.7, falseAlarmShareMax: 0.1 },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/warnings.json', JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify({ ...summary, leadTime: { defaulters: report.defaulters, nonDefaulters: report.nonDefaulters, aimMet: report.aimMet }, maxRssKb: process.resourceUsage().maxRSS }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
