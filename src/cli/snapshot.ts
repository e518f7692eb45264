/** `puhui snapshot DIR --as-of D`: the job that builds what online decisions read for one as-of date. */
import { resolve } from 'node:path';
import { readManifest } from '../data/index.ts';
import { buildSnapshot } from '../pipeline/snapshot.ts';
import { intFlag, parse, print, UsageError } from './args.ts';
import { ProgressBar } from './progress.ts';

const BUILD_STEPS = ['hashing the dataset', 'features and compact dossiers', 'anti-fraud (invoice network, identities, local checks)', 'entries'];

export async function commandSnapshot(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { 'as-of': { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('usage: puhui snapshot DIR --as-of YYYY-MM-DD [--out DIR] [--workers N]');
  const json = flags.json === true;
  const dir = resolve(positionals[0]!);
  const asOf = typeof flags['as-of'] === 'string' ? flags['as-of'] : readManifest(dir)?.observationDate;
  if (!asOf) throw new UsageError('give --as-of YYYY-MM-DD (the dataset has no manifest with an observation date)');
  const bar = new ProgressBar('snapshot', json);
  const started = performance.now();
  const info = await buildSnapshot({
    datasetDir: dir, asOf, outDir: typeof flags.out === 'string' ? resolve(flags.out) : undefined,
    workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 2),
    onProgress: (step) => bar.update(Math.max(0, BUILD_STEPS.indexOf(step)), BUILD_STEPS.length, step.split(' ')[0]),
  });
  bar.done();
  const seconds = (performance.now() - started) / 1000;
  print(json, { ...info, seconds }, () => [
    `Snapshot ${info.id} of ${info.datasetDir} as of ${info.asOf}: ${info.enterprises} enterprises, built ${info.builtAt} (${seconds.toFixed(1)} s here; an existing snapshot of the same data and date is reused)`,
    `Folder: ${info.dir}`,
    'Online decisions read it without touching the dataset (src/pipeline/online.ts; docs/online.md). 快照已就绪。',
  ].join('\n'));
}
