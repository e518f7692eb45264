import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateEconomy, DEFAULT_SYNTH_CONFIG, INDUSTRY_PROFILES, SynthConfigError } from '../../src/synth/index.ts';
import { ENTITIES } from '../../src/domain/entities.ts';
import { isValidCreditCode } from '../../src/domain/credit-code.ts';
import { economy, temporaryDir } from '../support/economy.ts';

const LARGE = { enterprises: 4000 };

async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const entity of Object.keys(ENTITIES)) {
    await connection.run(`CREATE VIEW ${entity} AS SELECT * FROM read_csv('${join(dir, `${entity}.csv`)}', header = true, all_varchar = true)`);
  }
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  connection.closeSync();
  instance.closeSync();
  return rows;
}

function digestOf(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

test('the same seed writes the same bytes, and another seed writes others', () => {
  const config = { ...DEFAULT_SYNTH_CONFIG, enterprises: 300, months: 30 };
  const a = temporaryDir('det-a');
  const b = temporaryDir('det-b');
  const c = temporaryDir('det-c');
  generateEconomy(config, a);
  generateEconomy(config, b);
  generateEconomy({ ...config, seed: 2 }, c);
  assert.equal(digestOf(a), digestOf(b));
  assert.notEqual(digestOf(a), digestOf(c));
});

test('refuses a configuration out of bounds, naming each problem', () => {
  assert.throws(() => generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises: 10, badRate: 0.9 }, temporaryDir('bad')), (error: unknown) => {
    assert.ok(error instanceof SynthConfigError);
    assert.match(error.message, /enterprises must be/);
    assert.match(error.message, /badRate must be/);
    return true;
  });
});

test('every record of every file satisfies its entity schema', async () => {
  const { dir } = economy();
  for (const [entity, spec] of Object.entries(ENTITIES)) {
    const rows = await query(dir, `SELECT * FROM ${entity} USING SAMPLE 400 ROWS (reservoir, 7)`);
    assert.ok(rows.length > 0, `${entity} has rows`);
    for (const row of rows) {
      const record: Record<string, unknown> = {};
      for (const [name, column] of Object.entries(spec.columns)) {
        const text = row[name] as string | null;
        record[name] = text === null ? null : column.kind === 'fen' || column.kind === 'int' ? Number(text) : column.kind === 'bool' ? text === 'true' : text;
      }
      const result = spec.schema.safeParse(record);
      assert.ok(result.success, `${entity}: ${JSON.stringify(record)} → ${result.success ? '' : JSON.stringify(result.error.issues)}`);
    }
  }
});

test('the invoice network is closed: every seller and buyer is an enterprise, never the same one, and red invoices reverse a real one', async () => {
  const { dir } = economy();
  const [check] = await query(dir, `SELECT
      (SELECT count(*) FROM invoices WHERE sellerCode NOT IN (SELECT creditCode FROM enterprises)) AS unknownSellers,
      (SELECT count(*) FROM invoices WHERE buyerCode NOT IN (SELECT creditCode FROM enterprises)) AS unknownBuyers,
      (SELECT count(*) FROM invoices WHERE sellerCode = buyerCode) AS selfInvoices,
      (SELECT count(*) FROM invoices r WHERE status = 'red' AND NOT EXISTS (SELECT 1 FROM invoices o WHERE o.invoiceNumber = r.originalInvoiceNumber
         AND o.sellerCode = r.sellerCode AND o.buyerCode = r.buyerCode AND o.issueDate <= r.issueDate AND -CAST(r.amountFen AS BIGINT) <= CAST(o.amountFen AS BIGINT))) AS orphanReds,
      (SELECT count(*) - count(DISTINCT invoiceNumber) FROM invoices) AS duplicateNumbers,
      (SELECT count(*) FROM invoices WHERE status = 'red') AS reds,
      (SELECT count(*) FROM invoices) AS total`);
  assert.equal(Number(check!.unknownSellers), 0);
  assert.equal(Number(check!.unknownBuyers), 0);
  assert.equal(Number(check!.selfInvoices), 0);
  assert.equal(Number(check!.orphanReds), 0);
  assert.equal(Number(check!.duplicateNumbers), 0);
  const redShare = Number(check!.reds) / Number(check!.total);
  assert.ok(redShare > 0.005 && redShare < 0.03, `red share ${redShare}`);
});

