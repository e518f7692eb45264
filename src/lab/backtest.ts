/**
 * The model lab's backtest: a strategy's decisions on history, read against what happened next. The cohort
 * is every enterprise registered by the as-of date and not already in default; "bad" is a default in the
 * 12 months from the as-of month. Figures are given overall and by risk grade, segment, region and
 * product; two strategies are compared on the swap set (enterprises approved by one only).
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { badWithin, OUTCOME_HORIZON_MONTHS } from '../data/outcomes.ts';
import { PROVINCES } from '../domain/reference.ts';
import { tableSource } from '../data/sql-checks.ts';
import type { DecisionRecord } from '../decision/decide.ts';
import type { StrategyResult } from '../decision/engine.ts';

export interface Outcome { defaultMonth: string | null; fraudKind: string }

export class LabError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'lab');
  }
}

export async function readOutcomes(labelsFile: string): Promise<Map<string, Outcome>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = tableSource(labelsFile);
    const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS().map((r) => String(r.column_name));
    if (!columns.includes('creditCode') || !columns.includes('defaultMonth')) throw new LabError(`${labelsFile} needs the columns creditCode and defaultMonth (YYYY-MM or empty); fraudKind is optional`);
    const fraud = columns.includes('fraudKind') ? 'fraudKind' : `'none'`;
    const rows = (await connection.runAndReadAll(`SELECT creditCode, CAST(defaultMonth AS VARCHAR) AS defaultMonth, ${fraud} AS fraudKind FROM ${source}`)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.creditCode), { defaultMonth: r.defaultMonth === null || r.defaultMonth === '' ? null : String(r.defaultMonth), fraudKind: String(r.fraudKind ?? 'none') }]));
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError(`cannot read outcomes from ${labelsFile}: ${(error as Error).message}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** One decided enterprise in the cohort, with what happened next. */
export interface LabRow { creditCode: string; bad: boolean; fraud: boolean; pd: number | null; segment: string; taxpayerType: string; region: string; result: StrategyResult }

export interface Tally {
  enterprises: number;
  bads: number;
  frauds: number;
  approved: number;
  reviewed: number;
  declined: number;
  approvalRate: number;
  badsApproved: number;
  /** Enterprises that neither went bad nor are fraudulent, and how many of them were approved. */
  goods: number;
  goodsApproved: number;
  /** Bad rate among the approved; null when none is approved. */
  badRateApproved: number | null;
  badRateDeclined: number | null;
  badRate: number;
  fraudsApproved: number;
  fraudsReviewed: number;
  limitFenApproved: number;
  limitFenMean: number | null;
  /** Limit-weighted mean rate of the approved, bps. */
  rateBpsMean: number | null;
  /** Σ PD × LGD × limit over the approved (PD from the model; enterprises without a PD are left out). */
  expectedLossFen: number;
  /** Σ LGD × limit over the approved that went bad. */
  realisedLossFen: number;
}

export interface Breakdown { key: string; label: string; tally: Tally }

export interface StrategyBacktest {
  strategy: StrategyResult['strategy'];
  lossGivenDefault: number;
  overall: Tally;
  byGrade: Breakdown[];
  bySegment: Breakdown[];
  byRegion: Breakdown[];
  byProduct: Breakdown[];
  reasons: { code: string; kind: string; en: string; zh: string; enterprises: number; bads: number }[];
}

export interface SwapSet { enterprises: number; bads: number; frauds: number; badRate: number | null; limitFen: number }

export interface Comparison { approvedByBoth: SwapSet; championOnly: SwapSet; challengerOnly: SwapSet; neither: SwapSet }

export interface BacktestReport {
  asOf: string;
  horizonMonths: number;
  cohort: { enterprises: number; bads: number; frauds: number; badRate: number; excludedDefaulted: number; excludedUnlabelled: number };
  champion: StrategyBacktest;
  challenger: StrategyBacktest | null;
  comparison: Comparison | null;
}

