/**
 * Exact money arithmetic for loans. Every amount is whole fen; every product of an amount and a rate or a
 * day fraction is computed exactly in BigInt (1e12 fen × 36,000 bps × 366 days does not fit in a double)
 * and rounded once, half up (half away from zero; amounts here are never negative), to a rounding unit.
 */
import { LoanError } from './errors.ts';

/** An annual rate as an exact fraction of 1 (0.12 = 12 %/yr is 12/100). */
export interface AnnualRate {
  numerator: bigint;
  denominator: bigint;
}

/** Rates above this are refused as typing mistakes: 100 %/yr. */
export const ANNUAL_RATE_DECIMAL_MAX = 1;
/** Decimal places a rate is taken to: 12 (1e-8 of a basis point). */
const RATE_DECIMAL_PLACES = 12;

/** An annual rate given as a decimal fraction (0.12) or basis points (1200), exactly one of them. */
export interface RateInput {
  annualRateBps?: number;
  annualRateDecimal?: number;
}

export function annualRateOf(input: RateInput): AnnualRate {
  const hasBps = input.annualRateBps !== undefined;
  const hasDecimal = input.annualRateDecimal !== undefined;
  if (hasBps === hasDecimal) throw new LoanError('give the annual rate once: annualRateBps or annualRateDecimal');
  const decimal = hasBps ? input.annualRateBps! / 10_000 : input.annualRateDecimal!;
  if (!Number.isFinite(decimal) || decimal < 0 || decimal > ANNUAL_RATE_DECIMAL_MAX) {
    throw new LoanError(`the annual rate must be between 0 and ${ANNUAL_RATE_DECIMAL_MAX * 100} %, got ${hasBps ? `${input.annualRateBps} bps` : decimal}`);
  }
  // Basis points with decimals (948.22) are taken by their decimal digits, never through a binary division.
  if (hasBps) {
    const bps = fractionOfDecimalText(input.annualRateBps!.toFixed(RATE_DECIMAL_PLACES - 4));
    return reduce(bps.numerator, bps.denominator * 10_000n);
  }
  return fractionOfDecimalText(decimal.toFixed(RATE_DECIMAL_PLACES));
}

function fractionOfDecimalText(text: string): AnnualRate {
  const [whole, fraction = ''] = text.split('.');
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole!) * denominator + BigInt(fraction || '0');
  return reduce(numerator, denominator);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function reduce(numerator: bigint, denominator: bigint): AnnualRate {
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/** The rate as a double, for display and for the level-instalment formula only. */
export function rateAsNumber(rate: AnnualRate): number {
  return Number(rate.numerator) / Number(rate.denominator);
}

/** A rate scaled by a factor given as a fraction (a 20 % cut is 80/100). */
export function scaleRate(rate: AnnualRate, numerator: bigint, denominator: bigint): AnnualRate {
  return reduce(rate.numerator * numerator, rate.denominator * denominator);
}

/** numerator / denominator rounded half up to a whole number (both ≥ 0, denominator > 0). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError(`divideHalfUp(${numerator}, ${denominator}): negative input`);
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** numerator / denominator fen, rounded half up to a multiple of unitFen. */
export function roundFenToUnit(numerator: bigint, denominator: bigint, unitFen: number): number {
  return Number(divideHalfUp(numerator, denominator * BigInt(unitFen))) * unitFen;
}

/** A fen amount rounded half up to a multiple of unitFen. */
export function roundToMultiple(amountFen: number, unitFen: number): number {
  return roundFenToUnit(BigInt(amountFen), 1n, unitFen);
}

/**
 * Interest on a balance for a fraction of a year, exactly: balance × rate × days / daysInYear, rounded half
 * up to the unit. Returns the rounded amount.
 */
export function interestFen(balanceFen: number, rate: AnnualRate, days: number, daysInYear: number, unitFen: number): number {
  if (balanceFen <= 0 || days <= 0) return 0;
  return roundFenToUnit(BigInt(balanceFen) * rate.numerator * BigInt(days), rate.denominator * BigInt(daysInYear), unitFen);
}

/**
 * Interest accrued day by day without losing the fractions of a fen (the balance may be a BigInt sum of
 * fen × days, see the penalty accrual): the exact amount is
 * (carried + balance × rate × days) / (rate.denominator × daysInYear); whole fen are returned and the rest
 * is carried to the next accrual as a numerator (a plain number: it is below the denominator).
 */
export function accrueExact(balanceFen: number | bigint, rate: AnnualRate, days: number, daysInYear: number, carriedNumerator: number): { accruedFen: number; carriedNumerator: number } {
  const denominator = rate.denominator * BigInt(daysInYear);
  const balance = BigInt(balanceFen);
  const total = BigInt(carriedNumerator) + (balance > 0n && days > 0 ? balance * rate.numerator * BigInt(days) : 0n);
  return { accruedFen: Number(total / denominator), carriedNumerator: Number(total % denominator) };
}

/** A rate as plain serialisable text ('3/25'), and back: ledger state carries no BigInt. */
export function rateText(rate: AnnualRate): string {
  return `${rate.numerator}/${rate.denominator}`;
}

export function rateOfText(text: string): AnnualRate {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match || match[2] === '0') throw new LoanError(`not a rate fraction: '${text}'`);
  return reduce(BigInt(match[1]!), BigInt(match[2]!));
}