test("a general taxpayer's returned output tax covers the VAT on its invoices, and small-scale returns are quarterly", async () => {
  const { dir } = economy();
  const [check] = await query(dir, `WITH inv AS (
      SELECT sellerCode AS creditCode, strftime(CAST(issueDate AS DATE), '%Y-%m') AS month, sum(CAST(taxFen AS BIGINT)) AS tax, sum(CAST(amountFen AS BIGINT)) AS amount
      FROM invoices WHERE status <> 'void' GROUP BY ALL),
    ret AS (SELECT v.* FROM vatReturns v JOIN enterprises e USING (creditCode) WHERE e.taxpayerType = 'general' AND revision = '0')
    SELECT count(*) AS periods,
      count(*) FILTER (WHERE CAST(ret.outputTaxFen AS BIGINT) + 100 < inv.tax) AS outputBelowInvoices,
      count(*) FILTER (WHERE CAST(ret.taxableSalesFen AS BIGINT) + 100 < inv.amount) AS salesBelowInvoices,
      (SELECT count(*) FROM vatReturns v JOIN enterprises e USING (creditCode) WHERE e.taxpayerType = 'small_scale' AND v.periodStart = v.periodEnd) AS monthlySmall
    FROM ret JOIN inv ON inv.creditCode = ret.creditCode AND inv.month = ret.periodStart`);
  assert.ok(Number(check!.periods) > 1000);
  assert.equal(Number(check!.outputBelowInvoices), 0);
  assert.equal(Number(check!.salesBelowInvoices), 0);
  assert.equal(Number(check!.monthlySmall), 0);
});

test('the 12-month default rate lands on the configured bad rate in both cohorts', async () => {
  const { dir, config } = economy(LARGE);
  for (const [observation, end] of [['2024-10', '2025-09'], ['2025-10', '2026-09']] as const) {
    const [row] = await query(dir, `SELECT count(*) AS n, avg(CASE WHEN defaultMonth BETWEEN '${observation}' AND '${end}' THEN 1.0 ELSE 0 END) AS rate
      FROM labels JOIN enterprises USING (creditCode) WHERE establishedDate < '${observation}-01' AND (defaultMonth IS NULL OR defaultMonth >= '${observation}')`);
    const rate = Number(row!.rate);
    assert.ok(Math.abs(rate - config.badRate) < 0.012, `default rate as of ${observation}: ${rate}`);
  }
});

test('defaulters looked worse beforehand: more bureau inquiries and overdue in the year before default', async () => {
  const { dir } = economy(LARGE);
  const [row] = await query(dir, `WITH d AS (SELECT creditCode, defaultMonth FROM labels WHERE defaultMonth BETWEEN '2025-10' AND '2026-09'),
      g AS (SELECT l.creditCode FROM labels l JOIN enterprises e USING (creditCode) WHERE l.defaulted = 'false' AND e.establishedDate < '2024-01-01')
    SELECT (SELECT avg(CAST(inquiries6m AS DOUBLE)) FROM bureauReports WHERE reportDate = '2025-09-30' AND creditCode IN (SELECT creditCode FROM d)) AS badInquiries,
           (SELECT avg(CAST(inquiries6m AS DOUBLE)) FROM bureauReports WHERE reportDate = '2025-09-30' AND creditCode IN (SELECT creditCode FROM g)) AS goodInquiries`);
  assert.ok(Number(row!.badInquiries) > 1.5 * Number(row!.goodInquiries), JSON.stringify(row));
});

