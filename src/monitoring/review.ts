/**
 * Annual review (年审) of a credit line from its year of monthly warnings: renew it as it is, adjust it
 * (lower it), or withdraw it. The levels that lead to each outcome, the share an adjusted line keeps and how
 * many yellow months withdraw a line are in the monitoring policy.
 *
 * - The latest warning decides first: a level listed under `withdrawLevels` (red) withdraws.
 * - A year with `yellowMonthsToWithdraw` or more yellow months withdraws too: a firm that stays yellow is
 *   not recovering.
 * - Otherwise a latest level under `adjustLevels`, or any red month in the year, adjusts the line to
 *   `adjustLineShare` of it, rounded down to `lineStepFen`.
 * - Otherwise (`renewLevels`) the line is renewed unchanged.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import type { MonitoringPolicy } from './policy.ts';
import type { WarningLevel } from './reasons.ts';

export type ReviewOutcome = 'renew' | 'adjust' | 'withdraw';

export interface ReviewInput {
  creditCode: string;
  lineFen: number;
  /** Monthly warning levels of the year under review, oldest first (at most 12; the last is the latest). */
  levels: readonly WarningLevel[];
}

export interface ReviewResult { creditCode: string; outcome: ReviewOutcome; lineFen: number; newLineFen: number; en: string; zh: string }

export const REVIEW_MONTHS_MAX = 12;

export class ReviewInputError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'review_input');
  }
}

export function annualReview(input: ReviewInput, policy: MonitoringPolicy['annualReview']): ReviewResult {
  if (!Number.isSafeInteger(input.lineFen) || input.lineFen <= 0) throw new ReviewInputError(`${input.creditCode}: lineFen must be a whole number of fen > 0`);
  if (input.levels.length === 0 || input.levels.length > REVIEW_MONTHS_MAX) throw new ReviewInputError(`${input.creditCode}: a review reads 1 to ${REVIEW_MONTHS_MAX} monthly levels, got ${input.levels.length}`);
  const latest = input.levels.at(-1)!;
  const yellowMonths = input.levels.filter((l) => l === 'yellow').length;
  const anyRed = input.levels.includes('red');
  const result = (outcome: ReviewOutcome, newLineFen: number, en: string, zh: string): ReviewResult => ({ creditCode: input.creditCode, outcome, lineFen: input.lineFen, newLineFen, en, zh });
  if (policy.withdrawLevels.includes(latest)) return result('withdraw', 0, `Withdrawn: the latest warning is ${latest}`, `收回额度：最新预警为${LEVEL_ZH[latest]}`);
  if (yellowMonths >= policy.yellowMonthsToWithdraw) {
    return result('withdraw', 0, `Withdrawn: yellow in ${yellowMonths} months of the year`, `收回额度：年内${yellowMonths}个月为黄色预警`);
  }
  if (policy.adjustLevels.includes(latest) || anyRed) {
    const adjusted = Math.floor((input.lineFen * policy.adjustLineShare) / policy.lineStepFen) * policy.lineStepFen;
    const why = anyRed ? 'a red month in the year' : `the latest warning is ${latest}`;
    const whyZh = anyRed ? '年内出现红色预警' : `最新预警为${LEVEL_ZH[latest]}`;
    return adjusted > 0
      ? result('adjust', adjusted, `Adjusted to ${policy.adjustLineShare * 100}% of the line: ${why}`, `额度调减至${policy.adjustLineShare * 100}%：${whyZh}`)
      : result('withdraw', 0, `Withdrawn: ${why}, and the adjusted line is below one step`, `收回额度：${whyZh}，且调减后额度不足最小单位`);
  }
  return result('renew', input.lineFen, 'Renewed: green through the year', '续授信：全年无预警');
}

const LEVEL_ZH: Record<WarningLevel, string> = { green: '绿色', yellow: '黄色', red: '红色' };
