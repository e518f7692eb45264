/** `puhui platform simulate`: the 信易贷 platform run month by month over a synthetic economy (src/platform/simulate-run.ts). */
import { resolve } from 'node:path';
import { intFlag, parse, print, UsageError } from './args.ts';
import { runSimulation } from '../platform/simulate-run.ts';

const USAGE = 'usage: puhui platform simulate [--months 12] [--seed S] [--out DIR] [--enterprises N] [--banks N] [--json]';

export async function commandPlatform(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'simulate') throw new UsageError(USAGE);
  const { flags, positionals } = parse(rest, { months: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, enterprises: { type: 'string' }, banks: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(USAGE);
  const json = flags.json === true;
  const months = intFlag(flags, 'months', 12);
  if (months < 1 || months > 12) throw new UsageError('--months must be 1..12 (the economy holds outcomes for the 12 months after its observation date)');
  const run = await runSimulation({
    months, seed: intFlag(flags, 'seed', 1), enterprises: intFlag(flags, 'enterprises', 2_000), banks: intFlag(flags, 'banks', 5),
    outDir: resolve(typeof flags.out === 'string' ? flags.out : 'puhui-simulation'),
    onProgress: json ? undefined : (step) => process.stderr.write(`  ${step}\n`),
  });
  const t = run.figures.totals;
  const perMonth = run.monthMs.reduce((a, b) => a + b, 0) / Math.max(1, run.monthMs.length);
  print(json, { figures: run.figures, files: run.files, setupMs: Math.round(run.setupMs), monthMs: run.monthMs.map(Math.round) }, () => [
    `Platform simulation: ${run.figures.enterprises} enterprises, ${run.figures.banks.length} banks, ${run.figures.months} months from ${run.figures.startMonth} (seed ${run.figures.seed})`,
    `  needs ${t.needs}, claims ${t.claims}, offers ${t.offers}, loans ${t.loans} (${(t.loanAmountFen / 100).toLocaleString('en-US')} yuan), defaults ${t.defaults}, fund claims ${t.fundClaims}`,
    `  fund balance ${(run.figures.fund.balanceFen / 100).toLocaleString('en-US')} yuan, reconciled to the fen: ${run.figures.fund.reconciled ? 'yes' : 'NO'}`,
    `  ${(perMonth / 1000).toFixed(2)} s per simulated month (setup ${(run.setupMs / 1000).toFixed(1)} s)`,
    `Figures: ${run.files.json}`,
    `Report:  ${run.files.html}`,
  ].join('\n'));
}
