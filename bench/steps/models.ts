// Model-kit scale, in one process:
// 1. the reader against the fit at 200,000 rows × 50 features (--quick: a fifth of the rows): a CSV and the same
//    table as Parquet read into typed columns by src/data/table-reader.ts, then a scorecard fitted on what was read;
//    the reader must take less time than the fit;
// 2. binning + WOE + logistic regression fitted on N rows × 50 features, then scoring N rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TableFile } from '../../src/data/table-reader.ts';
import { quoteText } from '../../src/data/sql-checks.ts';
import { trainScorecard, scoreRows, type ColumnValues } from '../../src/models/scorecard.ts';
import { Rng } from '../../src/synth/random.ts';
import { CsvFileWriter } from '../../src/synth/csv-writer.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const readerRows = rows >= 1_000_000 ? 200_000 : Math.round(rows / 5);
const featureCount = 50;
const fitOptions = { binning: { method: 'monotonic' as const, maxBins: 8 } };

/** N rows × 50 informative features (2% missing) and a bad flag, deterministic. */
function applicants(count: number): { columns: Record<string, Float64Array>; bad: Uint8Array } {
  const rng = new Rng(9, 'model-bench');
  const raw: Float64Array[] = [];
  for (let j = 0; j < featureCount; j++) raw.push(Float64Array.from({ length: count }, () => Math.round(rng.normal() * 1000) / 100));
  const bad = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let logit = -3.5;
    for (let j = 0; j < featureCount; j++) logit += (j % 2 === 0 ? 1 : -1) * (0.05 + 0.005 * j) * raw[j]![i]!; // every feature matters a little
    bad[i] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  // Typed columns, as a feature table comes out of Parquet: NaN marks a missing value (2% of rows).
  const columns: Record<string, Float64Array> = {};
  raw.forEach((values, j) => { columns[`x${j}`] = Float64Array.from(values, (v, i) => (i % 50 === 0 ? Number.NaN : v)); });
  return { columns, bad };
}

async function readAll(path: string): Promise<{ seconds: number; columns: Record<string, ColumnValues>; bad: Uint8Array }> {
  const started = performance.now();
  const table = await TableFile.open(path);
  try {
    const read = await table.read(Object.fromEntries(table.columns.map((c) => [c.name, 'f64' as const])));
    const seconds = (performance.now() - started) / 1000;
    const { bad, ...columns } = read.columns as Record<string, Float64Array>;
    return { seconds, columns, bad: Uint8Array.from(bad!) };
  } finally {
    table.close();
  }
}

async function readerAgainstFit() {
  const work = mkdtempSync(join(tmpdir(), 'puhui-bench-reader-'));
  try {
    const { columns, bad } = applicants(readerRows);
    const names = Object.keys(columns);
    const csv = join(work, 'applicants.csv');
    const writer = new CsvFileWriter(csv, ['bad', ...names]);
    for (let i = 0; i < readerRows; i++) writer.row([bad[i]!, ...names.map((n) => (Number.isNaN(columns[n]![i]!) ? null : columns[n]![i]!))]);
    writer.close();
    const parquet = join(work, 'applicants.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv(${quoteText(csv)}, header = true)) TO ${quoteText(parquet)} (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const fromCsv = await readAll(csv);
    const fromParquet = await readAll(parquet);
    const started = performance.now();
    trainScorecard(fromCsv.columns, fromCsv.bad, 'bad', fitOptions);
    const fitSeconds = (performance.now() - started) / 1000;
    return {
      rows: readerRows, features: featureCount,
      csvSeconds: fromCsv.seconds, csvRowsPerSecond: Math.round(readerRows / fromCsv.seconds),
      parquetSeconds: fromParquet.seconds, parquetRowsPerSecond: Math.round(readerRows / fromParquet.seconds),
      fitSeconds, csvReadToFitRatio: fromCsv.seconds / fitSeconds, readFasterThanFit: fromCsv.seconds < fitSeconds,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const reader = await readerAgainstFit();
const { columns, bad } = applicants(rows);
let started = performance.now();
const model = trainScorecard(columns, bad, 'bad', fitOptions);
const fitSeconds = (performance.now() - started) / 1000;
started = performance.now();
scoreRows(model, columns);
const scoreSeconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  rows, features: featureCount, kept: model.features.length, fitSeconds, scoreSeconds, scoreRowsPerSecond: Math.round(rows / scoreSeconds), trainAuc: model.training.auc,
  reader, maxRssKb: process.resourceUsage().maxRSS,
}));
