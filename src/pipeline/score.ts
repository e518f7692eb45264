/**
 * Scoring a table with a model file, the step the CLI, the bench and the HTTP service share. The table is
 * any CSV or Parquet file (a feature table of the synthetic economy is one); the model file is checked when
 * loaded; the columns the model reads are checked by name and type before any scoring; the output (CSV or
 * Parquet) is keyed by the --id column, else creditCode, else the row number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PuhuiUserError } from '../domain/errors.ts';
import { quoteText } from '../data/sql-checks.ts';
import { TableFile, type ReadAs } from '../data/table-reader.ts';
import { Scorer } from '../models/scorer.ts';
import { ParamChecker } from '../models/params.ts';
import type { ColumnValues } from '../models/scorecard.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { checkWritable } from './train.ts';

export class ScoreError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'score');
  }
}

export interface ScoreRequest { model: string; data: string; id?: string | null; out: string }

export interface ScoreResult { rows: number; seconds: number; key: string; out: string }

/** The key column of the output when no --id is given and the table has no creditCode. */
export const ROW_KEY = 'row';

export async function scoreTableFile(request: ScoreRequest): Promise<ScoreResult> {
  const early = new ParamChecker();
  const extension = extname(request.out).toLowerCase();
  if (extension !== '.csv' && extension !== '.parquet') early.add(`the output ${request.out} must end in .csv or .parquet`);
  checkWritable(request.out, early);
  if (early.problems.length > 0) throw new ScoreError(early.problems.join('; '));
  const scorer = new Scorer(request.model);
  const table = await TableFile.open(request.data);
  try {
    const key = request.id ?? (table.column('creditCode') ? 'creditCode' : null);
    const read = await checkColumns(table, scorer, request);
    if (table.rows === 0) throw new ScoreError(`${request.data} has no rows to score`);
    const columns = await table.read({ ...read, ...(key ? { [key]: 'category' as const } : {}) });
    const keys = key ? (columns.columns[key] as (string | null)[]).map((k) => k ?? '') : Array.from({ length: columns.rows }, (_, i) => String(i + 1));
    const started = performance.now();
    const scored = scorer.scoreTable(columns.columns as Record<string, ColumnValues>, columns.rows);
    const seconds = (performance.now() - started) / 1000;
    await writeScores(request.out, key ?? ROW_KEY, keys, scored);
    return { rows: columns.rows, seconds, key: key ?? ROW_KEY, out: request.out };
  } finally {
    table.close();
  }
}

/** Every column the model reads, present and of a usable type; all problems in one message. */
async function checkColumns(table: TableFile, scorer: Scorer, request: ScoreRequest): Promise<Record<string, ReadAs>> {
  const problems: string[] = [];
  if (request.id && !table.column(request.id)) problems.push(`--id ${request.id}: ${request.data} has no such column`);
  const read: Record<string, ReadAs> = {};
  for (const needed of scorer.requiredColumns()) {
    const column = table.column(needed.name);
    if (!column) {
      if (!needed.optional) problems.push(`the model needs the column ${needed.name}, which ${request.data} does not have`);
      continue;
    }
    if (column.columnClass === 'other') {
      problems.push(`column ${needed.name} is ${column.sqlType}; the model reads it as ${needed.type === 'numeric' ? 'numbers' : 'categories'}`);
    } else if (needed.type === 'numeric' && column.columnClass === 'text') {
      const sample = await table.firstNonNumber(needed.name);
      if (sample !== null) problems.push(`column ${needed.name} holds text (e.g. ${JSON.stringify(sample)}) but the model bins it as numbers`);
      else read[needed.name] = 'f64';
    } else {
      read[needed.name] = needed.type === 'numeric' ? 'f64' : 'category';
    }
  }
  if (problems.length > 0) throw new ScoreError(problems.join('; '));
  return read;
}

async function writeScores(outFile: string, keyName: string, keys: string[], scored: ReturnType<Scorer['scoreTable']>): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-score-'));
  try {
    const csv = outFile.toLowerCase().endsWith('.csv') ? outFile : join(work, 'scores.csv');
    const writer = new CsvFileWriter(csv, [keyName, 'segment', 'score', 'probability', 'grade']);
    keys.forEach((key, i) => writer.row([key, scored[i]!.segment, scored[i]!.score, scored[i]!.probability, scored[i]!.grade]));
    writer.close();
    if (csv !== outFile) {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const columns = `{${quoteText(keyName)}: 'VARCHAR', 'segment': 'VARCHAR', 'score': 'DOUBLE', 'probability': 'DOUBLE', 'grade': 'VARCHAR'}`;
        await connection.run(`COPY (SELECT * FROM read_csv(${quoteText(csv)}, header = true, columns = ${columns})) TO ${quoteText(outFile)} (FORMAT parquet)`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
