/** `puhui synth`: a deterministic synthetic economy written to a folder. */
import { DEFAULT_SYNTH_CONFIG, type SynthConfig } from '../synth/index.ts';
import { runSynth } from '../pipeline/synth-import.ts';
import { intFlag, parse, pathFlag, print, stringFlag, UsageError } from './args.ts';
import { renderTable } from './table.ts';
import { ProgressBar } from './progress.ts';

export function synthConfigOf(flags: Record<string, string | boolean | undefined>): SynthConfig {
  const badRate = stringFlag(flags, 'bad-rate');
  if (badRate !== null && (badRate.trim() === '' || !Number.isFinite(Number(badRate)))) throw new UsageError(`--bad-rate must be a number, got '${badRate}'`);
  return {
    ...DEFAULT_SYNTH_CONFIG,
    enterprises: intFlag(flags, 'enterprises', DEFAULT_SYNTH_CONFIG.enterprises),
    months: intFlag(flags, 'months', DEFAULT_SYNTH_CONFIG.months),
    seed: intFlag(flags, 'seed', DEFAULT_SYNTH_CONFIG.seed),
    endMonth: stringFlag(flags, 'end-month') ?? DEFAULT_SYNTH_CONFIG.endMonth,
    badRate: badRate === null ? DEFAULT_SYNTH_CONFIG.badRate : Number(badRate),
  };
}

export function renderRowCounts(title: string, counts: Record<string, number | undefined>): string {
  return [title, ...renderTable(['entity', 'rows'], Object.entries(counts).map(([entity, n]) => [entity, String(n ?? 0)]))].join('\n');
}

export async function commandSynth(argv: string[]): Promise<void> {
  const { flags } = parse(argv, { out: { type: 'string' }, enterprises: { type: 'string' }, months: { type: 'string' }, seed: { type: 'string' }, 'end-month': { type: 'string' }, 'bad-rate': { type: 'string' } });
  const out = pathFlag(flags, 'out');
  if (out === null) throw new UsageError('synth needs --out DIR');
  const bar = new ProgressBar('synth ', flags.json === true);
  const result = runSynth(synthConfigOf(flags), out, (stage, done, total) => bar.update(done, total, stage));
  bar.done();
  print(flags.json === true, result.manifest, () => renderRowCounts(`Synthetic economy written to ${result.dir}`, result.manifest.rowCounts ?? {}));
}
