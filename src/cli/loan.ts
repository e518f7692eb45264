/** `puhui loan schedule`: a repayment schedule for checking by hand (amounts in yuan, 2 decimals). */
import { parse, print, UsageError } from './args.ts';
import { renderTable } from './inspect.ts';
import { AMORTISATIONS, DAY_COUNTS, generateSchedule, type Amortisation, type DayCount, type Schedule, type ScheduleInput } from '../loans/index.ts';
import { isIsoDate } from '../domain/period.ts';

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
