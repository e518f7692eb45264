/**
 * Who takes part in a platform simulation and how they behave: the banks (each a tenant with one product line,
 * its pre-screen strategy from strategies/, a rate and limit range, the ratings and risk lights it will claim,
 * and the hours of the day it works its claim queue), and the enterprises' financing needs (how often one
 * arrives, its amount from the firm's invoiced sales, its urgency). Behaviour is data and seeded draws, never
 * a clock: the same seed gives the same run.
 */
import { createHash } from 'node:crypto';

export interface BankProfile {
  /** Tenant id of the simulated bank: fixed, so figures by bank compare across runs. */
  id: string;
  nameZh: string;
  nameEn: string;
  /** The shipped strategy its product pre-screens with (strategies/<id>.json) and so the product line. */
  strategyId: 'tax-loan' | 'tax-loan-challenger' | 'invoice-loan';
  limitMinFen: number;
  limitMaxFen: number;
  rateMinBps: number;
  rateMaxBps: number;
  termMonthsMin: number;
  termMonthsMax: number;
  /** Platform rating grades it claims, and the risk lights it accepts. */
  grades: readonly string[];
  lights: readonly string[];
  /** Hours (UTC, 0..23) at which it works its queue each day: its response time follows from them. */
  sweepHours: readonly number[];
  /** Share of the strategy's "review" outcomes its credit officers approve. */
  reviewApprovalShare: number;
}

const YUAN = 100;

/** The bank archetypes of a 信易贷 platform, cycled when a simulation asks for more banks. */
const ARCHETYPES: readonly Omit<BankProfile, 'id'>[] = [
  { nameZh: '国有大行', nameEn: 'State bank', strategyId: 'tax-loan', limitMinFen: 100_000 * YUAN, limitMaxFen: 3_000_000 * YUAN, rateMinBps: 330, rateMaxBps: 600, termMonthsMin: 6, termMonthsMax: 12, grades: ['A', 'B'], lights: ['green'], sweepHours: [16], reviewApprovalShare: 0.3 },
  { nameZh: '城市商业银行', nameEn: 'City commercial bank', strategyId: 'tax-loan-challenger', limitMinFen: 100_000 * YUAN, limitMaxFen: 2_000_000 * YUAN, rateMinBps: 380, rateMaxBps: 800, termMonthsMin: 6, termMonthsMax: 12, grades: ['A', 'B', 'C'], lights: ['green', 'yellow'], sweepHours: [10, 15], reviewApprovalShare: 0.5 },
  { nameZh: '农村商业银行', nameEn: 'Rural commercial bank', strategyId: 'invoice-loan', limitMinFen: 100_000 * YUAN, limitMaxFen: 1_000_000 * YUAN, rateMinBps: 420, rateMaxBps: 900, termMonthsMin: 6, termMonthsMax: 12, grades: ['A', 'B', 'C'], lights: ['green', 'yellow'], sweepHours: [11], reviewApprovalShare: 0.5 },
  { nameZh: '股份制银行', nameEn: 'Joint-stock bank', strategyId: 'tax-loan', limitMinFen: 100_000 * YUAN, limitMaxFen: 3_000_000 * YUAN, rateMinBps: 360, rateMaxBps: 700, termMonthsMin: 6, termMonthsMax: 12, grades: ['A', 'B'], lights: ['green', 'yellow'], sweepHours: [9, 13, 17], reviewApprovalShare: 0.4 },
  { nameZh: '民营银行', nameEn: 'Digital private bank', strategyId: 'invoice-loan', limitMinFen: 100_000 * YUAN, limitMaxFen: 1_000_000 * YUAN, rateMinBps: 600, rateMaxBps: 1_200, termMonthsMin: 6, termMonthsMax: 12, grades: ['A', 'B', 'C'], lights: ['green', 'yellow'], sweepHours: [8, 10, 12, 14, 16, 18, 20], reviewApprovalShare: 0.6 },
];

export const BANKS_MAX = 20;

export function bankProfiles(count: number): BankProfile[] {
  return Array.from({ length: count }, (_, k) => {
    const archetype = ARCHETYPES[k % ARCHETYPES.length]!;
    const round = Math.floor(k / ARCHETYPES.length);
    const suffix = round === 0 ? '' : ` ${round + 1}`;
    return { ...archetype, id: `sim-bank-${String(k + 1).padStart(2, '0')}`, nameZh: archetype.nameZh + suffix, nameEn: archetype.nameEn + suffix };
  });
}

/** The product line a strategy decides (its header's product). */
export function productLineOfStrategy(strategyId: BankProfile['strategyId']): 'tax_loan' | 'invoice_loan' {
  return strategyId === 'invoice-loan' ? 'invoice_loan' : 'tax_loan';
}

/**
 * A seeded draw in [0, 1) for a named event: SHA-256 of the seed and the event's name. Draws do not depend on
 * the order events are drawn in, so adding an event leaves every other draw where it was.
 */
export function draw(seed: number, ...name: (string | number)[]): number {
  const digest = createHash('sha256').update(`${seed}\u0000${name.join('\u0000')}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

/** Probability that a registered, not-yet-defaulted firm publishes a need in a given month. */
export const NEED_MONTHLY_PROBABILITY = 0.04;
/** Share of needs for the invoice-loan line (the rest ask for a tax loan). */
export const INVOICE_LINE_SHARE = 0.3;
const NEED_AMOUNT_FEN_MIN = 100_000 * YUAN;
const NEED_AMOUNT_FEN_MAX = 3_000_000 * YUAN;
const NEED_AMOUNT_STEP_FEN = 10_000 * YUAN;

export interface NeedPlan {
  creditCode: string;
  day: number;
  hour: number;
  productLine: 'tax_loan' | 'invoice_loan';
  amountFen: number;
  termMonths: number;
  urgency: 'normal' | 'urgent' | 'very_urgent';
  purpose: string;
}

/**
 * The need a firm publishes this month, if it does: about a tenth of its invoiced sales of the last 12 months
 * (working capital for a month or so), rounded to 10,000 yuan within 100,000 … 3,000,000 yuan; 12 months.
 */
export function needOf(seed: number, month: string, creditCode: string, invoicedSales12mFen: number | null, daysInMonth: number): NeedPlan | null {
  if (draw(seed, 'need', month, creditCode) >= NEED_MONTHLY_PROBABILITY) return null;
  const sales = invoicedSales12mFen !== null && invoicedSales12mFen > 0 ? invoicedSales12mFen : NEED_AMOUNT_FEN_MIN * 10;
  const wanted = sales * (0.05 + 0.1 * draw(seed, 'amount', month, creditCode));
  const amountFen = Math.min(NEED_AMOUNT_FEN_MAX, Math.max(NEED_AMOUNT_FEN_MIN, Math.round(wanted / NEED_AMOUNT_STEP_FEN) * NEED_AMOUNT_STEP_FEN));
  const urgencyDraw = draw(seed, 'urgency', month, creditCode);
  return {
    creditCode,
    day: 1 + Math.floor(draw(seed, 'day', month, creditCode) * daysInMonth),
    hour: 8 + Math.floor(draw(seed, 'hour', month, creditCode) * 10),
    productLine: draw(seed, 'line', month, creditCode) < INVOICE_LINE_SHARE ? 'invoice_loan' : 'tax_loan',
    amountFen,
    termMonths: 12,
    urgency: urgencyDraw < 0.7 ? 'normal' : urgencyDraw < 0.93 ? 'urgent' : 'very_urgent',
    purpose: 'working capital / 流动资金周转',
  };
}
