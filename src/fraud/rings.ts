/**
 * Ring evidence at invoice level, and rings described for a reviewer.
 *
 * A cycle of the network is a ring when its legs carry invoices that chain round the loop: starting at some
 * leg, each next leg has an invoice equal to the previous one or smaller by at most a commission
 * (y within [x · (1 − commissionPerHopMax) · (1 − amountTolerance), x · (1 + amountTolerance)]). Amounts are
 * compared invoice by invoice, never summed per leg, so a leg that repeats one amount three times and a leg
 * that repeats it twice still match; months play no part in the match, so the legs may trade in any order of
 * months within the window, and one round is enough.
 *
 * Figures of a ring: matched invoices and amount per leg; rounds (the fewest matched invoices of any leg);
 * round months (the months of the matched invoices on that leg); coverage (the matched share of each leg's
 * amount, averaged: honest legs match a coincidental invoice or two, planted legs match almost all);
 * round-trip share (the matched amount each member passes on over its invoiced sales, averaged).
 * An invoice just under an invoice cap (最高开票限额; within capBand) matches only an invoice of exactly its
 * amount: honest firms split large sales at the cap, so near-cap amounts agree by construction, not by design.
 * suspicion = round-trip share × coverage × recurrence factor, where the recurrence factor grows from
 * `onceWeight` for one month of rounds to 1 at `recurrenceMonthsFull` months: recurrence raises suspicion,
 * it is not a gate.
 */
import { isoDateOfDay } from '../domain/period.ts';
import { popcount } from './cycles.ts';
import type { InvoiceNetwork } from './network.ts';
import type { RingPolicy } from './policy.ts';

export interface RingEdge {
  seller: string;
  buyer: string;
  amountFen: number;
  invoices: number;
  firstDate: string;
  lastDate: string;
  activeMonths: number;
  /** Invoices of this leg that chain with the other legs, and what they add up to. */
  matchedInvoices: number;
  matchedAmountFen: number;
}

export interface RingEvidence {
  matchedInvoices: number[];
  matchedAmountFen: number[];
  /** Month mask (bit k = month k of the window) of the matched invoices of each leg. */
  matchedMonthMask: number[];
  /** Invoices a leg had beyond invoicesPerLegMax (not matched, for bounded work). */
  invoicesSkipped: number;
}

export interface Ring {
  id: string;
  members: string[];
  edges: RingEdge[];
  /** The matched amount that goes all the way round: the smallest matched amount of any leg. */
  loopAmountFen: number;
  rounds: number;
  roundMonths: number;
  coverage: number;
  roundTripShare: number;
  /** Smallest over largest matched invoice amount: 1 for equal amounts, lower when each hop keeps a commission. */
  amountRatio: number;
  recurrenceFactor: number;
  suspicion: number;
  /** VAT the members paid over their latest 12 declared months, over the loop amount (null if unknown). */
  taxPaidOverLoop: number | null;
  /** Members younger than the policy's youngMonths at the as-of date. */
  youngMembers: number;
}

interface LegInvoices { start: number; end: number }

const allowedCache = new WeakMap<InvoiceNetwork, Map<number, Uint8Array>>();

/** The legs a ring search may use: net amount over the window at least legAmountMinFen (and positive); cached per network. */
export function legsAllowed(network: InvoiceNetwork, legAmountMinFen: number): Uint8Array {
  const floor = Math.max(1, legAmountMinFen);
  let byFloor = allowedCache.get(network);
  if (!byFloor) { byFloor = new Map(); allowedCache.set(network, byFloor); }
  let allowed = byFloor.get(floor);
  if (!allowed) {
    allowed = new Uint8Array(network.edgeCount);
    for (let e = 0; e < network.edgeCount; e++) allowed[e] = network.amountFen[e]! >= floor ? 1 : 0;
    byFloor.set(floor, allowed);
  }
  return allowed;
}

/** The invoices of edge e that may be matched: at least invoiceAmountMinFen, the largest invoicesPerLegMax. */
function legInvoices(network: InvoiceNetwork, e: number, policy: RingPolicy): LegInvoices & { skipped: number } {
  const amounts = network.invoiceAmountFen;
  let start = network.invoiceOffsets[e]!;
  const end = network.invoiceOffsets[e + 1]!;
  let low = start;
  let high = end;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (amounts[mid]! < Math.max(1, policy.invoiceAmountMinFen)) low = mid + 1;
    else high = mid;
  }
  start = low;
  const skipped = Math.max(0, end - start - policy.invoicesPerLegMax);
  return { start: start + skipped, end, skipped };
}

