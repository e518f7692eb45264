import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dossier } from '../../src/domain/dossier.ts';
import { addMonths, dayNumber, isoDateOfDay, lastDayOfMonth } from '../../src/domain/period.ts';
import { DatasetReader } from '../../src/data/index.ts';
import { computeFeatures } from '../../src/features/index.ts';
import { Rng } from '../../src/synth/random.ts';
import { importedEconomy } from '../support/economy.ts';
import { AS_OF, CODE, fixtureDossier, X } from './fixture.ts';

/** Adds one random fact of a random kind, dated after the as-of date, to a dossier. */
function addLaterFact(dossier: Dossier, rng: Rng, asOf: string): void {
  const later = isoDateOfDay(dayNumber(asOf) + 1 + rng.int(400));
  const month = later.slice(0, 7);
  const amount = 1 + rng.int(50_000_000);
  const base = dossier.salesInvoices[0]!;
  switch (rng.int(9)) {
    case 0: dossier.salesInvoices.push({ ...base, invoiceNumber: `9${rng.int(1e9)}`.padEnd(20, '7'), issueDate: later, amountFen: amount, taxFen: Math.round(amount * 0.13), buyerCode: X }); break;
    case 1: dossier.purchaseInvoices.push({ ...base, invoiceNumber: `8${rng.int(1e9)}`.padEnd(20, '7'), issueDate: later, amountFen: amount, taxFen: Math.round(amount * 0.13), sellerCode: X, buyerCode: CODE }); break;
    case 2: {
      // A return (or a correction of an old period) filed after the as-of date.
      const period = addMonths(asOf.slice(0, 7), -1 - rng.int(20));
      dossier.vatReturns.push({ ...dossier.vatReturns[0]!, periodStart: period, periodEnd: period, revision: 5 + rng.int(5), taxableSalesFen: amount, filedDate: later, late: rng.chance(0.5), correctedFields: 'taxableSalesFen' });
      break;
    }
    case 3: dossier.taxGrades.push({ creditCode: CODE, year: 2030 + rng.int(50), grade: 'D', publishedDate: later }); break;
    case 4: dossier.bankMonths.push({ ...dossier.bankMonths[0]!, month: month > asOf.slice(0, 7) ? month : addMonths(asOf.slice(0, 7), 1), inflowFen: amount }); break;
    case 5: dossier.bureauReports.push({ ...dossier.bureauReports[0]!, reportDate: later, overdueFen: amount, worstDpd24m: 200 }); break;
    case 6: dossier.courtCases.push({ ...dossier.courtCases[0]!, caseId: `later-${rng.int(1e9)}`, filedDate: later, dishonestDebtor: true }); break;
    case 7: dossier.citReturns.push({ ...dossier.citReturns[0]!, year: 2020 + rng.int(5), revision: 3 + rng.int(5), revenueFen: amount, filedDate: later }); break;
    default: {
      // An open case that closes after the as-of date.
      const open = dossier.courtCases.find((c) => c.status === 'open' && c.filedDate <= asOf);
      if (open) Object.assign(open, { status: 'closed', closedDate: later });
    }
  }
}

test('adding any facts dated after the as-of date never changes any feature (200 random trials)', () => {
  const before = computeFeatures(fixtureDossier(), AS_OF);
  const rng = new Rng(42, 'point-in-time');
  for (let trial = 0; trial < 200; trial++) {
    const dossier = fixtureDossier();
    const facts = 1 + rng.int(12);
    for (let k = 0; k < facts; k++) addLaterFact(dossier, rng, AS_OF);
    assert.deepEqual(computeFeatures(dossier, AS_OF), before, `trial ${trial}`);
  }
});

/** The dossier as it stood on a date: only facts dated on or before it, cases as they stood then. */
function asItStood(dossier: Dossier, date: string): Dossier {
  return {
    enterprise: dossier.enterprise,
    vatReturns: dossier.vatReturns.filter((r) => r.filedDate <= date),
    citReturns: dossier.citReturns.filter((r) => r.filedDate <= date),
    taxGrades: dossier.taxGrades.filter((g) => g.publishedDate <= date),
    salesInvoices: dossier.salesInvoices.filter((i) => i.issueDate <= date),
    purchaseInvoices: dossier.purchaseInvoices.filter((i) => i.issueDate <= date),
    bankMonths: dossier.bankMonths.filter((m) => lastDayOfMonth(m.month) <= date),
    bureauReports: dossier.bureauReports.filter((r) => r.reportDate <= date),
    courtCases: dossier.courtCases.filter((c) => c.filedDate <= date)
      .map((c) => (c.closedDate !== null && c.closedDate > date ? { ...c, status: 'open' as const, closedDate: null } : c)),
  };
}

test('on synthetic dossiers, features from the full history equal features from the history cut at the as-of date', async () => {
  // The economy imported to Parquet: a seventh of the cost of dossiers read from the raw CSV (the same dossiers:
  // test/data/dossier-reader.test.ts).
  const reader = await DatasetReader.open((await importedEconomy({})).dataset);
  try {
    const codes = await reader.query(`SELECT creditCode FROM enterprises ORDER BY hash(creditCode) LIMIT 60`);
    for (const { creditCode } of codes) {
      const dossier = await reader.dossier(String(creditCode));
      for (const asOf of ['2024-10-01', '2025-04-17', '2025-10-01']) {
        assert.deepEqual(computeFeatures(dossier, asOf), computeFeatures(asItStood(dossier, asOf), asOf), `${String(creditCode)} as of ${asOf}`);
      }
    }
  } finally {
    reader.close();
  }
});