test("the VAT burden of general taxpayers lands near each industry's configured burden", async () => {
  const { dir } = economy(LARGE);
  const rows = await query(dir, `WITH y AS (
      SELECT creditCode, sum(CAST(taxPayableFen AS DOUBLE)) AS payable, sum(CAST(taxableSalesFen AS DOUBLE)) AS sales
      FROM vatReturns WHERE revision = '0' AND periodStart BETWEEN '2024-01' AND '2024-12' GROUP BY 1)
    SELECT industrySection AS section, count(*) AS n, median(payable / sales) AS burden
    FROM y JOIN enterprises e USING (creditCode) JOIN labels USING (creditCode)
    WHERE e.taxpayerType = 'general' AND sales > 0 AND fraudKind = 'none' GROUP BY 1`);
  for (const row of rows) {
    const profile = INDUSTRY_PROFILES.find((p) => p.section === row.section)!;
    if (Number(row.n) < 30) continue;
    const burden = Number(row.burden);
    assert.ok(Math.abs(burden - profile.vatBurdenTarget) <= 0.3 * profile.vatBurdenTarget + 0.002, `${row.section}: median ${burden} vs ${profile.vatBurdenTarget}`);
  }
});

test('sizes and taxpayer types are plausible for SMEs: median revenue in the millions, general taxpayers above the 5M threshold', async () => {
  const { dir } = economy(LARGE);
  const [row] = await query(dir, `WITH y AS (
      SELECT creditCode, sum(CAST(taxableSalesFen AS DOUBLE) + CAST(exemptSalesFen AS DOUBLE)) / 100 AS salesYuan
      FROM vatReturns WHERE revision = '0' AND periodStart BETWEEN '2024-01' AND '2024-12' GROUP BY 1)
    SELECT median(salesYuan) AS medianYuan, quantile_cont(salesYuan, 0.9) AS p90Yuan,
      avg(CASE WHEN e.taxpayerType = 'small_scale' AND salesYuan > 6000000 THEN 1.0 ELSE 0 END) AS smallAboveThreshold,
      avg(CASE WHEN e.taxpayerType = 'general' THEN 1.0 ELSE 0 END) AS generalShare
    FROM y JOIN enterprises e USING (creditCode)`);
  assert.ok(Number(row!.medianYuan) > 1_000_000 && Number(row!.medianYuan) < 10_000_000, JSON.stringify(row));
  assert.ok(Number(row!.p90Yuan) < 100_000_000, JSON.stringify(row));
  assert.ok(Number(row!.smallAboveThreshold) < 0.03, JSON.stringify(row));
  assert.ok(Number(row!.generalShare) > 0.3 && Number(row!.generalShare) < 0.7, JSON.stringify(row));
});

test('planted fraud leaves its traces: rings invoice in a loop, shells share one person, single-source firms declare far more than the bank sees', async () => {
  const { dir } = economy(LARGE);
  const rings = await query(dir, `SELECT fraudGroup, list(creditCode ORDER BY creditCode) AS members FROM labels WHERE fraudKind = 'ring' GROUP BY 1`);
  assert.ok(rings.length >= 3);
  for (const ring of rings) {
    const members = ring.members as string[];
    const [edges] = await query(dir, `SELECT count(DISTINCT (sellerCode, buyerCode)) AS n FROM invoices
      WHERE sellerCode IN (${members.map((m) => `'${m}'`).join(',')}) AND buyerCode IN (${members.map((m) => `'${m}'`).join(',')}) AND issueDate >= '2024-10-01'`);
    assert.ok(Number(edges!.n) >= members.length, `ring ${String(ring.fraudGroup)} has ${String(edges!.n)} internal edges for ${members.length} members`);
  }
  const [shells] = await query(dir, `SELECT count(*) AS groups, count(*) FILTER (WHERE people = 1) AS onePerson FROM (
      SELECT fraudGroup, count(DISTINCT legalRepIdHash) AS people FROM labels JOIN enterprises USING (creditCode) WHERE fraudKind = 'shell' GROUP BY 1)`);
  assert.ok(Number(shells!.groups) > 0);
  assert.equal(shells!.groups, shells!.onePerson);
  const [source] = await query(dir, `WITH s AS (SELECT creditCode FROM labels WHERE fraudKind = 'single_source'),
      tax AS (SELECT creditCode, sum(CAST(taxableSalesFen AS DOUBLE) + CAST(exemptSalesFen AS DOUBLE)) AS sales FROM vatReturns WHERE revision = '0' AND periodEnd BETWEEN '2025-01' AND '2025-09' GROUP BY 1),
      bank AS (SELECT creditCode, sum(CAST(inflowFen AS DOUBLE)) AS inflow FROM bankMonths WHERE month BETWEEN '2025-01' AND '2025-09' GROUP BY 1)
    SELECT median(bank.inflow / tax.sales) AS ratio FROM s JOIN tax USING (creditCode) JOIN bank USING (creditCode)`);
  assert.ok(Number(source!.ratio) < 0.5, `bank inflow / declared sales of single-source firms: ${String(source!.ratio)}`);
});

