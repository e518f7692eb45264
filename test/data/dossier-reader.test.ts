/**
 * The dataset reader gives the same dossier from the raw CSV files as from the Parquet files the import writes.
 * The feature tests read their dossiers from the imported economy (a seventh of the cost); this is the check that
 * the CSV side, read with the importer's typed projection, agrees with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetReader } from '../../src/data/index.ts';
import type { Dossier } from '../../src/domain/dossier.ts';
import { importedEconomy } from '../support/economy.ts';

const ENTERPRISES = 20;

test(`a dossier read from the raw CSV equals the one read from the imported Parquet (${ENTERPRISES} enterprises)`, async () => {
  const { raw, dataset } = await importedEconomy({});
  const csv = await DatasetReader.open(raw);
  const parquet = await DatasetReader.open(dataset);
  try {
    const codes = (await parquet.query(`SELECT creditCode FROM enterprises ORDER BY hash(creditCode) LIMIT ${ENTERPRISES}`)).map((r) => String(r.creditCode));
    assert.equal(codes.length, ENTERPRISES);
    const seen = new Set<string>();
    for (const code of codes) {
      const fromParquet = await parquet.dossier(code);
      assert.deepEqual(await csv.dossier(code), fromParquet, code);
      for (const [part, value] of Object.entries(fromParquet) as [keyof Dossier, unknown][]) if (!Array.isArray(value) || value.length > 0) seen.add(part);
    }
    // The sample compares every kind of fact, not only empty lists.
    assert.deepEqual([...seen].sort(), ['bankMonths', 'bureauReports', 'citReturns', 'courtCases', 'enterprise', 'purchaseInvoices', 'salesInvoices', 'taxGrades', 'vatReturns']);
  } finally {
    csv.close();
    parquet.close();
  }
});
