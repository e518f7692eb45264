import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { importDataset, type EntityImportSummary } from '../../src/data/index.ts';
import { ENTITIES, type Enterprise, type Invoice } from '../../src/domain/entities.ts';
import { economy, temporaryDir } from '../support/economy.ts';

const SELLER = '91310000631696382C';
const BUYER = '91110000600037341L';
const enterpriseRow = (code: string, name: string): Enterprise => ({
  creditCode: code, name, establishedDate: '2015-06-01', industrySection: 'F', industryDivision: '51', regionCode: '310101',
  registeredCapitalFen: 100_000_000, taxpayerType: 'general', status: 'active', legalRepIdHash: '0123456789abcdef',
  legalRepBirthYear: 1978, phoneHash: '0123456789abcdef', addressHash: 'fedcba9876543210',
});
const invoiceRow = (n: number, change: Partial<Invoice> = {}): Invoice => ({
  invoiceNumber: `2431000000000000${String(n).padStart(4, '0')}`, sellerCode: SELLER, buyerCode: BUYER, issueDate: '2024-03-05',
  amountFen: 1_000_000, taxFen: 130_000, taxRateBps: 1300, kind: 'special', status: 'normal', originalInvoiceNumber: null, goodsCategory: '29',
  ...change,
});

function csvOf(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

function writeEntity(dir: string, entity: keyof typeof ENTITIES, rows: Record<string, unknown>[]): void {
  writeFileSync(join(dir, `${entity}.csv`), csvOf(Object.keys(ENTITIES[entity].columns), rows));
}

function quarantine(target: string, entity: string): { line: number; column: string; message: string }[] {
  const path = join(target, 'quarantine', `${entity}.csv`);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [, lineNumber, column, ...rest] = line.split(',');
    return { line: Number(lineNumber), column: column!, message: rest.join(',').replace(/^"|".*$/g, '') };
  });
}

const byEntity = (summary: { entities: EntityImportSummary[] }, entity: string) => summary.entities.find((e) => e.entity === entity)!;

test('keeps every valid row and names the line, field and reason of each broken one', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, '上海示例贸易有限公司'), enterpriseRow(BUYER, '北京示例科技有限公司')]);
  const broken: [Partial<Invoice> | Record<string, unknown>, string, string][] = [
    [{ sellerCode: '91310000631696382D' }, 'sellerCode', 'has a wrong check character (GB 32100)'],
    [{ buyerCode: '9111000060003734' }, 'buyerCode', 'is not an 18-character credit code'],
    [{ issueDate: '2024-02-30' }, 'issueDate', 'is not a valid ISO date'],
    [{ issueDate: '05/03/2024' }, 'issueDate', 'is not a valid ISO date'],
    [{ amountFen: '1000.50' }, 'amountFen', 'is not a whole number'],
    [{ amountFen: '' }, 'amountFen', 'is required'],
    [{ taxRateBps: 99999 }, 'taxRateBps', 'is outside 0..1700'],
    [{ kind: 'SPECIAL' }, 'kind', 'must be one of special, ordinary'],
    [{ status: 'red' }, 'amountFen', 'must be negative on a red invoice'],
    [{ taxFen: 150_000 }, 'taxFen', 'differs from amountFen × taxRateBps'],
    [{ buyerCode: SELLER }, 'buyerCode', 'is the same as sellerCode'],
    [{ buyerCode: '91440300568520498A' }, 'buyerCode', 'refers to no known enterprises record'],
    [{ invoiceNumber: '2431000000000000000X' }, 'invoiceNumber', 'does not match the expected format'],
    [{ buyerCode: '91350100M0001TGQXM' }, 'buyerCode', 'refers to no known enterprises record'], // legacy code: valid, but unknown
  ];
  const rows: Record<string, unknown>[] = [invoiceRow(1), invoiceRow(2)];
  for (const [k, [change]] of broken.entries()) rows.push({ ...invoiceRow(100 + k), ...change });
  rows.push(invoiceRow(1)); // a duplicate of line 2
  rows.push(invoiceRow(3, { status: 'red', amountFen: -1_000_000, taxFen: -130_000, originalInvoiceNumber: invoiceRow(2).invoiceNumber }));
  writeEntity(source, 'invoices', rows);
  const summary = await importDataset({ sourceDir: source, targetDir: target });
  const invoices = byEntity(summary, 'invoices');
  assert.equal(invoices.rowsRead, rows.length);
  assert.equal(invoices.rowsAdded, 3);
  assert.equal(invoices.rowsRejected, broken.length + 1);
  const problems = quarantine(target, 'invoices');
  for (const [k, [, column, message]] of broken.entries()) {
    const line = 4 + k; // header, two good rows, then the broken ones
    assert.ok(problems.some((p) => p.line === line && p.column === column && p.message.startsWith(message)), `line ${line}: ${column} ${message} in ${JSON.stringify(problems.filter((p) => p.line === line))}`);
  }
  const duplicateLine = 4 + broken.length;
  assert.ok(problems.some((p) => p.line === duplicateLine && p.message.startsWith('duplicates the key (invoiceNumber) of the row at line 2')), JSON.stringify(problems.at(-1)));
});