export function tally(rows: readonly LabRow[], lossGivenDefault: number): Tally {
  const t: Tally = {
    enterprises: rows.length, bads: 0, frauds: 0, approved: 0, reviewed: 0, declined: 0, approvalRate: 0, badsApproved: 0, goods: 0, goodsApproved: 0, badRateApproved: null, badRateDeclined: null, badRate: 0,
    fraudsApproved: 0, fraudsReviewed: 0, limitFenApproved: 0, limitFenMean: null, rateBpsMean: null, expectedLossFen: 0, realisedLossFen: 0,
  };
  let badsDeclined = 0;
  let rateWeighted = 0;
  for (const row of rows) {
    const r = row.result;
    if (row.bad) t.bads++;
    if (row.fraud) t.frauds++;
    const good = !row.bad && !row.fraud;
    if (good) t.goods++;
    if (r.outcome === 'approve') {
      t.approved++;
      if (good) t.goodsApproved++;
      t.limitFenApproved += r.limitFen;
      rateWeighted += r.limitFen * (r.rateBps ?? 0);
      if (row.bad) { t.badsApproved++; t.realisedLossFen += lossGivenDefault * r.limitFen; }
      if (row.fraud) t.fraudsApproved++;
      if (row.pd !== null) t.expectedLossFen += row.pd * lossGivenDefault * r.limitFen;
    } else if (r.outcome === 'review') {
      t.reviewed++;
      if (row.fraud) t.fraudsReviewed++;
    } else {
      t.declined++;
      if (row.bad) badsDeclined++;
    }
  }
  t.approvalRate = rows.length > 0 ? t.approved / rows.length : 0;
  t.badRate = rows.length > 0 ? t.bads / rows.length : 0;
  t.badRateApproved = t.approved > 0 ? t.badsApproved / t.approved : null;
  t.badRateDeclined = t.declined > 0 ? badsDeclined / t.declined : null;
  t.limitFenMean = t.approved > 0 ? Math.round(t.limitFenApproved / t.approved) : null;
  t.rateBpsMean = t.limitFenApproved > 0 ? rateWeighted / t.limitFenApproved : null;
  t.expectedLossFen = Math.round(t.expectedLossFen);
  t.realisedLossFen = Math.round(t.realisedLossFen);
  return t;
}

function breakdown(rows: readonly LabRow[], keyOf: (row: LabRow) => string, labelOf: (key: string) => string, lossGivenDefault: number): Breakdown[] {
  const groups = new Map<string, LabRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => ({ key, label: labelOf(key), tally: tally(list, lossGivenDefault) }));
}

const PROVINCE_NAME = new Map(PROVINCES.map((p) => [p.code, `${p.nameEn} ${p.nameZh}`]));

export function backtestStrategy(rows: readonly LabRow[], lossGivenDefault: number): StrategyBacktest {
  const reasons = new Map<string, StrategyBacktest['reasons'][number]>();
  for (const row of rows) {
    for (const reason of row.result.reasons) {
      const entry = reasons.get(reason.code) ?? { ...reason, enterprises: 0, bads: 0 };
      entry.enterprises++;
      if (row.bad) entry.bads++;
      reasons.set(reason.code, entry);
    }
  }
  return {
    strategy: rows[0]?.result.strategy ?? { id: '', version: '', hash: '', product: '' },
    lossGivenDefault,
    overall: tally(rows, lossGivenDefault),
    byGrade: breakdown(rows, (r) => r.result.riskGrade ?? 'none', (k) => (k === 'none' ? 'no score 无评分' : k), lossGivenDefault),
    bySegment: breakdown(rows, (r) => `${r.taxpayerType} · ${r.segment}`, (k) => k.replace('small_scale', 'small-scale 小规模').replace('general', 'general 一般纳税人'), lossGivenDefault),
    byRegion: breakdown(rows, (r) => r.region, (k) => PROVINCE_NAME.get(k) ?? k, lossGivenDefault),
    byProduct: breakdown(rows, (r) => r.result.strategy.product, (k) => k, lossGivenDefault),
    reasons: [...reasons.values()].sort((a, b) => b.enterprises - a.enterprises || a.code.localeCompare(b.code)),
  };
}

