/**
 * Configuration of the synthetic economy. Every default is documented in docs/synthetic-economy.md
 * with the standard, regulation or announcement it comes from, or marked as our assumption.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { addMonths } from '../domain/period.ts';

export interface IndustryProfile {
  section: string;
  /** Share of SMEs in this section. Assumption: shaped like China's SME population, trade-heavy. */
  share: number;
  /** Output VAT rate of a general taxpayer, bps (13% goods, 9% transport/construction, 6% services). */
  vatRateBps: number;
  /** VAT payable / taxable sales a general taxpayer of this industry typically shows (行业税负). */
  vatBurdenTarget: number;
  /** Share of sales that is invoiced (the rest is cash sales to consumers, declared uninvoiced). */
  invoicedShare: number;
  /** Profit margin on revenue, for the income-tax return. */
  margin: number;
  /** Median annual revenue, yuan. */
  revenueMedianYuan: number;
  /** Month (1-12) of the seasonal peak and the amplitude of the seasonal wave. */
  peakMonth: number;
  seasonalAmplitude: number;
  /** Mean annual real growth. */
  growthAnnual: number;
  /** Month-to-month noise of sales (log scale). */
  salesVolatility: number;
  /** Shift of latent health (negative is riskier). */
  healthShift: number;
  /** Sections it buys from, with weights. */
  suppliers: Record<string, number>;
}

export const INDUSTRY_PROFILES: readonly IndustryProfile[] = [
  { section: 'A', share: 0.03, vatRateBps: 900, vatBurdenTarget: 0.01, invoicedShare: 0.8, margin: 0.06, revenueMedianYuan: 2_000_000, peakMonth: 10, seasonalAmplitude: 0.35, growthAnnual: 0.02, salesVolatility: 0.25, healthShift: -0.1, suppliers: { C: 3, F: 2, A: 1 } },
  { section: 'C', share: 0.2, vatRateBps: 1300, vatBurdenTarget: 0.03, invoicedShare: 0.95, margin: 0.07, revenueMedianYuan: 8_000_000, peakMonth: 12, seasonalAmplitude: 0.15, growthAnnual: 0.04, salesVolatility: 0.18, healthShift: 0, suppliers: { C: 5, F: 3, G: 1 } },
  { section: 'E', share: 0.08, vatRateBps: 900, vatBurdenTarget: 0.025, invoicedShare: 0.95, margin: 0.05, revenueMedianYuan: 5_000_000, peakMonth: 11, seasonalAmplitude: 0.3, growthAnnual: -0.02, salesVolatility: 0.3, healthShift: -0.25, suppliers: { C: 4, F: 3, L: 1, G: 0.5 } },
  { section: 'F', share: 0.3, vatRateBps: 1300, vatBurdenTarget: 0.012, invoicedShare: 0.85, margin: 0.03, revenueMedianYuan: 4_000_000, peakMonth: 1, seasonalAmplitude: 0.2, growthAnnual: 0.03, salesVolatility: 0.2, healthShift: 0, suppliers: { C: 4, F: 4, A: 0.5, G: 0.5 } },
  { section: 'G', share: 0.06, vatRateBps: 900, vatBurdenTarget: 0.03, invoicedShare: 0.9, margin: 0.05, revenueMedianYuan: 3_000_000, peakMonth: 11, seasonalAmplitude: 0.15, growthAnnual: 0.03, salesVolatility: 0.2, healthShift: -0.05, suppliers: { F: 3, C: 1, L: 1 } },
  { section: 'H', share: 0.05, vatRateBps: 600, vatBurdenTarget: 0.03, invoicedShare: 0.3, margin: 0.06, revenueMedianYuan: 1_500_000, peakMonth: 2, seasonalAmplitude: 0.25, growthAnnual: 0.02, salesVolatility: 0.22, healthShift: -0.15, suppliers: { F: 4, A: 2, C: 1 } },
  { section: 'I', share: 0.07, vatRateBps: 600, vatBurdenTarget: 0.04, invoicedShare: 0.95, margin: 0.1, revenueMedianYuan: 3_000_000, peakMonth: 12, seasonalAmplitude: 0.2, growthAnnual: 0.08, salesVolatility: 0.25, healthShift: 0.05, suppliers: { I: 2, L: 2, F: 1, C: 1 } },
  { section: 'L', share: 0.1, vatRateBps: 600, vatBurdenTarget: 0.045, invoicedShare: 0.95, margin: 0.08, revenueMedianYuan: 2_500_000, peakMonth: 12, seasonalAmplitude: 0.15, growthAnnual: 0.04, salesVolatility: 0.25, healthShift: -0.05, suppliers: { L: 2, I: 1, F: 2, G: 0.5 } },
  { section: 'M', share: 0.05, vatRateBps: 600, vatBurdenTarget: 0.04, invoicedShare: 0.95, margin: 0.1, revenueMedianYuan: 2_500_000, peakMonth: 12, seasonalAmplitude: 0.2, growthAnnual: 0.06, salesVolatility: 0.25, healthShift: 0.05, suppliers: { I: 1, L: 1, C: 2, F: 1 } },
  { section: 'O', share: 0.04, vatRateBps: 600, vatBurdenTarget: 0.03, invoicedShare: 0.5, margin: 0.07, revenueMedianYuan: 1_200_000, peakMonth: 1, seasonalAmplitude: 0.15, growthAnnual: 0.02, salesVolatility: 0.22, healthShift: -0.1, suppliers: { F: 3, C: 1 } },
  { section: 'R', share: 0.02, vatRateBps: 600, vatBurdenTarget: 0.035, invoicedShare: 0.6, margin: 0.06, revenueMedianYuan: 1_500_000, peakMonth: 10, seasonalAmplitude: 0.25, growthAnnual: 0.03, salesVolatility: 0.3, healthShift: -0.15, suppliers: { L: 2, F: 2, I: 1 } },
];

