/**
 * Start-up of the installed command: `puhui --help` and `puhui features --list` through bin/puhui.js (the
 * compiled dist/), against `node -e 0` (the floor: starting Node itself) and against the same CLI run from the
 * TypeScript sources through tsx (what every call cost before the build), all in this run, interleaved, the
 * median of ROUNDS each. Prints JSON. Builds dist/ first (incrementally) so the figures are of the current code.
 *
 *   node --import tsx bench/steps/startup.ts [ROUNDS]
 */
import { spawnSync } from 'node:child_process';

const rounds = Number(process.argv[2] ?? 7);
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);

const fromSources = (args: string[]) => ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`];
const commands: Record<string, string[]> = {
  nodeBare: ['-e', '0'],
  help: ['bin/puhui.js', '--help'],
  featuresList: ['bin/puhui.js', 'features', '--list'],
  helpFromSources: fromSources(['--help']),
  featuresListFromSources: fromSources(['features', '--list']),
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, args] of Object.entries(commands)) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    samples[name]!.push(ms);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const ms = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Math.round(median(values))])) as Record<keyof typeof commands, number>;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
process.stdout.write(JSON.stringify({
  rounds, medianMs: ms,
  overNodeBare: { help: ratio(ms.help!, ms.nodeBare!), featuresList: ratio(ms.featuresList!, ms.nodeBare!) },
  aboveNodeBareMs: { help: ms.help! - ms.nodeBare!, featuresList: ms.featuresList! - ms.nodeBare! },
  sourcesOverCompiled: { help: ratio(ms.helpFromSources!, ms.help!), featuresList: ratio(ms.featuresListFromSources!, ms.featuresList!) },
  maxRssKb: process.resourceUsage().maxRSS,
}) + '\n');
