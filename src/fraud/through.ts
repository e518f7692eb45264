/**
 * Rings through one enterprise, for the online path: the service keeps the invoice network of its snapshot
 * and asks, per applicant, which rings the applicant is in. The same cycle search (distance-pruned,
 * budgeted in steps) and the same invoice-level evidence and suspicion as the batch report, restricted to
 * cycles through one node; on a 1M-edge network it answers in milliseconds (bench/steps/rings.ts).
 *
 * Loops inside one identity cluster are not set aside here (the batch report counts them as the cluster's):
 * the caller has the applicant's identity signals beside this answer.
 */
import { cyclesThrough, popcount, type UncoveredReason } from './cycles.ts';
import type { InvoiceNetwork } from './network.ts';
import type { FraudPolicy } from './policy.ts';
import { describeRing, legsAllowed, legsChain, type Ring, ringEvidence, ringFigures } from './rings.ts';

export interface RingsThrough {
  node: number;
  /** Rings at or above the policy's suspicion, most suspicious first; ids are `<node>-ring-k`. */
  rings: Ring[];
  cyclesExamined: number;
  /** False when a budget cut the search short: more rings through the node may exist. */
  complete: boolean;
  uncoveredReason: UncoveredReason | null;
}

const monthsCache = new WeakMap<InvoiceNetwork, number>();

/** Months of the window with any invoice: what recurrence can be asked of. */
export function monthsWithInvoices(network: InvoiceNetwork): number {
  let months = monthsCache.get(network);
  if (months === undefined) {
    let mask = 0;
    for (let e = 0; e < network.edgeCount; e++) mask |= network.monthMask[e]!;
    months = popcount(mask);
    monthsCache.set(network, months);
  }
  return months;
}

/** `codes` names the nodes in the rings (credit codes in node order); node numbers when absent. */
export function ringsThrough(network: InvoiceNetwork, node: number, policy: FraudPolicy, codes: readonly string[] | null = null): RingsThrough {
  const p = policy.document.rings;
  const label = (v: number) => (codes ? codes[v]! : String(v));
  const rings: Ring[] = [];
  const months = monthsWithInvoices(network);
  const found = cyclesThrough(network, node, {
    lengthMax: p.lengthMax, stepsMaxPerRoot: p.searchStepsMaxPerRoot, cyclesMax: p.cyclesMax, edgeAllowed: legsAllowed(network, p.legAmountMinFen),
    legsChain: (from, into) => legsChain(network, from, into, p),
    accept: (nodes, edges, length) => {
      if (length < 2) return false;
      const evidence = ringEvidence(network, edges, length, p);
      if (!evidence) return false;
      const cycle = { nodes: Array.from(nodes.subarray(0, length)), edges: Array.from(edges.subarray(0, length)) };
      const figures = ringFigures(network, cycle, evidence, p, months);
      if (figures.suspicion >= p.suspicionMin) rings.push(describeRing(network, label, cycle, evidence, figures));
      return false;
    },
  });
  rings.sort((a, b) => b.suspicion - a.suspicion || (a.members.join() < b.members.join() ? -1 : 1)).forEach((r, k) => { r.id = `${label(node)}-ring-${k + 1}`; });
  return { node, rings, cyclesExamined: found.cyclesExamined, complete: found.complete, uncoveredReason: found.uncoveredReason };
}
