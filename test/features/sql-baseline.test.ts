import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { attachDataset, datasetFiles } from '../../src/data/index.ts';
import { computeFeatureTable } from '../../src/features/batch.ts';
import { featuresSql, SQL_FEATURES } from '../../bench/features-sql.ts';
import { economy, temporaryDir } from '../support/economy.ts';

test('the SQL baseline of the benchmark computes the same values as Puhui for the features it covers', async () => {
  const { dir } = economy();
  const out = join(temporaryDir('sql'), 'features.parquet');
  await computeFeatureTable({ datasetDir: dir, asOf: '2025-10-01', outFile: out, workers: 0 });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await attachDataset(connection, datasetFiles(dir));
  const sql = (await connection.runAndReadAll(featuresSql('2025-10-01'))).getRowObjectsJS();
  const ours = new Map((await connection.runAndReadAll(`SELECT * FROM '${out}'`)).getRowObjectsJS().map((r) => [String(r.creditCode), r]));
  connection.closeSync();
  instance.closeSync();
  assert.equal(sql.length, ours.size);
  for (const row of sql) {
    const mine = ours.get(String(row.creditCode))!;
    for (const id of SQL_FEATURES) {
      const expected = mine[id] === null ? null : Number(mine[id]);
      const value = row[id] === null ? null : Number(row[id]);
      if (expected === null || value === null) assert.equal(value, expected, `${String(row.creditCode)} ${id}`);
      else assert.ok(Math.abs(value - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${String(row.creditCode)} ${id}: sql ${value} vs puhui ${expected}`);
    }
  }
});