test('rows that are not UTF-8, truncated or misaligned are quarantined with their line; the rest is kept', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  const header = Object.keys(ENTITIES.enterprises.columns).join(',');
  const good = (code: string, name: string) => Object.values(enterpriseRow(code, name)).join(',');
  const gbkName = Buffer.from([0xc9, 0xcf, 0xba, 0xa3]); // 上海 in GBK, invalid as UTF-8
  const text = Buffer.concat([
    Buffer.from(`${header}\n${good(SELLER, '上海示例贸易有限公司')}\n`),
    Buffer.from(`${good(BUYER, 'X').replace(',X,', ',')}\n`), // line 3: one field short
    Buffer.from('91440300568520498A,'), gbkName, Buffer.from(`${good('91440300568520498A', 'Y').slice(20)}\n`), // line 4: GBK bytes
    Buffer.from(`${good('9144030071526726XG', 'extra,field')}\n`), // line 5: one field too many
    Buffer.from(`${good('91310115MA1K3BTP2B', '深圳示例有限公司')}\n`), // line 6: good
    Buffer.from(good('91110000710926094P', 'truncated').slice(0, 40)), // line 7: cut off mid-row, no newline
  ]);
  writeFileSync(join(source, 'enterprises.csv'), text);
  const summary = await importDataset({ sourceDir: source, targetDir: target });
  const enterprises = byEntity(summary, 'enterprises');
  assert.equal(enterprises.rowsAdded, 2);
  assert.equal(enterprises.rowsRejected, 4);
  assert.equal(enterprises.rowsRead, 6);
  const problems = quarantine(target, 'enterprises');
  assert.deepEqual([...new Set(problems.map((p) => p.line))].sort(), [3, 4, 5, 7]);
  assert.ok(problems.some((p) => p.line === 4 && p.message.includes('not valid UTF-8')), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.line === 3 && p.message.includes('too few fields')), JSON.stringify(problems));
});

test('a file that lacks a column is reported as a whole, and other files still import', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, 'A'), enterpriseRow(BUYER, 'B')]);
  writeFileSync(join(source, 'bankMonths.csv'), 'creditCode,month,inflowFen\n91310000631696382C,2024-01,100\n');
  writeFileSync(join(source, 'bank_statements.csv'), 'x\n1\n');
  const summary = await importDataset({ sourceDir: source, targetDir: target });
  assert.match(byEntity(summary, 'bankMonths').fileError ?? '', /lacks the column\(s\) outflowFen, endBalanceFen/);
  assert.equal(byEntity(summary, 'enterprises').rowsAdded, 2);
  assert.deepEqual(summary.unknownFiles, ['bank_statements.csv']);
});

