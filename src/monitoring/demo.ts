/**
 * The demo's monitoring step: the early-warning close step over the demo's dataset (rescored with the demo's
 * scorecard), and, after the closes, the
 * portfolio's warnings at the last close as the close stored them — tallied by level and code, with the red
 * and yellow borrowers — and the lines the demo prints.
 */
import { openStore } from '../store/index.ts';
import type { CloseStep } from '../loans/close.ts';
import { datasetDossierSource, datasetWarningStep, WARNING_STEP } from './close-step.ts';
import { isWarningCode, WARNING_CODES, WARNING_LEVELS, type WarningCode, type WarningLevel } from './reasons.ts';

/** Borrowers listed by name in the demo's printout. */
const LISTED_MAX = 5;

export interface DemoWarnings {
  date: string;
  byLevel: Record<WarningLevel, number>;
  byCode: { code: WarningCode; enterprises: number }[];
  flagged: { creditCode: string; level: WarningLevel; codes: WarningCode[]; actions: string[] }[];
}

/** The warning step over the demo's dataset, rescoring each borrower with the demo's scorecard at every close. */
export function demoCloseSteps(datasetDir: string, modelFile: string): CloseStep[] {
  return [datasetWarningStep(datasetDossierSource(datasetDir), modelFile)];
}

/** The warnings the close stored on `date` in the demo's store. */
export async function demoWarnings(storeDir: string, date: string): Promise<DemoWarnings> {
  const store = await openStore({ dataDir: storeDir });
  try {
    const rows = await store.db.selectFrom('loanCloseSteps').select(['debtorId', 'result']).where('closeDate', '=', date).where('step', '=', WARNING_STEP).orderBy('debtorId').execute();
    const byLevel: Record<WarningLevel, number> = { green: 0, yellow: 0, red: 0 };
    const counts = new Map<WarningCode, number>();
    const flagged: DemoWarnings['flagged'] = [];
    for (const row of rows) {
      const result = row.result as { level?: string; codes?: string[]; actions?: string[] };
      const level = (WARNING_LEVELS as readonly string[]).includes(result.level ?? '') ? (result.level as WarningLevel) : 'green';
      const codes = (result.codes ?? []).filter(isWarningCode);
      byLevel[level]++;
      for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
      if (level !== 'green') flagged.push({ creditCode: row.debtorId, level, codes, actions: result.actions ?? [] });
    }
    flagged.sort((a, b) => (a.level === b.level ? a.creditCode.localeCompare(b.creditCode) : a.level === 'red' ? -1 : 1));
    const byCode = [...counts.entries()].map(([code, enterprises]) => ({ code, enterprises })).sort((a, b) => b.enterprises - a.enterprises || a.code.localeCompare(b.code));
    return { date, byLevel, byCode, flagged };
  } finally {
    await store.close();
  }
}

export function renderDemoWarnings(w: DemoWarnings): string[] {
  return [
    `Early warnings 贷后预警 at the close of ${w.date}: red 红 ${w.byLevel.red}, yellow 黄 ${w.byLevel.yellow}, green 绿 ${w.byLevel.green}`,
    `  signals: ${w.byCode.slice(0, 6).map((c) => `${c.code} ${c.enterprises}`).join(', ') || 'none'}`,
    ...w.flagged.slice(0, LISTED_MAX).map((f) => `  ${f.creditCode} ${f.level}: ${f.codes.map((c) => WARNING_CODES[c].zh).join('；')} → ${f.actions.join(', ')}`),
  ];
}