test('rings carry the shapes a detector must hold on: one invoice amount repeated unevenly, commission per hop, one round, agent addresses', async () => {
  const { dir } = economy(LARGE);
  // Per ring leg (seller → buyer inside one ring group): its distinct invoice amounts and months since 2024-10.
  const legs = await query(dir, `WITH r AS (SELECT creditCode, fraudGroup FROM labels WHERE fraudKind = 'ring')
    SELECT s.fraudGroup AS ring, i.sellerCode, i.buyerCode, count(*) AS invoices, count(DISTINCT i.amountFen) AS amounts, max(CAST(i.amountFen AS BIGINT)) AS amountFen,
      count(DISTINCT substr(i.issueDate, 1, 7)) AS months
    FROM invoices i JOIN r s ON s.creditCode = i.sellerCode JOIN r b ON b.creditCode = i.buyerCode AND b.fraudGroup = s.fraudGroup
    WHERE i.status = 'normal' AND i.issueDate >= '2024-10-01' GROUP BY ALL`);
  const byRing = new Map<string, Record<string, unknown>[]>();
  for (const leg of legs) byRing.set(String(leg.ring), [...(byRing.get(String(leg.ring)) ?? []), leg]);
  const rings = [...byRing.values()];
  assert.ok(rings.length >= 10);
  // Each leg repeats one amount (a leg may also carry honest trade between the two firms); repeat counts differ between legs.
  assert.ok(legs.filter((l) => Number(l.amounts) === 1).length >= 0.9 * legs.length, 'one invoice amount per leg');
  assert.ok(rings.filter((r) => new Set(r.map((l) => Number(l.invoices))).size > 1).length > rings.length / 2, 'uneven repeats');
  const ratio = (r: Record<string, unknown>[]) => Math.min(...r.map((l) => Number(l.amountFen))) / Math.max(...r.map((l) => Number(l.amountFen)));
  const decaying = rings.filter((r) => ratio(r) < 0.999);
  assert.ok(decaying.length > 0 && decaying.length < rings.length, 'some rings keep a commission at each hop, others pass the amount on whole');
  assert.ok(decaying.every((r) => ratio(r) >= Math.pow(1 - 0.03, r.length - 1) - 1e-6), 'commission at most 3% per hop');
  assert.ok(rings.some((r) => r.every((l) => Number(l.months) === 1)), 'some rings go round in one month only');
  const [agents] = await query(dir, `SELECT count(*) AS hubs, min(n) AS smallest FROM (
      SELECT addressHash, count(*) AS n, count(*) FILTER (WHERE fraudKind <> 'none') AS fraud FROM enterprises JOIN labels USING (creditCode) GROUP BY 1 HAVING count(*) >= 12)
    WHERE fraud = 0`);
  assert.ok(Number(agents!.hubs) >= 3 && Number(agents!.smallest) >= 12, `${String(agents!.hubs)} agent addresses, the smallest shared by ${String(agents!.smallest)}`);
});

test('credit codes are valid and unique; corrections are filed after the original and name what they changed', async () => {
  const { dir } = economy();
  const codes = await query(dir, 'SELECT creditCode FROM enterprises');
  assert.equal(new Set(codes.map((c) => c.creditCode)).size, codes.length);
  assert.ok(codes.every((c) => isValidCreditCode(String(c.creditCode))));
  const [check] = await query(dir, `SELECT count(*) AS corrections, count(*) FILTER (WHERE c.filedDate <= o.filedDate) AS beforeOriginal
    FROM vatReturns c JOIN vatReturns o ON o.creditCode = c.creditCode AND o.periodStart = c.periodStart AND o.revision = '0' WHERE c.revision = '1'`);
  assert.ok(Number(check!.corrections) > 0);
  assert.equal(Number(check!.beforeOriginal), 0);
});
