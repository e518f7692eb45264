/**
 * Portfolio monitoring for a bank, over its own loans only: the warnings the nightly close raised for its
 * borrowers, vintage curves and roll rates from the close's month-end results, score or feature stability of
 * two samples it sends, and the same as one HTML report. Another bank's loans are invisible: every query is
 * scoped to the caller's tenant (and warnings to enterprises the caller lends to).
 */
import { z } from 'zod';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import type { ServiceApp } from '../routes.ts';
import { isoDate } from '../schemas.ts';
import type { Store } from '../../store/index.ts';
import { loadMonitoringPolicy, type MonitoringPolicy } from '../../monitoring/policy.ts';
import { PortfolioInputError, rollRates, vintageCurves, type LoanMonthRow } from '../../monitoring/portfolio.ts';
import { stabilityOf } from '../../monitoring/stability.ts';
import { renderPortfolioReport, type WarningSummary } from '../../monitoring/report.ts';
import { WARNING_STEP } from '../../monitoring/close-step.ts';
import { isWarningCode, WARNING_LEVELS, type WarningCode, type WarningLevel } from '../../monitoring/reasons.ts';

const MONITORING_ROLES = ['bank'] as const;
/** Enterprises with warnings listed in one answer. */
export const WARNINGS_MAX = 10_000;
/** Values per stability sample sent over the API (the policy's bound applies too). */
export const STABILITY_VALUES_MAX = 200_000;
const SPAN_DAYS_MAX = 3 * 366;

const periodQuery = z.object({ from: isoDate, to: isoDate }).strict();
const warningsQuery = z.object({ date: isoDate }).strict();
const stabilityBody = z.object({
  name: z.string().trim().min(1).max(100),
  base: z.array(z.number().finite()).min(1).max(STABILITY_VALUES_MAX),
  current: z.array(z.number().finite()).min(1).max(STABILITY_VALUES_MAX),
}).strict();

const warningView = z.object({ creditCode: z.string(), level: z.enum(WARNING_LEVELS), codes: z.array(z.string()), actions: z.array(z.string()), strategy: z.string() });
const vintageView = z.object({
  bookedMonth: z.string(), loans: z.number(), bookedBalanceFen: z.number(),
  points: z.array(z.object({ monthsOnBook: z.number(), loansObserved: z.number(), everBadCountShare: z.number(), everBadBalanceShare: z.number() })),
});
const rollView = z.object({
  from: z.array(z.string()), to: z.array(z.string()), counts: z.array(z.array(z.number())), balanceFen: z.array(z.array(z.number())),
  countRates: z.array(z.array(z.number())), balanceRates: z.array(z.array(z.number())), transitions: z.number(),
});
const stabilityView = z.object({
  name: z.string(), psi: z.number(), criticalValue: z.number(), significant: z.boolean(), ruleOfThumb: z.enum(['stable', 'watch', 'shift']),
  verdict: z.enum(['stable', 'watch', 'shift']), baseCount: z.number(), currentCount: z.number(),
  bins: z.array(z.object({ from: z.number().nullable(), to: z.number().nullable(), expectedShare: z.number(), actualShare: z.number(), psi: z.number() })),
});

function checkPeriod(from: string, to: string): void {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (!(days >= 0 && days <= SPAN_DAYS_MAX)) throw new PortfolioInputError(`the period must run forwards and span at most ${SPAN_DAYS_MAX} days (from ${from} to ${to})`);
}

/** The bank's loans at each month-end of the period: the last close of each month, per loan. */
async function loanMonthRows(store: Store, tenantId: string, from: string, to: string, policy: MonitoringPolicy): Promise<LoanMonthRow[]> {
  const rows = await store.db.selectFrom('loanCloseResults as r').innerJoin('loans as l', 'l.id', 'r.loanId')
    .select(['r.loanId', 'r.closeDate', 'r.bucket', 'r.outstandingFen', 'l.record'])
    .where('r.tenantId', '=', tenantId).where('l.tenantId', '=', tenantId).where('r.closeDate', '>=', from).where('r.closeDate', '<=', to)
    .orderBy('r.loanId').orderBy('r.closeDate').limit(policy.rollRates.rowsMax + 1).execute();
  if (rows.length > policy.rollRates.rowsMax) throw new PortfolioInputError(`more than ${policy.rollRates.rowsMax} close results in the period: ask for a shorter one`);
  const latest = new Map<string, LoanMonthRow>();
  for (const row of rows) {
    const record = row.record as { disbursedOn?: string | null; bookedOn?: string };
    const booked = (record.disbursedOn ?? record.bookedOn ?? row.closeDate).slice(0, 7);
    const month = row.closeDate.slice(0, 7);
    // Rows are in date order: a later close of the same month replaces the earlier one.
    latest.set(`${row.loanId}|${month}`, { loanId: row.loanId, bookedMonth: booked < month ? booked : month, month, bucket: row.bucket, balanceFen: Number(row.outstandingFen) });
  }
  return [...latest.values()];
}

