/**
 * The whitelist dispatch problem as plain arrays (issue #13 item 3): firms, banks with capacities, products and risk
 * appetite; which firm-bank pairs are eligible; the value of a match; an exact check of an assignment; and the
 * figures a comparison reports (share matched, expected loss, fairness across banks).
 *
 * A pair (firm i, bank j) is eligible when the firm's rating is at least the bank's minimum (A best; D never) and at
 * least one of the bank's products fits the firm (amount within the product's range, rating among the product's,
 * industry and region among the product's when it lists any). The bank's first fitting product is the one offered.
 * Risk appetite is a portfolio bound: the expected loss of what a bank is sent, as a share of the amount, is at most
 * its expectedLossBpsMax, i.e. Σ_i (el_i − elMax_j) × amount_i × x_ij ≤ 0 — a risky firm fits beside safer ones.
 */
import type { DispatchObjective } from './dispatch-policy.ts';

export const RATINGS = ['A', 'B', 'C', 'D'] as const;
export type Rating = (typeof RATINGS)[number];

export interface DispatchFirm {
  creditCode: string;
  /** The amount the firm needs. */
  amountFen: number;
  rating: Rating;
  /** Expected loss as a share of the amount (PD × LGD), in basis points. */
  expectedLossBps: number;
  /** GB/T 4754 section letter. */
  industry: string;
  /** Province code (GB/T 2260, two digits). */
  region: string;
}

export interface DispatchProduct {
  productId: string;
  amountFenMin: number;
  amountFenMax: number;
  ratings: Rating[];
  /** Empty: any industry. */
  industries: string[];
  /** Empty: any region. */
  regions: string[];
  /** The product's annual rate, for the expected-value objective. */
  rateBps: number;
}

export interface DispatchBank {
  bankId: string;
  firmCountMax: number;
  amountFenMax: number;
  /** The worst rating the bank accepts (C: A, B and C). */
  ratingMin: Exclude<Rating, 'D'>;
  /** The bank's risk appetite: the most expected loss it takes, as a share of the amount sent, in bps. */
  expectedLossBpsMax: number;
  products: DispatchProduct[];
}

export interface DispatchAssignment { creditCode: string; bankId: string; productId: string; amountFen: number }

/** An eligible pair, by index into the firm and bank arrays, with the product offered and the pair's value. */
export interface DispatchPair { firm: number; bank: number; product: number; value: number }

export interface DispatchProblem {
  firms: readonly DispatchFirm[];
  banks: readonly DispatchBank[];
  objective: DispatchObjective;
}

const RATING_RANK: Record<Rating, number> = { A: 0, B: 1, C: 2, D: 3 };
const BPS_WHOLE = 10_000;
const FEN_PER_YUAN = 100;

function productFits(firm: DispatchFirm, product: DispatchProduct): boolean {
  return firm.amountFen >= product.amountFenMin && firm.amountFen <= product.amountFenMax
    && product.ratings.includes(firm.rating)
    && (product.industries.length === 0 || product.industries.includes(firm.industry))
    && (product.regions.length === 0 || product.regions.includes(firm.region));
}

/** The value of matching a firm with a product: 1 per firm, or the expected margin in yuan a year. */
export function pairValue(objective: DispatchObjective, firm: DispatchFirm, product: DispatchProduct): number {
  if (objective === 'matchedFirms') return 1;
  return (firm.amountFen / FEN_PER_YUAN) * (product.rateBps - firm.expectedLossBps) / BPS_WHOLE;
}

/** Every eligible pair with a positive value, firm by firm, banks in their given order. */
export function eligiblePairs(problem: DispatchProblem, pairsMax: number): DispatchPair[] {
  const pairs: DispatchPair[] = [];
  problem.firms.forEach((firm, firmIndex) => {
    if (firm.rating === 'D') return;
    problem.banks.forEach((bank, bankIndex) => {
      if (RATING_RANK[firm.rating] > RATING_RANK[bank.ratingMin]) return;
      const product = bank.products.findIndex((p) => productFits(firm, p));
      if (product < 0) return;
      const value = pairValue(problem.objective, firm, bank.products[product]!);
      if (value <= 0) return;
      if (pairs.length >= pairsMax) throw new RangeError(`the dispatch has more than ${pairsMax} eligible firm-bank pairs`);
      pairs.push({ firm: firmIndex, bank: bankIndex, product, value });
    });
  });
  return pairs;
}

