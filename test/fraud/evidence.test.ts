import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES } from '../../src/domain/entities.ts';
import type { EntityName } from '../../src/domain/columns.ts';
import { buildNetwork, defaultFraudPolicy, detectFraud, enumerateCycles, legsChain, ringEvidence, ringsThrough, type EdgeList, type InvoiceList } from '../../src/fraud/index.ts';
import { Rng } from '../../src/synth/random.ts';
import { CsvFileWriter } from '../../src/synth/csv-writer.ts';
import { temporaryDir } from '../support/economy.ts';
import { CODE, fixtureDossier, X, Y } from '../features/fixture.ts';

const policy = defaultFraudPolicy();
const rings = policy.document.rings;

/** A network of n nodes from invoices [seller, buyer, amountFen, month]; edges aggregate them. */
function networkOf(n: number, invoices: [number, number, number, number][]) {
  const byPair = new Map<string, [number, number, number, number]>();
  for (const [s, b, amount, month] of invoices) {
    const edge = byPair.get(`${s},${b}`) ?? [s, b, 0, 0];
    edge[2] += amount;
    edge[3] |= 1 << month;
    byPair.set(`${s},${b}`, edge);
  }
  const edges = [...byPair.values()];
  const list: EdgeList = {
    source: Int32Array.from(edges, (e) => e[0]), target: Int32Array.from(edges, (e) => e[1]), amountFen: Float64Array.from(edges, (e) => e[2]),
    count: Int32Array.from(edges, () => 1), firstDay: Int32Array.from(edges, () => 20_000), lastDay: Int32Array.from(edges, () => 20_000), monthMask: Int32Array.from(edges, (e) => e[3]),
  };
  const rows: InvoiceList = {
    source: Int32Array.from(invoices, (i) => i[0]), target: Int32Array.from(invoices, (i) => i[1]), amountFen: Float64Array.from(invoices, (i) => i[2]), month: Uint8Array.from(invoices, (i) => i[3]),
  };
  return buildNetwork(n, list, rows);
}

test('matches legs invoice by invoice: one amount repeated unevenly, in any order of months, counts as rounds', () => {
  // 0 → 1 three times, 1 → 2 twice, 2 → 0 once, of 480,000 yuan, in months 7, 2 and 11; plus honest noise on each leg.
  const network = networkOf(3, [
    [0, 1, 48_000_000, 7], [0, 1, 48_000_000, 7], [0, 1, 48_000_000, 8], [0, 1, 3_210_000, 1],
    [1, 2, 48_000_000, 2], [1, 2, 48_000_000, 3], [1, 2, 77_700_000, 5],
    [2, 0, 48_000_000, 11],
  ]);
  const found = ringsThrough(network, 0, policy);
  assert.equal(found.rings.length, 1);
  const ring = found.rings[0]!;
  assert.deepEqual(ring.edges.map((e) => e.matchedInvoices), [3, 2, 1]);
  assert.deepEqual(ring.edges.map((e) => e.matchedAmountFen), [144_000_000, 96_000_000, 48_000_000]);
  assert.equal(ring.rounds, 1);
  assert.equal(ring.amountRatio, 1);
  // Summed per leg the amounts differ threefold; per invoice they are equal.
  assert.ok(ring.edges[0]!.amountFen / ring.edges[2]!.amountFen > 3);
});

test('accepts a commission kept at every hop up to the policy bound, and refuses one beyond it', () => {
  const decaying = (rate: number) => networkOf(5, [0, 1, 2, 3, 4].map((k) => [k, (k + 1) % 5, Math.round(60_000_000 * Math.pow(1 - rate, k)), 3] as [number, number, number, number]));
  for (const rate of [0.01, 0.03, 0.045]) {
    const network = decaying(rate);
    const evidence = ringEvidence(network, [0, 1, 2, 3, 4], 5, rings);
    assert.ok(evidence, `commission ${rate}`);
    assert.deepEqual(evidence.matchedInvoices, [1, 1, 1, 1, 1]);
  }
  assert.equal(ringEvidence(decaying(0.08), [0, 1, 2, 3, 4], 5, rings), null);
  // Growth from hop to hop beyond the tolerance is not a commission.
  assert.equal(ringEvidence(decaying(-0.03), [0, 1, 2, 3, 4], 5, rings), null);
});

test('an invoice just under an invoice cap matches only the same amount exactly', () => {
  // Honest firms split sales at the 1,000,000-yuan cap: 999,300 and 997,100 yuan agree by construction.
  const split = networkOf(2, [[0, 1, 99_930_000, 1], [1, 0, 99_710_000, 2]]);
  assert.equal(ringEvidence(split, [0, 1], 2, rings), null);
  const exact = networkOf(2, [[0, 1, 99_930_000, 1], [1, 0, 99_930_000, 2]]);
  assert.ok(ringEvidence(exact, [0, 1], 2, rings));
});

