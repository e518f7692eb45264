/** Renders docs/dataset-format.md from the entity specs, so the documented schema is the enforced one. */
import { ENTITIES } from '../domain/entities.ts';
import type { Column, EntitySpec } from '../domain/columns.ts';
import { IMPORT_ORDER } from './import.ts';

function typeOf(column: Column): string {
  switch (column.kind) {
    case 'text': return `text ≤ ${column.maxLength}${column.pattern ? `, /${column.pattern}/` : ''}`;
    case 'creditCode': return 'credit code (GB 32100, check character verified)';
    case 'region': return 'GB/T 2260 code, 6 digits';
    case 'date': return 'date YYYY-MM-DD';
    case 'month': return 'month YYYY-MM';
    case 'fen': return `integer fen, ${column.min} … ${column.max}`;
    case 'int': return `integer, ${column.min} … ${column.max}`;
    case 'enum': return column.values.map((v) => `\`${v}\``).join(' / ');
    case 'bool': return '`true` / `false`';
  }
}

export function renderDatasetFormat(): string {
  const out = [
    '# Dataset format',
    '',
    '<!-- Generated from src/domain/entities.ts by `node --import tsx scripts/gen-docs.ts`; a test fails when it is stale. -->',
    '',
    'A dataset is a folder with one file per entity: `<entity>.csv` (UTF-8, comma-separated, a header row with',
    'the column names below, empty field = missing) or `<entity>.parquet`, and a `manifest.json` listing the entities',
    'it holds with their row counts (`rowCounts`) and the months its facts cover (`startMonth`, `endMonth`).',
    '`puhui import` writes the manifest last, only when every file went in; every command that reads a dataset',
    'refuses a folder without a valid manifest or missing a file the manifest lists. An entity the manifest does not',
    'list was never imported: the features that read it are missing, not zero. A raw folder given to `puhui import`',
    'needs no manifest.',
    'Money is integer fen (1 yuan = 100 fen); dates are ISO `YYYY-MM-DD`, months `YYYY-MM`; no local times.',
    '`puhui import` checks every rule listed here and quarantines the rows that break one.',
    '',
  ];
  for (const entity of IMPORT_ORDER) {
    const spec = ENTITIES[entity] as unknown as EntitySpec;
    out.push(`## \`${entity}\``, '', spec.description, '', `Key: ${spec.key.map((k) => `\`${k}\``).join(' + ')}.`);
    if (spec.references.length > 0) {
      out.push(`References: ${spec.references.map((r) => `\`${r.column}\` → ${r.entity}${r.counterparty ? ' (an outside counterparty is accepted with `--external-counterparties`)' : ''}`).join('; ')}.`);
    }
    out.push('', '| column | type | required | meaning |', '|---|---|---|---|');
    for (const [name, column] of Object.entries(spec.columns)) {
      out.push(`| \`${name}\` | ${typeOf(column).replaceAll('|', '\\|')} | ${column.nullable ? 'no' : 'yes'} | ${column.description} |`);
    }
    if (spec.rules.length > 0) {
      out.push('', 'Row rules:', '');
      for (const rule of spec.rules) out.push(`- \`${rule.column}\` ${rule.message} (\`${rule.id}\`)`);
    }
    out.push('');
  }
  return out.join('\n');
}