/** Checks the inputs once where they enter: whole fen, bps in range, unique identifiers, bounded sizes. */
export function assertProblem(problem: DispatchProblem, limits: { firmsMax: number; banksMax: number }): void {
  if (problem.firms.length > limits.firmsMax) throw new RangeError(`more than ${limits.firmsMax} firms to dispatch`);
  if (problem.banks.length > limits.banksMax) throw new RangeError(`more than ${limits.banksMax} banks`);
  const codes = new Set<string>();
  for (const firm of problem.firms) {
    if (codes.has(firm.creditCode)) throw new RangeError(`firm ${firm.creditCode} is listed twice`);
    codes.add(firm.creditCode);
    if (!Number.isSafeInteger(firm.amountFen) || firm.amountFen <= 0) throw new RangeError(`firm ${firm.creditCode}: amountFen must be a positive whole number`);
    if (!Number.isInteger(firm.expectedLossBps) || firm.expectedLossBps < 0 || firm.expectedLossBps > BPS_WHOLE) {
      throw new RangeError(`firm ${firm.creditCode}: expectedLossBps must be an integer in 0..${BPS_WHOLE}`);
    }
  }
  const bankIds = new Set<string>();
  for (const bank of problem.banks) {
    if (bankIds.has(bank.bankId)) throw new RangeError(`bank ${bank.bankId} is listed twice`);
    bankIds.add(bank.bankId);
    if (!Number.isSafeInteger(bank.firmCountMax) || bank.firmCountMax < 0) throw new RangeError(`bank ${bank.bankId}: firmCountMax must be a whole number ≥ 0`);
    if (!Number.isSafeInteger(bank.amountFenMax) || bank.amountFenMax < 0) throw new RangeError(`bank ${bank.bankId}: amountFenMax must be whole fen ≥ 0`);
    if (!Number.isInteger(bank.expectedLossBpsMax) || bank.expectedLossBpsMax < 0 || bank.expectedLossBpsMax > BPS_WHOLE) {
      throw new RangeError(`bank ${bank.bankId}: expectedLossBpsMax must be an integer in 0..${BPS_WHOLE}`);
    }
  }
}

export interface BankLoad { bankId: string; firms: number; amountFen: number; expectedLossFen: number }

/** What each bank was sent, in bank order. */
export function bankLoads(problem: DispatchProblem, assignments: readonly DispatchAssignment[]): BankLoad[] {
  const byBank = new Map(problem.banks.map((bank) => [bank.bankId, { bankId: bank.bankId, firms: 0, amountFen: 0, expectedLossFen: 0 }]));
  const firmsByCode = new Map(problem.firms.map((firm) => [firm.creditCode, firm]));
  for (const assignment of assignments) {
    const load = byBank.get(assignment.bankId);
    const firm = firmsByCode.get(assignment.creditCode);
    if (load === undefined || firm === undefined) throw new Error(`puhui dispatch: assignment of an unknown firm or bank (${assignment.creditCode} → ${assignment.bankId})`);
    load.firms += 1;
    load.amountFen += firm.amountFen;
    load.expectedLossFen += firm.amountFen * firm.expectedLossBps / BPS_WHOLE;
  }
  return [...byBank.values()];
}

/**
 * Refuses an assignment that breaks any rule, exactly (integers, BigInt for the risk row): a firm sent twice or to a
 * bank it is not eligible for, a bank over its count or amount, or over its expected-loss share.
 */
