/**
 * Lead time of the early warnings, measured on a dataset with outcome labels (the synthetic economy).
 *
 * Each firm gets a reference month r: its default month for a firm that defaults in the last
 * `referenceMonths` months of data, otherwise a month spread evenly over the same span (by a hash of its
 * credit code, so the two groups are looked at over the same calendar). The warning is evaluated as of the
 * first day of each of the `windowMonths` months ending `leadMonthsMin` before r (by default r−6 … r−3). A
 * defaulter is caught when any of those evaluations is red or yellow; a non-defaulter (no default anywhere
 * in the data) flagged there is a false alarm. Both groups see exactly as many evaluations, so the two
 * shares are comparable. Firms labelled as planted fraud are left out (anti-fraud declines them at booking;
 * their bust-outs are reported apart), as are firms younger than the products lend to.
 *
 * Fraud and rescoring are unknown here (null), so W_RING_NEW and W_PD_* never fire: the figure is what
 * fresh tax, invoice, bank, bureau and court data alone achieve.
 */
import { createHash } from 'node:crypto';
import { addMonths, dayNumber, firstDayOfMonth, monthIndex } from '../domain/period.ts';
import { DatasetReader } from '../data/index.ts';
import { DatasetError, readManifest } from '../data/layout.ts';
import { readCompactDossiers } from '../features/batch.ts';
import type { CompactDossier } from '../features/compact.ts';
import type { Strategy } from '../decision/strategy.ts';
import type { MonitoringPolicy } from './policy.ts';
import type { WarningCode, WarningLevel } from './reasons.ts';
import type { WarningEngine } from './strategy.ts';
import { evaluateWarnings } from './warnings.ts';

/** The feature window (30 months) less the 18 months the signals look back: evaluations a read covers. */
const MONTHS_COVERED_PER_READ = 12;

