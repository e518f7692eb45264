/**
 * `puhui loan schedule`: a repayment schedule for checking by hand (amounts in yuan, 2 decimals).
 * `puhui loan close`: the nightly close of business of a date on the store (src/loans/queue.ts).
 */
import { parse, print, UsageError } from './args.ts';
import { renderTable } from './inspect.ts';
import { AMORTISATIONS, DAY_COUNTS, generateSchedule, type Amortisation, type DayCount, type Schedule, type ScheduleInput } from '../loans/index.ts';
import { isIsoDate } from '../domain/period.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CATEGORIES, CATEGORY_ZH } from '../loans/policy.ts';
import { formatYuanShort } from '../domain/money.ts';
import type { CloseRunSummary } from '../loans/queue.ts';
import type { DemoLoansResult } from '../pipeline/demo-loans.ts';

const USAGE = 'usage: puhui loan schedule --principal YUAN --rate PERCENT_A_YEAR --months N --method equal-instalment|equal-principal|interest-only|flat [--start YYYY-MM-DD] [--day-count 30/360|actual/365|actual/360] [--multiple YUAN] [--decimals 0|1|2] [--grace-principal N] [--grace-interest N] [--json]';

/** Yuan text with at most 2 decimals to fen, by its digits (never through a binary fraction). */
export function fenOfYuanText(text: string, flag: string): number {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new UsageError(`--${flag} must be an amount in yuan with at most 2 decimals, got '${text}'`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

function whole(flags: Record<string, unknown>, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got '${String(raw)}'`);
  return Number(raw);
}

export async function commandLoan(argv: string[]): Promise<void> {
  if (argv[0] === 'close') return commandLoanClose(argv.slice(1));
  const { flags, positionals } = parse(argv, {
    principal: { type: 'string' }, rate: { type: 'string' }, months: { type: 'string' }, method: { type: 'string' }, start: { type: 'string' },
    'day-count': { type: 'string' }, multiple: { type: 'string' }, decimals: { type: 'string' }, 'grace-principal': { type: 'string' }, 'grace-interest': { type: 'string' },
  });
  if (positionals.length !== 1 || positionals[0] !== 'schedule') throw new UsageError(USAGE);
  if (typeof flags.principal !== 'string' || typeof flags.rate !== 'string' || typeof flags.months !== 'string') throw new UsageError(USAGE);
  const method = (flags.method ?? 'equal-instalment') as Amortisation;
  if (!AMORTISATIONS.includes(method)) throw new UsageError(`--method must be one of ${AMORTISATIONS.join(', ')}`);
  const dayCount = (flags['day-count'] ?? '30/360') as DayCount;
  if (!DAY_COUNTS.includes(dayCount)) throw new UsageError(`--day-count must be one of ${DAY_COUNTS.join(', ')}`);
  if (!/^\d{1,3}(\.\d{1,6})?$/.test(flags.rate)) throw new UsageError(`--rate must be a percentage a year such as 12 or 4.35, got '${flags.rate}'`);
  // Without --start the schedule starts today (the UTC date): the dates move, the amounts do not.
  const start = typeof flags.start === 'string' ? flags.start : new Date().toISOString().slice(0, 10);
  if (!isIsoDate(start)) throw new UsageError(`--start must be a date YYYY-MM-DD, got '${start}'`);
  const decimals = whole(flags, 'decimals', 2);
  if (decimals > 2) throw new UsageError('--decimals must be 0, 1 or 2');
  const input: ScheduleInput = {
    principalFen: fenOfYuanText(flags.principal, 'principal'),
    annualRateDecimal: Number(flags.rate) / 100,
    termMonths: whole(flags, 'months', 0),
    startDate: start,
    method,
    dayCount,
    rounding: { decimals: decimals as 0 | 1 | 2, ...(typeof flags.multiple === 'string' ? { instalmentMultipleFen: fenOfYuanText(flags.multiple, 'multiple') } : {}) },
    grace: { principalPeriods: whole(flags, 'grace-principal', 0), interestPeriods: whole(flags, 'grace-interest', 0) },
  };
  if (method === 'interest-only') input.grace = { interestPeriods: input.grace!.interestPeriods };
  const schedule = generateSchedule(input);
  print(flags.json === true, scheduleJson(input, schedule), () => renderSchedule(input, schedule));
}

function scheduleJson(input: ScheduleInput, schedule: Schedule) {
  return {
    principal: yuan(input.principalFen), annualRatePercent: Number(((input.annualRateDecimal ?? 0) * 100).toFixed(6)), months: input.termMonths, method: input.method,
    startDate: input.startDate, dayCount: input.dayCount,
    levelInstalment: schedule.levelInstalmentFen === null ? null : yuan(schedule.levelInstalmentFen),
    totals: { principal: yuan(schedule.totalPrincipalFen), interest: yuan(schedule.totalInterestFen), total: yuan(schedule.totalFen) },
    instalments: schedule.instalments.map((i) => ({ number: i.number, dueDate: i.dueDate, principal: yuan(i.principalFen), interest: yuan(i.interestFen), total: yuan(i.totalFen), balance: yuan(i.balanceFen), principalFen: i.principalFen, interestFen: i.interestFen, totalFen: i.totalFen, balanceFen: i.balanceFen })),
  };
}

function renderSchedule(input: ScheduleInput, schedule: Schedule): string {
  const rows = schedule.instalments.map((i) => [String(i.number), i.dueDate, yuan(i.principalFen), yuan(i.interestFen), yuan(i.totalFen), yuan(i.balanceFen)]);
  return [
    `${yuan(input.principalFen)} yuan at ${((input.annualRateDecimal ?? 0) * 100).toFixed(2)} %/yr over ${input.termMonths} months, ${input.method}, ${input.dayCount}, from ${input.startDate} (还款计划)`,
    ...renderTable(['#', 'due date', 'principal', 'interest', 'total', 'balance'], rows),
    `total repaid ${yuan(schedule.totalFen)} = principal ${yuan(schedule.totalPrincipalFen)} + interest ${yuan(schedule.totalInterestFen)} (sums of the rounded instalments)`,
  ].join('\n');
}

const CLOSE_USAGE = 'usage: puhui loan close --date YYYY-MM-DD [--database URL | --data DIR] [--workers N] [--json]';

async function commandLoanClose(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { date: { type: 'string' }, database: { type: 'string' }, data: { type: 'string' }, workers: { type: 'string' } });
  if (positionals.length > 0 || typeof flags.date !== 'string') throw new UsageError(CLOSE_USAGE);
  if (!isIsoDate(flags.date)) throw new UsageError(`--date must be a date YYYY-MM-DD, got '${flags.date}'`);
  if (typeof flags.database === 'string' && typeof flags.data === 'string') throw new UsageError('give --database or --data, not both');
  const workers = whole(flags, 'workers', 1);
  if (workers < 1 || workers > 16) throw new UsageError(`--workers must be 1..16, got ${workers}`);
  const { DEFAULT_DATA_DIR } = await import('../store/index.ts');
  const databaseUrl = typeof flags.database === 'string' ? flags.database : typeof flags.data === 'string' ? undefined : process.env.DATABASE_URL;
  const dataDir = resolve(typeof flags.data === 'string' ? flags.data : DEFAULT_DATA_DIR);
  if (!databaseUrl && !existsSync(dataDir)) throw new UsageError(`no store at ${dataDir}; give --data DIR or --database URL`);
  if (!databaseUrl && workers > 1) throw new UsageError('the embedded store (PGlite) closes in one process: --workers 1, or use --database for worker processes');
  const { runClose } = await import('../loans/queue.ts');
  const summary = await runClose({ date: flags.date, workers, ...(databaseUrl ? { databaseUrl } : { dataDir }) });
  print(flags.json === true, summary, () => renderClose(summary));
}

function renderClose(summary: CloseRunSummary): string {
  return [
    `Close of business 日终 ${summary.date} (${summary.modelVersion}) on ${summary.queue === 'pg-boss' ? `pg-boss, ${summary.workers} worker process(es)` : 'the embedded store, in-process'}:`,
    `  ${summary.shards} shard(s), ${summary.debtors} enterprises, ${summary.loans} open loans; ${summary.accrued} accrued with ${summary.postings} postings`,
    `  ${CATEGORIES.map((c) => `${CATEGORY_ZH[c]} ${c.replace('_', ' ')} ${summary.categories[c]}`).join(' · ')}`,
  ].join('\n');
}

/** The demo's loan step, rendered (src/pipeline/demo-loans.ts). */
export function renderDemoLoans(loans: DemoLoansResult): string[] {
  const share = (fen: number, total: number) => (total === 0 ? '0.00%' : `${((100 * fen) / total).toFixed(2)}%`);
  const nonPerforming = (p: DemoLoansResult['final']) => p.categories.substandard.outstandingFen + p.categories.doubtful.outstandingFen + p.categories.loss.outstandingFen;
  const final = loans.final;
  return [
    `Loans 贷款 on the embedded store (${loans.storeDir}): ${loans.loans} approved loans booked, ${formatYuanShort(loans.bookedFen)} yuan; ${loans.repayments} repayments over 12 months; ${loans.stoppedPaying} firms stopped paying when they went bad, ${loans.repaidInFull} loans were repaid in full`,
    `  NPL ratio 不良率 by month end: ${loans.months.map((m) => share(nonPerforming(m), m.outstandingFen)).join(' ')}`,
    `  Five-category classification 五级分类 on ${final.date} (${final.loans} open loans, ${formatYuanShort(final.outstandingFen)} yuan outstanding):`,
    ...renderTable(['category', '类别', 'loans', 'outstanding', 'share'], CATEGORIES.map((c) => [c.replace('_', ' '), CATEGORY_ZH[c], String(final.categories[c].loans), formatYuanShort(final.categories[c].outstandingFen), share(final.categories[c].outstandingFen, final.outstandingFen)])).map((l) => `  ${l}`),
    `  delinquency buckets: ${Object.entries(final.buckets).sort(([a], [b]) => (a < b ? -1 : 1)).map(([b, n]) => `${b} ${n}`).join(', ')}`,
    `  journal: ${loans.postings} postings, ${loans.ledgerProblems.length === 0 ? 'balanced against every loan' : `${loans.ledgerProblems.length} problems: ${loans.ledgerProblems[0]}`}`,
  ];
}