export function assertAssignmentFeasible(problem: DispatchProblem, assignments: readonly DispatchAssignment[]): void {
  const firmsByCode = new Map(problem.firms.map((firm) => [firm.creditCode, firm]));
  const banksById = new Map(problem.banks.map((bank) => [bank.bankId, bank]));
  const seen = new Set<string>();
  const risk = new Map<string, bigint>();
  for (const assignment of assignments) {
    const firm = firmsByCode.get(assignment.creditCode);
    const bank = banksById.get(assignment.bankId);
    if (firm === undefined || bank === undefined) throw new Error(`puhui dispatch: unknown firm or bank in ${JSON.stringify(assignment)}`);
    if (seen.has(firm.creditCode)) throw new Error(`puhui dispatch: firm ${firm.creditCode} is sent to two banks`);
    seen.add(firm.creditCode);
    const product = bank.products.find((p) => p.productId === assignment.productId);
    if (product === undefined || !productFits(firm, product) || RATING_RANK[firm.rating] > RATING_RANK[bank.ratingMin]) {
      throw new Error(`puhui dispatch: firm ${firm.creditCode} does not fit ${bank.bankId}/${assignment.productId}`);
    }
    const term = BigInt(firm.expectedLossBps - bank.expectedLossBpsMax) * BigInt(firm.amountFen);
    risk.set(bank.bankId, (risk.get(bank.bankId) ?? 0n) + term);
  }
  for (const load of bankLoads(problem, assignments)) {
    const bank = banksById.get(load.bankId)!;
    if (load.firms > bank.firmCountMax) throw new Error(`puhui dispatch: bank ${bank.bankId} is sent ${load.firms} firms, over its ${bank.firmCountMax}`);
    if (load.amountFen > bank.amountFenMax) throw new Error(`puhui dispatch: bank ${bank.bankId} is sent ${load.amountFen} fen, over its ${bank.amountFenMax}`);
    if ((risk.get(bank.bankId) ?? 0n) > 0n) throw new Error(`puhui dispatch: bank ${bank.bankId} is sent more expected loss than its ${bank.expectedLossBpsMax} bps`);
  }
}

export interface DispatchFigures {
  firms: number;
  matched: number;
  shareMatched: number;
  amountFenMatched: number;
  expectedLossFen: number;
  /** Expected loss as a share of the amount matched, in bps. */
  expectedLossBps: number;
  /** Gini coefficient of the banks' utilisation (firms sent / firm capacity): 0 is perfectly even. */
  giniUtilisation: number;
  /** Highest over lowest bank utilisation; null when some bank with capacity got nothing. */
  maxMinUtilisationRatio: number | null;
  loads: BankLoad[];
}

export function gini(values: readonly number[]): number {
  const n = values.length;
  const sum = values.reduce((s, v) => s + v, 0);
  if (n === 0 || sum === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  let weighted = 0;
  sorted.forEach((value, index) => { weighted += (index + 1) * value; });
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

export function dispatchFigures(problem: DispatchProblem, assignments: readonly DispatchAssignment[]): DispatchFigures {
  const loads = bankLoads(problem, assignments);
  const withCapacity = problem.banks.map((bank, index) => ({ bank, load: loads[index]! })).filter(({ bank }) => bank.firmCountMax > 0);
  const utilisation = withCapacity.map(({ bank, load }) => load.firms / bank.firmCountMax);
  const amountFenMatched = loads.reduce((s, l) => s + l.amountFen, 0);
  const expectedLossFen = Math.round(loads.reduce((s, l) => s + l.expectedLossFen, 0));
  const lowest = Math.min(...utilisation);
  return {
    firms: problem.firms.length,
    matched: assignments.length,
    shareMatched: problem.firms.length === 0 ? 0 : assignments.length / problem.firms.length,
    amountFenMatched,
    expectedLossFen,
    expectedLossBps: amountFenMatched === 0 ? 0 : Math.round((expectedLossFen / amountFenMatched) * BPS_WHOLE),
    giniUtilisation: gini(utilisation),
    maxMinUtilisationRatio: utilisation.length === 0 || lowest === 0 ? null : Math.max(...utilisation) / lowest,
    loads: loads.map((l) => ({ ...l, expectedLossFen: Math.round(l.expectedLossFen) })),
  };
}