async function warningsOf(store: Store, tenantId: string, date: string): Promise<{ creditCode: string; level: WarningLevel; codes: WarningCode[]; actions: string[]; strategy: string }[]> {
  const rows = await store.db.selectFrom('loanCloseSteps as s')
    .select(['s.debtorId', 's.result'])
    .where('s.closeDate', '=', date).where('s.step', '=', WARNING_STEP)
    .where('s.debtorId', 'in', (qb) => qb.selectFrom('loans').select('debtorId').where('tenantId', '=', tenantId))
    .orderBy('s.debtorId').limit(WARNINGS_MAX).execute();
  return rows.map((row) => {
    const result = row.result as { level?: string; codes?: string[]; actions?: string[]; strategy?: string };
    const level = (WARNING_LEVELS as readonly string[]).includes(result.level ?? '') ? (result.level as WarningLevel) : 'green';
    return { creditCode: row.debtorId, level, codes: (result.codes ?? []).filter(isWarningCode), actions: result.actions ?? [], strategy: result.strategy ?? '' };
  });
}

export function registerMonitoringRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;
  const policy = loadMonitoringPolicy();

  app.get('/v1/monitoring/warnings', {
    schema: { tags: ['monitoring'], summary: "The early warnings of the bank's borrowers at a close date (bank)", querystring: warningsQuery, response: { 200: z.object({ date: z.string(), items: z.array(warningView) }) } },
  }, async (request) => {
    const principal = allow(request.principal, MONITORING_ROLES);
    return { date: request.query.date, items: await warningsOf(store, principal.tenantId, request.query.date) };
  });

  app.get('/v1/monitoring/portfolio', {
    schema: { tags: ['monitoring'], summary: "Vintage curves and roll rates of the bank's loans from the close's month-end results (bank)", querystring: periodQuery, response: { 200: z.object({ vintages: z.array(vintageView), rollRates: rollView }) } },
  }, async (request) => {
    const principal = allow(request.principal, MONITORING_ROLES);
    checkPeriod(request.query.from, request.query.to);
    const rows = await loanMonthRows(store, principal.tenantId, request.query.from, request.query.to, policy);
    return { vintages: vintageCurves(rows, policy), rollRates: rollRates(rows, policy) };
  });

  app.post('/v1/monitoring/stability', {
    schema: { tags: ['monitoring'], summary: 'PSI (a score) or CSI (a feature) of a current sample against a base sample, with the sample-size test (bank)', body: stabilityBody, response: { 200: stabilityView } },
  }, async (request) => {
    allow(request.principal, MONITORING_ROLES);
    const result = stabilityOf(request.body.name, request.body.base, request.body.current, policy.stability);
    // JSON has no infinities: the open ends of the first and last bins are null.
    return { ...result, bins: result.bins.map((b) => ({ ...b, from: Number.isFinite(b.from) ? b.from : null, to: Number.isFinite(b.to) ? b.to : null })) };
  });

  app.get('/v1/monitoring/report', {
    schema: { tags: ['monitoring'], summary: "The bank's portfolio-monitoring report as one self-contained HTML page (zh-CN/en) (bank)", querystring: periodQuery },
  }, async (request, reply) => {
    const principal = allow(request.principal, MONITORING_ROLES);
    checkPeriod(request.query.from, request.query.to);
    const rows = await loanMonthRows(store, principal.tenantId, request.query.from, request.query.to, policy);
    const warnings: WarningSummary[] = await warningsOf(store, principal.tenantId, request.query.to);
    const html = renderPortfolioReport({
      title: 'Portfolio monitoring 贷后组合监测', asOf: request.query.to, warnings, stability: [],
      vintages: vintageCurves(rows, policy), rollRates: rows.length > 0 ? rollRates(rows, policy) : null,
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
