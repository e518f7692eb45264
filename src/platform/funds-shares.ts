/**
 * The loss-sharing arithmetic of a risk-compensation or guarantee fund, pure and to the fen.
 *
 * A loan of principal P has C ≤ P of it covered by a fund whose tier gives it a share f (bps) of the covered part.
 * A loss L (principal lost, and separately interest lost) is shared in proportion to these weights:
 *   fund: C × f        bank: C × (10000 − f) + (P − C) × 10000        (total P × 10000)
 * so the uncovered part of the loan is the bank's alone. When the policy does not cover interest, the bank bears all
 * interest lost.
 *
 * Rounding rule — largest remainder (Hamilton): each party first gets the floor of its exact share; the fen left
 * over (fewer than the number of parties) go one each to the largest fractional remainders; equal remainders go to
 * the bank first (the lender, which booked the loan, bears the odd fen). The shares therefore sum exactly to the
 * amount, and no party's share is more than one fen from its exact value. All products are computed in BigInt:
 * 5 billion fen × 10^13 weight units overflow 2^53.
 *
 * Recoveries are shared in the same proportion as the loss (each party's total share of principal and interest),
 * computed on the cumulative amount recovered so far; a recovery's split is the change in the cumulative split.
 * With two parties the cumulative largest-remainder share is round-to-nearest, which never decreases as the
 * recovered total grows, so no party ever gives back a fen, and when everything is recovered each party has
 * exactly its loss back.
 */
import { BPS_WHOLE } from './funds-policy.ts';

export const LOSS_PARTIES = ['bank', 'fund'] as const;
export type LossParty = (typeof LOSS_PARTIES)[number];

export interface PartyLoss { principalFen: number; interestFen: number; totalFen: number }
export type LossShares = Record<LossParty, PartyLoss>;

export interface LossShareInput {
  /** The loan's principal when the fund covered it. */
  loanPrincipalFen: number;
  /** The part of that principal the fund covers (≤ loanPrincipalFen, capped per enterprise by policy). */
  coveredPrincipalFen: number;
  /** The fund's share of the covered part, from the loan's tier (8000 = 80 %). */
  fundShareBps: number;
  principalLostFen: number;
  interestLostFen: number;
  /** Whether interest lost is shared like principal; otherwise the bank bears it all. */
  interestCovered: boolean;
}

function assertFen(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole, non-negative number of fen, got ${value}`);
}

/**
 * Splits amountFen among parties in proportion to weights (non-negative, not all zero, listed in tie order: an
 * equal remainder goes to the earlier party). Largest remainder: the shares sum exactly to amountFen.
 */
export function splitLargestRemainder(amountFen: number, weights: readonly bigint[]): number[] {
  assertFen('amountFen', amountFen);
  const totalWeight = weights.reduce((sum, w) => {
    if (w < 0n) throw new RangeError('a weight is negative');
    return sum + w;
  }, 0n);
  if (totalWeight === 0n) {
    if (amountFen === 0) return weights.map(() => 0);
    throw new RangeError('cannot split a positive amount over weights that are all zero');
  }
  const amount = BigInt(amountFen);
  const floors = weights.map((w) => (amount * w) / totalWeight);
  const remainders = weights.map((w) => (amount * w) % totalWeight);
  let leftFen = Number(amount - floors.reduce((sum, f) => sum + f, 0n));
  const order = weights.map((_, index) => index)
    .sort((i, j) => (remainders[j]! > remainders[i]! ? 1 : remainders[j]! < remainders[i]! ? -1 : i - j));
  const shares = floors.map(Number);
  for (const index of order) {
    if (leftFen === 0) break;
    shares[index]! += 1;
    leftFen -= 1;
  }
  return shares;
}

/** Each party's share of the principal and interest lost on a covered loan (see the rule at the top of the file). */
export function lossShares(input: LossShareInput): LossShares {
  const { loanPrincipalFen, coveredPrincipalFen, fundShareBps, principalLostFen, interestLostFen } = input;
  assertFen('loanPrincipalFen', loanPrincipalFen);
  assertFen('coveredPrincipalFen', coveredPrincipalFen);
  assertFen('principalLostFen', principalLostFen);
  assertFen('interestLostFen', interestLostFen);
  if (loanPrincipalFen === 0) throw new RangeError('loanPrincipalFen must be positive');
  if (coveredPrincipalFen > loanPrincipalFen) throw new RangeError('the covered principal exceeds the loan principal');
  if (principalLostFen > loanPrincipalFen) throw new RangeError('the principal lost exceeds the loan principal');
  if (!Number.isInteger(fundShareBps) || fundShareBps < 0 || fundShareBps > BPS_WHOLE) {
    throw new RangeError(`fundShareBps must be an integer in 0..${BPS_WHOLE}, got ${fundShareBps}`);
  }
  const covered = BigInt(coveredPrincipalFen);
  const whole = BigInt(BPS_WHOLE);
  const fundWeight = covered * BigInt(fundShareBps);
  const bankWeight = BigInt(loanPrincipalFen) * whole - fundWeight;
  // Tie order: the bank first (LOSS_PARTIES order).
  const [bankPrincipal, fundPrincipal] = splitLargestRemainder(principalLostFen, [bankWeight, fundWeight]) as [number, number];
  const [bankInterest, fundInterest] = input.interestCovered
    ? splitLargestRemainder(interestLostFen, [bankWeight, fundWeight]) as [number, number]
    : [interestLostFen, 0];
  return {
    bank: { principalFen: bankPrincipal, interestFen: bankInterest, totalFen: bankPrincipal + bankInterest },
    fund: { principalFen: fundPrincipal, interestFen: fundInterest, totalFen: fundPrincipal + fundInterest },
  };
}

export type RecoveryShares = Record<LossParty, number>;

/**
 * Each party's share of everything recovered so far on a claim, in proportion to its share of the loss. Call it with
 * the cumulative amount; the split of one recovery is the difference from the previous cumulative split.
 */
export function recoveryShares(shares: LossShares, recoveredToDateFen: number): RecoveryShares {
  assertFen('recoveredToDateFen', recoveredToDateFen);
  const lossFen = shares.bank.totalFen + shares.fund.totalFen;
  if (recoveredToDateFen > lossFen) {
    throw new RangeError(`recovered ${recoveredToDateFen} fen exceeds the loss of ${lossFen} fen`);
  }
  const [bank, fund] = splitLargestRemainder(recoveredToDateFen, [BigInt(shares.bank.totalFen), BigInt(shares.fund.totalFen)]) as [number, number];
  return { bank, fund };
}

/** The split of one recovery of amountFen, given what was recovered on the claim before it. */
export function recoveryIncrement(shares: LossShares, recoveredBeforeFen: number, amountFen: number): RecoveryShares {
  const before = recoveryShares(shares, recoveredBeforeFen);
  const after = recoveryShares(shares, recoveredBeforeFen + amountFen);
  const increment = { bank: after.bank - before.bank, fund: after.fund - before.fund };
  if (increment.bank < 0 || increment.fund < 0) throw new Error('puhui funds: a recovery split decreased a party\'s share');
  return increment;
}