function swap(rows: readonly { row: LabRow; limitFen: number }[]): SwapSet {
  const bads = rows.filter((r) => r.row.bad).length;
  return { enterprises: rows.length, bads, frauds: rows.filter((r) => r.row.fraud).length, badRate: rows.length > 0 ? bads / rows.length : null, limitFen: rows.reduce((s, r) => s + r.limitFen, 0) };
}

export function compare(champion: readonly LabRow[], challenger: readonly LabRow[]): Comparison {
  const other = new Map(challenger.map((r) => [r.creditCode, r]));
  const both: { row: LabRow; limitFen: number }[] = [];
  const championOnly: typeof both = [];
  const challengerOnly: typeof both = [];
  const neither: typeof both = [];
  for (const row of champion) {
    const twin = other.get(row.creditCode);
    if (!twin) throw new LabError(`the challenger did not decide ${row.creditCode}`);
    const a = row.result.outcome === 'approve';
    const b = twin.result.outcome === 'approve';
    if (a && b) both.push({ row, limitFen: twin.result.limitFen });
    else if (a) championOnly.push({ row, limitFen: row.result.limitFen });
    else if (b) challengerOnly.push({ row: twin, limitFen: twin.result.limitFen });
    else neither.push({ row, limitFen: 0 });
  }
  return { approvedByBoth: swap(both), championOnly: swap(championOnly), challengerOnly: swap(challengerOnly), neither: swap(neither) };
}

export interface BacktestInput {
  asOf: string;
  records: readonly DecisionRecord[];
  outcomes: ReadonlyMap<string, Outcome>;
  /** Taxpayer type and region of each enterprise, for the breakdowns. */
  profiles: ReadonlyMap<string, { taxpayerType: string; regionCode: string }>;
  lossGivenDefault: { champion: number; challenger: number | null };
}

/** Champion and (if the records carry one) challenger results against the outcomes. */
export function runBacktest(input: BacktestInput): BacktestReport {
  const champion: LabRow[] = [];
  const challenger: LabRow[] = [];
  let excludedDefaulted = 0;
  let excludedUnlabelled = 0;
  for (const record of input.records) {
    const outcome = input.outcomes.get(record.creditCode);
    if (!outcome) { excludedUnlabelled++; continue; }
    const bad = badWithin(outcome, input.asOf);
    if (bad === null) { excludedDefaulted++; continue; }
    const profile = input.profiles.get(record.creditCode);
    const base = { creditCode: record.creditCode, bad, fraud: outcome.fraudKind !== 'none', pd: record.model?.pd ?? null, segment: record.model?.segment ?? 'no model', taxpayerType: profile?.taxpayerType ?? 'unknown', region: profile?.regionCode.slice(0, 2) ?? '??' };
    const championResult = record.arm === 'champion' ? record.decision : record.shadow!;
    champion.push({ ...base, result: championResult });
    if (record.shadow) challenger.push({ ...base, result: record.arm === 'champion' ? record.shadow : record.decision });
  }
  if (champion.length === 0) throw new LabError(`no decided enterprise has an outcome: check that the labels belong to this dataset (${excludedUnlabelled} unlabelled, ${excludedDefaulted} already in default)`);
  const bads = champion.filter((r) => r.bad).length;
  return {
    asOf: input.asOf, horizonMonths: OUTCOME_HORIZON_MONTHS,
    cohort: { enterprises: champion.length, bads, frauds: champion.filter((r) => r.fraud).length, badRate: bads / champion.length, excludedDefaulted, excludedUnlabelled },
    champion: backtestStrategy(champion, input.lossGivenDefault.champion),
    challenger: challenger.length > 0 ? backtestStrategy(challenger, input.lossGivenDefault.challenger ?? input.lossGivenDefault.champion) : null,
    comparison: challenger.length > 0 ? compare(champion, challenger) : null,
  };
}