export interface LeadTimeOptions {
  datasetDir: string;
  strategy: Strategy;
  engine: WarningEngine;
  policy: MonitoringPolicy;
  /** Last month of data (YYYY-MM); from the dataset's manifest when absent. */
  endMonth?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GroupFigures { firms: number; flagged: number; red: number; share: number }

export interface LeadTimeReport {
  strategy: string;
  policy: string;
  referenceFrom: string;
  referenceTo: string;
  leadMonthsMin: number;
  windowMonths: number;
  defaulters: GroupFigures;
  nonDefaulters: GroupFigures;
  /** Planted-fraud firms that defaulted (bust-outs), not in the figures above. */
  fraudDefaulters: GroupFigures;
  /** Per warning code: share of defaulters' windows and of non-defaulters' windows where it fired. */
  codes: { code: WarningCode; defaulterShare: number; nonDefaulterShare: number }[];
  /** Months between the first flag in the window and the default, over the caught defaulters. */
  firstFlagMonthsBeforeDefaultMedian: number | null;
  aimMet: boolean;
  evaluations: number;
}

interface Subject { index: number; code: string; referenceMonth: number; defaulted: boolean; fraud: boolean }

function spreadMonth(code: string, months: number): number {
  return createHash('sha256').update(code).digest().readUInt32BE(0) % months;
}

async function readLabels(datasetDir: string): Promise<Map<string, { defaultMonth: string | null; fraud: boolean }>> {
  const reader = await DatasetReader.open(datasetDir);
  try {
    if (!reader.has('labels')) throw new DatasetError(`${datasetDir} has no labels: lead time needs known outcomes (a synthetic economy)`);
    const rows = await reader.records('labels', 'true', 'creditCode');
    return new Map(rows.map((r) => [String(r.creditCode), { defaultMonth: (r.defaultMonth as string | null) ?? null, fraud: r.fraudKind !== 'none' }]));
  } finally {
    reader.close();
  }
}

export async function measureLeadTime(options: LeadTimeOptions): Promise<LeadTimeReport> {
  const { policy, strategy, engine } = options;
  const settings = policy.leadTime;
  const endMonth = options.endMonth ?? readManifest(options.datasetDir)?.endMonth;
  if (!endMonth) throw new DatasetError(`${options.datasetDir} has no manifest: give the last month of data`);
  const end = monthIndex(endMonth);
  const firstReference = end - settings.referenceMonths + 1;
  const firstEvaluation = firstReference - settings.leadMonthsMin - settings.windowMonths + 1;
  const labels = await readLabels(options.datasetDir);
  // One read of the dossiers covers the 12 evaluation months up to its date; read as few as needed.
  const reads: { anchor: number; dossiers: CompactDossier[] }[] = [];
  let codes: string[] = [];
  for (let anchor = end + 1; ; anchor -= MONTHS_COVERED_PER_READ + 1) {
    const read = await readCompactDossiers(options.datasetDir, firstDayOfMonth(addMonths(endMonth, anchor - end)));
    codes = read.codes;
    reads.push({ anchor, dossiers: read.dossiers });
    if (anchor - MONTHS_COVERED_PER_READ <= firstEvaluation) break;
  }
  const dossierFor = (index: number, month: number): CompactDossier => {
    const read = reads.find((r) => month <= r.anchor && month >= r.anchor - MONTHS_COVERED_PER_READ);
    if (!read) throw new Error(`no dossier read covers month ${month}`);
    return read.dossiers[index]!;
  };
  const subjects: Subject[] = [];
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index]!;
    const label = labels.get(code);
    if (!label) continue;
    const defaultIndex = label.defaultMonth === null ? null : monthIndex(label.defaultMonth);
    if (defaultIndex !== null && (defaultIndex < firstReference || defaultIndex > end)) continue;
    const referenceMonth = defaultIndex ?? firstReference + spreadMonth(code, settings.referenceMonths);
    const firstLook = referenceMonth - settings.leadMonthsMin - settings.windowMonths + 1;
    const established = reads[0]!.dossiers[index]!.establishedDay;
    if (established > dayNumber(firstDayOfMonth(addMonths(endMonth, firstLook - end - settings.businessAgeMonthsMin)))) continue;
    subjects.push({ index, code, referenceMonth, defaulted: defaultIndex !== null, fraud: label.fraud });
  }
  const tally = () => ({ firms: 0, flagged: 0, red: 0, share: 0 });
  const groups = { defaulters: tally(), nonDefaulters: tally(), fraudDefaulters: tally() };
  const fired = new Map<WarningCode, [number, number]>();
  const leads: number[] = [];
  let evaluations = 0;
  for (const [k, subject] of subjects.entries()) {
    const group = subject.fraud ? (subject.defaulted ? groups.fraudDefaulters : null) : subject.defaulted ? groups.defaulters : groups.nonDefaulters;
    if (!group) continue;
    let worst: WarningLevel = 'green';
    let firstFlag: number | null = null;
    const seen = new Set<WarningCode>();
    for (let month = subject.referenceMonth - settings.leadMonthsMin - settings.windowMonths + 1; month <= subject.referenceMonth - settings.leadMonthsMin; month++) {
      const asOf = firstDayOfMonth(addMonths(endMonth, month - end));
      const warning = await evaluateWarnings(engine, strategy, dossierFor(subject.index, month), asOf, { creditCode: subject.code });
      evaluations++;
      if (warning.level !== 'green' && firstFlag === null) firstFlag = month;
      if (warning.level === 'red' || (warning.level === 'yellow' && worst === 'green')) worst = warning.level;
      for (const reason of warning.reasons) seen.add(reason.code);
    }
    group.firms++;
    if (worst !== 'green') group.flagged++;
    if (worst === 'red') group.red++;
    if (firstFlag !== null && group === groups.defaulters) leads.push(subject.referenceMonth - firstFlag);
    if (!subject.fraud) for (const code of seen) {
      const counts = fired.get(code) ?? [0, 0];
      counts[subject.defaulted ? 0 : 1]++;
      fired.set(code, counts);
    }
    options.onProgress?.(k + 1, subjects.length);
  }
  for (const g of Object.values(groups)) g.share = g.firms > 0 ? g.flagged / g.firms : 0;
  leads.sort((a, b) => a - b);
  const codesFired = [...fired.entries()].map(([code, [d, n]]) => ({
    code, defaulterShare: d / Math.max(1, groups.defaulters.firms), nonDefaulterShare: n / Math.max(1, groups.nonDefaulters.firms),
  })).sort((a, b) => b.defaulterShare - a.defaulterShare);
  return {
    strategy: `${strategy.header.id}@${strategy.header.version}#${strategy.hash.slice(0, 12)}`, policy: `${policy.id}@${policy.version}`,
    referenceFrom: addMonths(endMonth, firstReference - end), referenceTo: endMonth,
    leadMonthsMin: settings.leadMonthsMin, windowMonths: settings.windowMonths,
    ...groups, codes: codesFired,
    firstFlagMonthsBeforeDefaultMedian: leads.length > 0 ? leads[leads.length >> 1]! : null,
    aimMet: groups.defaulters.share >= settings.detectionShareAim && groups.nonDefaulters.share <= settings.falseAlarmShareAim,
    evaluations,
  };
}
