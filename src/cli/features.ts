/** `puhui features`: the catalogue, or the feature table of a dataset as of a date with its information-value report. */
import { resolve } from 'node:path';
import { FEATURES } from '../features/index.ts';
import { boundedIntFlag, parse, pathFlag, print, stringFlag, UsageError } from './args.ts';
import { renderTable } from './table.ts';
import { ProgressBar } from './progress.ts';

export async function commandFeatures(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { list: { type: 'boolean' }, 'as-of': { type: 'string' }, out: { type: 'string' }, report: { type: 'boolean' }, labels: { type: 'string' }, workers: { type: 'string' } });
  const json = flags.json === true;
  if (flags.list) {
    if (positionals.length > 0) throw new UsageError('features --list takes no dataset');
    print(json, FEATURES.map(({ compute: _compute, ...spec }) => spec), () => renderTable(['id', 'group', 'type', 'unit', 'description / 说明'],
      FEATURES.map((f) => [f.id, f.group, f.type, f.unit, `${f.descriptionEn} / ${f.descriptionZh}`])).join('\n'));
    return;
  }
  if (positionals.length !== 1) throw new UsageError('usage: puhui features DIR [--as-of YYYY-MM-DD] --out FILE.parquet|FILE.csv [--report] | puhui features --list');
  const out = pathFlag(flags, 'out');
  if (out === null && !flags.report) throw new UsageError('give --out FILE.parquet|FILE.csv, --report, or both');
  if (flags.labels !== undefined && !flags.report) throw new UsageError('--labels goes with --report');
  const { runFeatureTable } = await import('../pipeline/features.ts');
  const bar = new ProgressBar('features', json);
  const run = await runFeatureTable({
    datasetDir: resolve(positionals[0]!), asOf: stringFlag(flags, 'as-of'), outFile: out, report: flags.report === true, labelsFile: pathFlag(flags, 'labels'),
    workers: boundedIntFlag(flags, 'workers', 0, 16) ?? undefined, onProgress: (done, total) => bar.update(done, total, `${done}/${total} shards`),
  });
  bar.done();
  const report = run.report;
  print(json, run, () => [
    `${run.enterprises} enterprises × ${FEATURES.length} features as of ${run.asOf} in ${run.seconds.toFixed(1)} s (${Math.round(run.enterprises / run.seconds)} enterprises/s)`,
    run.outFile ? `Written ${run.outFile}; industry reference (${run.referenceGroups} groups) ${run.referenceFile}` : '',
    run.featuresUnavailable.length > 0 ? `Not in the dataset: ${run.unavailable.join(', ')}; the ${run.featuresUnavailable.length} features that read them are missing (not zero)` : '',
    ...(report ? ['', `Information value against defaults in the 12 months after ${run.asOf}: ${report.defaults} of ${report.enterprises} (${(report.badRate * 100).toFixed(2)}%)`,
      ...renderTable(['feature', 'group', 'IV', 'strength', 'missing'], report.features.map((f) => [f.id, f.group, f.iv.toFixed(3), f.strength, `${Math.round(f.missingShare * 100)}%`]))] : []),
  ].filter((line) => line !== '').join('\n'));
}