test('recurrence raises suspicion but a ring that went round once is still reported', () => {
  const legs = (months: number[]) => months.flatMap((m) => [[0, 1, 30_000_000, m], [1, 2, 30_000_000, m], [2, 0, 30_000_000, m]] as [number, number, number, number][]);
  // Other firms trade in eight months, so the data could show recurrence.
  const background = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => [3, 4, 1_000_000, m] as [number, number, number, number]);
  const once = ringsThrough(networkOf(5, [...legs([4]), ...background]), 0, policy).rings[0]!;
  const monthly = ringsThrough(networkOf(5, [...legs([0, 1, 2, 3, 4, 5, 6, 7]), ...background]), 0, policy).rings[0]!;
  assert.equal(once.roundMonths, 1);
  assert.equal(monthly.roundMonths, 8);
  assert.ok(once.suspicion >= rings.suspicionMin);
  assert.ok(monthly.suspicion > once.suspicion);
  assert.equal(once.recurrenceFactor, rings.onceWeight);
  assert.equal(monthly.recurrenceFactor, 1);
  // With one month of data in all, recurrence cannot be asked of it: no penalty (the report says it was unavailable).
  assert.equal(ringsThrough(networkOf(3, legs([4])), 0, policy).rings[0]!.recurrenceFactor, 1);
});

function writeEntity(dir: string, entity: EntityName, records: Record<string, unknown>[]): void {
  const columns = Object.keys(ENTITIES[entity].columns);
  const writer = new CsvFileWriter(join(dir, `${entity}.csv`), columns);
  for (const record of records) writer.row(columns.map((c) => record[c] as string | number | boolean | null));
  writer.close();
}

test('a dataset without VAT returns or bank data gives signals unavailable, counts the as-of month, and finds a ring that went round once in it', async () => {
  const firm = fixtureDossier().enterprise;
  const dir = temporaryDir('fraud-partial');
  writeEntity(dir, 'enterprises', [CODE, X, Y].map((code, k) => ({ ...firm, creditCode: code, legalRepIdHash: `${k}123456789abcdef`, phoneHash: `${k}123456789abcdef`, addressHash: `${k}123456789abcdef` })));
  let number = 0;
  const invoice = (seller: string, buyer: string, issueDate: string, amountFen: number) => ({
    invoiceNumber: `2533000000000000${String(++number).padStart(4, '0')}`, sellerCode: seller, buyerCode: buyer, issueDate, amountFen,
    taxFen: Math.round(amountFen * 0.13), taxRateBps: 1300, kind: 'special', status: 'normal', originalInvoiceNumber: null, goodsCategory: '51',
  });
  // A round of 500,000 yuan, 2% kept at each hop, in the as-of month before the as-of date.
  writeEntity(dir, 'invoices', [
    invoice(CODE, X, '2025-10-05', 50_000_000), invoice(CODE, X, '2025-10-05', 50_000_000),
    invoice(X, Y, '2025-10-06', 49_000_000), invoice(Y, CODE, '2025-10-07', 48_020_000),
    invoice(X, Y, '2025-10-25', 49_000_000), // after the as-of date: never read
  ]);
  writeFileSync(join(dir, 'manifest.json'), '{}\n');
  const report = await detectFraud({ datasetDir: dir, asOf: '2025-10-20', workers: 0 });
  assert.deepEqual(report.unavailable.map((u) => u.evidence).sort(), ['bank', 'ring_recurrence', 'vat_returns']);
  assert.ok(report.unavailable.find((u) => u.evidence === 'vat_returns')!.signals.includes('FR_PASS_THROUGH'));
  assert.equal(report.network.invoices, 4);
  assert.equal(report.rings.length, 1);
  assert.deepEqual([...report.rings[0]!.members].sort(), [CODE, X, Y].sort());
  const matched = new Map(report.rings[0]!.edges.map((e) => [e.seller, e.matchedInvoices]));
  assert.deepEqual([matched.get(CODE), matched.get(X), matched.get(Y)], [2, 1, 1]);
  assert.equal(report.policy.hash, policy.hash);
  assert.equal(report.network.uncovered.length, 0);
});

test('cutting paths whose legs cannot chain loses no ring with evidence, on 300 random small invoice networks', () => {
  const rng = new Rng(11, 'evidence-pruning');
  const amounts = [30_000_000, 29_400_000, 28_500_000, 31_000_000, 99_900_000, 99_800_000, 12_345_600];
  for (let trial = 0; trial < 300; trial++) {
    const n = 3 + rng.int(5);
    const rows: [number, number, number, number][] = [];
    for (let k = rng.int(n * 4); k > 0; k--) {
      const u = rng.int(n);
      let v = rng.int(n - 1);
      if (v >= u) v++;
      rows.push([u, v, amounts[rng.int(amounts.length)]!, rng.int(12)]);
    }
    const network = networkOf(n, rows);
    const lengthMax = 2 + rng.int(5);
    const withEvidence = (search: ReturnType<typeof enumerateCycles>) => search.cycles.filter((c) => ringEvidence(network, c.edges, c.edges.length, rings) !== null).map((c) => c.nodes.join('>')).sort();
    const all = withEvidence(enumerateCycles(network, { lengthMax }));
    const pruned = withEvidence(enumerateCycles(network, { lengthMax, legsChain: (from, into) => legsChain(network, from, into, rings) }));
    assert.deepEqual(pruned, all, `trial ${trial}: ${JSON.stringify(rows)}`);
  }
});