test('importing twice changes nothing; a changed record under a known key is a conflict, new keys are added', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, 'A'), enterpriseRow(BUYER, 'B')]);
  await importDataset({ sourceDir: source, targetDir: target });
  const digest = () => createHash('sha256').update(readFileSync(join(target, 'enterprises.parquet'))).digest('hex');
  const first = digest();
  const again = await importDataset({ sourceDir: source, targetDir: target });
  assert.equal(byEntity(again, 'enterprises').rowsUnchanged, 2);
  assert.equal(byEntity(again, 'enterprises').rowsAdded, 0);
  assert.equal(digest(), first);
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, 'A renamed'), enterpriseRow('91440300568520498A', 'C')]);
  const third = await importDataset({ sourceDir: source, targetDir: target });
  assert.equal(byEntity(third, 'enterprises').rowsAdded, 1);
  assert.equal(byEntity(third, 'enterprises').rowsRejected, 1);
  assert.ok(quarantine(target, 'enterprises').some((p) => p.line === 2 && p.message.startsWith('conflicts with the record already imported')));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const names = (await connection.runAndReadAll(`SELECT name FROM read_parquet('${join(target, 'enterprises.parquet')}') ORDER BY creditCode`)).getRowObjectsJS();
  assert.deepEqual(names.map((n) => n.name), ['B', 'A', 'C']);
  connection.closeSync();
});

test('invoices may name outside counterparties when allowed, but never two strangers', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, 'A')]);
  writeEntity(source, 'invoices', [invoiceRow(1), invoiceRow(2, { sellerCode: '91440300568520498A' })]);
  const summary = await importDataset({ sourceDir: source, targetDir: target, allowExternalCounterparties: true });
  assert.equal(byEntity(summary, 'invoices').rowsAdded, 1);
  assert.deepEqual(quarantine(target, 'invoices').map((p) => [p.line, p.column]), [[3, 'sellerCode']]);
});

test('the SQL validator and the zod schema agree on every broken field of every entity', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  copyFileSync(join(economy().dir, 'enterprises.csv'), join(source, 'enterprises.csv'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const mutations = ['', 'x', '-1', '1.5', '2024-13-01', '9'.repeat(17), 'A'.repeat(300), '91310000631696382D', 'true', '2024-02', '0'];
  const expected: { line: number; zodColumns: string[] }[] = [];
  const rows: Record<string, unknown>[] = [];
  const first = (await connection.runAndReadAll(`SELECT * FROM read_csv('${join(economy().dir, 'invoices.csv')}', all_varchar = true) WHERE status = 'normal' LIMIT 1`)).getRowObjectsJS()[0]!;
  connection.closeSync();
  const spec = ENTITIES.invoices;
  let serial = 0;
  for (const column of Object.keys(spec.columns)) {
    for (const value of mutations) {
      const row: Record<string, unknown> = { ...first, invoiceNumber: `2400000000000${String(++serial).padStart(7, '0')}`, [column]: value };
      if (column === 'invoiceNumber') row.invoiceNumber = value;
      const typed: Record<string, unknown> = {};
      for (const [name, c] of Object.entries(spec.columns)) {
        const text = row[name] as string | null;
        typed[name] = text === null || text === '' ? null : (c.kind === 'fen' || c.kind === 'int') && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
      }
      const result = spec.schema.safeParse(typed);
      rows.push(row);
      expected.push({ line: rows.length + 1, zodColumns: result.success ? [] : [...new Set(result.error.issues.map((i) => String(i.path[0])))].sort() });
    }
  }
  writeEntity(source, 'invoices', rows);
  await importDataset({ sourceDir: source, targetDir: target });
  const problems = quarantine(target, 'invoices').filter((p) => !p.message.startsWith('duplicates') && !p.message.startsWith('refers to'));
  for (const { line, zodColumns } of expected) {
    const sqlColumns = [...new Set(problems.filter((p) => p.line === line).map((p) => p.column))].sort();
    if (zodColumns.length === 0) assert.deepEqual(sqlColumns, [], `line ${line} is valid for zod`);
    else assert.ok(sqlColumns.length > 0 && sqlColumns.every((c) => zodColumns.includes(c)), `line ${line}: zod ${zodColumns} vs sql ${sqlColumns}`);
  }
});

test('imports Parquet as well as CSV, and a whole synthetic economy without losing a row', async () => {
  const { dir } = economy();
  const target = temporaryDir('dst');
  const summary = await importDataset({ sourceDir: dir, targetDir: target });
  for (const entity of summary.entities) {
    assert.equal(entity.rowsRejected, 0, `${entity.entity}: ${JSON.stringify(entity.reasons)}`);
    assert.equal(entity.rowsAdded, entity.rowsRead);
  }
  const again = temporaryDir('dst2');
  const fromParquet = await importDataset({ sourceDir: target, targetDir: again });
  assert.deepEqual(fromParquet.entities.map((e) => [e.entity, e.rowsAdded]), summary.entities.map((e) => [e.entity, e.rowsAdded]));
});

test('line numbers stay exact in a large file read in parallel chunks, around structural rejects', async () => {
  const source = temporaryDir('src');
  const target = temporaryDir('dst');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, 'A'), enterpriseRow(BUYER, 'B')]);
  const columns = Object.keys(ENTITIES.invoices.columns);
  const rowCount = 250_000;
  const badLines = new Map<number, string>([[777, 'issueDate'], [61_234, 'sellerCode'], [140_001, 'taxFen'], [249_998, 'kind']]);
  const structuralLines = [90_000, 180_000];
  const lines = [columns.join(',')];
  for (let line = 2; line <= rowCount + 1; line++) {
    const row: Record<string, unknown> = invoiceRow(0, { invoiceNumber: `24310000000000${String(line).padStart(6, '0')}` });
    const broken = badLines.get(line);
    if (broken === 'issueDate') row.issueDate = '2024-02-31';
    if (broken === 'sellerCode') row.sellerCode = '91310000631696382A';
    if (broken === 'taxFen') row.taxFen = 1;
    if (broken === 'kind') row.kind = 'x';
    const text = columns.map((c) => (row[c] === null ? '' : String(row[c]))).join(',');
    lines.push(structuralLines.includes(line) ? text.slice(0, 30) : text);
  }
  writeFileSync(join(source, 'invoices.csv'), lines.join('\n') + '\n');
  const summary = await importDataset({ sourceDir: source, targetDir: target });
  assert.equal(byEntity(summary, 'invoices').rowsAdded, rowCount - badLines.size - structuralLines.length);
  const problems = quarantine(target, 'invoices');
  const found = problems.filter((p) => !p.message.includes('too few fields')).map((p) => `${p.line}:${p.column}`);
  assert.deepEqual(found.sort(), [...badLines].map(([line, column]) => `${line}:${column}`).sort());
  const structural = problems.filter((p) => p.message.includes('too few fields')).map((p) => p.line);
  assert.deepEqual(structural, structuralLines);
});

