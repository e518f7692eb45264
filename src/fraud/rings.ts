/**
 * Rings: cycles of the invoice network described for a reviewer and ranked by suspicion.
 *
 * roundTripShare — the share of the members' invoiced sales (in the window) that goes round the loop: the
 * smallest edge of the loop over each member's sales, averaged over members. Honest trade rarely loops back
 * much of a firm's sales. similarity — smallest over largest edge amount of the loop. suspicion =
 * roundTripShare × similarity, from 0 to 1. Rings of equal suspicion rank first when their members paid
 * little tax against the loop amount, then when more of them are young.
 */
import { isoDateOfDay } from '../domain/period.ts';
import { popcount, type Cycle } from './cycles.ts';
import type { InvoiceNetwork } from './network.ts';

export interface RingEdge { seller: string; buyer: string; amountFen: number; invoices: number; firstDate: string; lastDate: string; activeMonths: number }

export interface Ring {
  id: string;
  members: string[];
  edges: RingEdge[];
  /** The amount that goes all the way round: the smallest edge of the loop. */
  loopAmountFen: number;
  roundTripShare: number;
  similarity: number;
  commonMonths: number;
  suspicion: number;
  /** VAT the members paid over their latest 12 declared months, over the loop amount (null if unknown). */
  taxPaidOverLoop: number | null;
  /** Members younger than two years at the as-of date. */
  youngMembers: number;
}


export function describeRing(network: InvoiceNetwork, codes: readonly string[], cycle: Cycle, index: number): Ring {
  const amounts = cycle.edges.map((e) => network.amountFen[e]!);
  const loopAmountFen = Math.min(...amounts);
  const similarity = loopAmountFen / Math.max(...amounts);
  const roundTripShare = cycle.nodes.reduce((sum, v) => sum + Math.min(1, loopAmountFen / Math.max(1, network.outAmountFen[v]!)), 0) / cycle.nodes.length;
  const commonMask = cycle.edges.reduce((mask, e) => mask & network.monthMask[e]!, -1);
  return {
    id: `ring-${index + 1}`,
    members: cycle.nodes.map((v) => codes[v]!),
    edges: cycle.edges.map((e, k) => ({
      seller: codes[cycle.nodes[k]!]!, buyer: codes[cycle.nodes[(k + 1) % cycle.nodes.length]!]!, amountFen: network.amountFen[e]!, invoices: network.count[e]!,
      firstDate: isoDateOfDay(network.firstDay[e]!), lastDate: isoDateOfDay(network.lastDay[e]!), activeMonths: popcount(network.monthMask[e]!),
    })),
    loopAmountFen, roundTripShare, similarity, commonMonths: popcount(commonMask), suspicion: roundTripShare * similarity,
    taxPaidOverLoop: null, youngMembers: 0,
  };
}
