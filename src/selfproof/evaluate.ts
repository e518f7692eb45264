/**
 * Measures the reader on an evaluation set: every page decoded, read by the OCR pool and extracted, each
 * field compared exactly with the ground truth. Accuracy is reported per document kind, per degradation and
 * per field; the time of each page (decode + OCR + extraction, models already loaded) gives p50 and p99.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PuhuiUserError } from '../domain/errors.ts';
import { FIELDS_OF } from './documents.ts';
import { TRUTH_FILE, type EvaluationPage } from './evaluation-set.ts';
import { readDocument } from './read.ts';
import type { OcrPool } from './ocr-pool.ts';

export interface AccuracyCell { pages: number; fields: number; fieldsRight: number; pagesRight: number; fieldAccuracy: number; documentAccuracy: number }
export interface PageOutcome { file: string; kind: string; degradation: string; wrong: { field: string; expected: string; read: string | null }[]; ms: number; cpuMs: number; error: string | null }
export interface EvaluationReport {
  pages: number; overall: AccuracyCell; byKind: Record<string, AccuracyCell>; byDegradation: Record<string, AccuracyCell>;
  byKindAndDegradation: Record<string, Record<string, AccuracyCell>>; byField: Record<string, { fields: number; right: number; accuracy: number }>;
  latencyMsP50: number; latencyMsP99: number; latencyMsMax: number;
  /** CPU time of the whole process (all threads) per page: what the page costs, whatever else the machine runs. */
  cpuMsP50: number; cpuMsP99: number; outcomes: PageOutcome[];
}

export function readTruth(dir: string): EvaluationPage[] {
  return readFileSync(join(dir, TRUTH_FILE), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as EvaluationPage);
}

export async function evaluateReader(dir: string, pool: OcrPool, options: { pagesMax?: number; onPage?: (done: number, total: number) => void } = {}): Promise<EvaluationReport> {
  const truth = readTruth(dir).slice(0, options.pagesMax ?? Infinity);
  await pool.warm();
  const outcomes: PageOutcome[] = [];
  for (const page of truth) {
    const bytes = readFileSync(join(dir, page.file));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const cpuMs = () => { const used = process.cpuUsage(cpuStarted); return (used.user + used.system) / 1000; };
    let outcome: PageOutcome;
    try {
      const [read] = await readDocument(bytes, pool, page.file);
      const fields = read!.extracted.kind === page.kind ? read!.extracted.fields : {};
      const wrong = FIELDS_OF[page.kind].filter((f) => fields[f] !== page.fields[f]).map((f) => ({ field: f, expected: page.fields[f]!, read: fields[f] ?? null }));
      outcome = { file: page.file, kind: page.kind, degradation: page.degradation, wrong, ms: performance.now() - started, cpuMs: cpuMs(), error: null };
    } catch (error) {
      if (!(error instanceof PuhuiUserError)) throw error;
      const wrong = FIELDS_OF[page.kind].map((f) => ({ field: f, expected: page.fields[f]!, read: null }));
      outcome = { file: page.file, kind: page.kind, degradation: page.degradation, wrong, ms: performance.now() - started, cpuMs: cpuMs(), error: error.message };
    }
    outcomes.push(outcome);
    options.onPage?.(outcomes.length, truth.length);
  }
  return summarise(outcomes);
}

function cell(outcomes: readonly PageOutcome[]): AccuracyCell {
  let fields = 0, fieldsRight = 0, pagesRight = 0;
  for (const outcome of outcomes) {
    const count = FIELDS_OF[outcome.kind as keyof typeof FIELDS_OF].length;
    fields += count;
    fieldsRight += count - outcome.wrong.length;
    if (outcome.wrong.length === 0) pagesRight++;
  }
  return { pages: outcomes.length, fields, fieldsRight, pagesRight, fieldAccuracy: fields === 0 ? 0 : fieldsRight / fields, documentAccuracy: outcomes.length === 0 ? 0 : pagesRight / outcomes.length };
}

function groupBy(outcomes: readonly PageOutcome[], key: (o: PageOutcome) => string): Record<string, PageOutcome[]> {
  const groups: Record<string, PageOutcome[]> = {};
  for (const outcome of outcomes) (groups[key(outcome)] ??= []).push(outcome);
  return groups;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function summarise(outcomes: readonly PageOutcome[]): EvaluationReport {
  const byKindGroups = groupBy(outcomes, (o) => o.kind);
  const byKindAndDegradation: EvaluationReport['byKindAndDegradation'] = {};
  for (const [kind, group] of Object.entries(byKindGroups)) {
    byKindAndDegradation[kind] = Object.fromEntries(Object.entries(groupBy(group, (o) => o.degradation)).map(([d, g]) => [d, cell(g)]));
  }
  const byField: EvaluationReport['byField'] = {};
  for (const outcome of outcomes) {
    for (const field of FIELDS_OF[outcome.kind as keyof typeof FIELDS_OF]) {
      const entry = (byField[`${outcome.kind}.${field}`] ??= { fields: 0, right: 0, accuracy: 0 });
      entry.fields++;
      if (!outcome.wrong.some((w) => w.field === field)) entry.right++;
    }
  }
  for (const entry of Object.values(byField)) entry.accuracy = entry.right / entry.fields;
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const cpu = outcomes.map((o) => o.cpuMs).sort((a, b) => a - b);
  return {
    pages: outcomes.length, overall: cell(outcomes),
    byKind: Object.fromEntries(Object.entries(byKindGroups).map(([k, g]) => [k, cell(g)])),
    byDegradation: Object.fromEntries(Object.entries(groupBy(outcomes, (o) => o.degradation)).map(([d, g]) => [d, cell(g)])),
    byKindAndDegradation, byField,
    latencyMsP50: quantile(times, 0.5), latencyMsP99: quantile(times, 0.99), latencyMsMax: times.at(-1) ?? 0,
    cpuMsP50: quantile(cpu, 0.5), cpuMsP99: quantile(cpu, 0.99),
    outcomes: [...outcomes],
  };
}