/** Within capBand below one of the invoice caps: an amount the cap chose, not the firm. */
function nearCap(amountFen: number, policy: RingPolicy): boolean {
  for (const cap of policy.invoiceCapsFen) if (amountFen <= cap && amountFen >= cap * (1 - policy.capBand)) return true;
  return false;
}

/** First index in [start, end) whose amount is ≥ value. */
function lowerBound(amounts: Float64Array, start: number, end: number, value: number): number {
  let low = start;
  let high = end;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (amounts[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Whether some invoice of leg `into` can follow some invoice of leg `from` in a round: the pairwise test the
 * cycle search cuts paths with (a round breaks the chain at one hop at most, the one into its first leg).
 */
export function legsChain(network: InvoiceNetwork, from: number, into: number, policy: RingPolicy): boolean {
  const before = legInvoices(network, from, policy);
  const after = legInvoices(network, into, policy);
  const amounts = network.invoiceAmountFen;
  const low = (1 - policy.commissionPerHopMax) * (1 - policy.amountTolerance);
  const high = 1 + policy.amountTolerance;
  for (let k = after.start; k < after.end; k++) {
    const y = amounts[k]!;
    if (nearCap(y, policy)) {
      const at = lowerBound(amounts, before.start, before.end, y);
      if (at < before.end && amounts[at] === y) return true;
      continue;
    }
    // A reached x outside the caps' bands within [y / high, y / low].
    for (let at = lowerBound(amounts, before.start, before.end, y / high - 1e-9); at < before.end && amounts[at]! <= y / low + 1e-9; at++) {
      if (!nearCap(amounts[at]!, policy)) return true;
    }
  }
  return false;
}

/**
 * Invoice-level evidence of a cycle given by its edges, or null when no round of invoices chains round it.
 * Tries every leg as the start of the round; an invoice is matched when some round through it closes.
 */
export function ringEvidence(network: InvoiceNetwork, cycleEdges: ArrayLike<number>, length: number, policy: RingPolicy): RingEvidence | null {
  const legs: LegInvoices[] = [];
  let invoicesSkipped = 0;
  for (let j = 0; j < length; j++) {
    const leg = legInvoices(network, cycleEdges[j]!, policy);
    if (leg.end <= leg.start) return null;
    legs.push(leg);
    invoicesSkipped += leg.skipped;
  }
  const amounts = network.invoiceAmountFen;
  const low = (1 - policy.commissionPerHopMax) * (1 - policy.amountTolerance);
  const high = 1 + policy.amountTolerance;
  const matched = legs.map((leg) => new Uint8Array(leg.end - leg.start));
  const reach = legs.map((leg) => new Uint8Array(leg.end - leg.start));
  // prefix[j][k]: reached invoices of leg j before k that are not at a cap (the ones a range may match).
  const prefix = legs.map((leg) => new Int32Array(leg.end - leg.start + 1));
  const atCap = legs.map((leg) => Uint8Array.from({ length: leg.end - leg.start }, (_, k) => (nearCap(amounts[leg.start + k]!, policy) ? 1 : 0)));
  const count = (j: number) => {
    const own = prefix[j]!;
    const mark = reach[j]!;
    const cap = atCap[j]!;
    for (let k = 0; k < mark.length; k++) own[k + 1] = own[k]! + (mark[k]! & (cap[k]! ^ 1));
  };
  /** Whether leg j has a reached invoice that value may chain with: exactly equal at a cap, else within [from, to]. */
  const chains = (j: number, value: number, cap: boolean, from: number, to: number): boolean => {
    const leg = legs[j]!;
    if (cap) {
      for (let k = lowerBound(amounts, leg.start, leg.end, value) - leg.start; k < reach[j]!.length && amounts[leg.start + k] === value; k++) if (reach[j]![k]) return true;
      return false;
    }
    const a = lowerBound(amounts, leg.start, leg.end, from - 1e-9) - leg.start;
    const b = lowerBound(amounts, leg.start, leg.end, to + 1e-9) - leg.start;
    return prefix[j]![b]! - prefix[j]![a]! > 0;
  };
  let any = false;
  for (let r = 0; r < length; r++) {
    // Forward: which invoices of each leg a round started at leg r can reach.
    let reached = true;
    for (let j = 0; j < length && reached; j++) {
      const index = (r + j) % length;
      const leg = legs[index]!;
      const mark = reach[index]!;
      if (j === 0) mark.fill(1);
      else {
        const previous = (r + j - 1) % length;
        for (let k = 0; k < mark.length; k++) {
          const y = amounts[leg.start + k]!;
          mark[k] = chains(previous, y, atCap[index]![k] === 1, y / high, y / low) ? 1 : 0;
        }
      }
      count(index);
      reached = mark.includes(1);
    }
    if (!reached) continue;
    // Backward: keep the reached invoices from which the round can go on to the last leg.
    for (let j = length - 2; j >= 0; j--) {
      const index = (r + j) % length;
      const next = (r + j + 1) % length;
      const leg = legs[index]!;
      const mark = reach[index]!;
      for (let k = 0; k < mark.length; k++) {
        if (!mark[k]) continue;
        const x = amounts[leg.start + k]!;
        mark[k] = chains(next, x, atCap[index]![k] === 1, x * low, x * high) ? 1 : 0;
      }
      count(index);
    }
    for (let j = 0; j < length; j++) {
      const into = matched[j]!;
      const from = reach[j]!;
      for (let k = 0; k < into.length; k++) into[k] = into[k]! | from[k]!;
    }
    any = true;
  }
  if (!any) return null;
  const evidence: RingEvidence = { matchedInvoices: [], matchedAmountFen: [], matchedMonthMask: [], invoicesSkipped };
  for (let j = 0; j < length; j++) {
    let count = 0;
    let sum = 0;
    let mask = 0;
    for (let k = 0; k < matched[j]!.length; k++) {
      if (!matched[j]![k]) continue;
      count++;
      sum += amounts[legs[j]!.start + k]!;
      mask |= 1 << network.invoiceMonth[legs[j]!.start + k]!;
    }
    evidence.matchedInvoices.push(count);
    evidence.matchedAmountFen.push(sum);
    evidence.matchedMonthMask.push(mask);
  }
  return evidence;
}

/** Suspicion and the figures behind it; `monthsAvailable` caps what recurrence can ask of the data. */
export function ringFigures(network: InvoiceNetwork, cycle: { nodes: ArrayLike<number>; edges: ArrayLike<number> }, evidence: RingEvidence, policy: RingPolicy, monthsAvailable: number) {
  const length = evidence.matchedInvoices.length;
  let rounds = Number.POSITIVE_INFINITY;
  let roundsLeg = 0;
  let coverage = 0;
  let share = 0;
  let smallest = Number.POSITIVE_INFINITY;
  let largest = 0;
  for (let j = 0; j < length; j++) {
    if (evidence.matchedInvoices[j]! < rounds) { rounds = evidence.matchedInvoices[j]!; roundsLeg = j; }
    const e = cycle.edges[j]!;
    const legAmount = Math.max(network.amountFen[e]!, evidence.matchedAmountFen[j]!);
    coverage += legAmount > 0 ? evidence.matchedAmountFen[j]! / legAmount : 0;
    share += Math.min(1, evidence.matchedAmountFen[j]! / Math.max(1, network.outAmountFen[cycle.nodes[j]!]!));
    smallest = Math.min(smallest, evidence.matchedAmountFen[j]! / Math.max(1, evidence.matchedInvoices[j]!));
    largest = Math.max(largest, evidence.matchedAmountFen[j]! / Math.max(1, evidence.matchedInvoices[j]!));
  }
  const roundMonths = popcount(evidence.matchedMonthMask[roundsLeg]!);
  const full = Math.max(1, Math.min(policy.recurrenceMonthsFull, monthsAvailable));
  const recurrenceFactor = full <= 1 ? 1 : policy.onceWeight + (1 - policy.onceWeight) * Math.min(1, (roundMonths - 1) / (full - 1));
  coverage /= length;
  share /= length;
  return {
    loopAmountFen: Math.min(...evidence.matchedAmountFen), rounds, roundMonths, coverage, roundTripShare: share,
    amountRatio: largest > 0 ? smallest / largest : 0, recurrenceFactor, suspicion: share * coverage * recurrenceFactor,
  };
}

export function describeRing(network: InvoiceNetwork, label: (node: number) => string, cycle: { nodes: number[]; edges: number[] }, evidence: RingEvidence, figures: ReturnType<typeof ringFigures>): Ring {
  return {
    id: '',
    members: cycle.nodes.map(label),
    edges: cycle.edges.map((e, k) => ({
      seller: label(cycle.nodes[k]!), buyer: label(cycle.nodes[(k + 1) % cycle.nodes.length]!), amountFen: network.amountFen[e]!, invoices: network.count[e]!,
      firstDate: isoDateOfDay(network.firstDay[e]!), lastDate: isoDateOfDay(network.lastDay[e]!), activeMonths: popcount(network.monthMask[e]!),
      matchedInvoices: evidence.matchedInvoices[k]!, matchedAmountFen: evidence.matchedAmountFen[k]!,
    })),
    ...figures, taxPaidOverLoop: null, youngMembers: 0,
  };
}