test('the manifest is written last: row counts and the months covered, computed from the data when the source has none', async () => {
  const source = temporaryDir('manifest-src');
  const target = join(temporaryDir('manifest-dst'), 'dataset');
  writeEntity(source, 'enterprises', [enterpriseRow(SELLER, '上海示例贸易有限公司'), enterpriseRow(BUYER, '北京示例科技有限公司')]);
  writeEntity(source, 'invoices', [invoiceRow(1), invoiceRow(2, { issueDate: '2024-07-31' }), invoiceRow(3, { issueDate: '2024-02-30' })]);
  const summary = await importDataset({ sourceDir: source, targetDir: target });
  assert.equal(summary.rootCause, null);
  const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest, { format: 'puhui-dataset/1', startMonth: '2024-03', endMonth: '2024-07', rowCounts: { enterprises: 2, invoices: 2 } });
  const { datasetEntities } = await import('../../src/data/index.ts');
  const contents = datasetEntities(target);
  assert.deepEqual(contents.present, ['enterprises', 'invoices']);
  assert.ok(contents.unavailable.includes('bankMonths') && contents.unavailable.includes('vatReturns'));
  // A second import that fails part-way (a file whose every row is rejected) leaves the folder without a manifest.
  writeFileSync(join(source, 'invoices.csv'), 'invoiceNumber,sellerCode\n1,2\n');
  const failed = await importDataset({ sourceDir: source, targetDir: target });
  assert.match(failed.rootCause!, /^invoices\.csv lacks the column\(s\) buyerCode/);
  assert.equal(existsSync(join(target, 'manifest.json')), false);
  assert.throws(() => datasetEntities(target), /holds enterprises, invoices but no manifest\.json/);
  assert.equal(existsSync(join(target, '.import.lock')), false);
});
