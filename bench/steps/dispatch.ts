/**
 * Whitelist dispatch on the synthetic economy (issue #13 item 3): the HiGHS MIP against the greedy baseline on the
 * same whitelist and banks, in the same run — share of firms matched, expected loss, fairness across banks (Gini of
 * the banks' utilisation, highest over lowest utilisation) and solve time, as ratios MIP / greedy. Writes
 * bench/results/dispatch.json and prints one summary line.
 *
 *   node --import tsx bench/steps/dispatch.ts [firms=1000] [--quick]
 *
 * The whitelist is the economy's first N firms. Each firm's need is 10 % of its annual revenue (10,000 yuan to
 * 5 million, in whole 10,000 yuan); its 12-month PD comes from the generator's latent health through the generator's
 * own hazard shape (monthly logistic(a − 1.3·health), a = −6.2 here), LGD 45 %; rating A below 1 % PD, B below 3 %,
 * C below 8 %, D above. Eight banks with capacities for about 60 % of the firms, different risk appetites,
 * minimum ratings, regions and industries, drawn from a fixed seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createFirms } from '../../src/synth/firms.ts';
import { DEFAULT_SYNTH_CONFIG, INDUSTRY_PROFILES } from '../../src/synth/index.ts';
import { Rng } from '../../src/synth/random.ts';
import { dispatchGreedy, dispatchMip, loadDispatchPolicy, type DispatchBank, type DispatchFirm, type DispatchProblem, type DispatchResult, type Rating } from '../../src/platform/dispatch.ts';

const quick = process.argv.includes('--quick');
const firmCount = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? (quick ? 300 : 1_000));
const HAZARD_INTERCEPT = -6.2;
const LGD = 0.45;
const WAN_FEN = 1_000_000;

function economyWhitelist(count: number): DispatchFirm[] {
  const firms = createFirms({ ...DEFAULT_SYNTH_CONFIG, enterprises: Math.max(50, count) });
  return Array.from({ length: count }, (_, i) => {
    const monthly = 1 / (1 + Math.exp(-(HAZARD_INTERCEPT - 1.3 * firms.healthBase[i]!)));
    const pd = 1 - (1 - monthly) ** 12;
    const rating: Rating = pd < 0.01 ? 'A' : pd < 0.03 ? 'B' : pd < 0.08 ? 'C' : 'D';
    const wan = Math.min(500, Math.max(1, Math.round((firms.revenueYuan[i]! * 0.1) / 10_000)));
    return {
      creditCode: firms.code[i]!, amountFen: wan * WAN_FEN, rating, expectedLossBps: Math.round(pd * LGD * 10_000),
      industry: INDUSTRY_PROFILES[firms.profile[i]!]!.section, region: firms.region[i]!.slice(0, 2),
    };
  });
}

function banksFor(firms: readonly DispatchFirm[]): DispatchBank[] {
  const rng = new Rng(2026, 'dispatch-bench-banks');
  const regions = [...new Set(firms.map((f) => f.region))];
  const industries = [...new Set(firms.map((f) => f.industry))];
  const meanAmountFen = firms.reduce((s, f) => s + f.amountFen, 0) / firms.length;
  return Array.from({ length: 8 }, (_, j) => {
    const firmCountMax = Math.round((firms.length * 0.6 / 8) * rng.between(0.5, 1.5));
    return {
      bankId: `bank-${j + 1}`, firmCountMax,
      amountFenMax: Math.round(firmCountMax * meanAmountFen * rng.between(0.6, 1.2) / WAN_FEN) * WAN_FEN,
      ratingMin: (['A', 'B', 'C'] as const)[j % 3]!,
      expectedLossBpsMax: 60 + rng.int(120),
      products: [{
        productId: `bank-${j + 1}-credit`, amountFenMin: WAN_FEN, amountFenMax: (j % 2 === 0 ? 300 : 500) * WAN_FEN,
        ratings: ['A', 'B', 'C'], rateBps: 350 + rng.int(150),
        // Half the banks lend in a few regions only, a quarter in some industries only.
        regions: j % 2 === 0 ? regions.filter(() => rng.chance(0.4)) : [],
        industries: j % 4 === 1 ? industries.filter(() => rng.chance(0.6)) : [],
      }],
    };
  });
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

function summary(r: DispatchResult, seconds: number) {
  const { loads: _loads, ...figures } = r.figures;
  return { status: r.status, objectiveValue: r.objectiveValue, seconds: Math.round(seconds * 1000) / 1000, ...figures };
}

const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000);

const policy = loadDispatchPolicy();
const firms = economyWhitelist(firmCount);
const banks = banksFor(firms);
const results: Record<string, unknown> = {};
for (const objective of ['matchedFirms', 'expectedValue'] as const) {
  const problem: DispatchProblem = { firms, banks, objective };
  const greedy = await timed(() => dispatchGreedy(problem, policy));
  const mip = await timed(() => dispatchMip(problem, policy));
  results[objective] = {
    pairs: mip.result.pairs, mip: { ...summary(mip.result, mip.seconds), gap: mip.result.gap }, greedy: summary(greedy.result, greedy.seconds),
    mipOverGreedy: {
      objective: ratio(mip.result.objectiveValue, greedy.result.objectiveValue),
      shareMatched: ratio(mip.result.figures.shareMatched, greedy.result.figures.shareMatched),
      expectedLossBps: ratio(mip.result.figures.expectedLossBps, greedy.result.figures.expectedLossBps),
      giniUtilisation: ratio(mip.result.figures.giniUtilisation, greedy.result.figures.giniUtilisation),
      seconds: ratio(mip.seconds, greedy.seconds),
    },
  };
}
const ratings = Object.fromEntries((['A', 'B', 'C', 'D'] as const).map((r) => [r, firms.filter((f) => f.rating === r).length]));
const report = {
  benchmark: 'whitelist dispatch: HiGHS MIP against the greedy baseline on the synthetic economy', date: new Date().toISOString().slice(0, 10),
  node: process.version, quick, firms: firmCount, banks: banks.length, ratings, policy: `${policy.id}@${policy.version}`,
  loadAverage1m: Math.round(loadavg()[0]! * 100) / 100, cpus: cpus().length, results,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/dispatch.json', JSON.stringify(report, null, 2) + '\n');
const m = results.matchedFirms as { mip: { shareMatched: number; seconds: number; status: string }; greedy: { shareMatched: number; seconds: number } };
console.log(`dispatch ${firmCount} firms × ${banks.length} banks: MIP matched ${m.mip.shareMatched.toFixed(3)} (${m.mip.status}, ${m.mip.seconds} s), greedy ${m.greedy.shareMatched.toFixed(3)} (${m.greedy.seconds} s); load ${report.loadAverage1m}`);
console.log('written bench/results/dispatch.json');
