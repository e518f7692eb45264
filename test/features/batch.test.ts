import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetReader } from '../../src/data/index.ts';
import { buildIndustryReference, computeFeatures, FEATURES, type IndustryReference } from '../../src/features/index.ts';
import { computeFeatureTable, featureColumnTypesSql } from '../../src/features/batch.ts';
import { economy, importedEconomy, temporaryDir } from '../support/economy.ts';

const AS_OF = '2025-10-01';

async function readTable(file: string): Promise<Map<string, Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // A CSV is read with the catalogue's types (auto-detection would turn the province '11' into a number).
  const source = file.endsWith('.csv') ? `read_csv('${file}', header = true, columns = {${featureColumnTypesSql()}})` : `'${file}'`;
  const rows = (await connection.runAndReadAll(`SELECT * FROM ${source}`)).getRowObjectsJS() as Record<string, unknown>[];
  connection.closeSync();
  instance.closeSync();
  return new Map(rows.map((row) => [String(row.creditCode), row]));
}

function referenceOf(file: string): IndustryReference {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { asOf: string; groups: { group: string; vatBurdenMedian: number }[] };
  return { asOf: json.asOf, vatBurdenMedian: new Map(json.groups.map((g) => [g.group, g.vatBurdenMedian])) };
}

test('the batch table equals the online features of every enterprise, on worker threads or inline', async () => {
  const { dir } = economy();
  const out = temporaryDir('features');
  const threaded = await computeFeatureTable({ datasetDir: dir, asOf: AS_OF, outFile: join(out, 'features.parquet'), workers: 2, shardEnterprises: 300 });
  const inline = await computeFeatureTable({ datasetDir: dir, asOf: AS_OF, outFile: join(out, 'inline.csv'), workers: 0 });
  assert.equal(threaded.enterprises, 2000);
  const table = await readTable(threaded.outFile);
  const csv = await readTable(inline.outFile);
  assert.equal(table.size, 2000);
  const reference = referenceOf(threaded.referenceFile);
  assert.ok(reference.vatBurdenMedian.size >= 10);
  // The online dossiers come from the same economy imported to Parquet (what `inspect` and the decisions read): a
  // dossier costs a seventh of one read from the raw CSV, where every query parses the whole file.
  // test/data/dossier-reader.test.ts checks that both give the same dossiers.
  const reader = await DatasetReader.open((await importedEconomy({})).dataset);
  try {
    let compared = 0;
    for (const [creditCode, row] of table) {
      if (compared++ % 10 !== 0) continue; // every tenth enterprise, 200 in all
      const online = computeFeatures(await reader.dossier(creditCode), AS_OF, reference);
      for (const feature of FEATURES) {
        for (const [source, value] of [['parquet', row[feature.id]], ['csv', csv.get(creditCode)![feature.id]]] as const) {
          const expected = online[feature.id];
          if (typeof expected === 'number') assert.ok(typeof value === 'number' && Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${source} ${creditCode} ${feature.id}: ${String(value)} vs ${expected}`);
          else assert.equal(value, expected, `${source} ${creditCode} ${feature.id}`);
        }
      }
    }
  } finally {
    reader.close();
  }
});

test('the industry reference is the median of the same as-of date, so it never reads the future', async () => {
  const { dir } = economy();
  const out = temporaryDir('features');
  const result = await computeFeatureTable({ datasetDir: dir, asOf: '2024-10-01', outFile: join(out, 'early.parquet'), workers: 0 });
  const table = await readTable(result.outFile);
  const byGroup = new Map<string, { group: string; burden: number }[]>();
  for (const row of table.values()) {
    if (row.vat_burden_12m === null) continue;
    const band = (row.vat_sales_12m as number) < 300_000_000 ? 'micro' : (row.vat_sales_12m as number) < 2_000_000_000 ? 'small' : 'medium';
    const group = `${String(row.industry_section)}|${row.taxpayer_general === 1 ? 'general' : 'small_scale'}|${band}`;
    byGroup.set(group, [...(byGroup.get(group) ?? []), { group, burden: row.vat_burden_12m as number }]);
  }
  const expected = buildIndustryReference('2024-10-01', [...byGroup.values()].flat());
  const written = referenceOf(result.referenceFile);
  assert.deepEqual([...written.vatBurdenMedian.keys()].sort(), [...expected.vatBurdenMedian.keys()].sort());
  for (const [group, median] of expected.vatBurdenMedian) assert.ok(Math.abs(written.vatBurdenMedian.get(group)! - median) < 1e-12, group);
});
