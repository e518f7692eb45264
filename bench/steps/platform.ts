/**
 * The platform's benchmark: `puhui platform simulate` at 2,000 enterprises (--quick) or 20,000, the time per
 * simulated month against a baseline measured in the same run — the month's credit decisions alone
 * (decideOnline in process, as many as the simulation made, on the same snapshot) — so the ratio says what the
 * platform's records (needs, claims, offers, consents, covers, audit) cost on top of deciding.
 *
 *   node --import tsx bench/steps/platform.ts [--quick] [--months N] [--work DIR]   (writes bench/results/platform.json)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideOnline } from '../../src/pipeline/online.ts';
import { prepareEconomy } from '../../src/platform/simulate-economy.ts';
import { runSimulation } from '../../src/platform/simulate-run.ts';

const quick = process.argv.includes('--quick');
const monthsArg = process.argv.indexOf('--months');
const months = monthsArg > 0 ? Number(process.argv[monthsArg + 1]) : quick ? 3 : 12;
const workArg = process.argv.indexOf('--work');
const work = workArg > 0 ? process.argv[workArg + 1]! : mkdtempSync(join(tmpdir(), 'puhui-bench-platform-'));
const enterprises = quick ? 2_000 : 20_000;
const seed = 1;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

const loadBefore = loadavg();
const run = await runSimulation({ months, seed, enterprises, banks: 5, outDir: join(work, 'out'), workDir: join(work, 'economy') });
const monthMsMean = run.monthMs.reduce((a, b) => a + b, 0) / run.monthMs.length;

// Baseline: the same number of decisions per month as the simulation made (one per claim), in process.
const economy = await prepareEconomy({ enterprises, seed, workDir: join(work, 'economy') });
const claimsPerMonth = Math.max(1, Math.round(run.figures.totals.claims / months));
const codes = economy.firms.map((f) => f.creditCode);
for (let k = 0; k < 50; k++) await decideOnline(economy.snapshot, { creditCode: codes[k % codes.length]!, amountFen: 50_000_000, termMonths: 12 }); // warm-up
const started = performance.now();
for (let k = 0; k < claimsPerMonth; k++) await decideOnline(economy.snapshot, { creditCode: codes[(k * 7919) % codes.length]!, amountFen: 50_000_000, termMonths: 12 });
const decisionsMs = performance.now() - started;
economy.snapshot.close();

const result = {
  benchmark: 'platform simulation: time per simulated month', date: new Date().toISOString().slice(0, 10), node: process.version, quick,
  enterprises: run.figures.enterprises, banks: run.figures.banks.length, months, seed,
  setupSeconds: round(run.setupMs / 1000), monthSecondsMean: round(monthMsMean / 1000), monthSeconds: run.monthMs.map((ms) => round(ms / 1000)),
  perMonth: { needs: round(run.figures.totals.needs / months, 1), claims: round(run.figures.totals.claims / months, 1), loans: round(run.figures.totals.loans / months, 1) },
  baseline: { what: 'the month\'s decisions alone (decideOnline in process, one per claim)', decisions: claimsPerMonth, seconds: round(decisionsMs / 1000, 3) },
  monthOverDecisionsAlone: round(monthMsMean / decisionsMs, 1),
  loadAverage: { before: loadBefore.map((v) => round(v)), after: loadavg().map((v) => round(v)) },
  totals: run.figures.totals,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(join('bench', 'results', 'platform.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`platform simulation: ${result.enterprises} enterprises, ${months} months: ${result.monthSecondsMean} s per simulated month (setup ${result.setupSeconds} s); `
  + `${result.perMonth.needs} needs, ${result.perMonth.claims} claims, ${result.perMonth.loans} loans a month; ×${result.monthOverDecisionsAlone} the month's decisions alone `
  + `(load average ${result.loadAverage.before[0]} → ${result.loadAverage.after[0]}); written bench/results/platform.json`);
