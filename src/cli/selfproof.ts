/**
 * `puhui selfproof`: read a document photo by hand (OCR, fields, checks and, with a dataset, verification
 * against the records), build the degraded evaluation set, and measure the reader on it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { intFlag, parse, print, UsageError } from './args.ts';
import { renderTable } from './inspect.ts';
import { DatasetReader } from '../data/index.ts';
import { formatYuan } from '../domain/money.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { decodeDocument, evaluateReader, generateEvaluationSet, OcrPool, readPages, selfProofSummary, verifyDocument, type DocumentVerification, type EvaluationReport, type ReadPage } from '../selfproof/index.ts';

const USAGE = 'usage: puhui selfproof read FILE [--dataset DIR] [--applicant CREDIT_CODE] [--json]\n'
  + '       puhui selfproof eval-set DATASET --out DIR [--per-kind N] [--seed S]\n'
  + '       puhui selfproof eval DIR [--workers N] [--pages N] [--timeout-ms MS] [--out report.json]';

export async function commandSelfproof(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'read') return commandRead(rest);
  if (sub === 'eval-set') return commandEvalSet(rest);
  if (sub === 'eval') return commandEval(rest);
  throw new UsageError(USAGE);
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PuhuiUserError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'document_file');
  }
}

async function commandRead(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { dataset: { type: 'string' }, applicant: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const json = flags.json === true;
  const path = resolve(positionals[0]!);
  const decoded = await decodeDocument(readFile(path), positionals[0]!);
  const reader = typeof flags.dataset === 'string' ? await DatasetReader.open(resolve(flags.dataset)) : null;
  const pool = new OcrPool({ workers: 1, threadsPerWorker: 2 });
  try {
    const pages = await readPages(decoded, pool);
    const verifications = reader ? await Promise.all(pages.map((p) => verifyDocument(p.extracted, reader))) : null;
    const applicant = typeof flags.applicant === 'string' ? flags.applicant : null;
    const summary = verifications && applicant ? selfProofSummary(verifications, applicant) : null;
    print(json, {
      file: path,
      pages: pages.map((p, i) => ({ page: p.page, kind: p.extracted.kind, fields: p.extracted.fields, problems: p.extracted.problems, verification: verifications?.[i] ?? null, text: p.extracted.rows })),
      selfProof: summary,
    }, () => pages.map((p, i) => renderPage(p, verifications?.[i] ?? null)).join('\n\n') + (summary ? `\n\nSelf-proof input for ${applicant}: ${JSON.stringify(summary)}` : ''));
  } finally {
    await pool.close();
    reader?.close();
  }
}

function renderPage(page: ReadPage, verification: DocumentVerification | null): string {
  const kind = page.extracted.kind ?? 'unknown document';
  const rows = Object.entries(page.extracted.fields).map(([field, value]) => {
    const checked = verification?.fields.find((f) => f.field === field);
    const shown = value !== null && field.endsWith('Fen') ? `${value} (¥${formatYuan(Number(value))})` : value ?? '—';
    return [field, shown, checked ? checked.status : '', checked ? checked.note : ''];
  });
  return [
    `Page ${page.page}: ${kind} (${page.lines.length} text lines read)`,
    ...renderTable(['field', 'read', 'status', 'note'], rows),
    ...page.extracted.problems.map((p) => `  check failed: ${p.message}`),
    ...(verification ? [`Verification strength: ${verification.strength}${verification.evidenceFen > 0 ? `, evidence ¥${formatYuan(verification.evidenceFen)} for ${verification.subjectCode}` : ''}`, ...verification.notes.map((n) => `  ${n}`)] : []),
  ].join('\n');
}

async function commandEvalSet(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { out: { type: 'string' }, 'per-kind': { type: 'string' }, seed: { type: 'string' } });
  if (positionals.length !== 1 || typeof flags.out !== 'string') throw new UsageError(USAGE);
  const perKind = intFlag(flags, 'per-kind', 20);
  if (perKind < 1 || perKind > 500) throw new UsageError('--per-kind must be 1..500');
  const pages = await generateEvaluationSet(resolve(positionals[0]!), resolve(flags.out), { documentsPerKind: perKind, seed: intFlag(flags, 'seed', 1) });
  print(flags.json === true, { out: resolve(flags.out), pages: pages.length }, () => `${pages.length} pages written to ${resolve(flags.out as string)} (truth.jsonl lists their fields)`);
}

async function commandEval(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { workers: { type: 'string' }, pages: { type: 'string' }, out: { type: 'string' }, 'timeout-ms': { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const workers = intFlag(flags, 'workers', 1);
  if (workers < 1 || workers > 8) throw new UsageError('--workers must be 1..8');
  // A measurement waits longer than the service would: a page that times out counts as read wrong.
  const pool = new OcrPool({ workers, threadsPerWorker: workers === 1 ? 2 : 1, pageTimeoutMs: intFlag(flags, 'timeout-ms', 120_000) });
  let report: EvaluationReport;
  try {
    report = await evaluateReader(resolve(positionals[0]!), pool, { pagesMax: flags.pages === undefined ? undefined : intFlag(flags, 'pages', 1) });
  } finally {
    await pool.close();
  }
  if (typeof flags.out === 'string') writeFileSync(resolve(flags.out), JSON.stringify(report, null, 2) + '\n');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  print(flags.json === true, { ...report, outcomes: undefined }, () => [
    `${report.pages} pages: fields ${pct(report.overall.fieldAccuracy)} right, documents entirely right ${pct(report.overall.documentAccuracy)}; per page p50 ${Math.round(report.latencyMsP50)} ms, p99 ${Math.round(report.latencyMsP99)} ms (CPU p50 ${Math.round(report.cpuMsP50)} ms, p99 ${Math.round(report.cpuMsP99)} ms)`,
    ...renderTable(['', 'pages', 'fields right', 'documents right'], [
      ...Object.entries(report.byKind).map(([k, c]) => [k, String(c.pages), pct(c.fieldAccuracy), pct(c.documentAccuracy)]),
      ...Object.entries(report.byDegradation).map(([d, c]) => [d, String(c.pages), pct(c.fieldAccuracy), pct(c.documentAccuracy)]),
    ]),
  ].join('\n'));
}
