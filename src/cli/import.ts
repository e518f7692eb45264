/** `puhui import`: raw entity files validated and merged into a dataset; the summary, and the root cause of a failure. */
import { join, resolve } from 'node:path';
import { ImportError, type ImportSummary } from '../data/index.ts';
import { runImport } from '../pipeline/synth-import.ts';
import { parse, pathFlag, print, UsageError } from './args.ts';
import { renderTable } from './table.ts';
import { ProgressBar } from './progress.ts';

export function renderImportSummary(summary: ImportSummary): string {
  const rows = summary.entities.map((e) => [e.entity, String(e.rowsRead), String(e.rowsAdded), String(e.rowsUnchanged), String(e.rowsRejected), e.fileError ? `FILE: ${e.fileError}` : e.reasons.slice(0, 2).map((r) => `${r.column} ${r.message} (${r.rows})`).join('; ')]);
  const lines = [
    ...(summary.rootCause ? [`Import failed: ${summary.rootCause}`, 'The rejections below follow from it; the dataset has no manifest and no command reads it until an import succeeds.', ''] : []),
    `Imported ${summary.sourceDir} into ${summary.targetDir}`, ...renderTable(['entity', 'read', 'added', 'unchanged', 'rejected', 'main reasons'], rows),
  ];
  if (summary.entities.some((e) => e.rowsRejected > 0)) lines.push(`Rejected rows, with line and reason: ${join(summary.targetDir, 'quarantine')}/`);
  if (summary.unknownFiles.length > 0) lines.push(`Not imported (unknown file names): ${summary.unknownFiles.join(', ')}`);
  return lines.join('\n');
}

export async function commandImport(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { out: { type: 'string' }, 'external-counterparties': { type: 'boolean' } });
  const out = pathFlag(flags, 'out');
  if (positionals.length !== 1 || out === null) throw new UsageError('usage: puhui import DIR --out DIR2');
  const bar = new ProgressBar('import', flags.json === true);
  const summary = await runImport({ sourceDir: resolve(positionals[0]!), targetDir: out, allowExternalCounterparties: flags['external-counterparties'] === true },
    (entity, done, total) => bar.update(done, total, entity));
  bar.done();
  print(flags.json === true, summary, () => renderImportSummary(summary));
  // The summary (and the quarantine) show every rejection; the one line names the cause to fix first.
  if (summary.rootCause) throw new ImportError(`import failed: ${summary.rootCause}`);
}