export interface FraudShares {
  /** Share of enterprises that are members of circular-invoicing rings. */
  ring: number;
  passThrough: number;
  shell: number;
  correctionInflation: number;
  singleSource: number;
  burstInvoicing: number;
}

export interface SynthConfig {
  enterprises: number;
  months: number;
  seed: number;
  /** Last month of data (inclusive). */
  endMonth: string;
  /** Target 12-month default rate among firms alive at an observation date. */
  badRate: number;
  fraud: FraudShares;
  /** Months before the end of data that the default observation date lies (labels cover the months after). */
  outcomeWindowMonths: number;
}

export const ENTERPRISES_MAX = 2_000_000;
export const MONTHS_MAX = 120;

export const DEFAULT_SYNTH_CONFIG: SynthConfig = {
  enterprises: 2_000,
  months: 36,
  seed: 1,
  endMonth: '2026-09',
  badRate: 0.045,
  fraud: { ring: 0.012, passThrough: 0.006, shell: 0.01, correctionInflation: 0.006, singleSource: 0.006, burstInvoicing: 0.005 },
  outcomeWindowMonths: 12,
};

export function startMonthOf(config: SynthConfig): string {
  return addMonths(config.endMonth, -(config.months - 1));
}

/** The observation date whose 12-month outcome window ends with the data: the demo decides as of it. */
export function observationMonthOf(config: SynthConfig): string {
  return addMonths(config.endMonth, -(config.outcomeWindowMonths - 1));
}

export function validateSynthConfig(config: SynthConfig): void {
  const problems: string[] = [];
  if (!Number.isInteger(config.enterprises) || config.enterprises < 50 || config.enterprises > ENTERPRISES_MAX) {
    problems.push(`enterprises must be a whole number from 50 to ${ENTERPRISES_MAX}`);
  }
  if (!Number.isInteger(config.months) || config.months < 24 || config.months > MONTHS_MAX) {
    problems.push(`months must be a whole number from 24 to ${MONTHS_MAX}`);
  }
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) problems.push('seed must be a whole number from 0 to 4294967295');
  if (!(config.badRate > 0.001 && config.badRate < 0.5)) problems.push('badRate must be between 0.001 and 0.5');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(config.endMonth)) problems.push('endMonth must be YYYY-MM');
  const fraudTotal = Object.values(config.fraud).reduce((sum, share) => sum + share, 0);
  if (Object.values(config.fraud).some((share) => share < 0) || fraudTotal > 0.3) problems.push('fraud shares must be ≥ 0 and sum to at most 0.3');
  if (config.months <= config.outcomeWindowMonths + 6) problems.push('months must exceed the outcome window by more than 6');
  if (problems.length > 0) throw new SynthConfigError(problems);
}

export class SynthConfigError extends PuhuiUserError {
  constructor(readonly problems: string[]) {
    super(`invalid synthetic-economy configuration: ${problems.join('; ')}`, 'synth_config');
  }
}
