import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES } from '../../src/domain/entities.ts';
import type { EntityName } from '../../src/domain/columns.ts';
import { detectFraud, SIGNALS } from '../../src/fraud/index.ts';
import { CsvFileWriter } from '../../src/synth/csv-writer.ts';
import { temporaryDir } from '../support/economy.ts';
import { AS_OF, CODE, fixtureDossier } from '../features/fixture.ts';

function writeEntity(dir: string, entity: EntityName, records: Record<string, unknown>[]): void {
  const columns = Object.keys(ENTITIES[entity].columns);
  const writer = new CsvFileWriter(join(dir, `${entity}.csv`), columns);
  for (const record of records) writer.row(columns.map((c) => record[c] as string | number | boolean | null));
  writer.close();
}

test('flags a correction that shifts sales into exempt, one that takes back tax paid, and returns far above invoices', async () => {
  const dossier = fixtureDossier();
  const base = dossier.vatReturns.find((r) => r.periodStart === '2025-06' && r.revision === 0)!;
  dossier.vatReturns.push(
    { ...base, revision: 1, exemptSalesFen: 30_000_000, filedDate: '2025-08-01', correctedFields: 'exemptSalesFen' },
    { ...base, revision: 2, exemptSalesFen: 30_000_000, taxPaidFen: base.taxPaidFen - 1_000_000, filedDate: '2025-09-01', correctedFields: 'taxPaidFen' },
  );
  const dir = temporaryDir('fraud-returns');
  writeEntity(dir, 'enterprises', [dossier.enterprise]);
  writeEntity(dir, 'vatReturns', dossier.vatReturns);
  writeEntity(dir, 'invoices', [...dossier.salesInvoices, ...dossier.purchaseInvoices]);
  writeEntity(dir, 'bankMonths', dossier.bankMonths);
  writeFileSync(join(dir, 'manifest.json'), '{}\n');
  const report = await detectFraud({ datasetDir: dir, asOf: AS_OF, workers: 0 });
  const codes = (code: string) => report.signals.filter((s) => s.code === code && s.creditCode === CODE);
  const exempt = codes(SIGNALS.exemptCorrection.code);
  assert.equal(exempt.length, 1);
  assert.deepEqual({ ...exempt[0]!.evidence }, { periodStart: '2025-06', revision: 1, filedDate: '2025-08-01', exemptAddedFen: 30_000_000 });
  const refunded = codes(SIGNALS.taxRefunded.code);
  assert.equal(refunded.length, 1);
  assert.equal(refunded[0]!.evidence.taxReducedFen, 1_000_000);
  // Declared sales (about 11 million yuan a year) are some hundred times the invoiced ones, with only 10% declared uninvoiced.
  assert.equal(codes(SIGNALS.sourceMismatch.code).length, 1);
  // And its bank account receives 0.35 million yuan against 11 million declared: single-source inflation is the typology.
  assert.equal(codes(SIGNALS.singleSource.code).length, 1);
  assert.equal(report.enterprises.find((e) => e.creditCode === CODE)!.typology, 'single_source');
});
