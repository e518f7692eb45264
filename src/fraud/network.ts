/**
 * The invoice network as compact arrays (CSR): enterprises are nodes 0..n-1, each (seller → buyer) pair one
 * edge with its net amount, invoice count, first and last day, and a bitmask of the months it traded in
 * (bit k = k-th month of the window, at most 30 months). Built from edge lists in one counting pass.
 */

export const WINDOW_MONTHS_MAX = 30;

export interface EdgeList {
  source: Int32Array;
  target: Int32Array;
  amountFen: Float64Array;
  count: Int32Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  monthMask: Int32Array;
}

export interface InvoiceNetwork {
  nodeCount: number;
  edgeCount: number;
  /** Edges of node v are offsets[v] … offsets[v+1]-1. */
  offsets: Int32Array;
  targets: Int32Array;
  amountFen: Float64Array;
  count: Int32Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  monthMask: Int32Array;
  /** Total net amount each node sold to any node of the network. */
  outAmountFen: Float64Array;
}

/**
 * CSR from an edge list. Parallel edges (the same seller and buyer twice) are merged: amounts and counts add,
 * days widen, month masks OR. Self-loops are kept (a one-node cycle).
 */
export function buildNetwork(nodeCount: number, edges: EdgeList): InvoiceNetwork {
  const m = edges.source.length;
  const degree = new Int32Array(nodeCount + 1);
  for (let e = 0; e < m; e++) {
    const s = edges.source[e]!;
    if (s < 0 || s >= nodeCount || edges.target[e]! < 0 || edges.target[e]! >= nodeCount) throw new RangeError(`edge ${e} names a node outside 0..${nodeCount - 1}`);
    degree[s + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) degree[v + 1]! += degree[v]!;
  const order = new Int32Array(m);
  const cursor = degree.slice(0, nodeCount);
  for (let e = 0; e < m; e++) order[cursor[edges.source[e]!]!++] = e;
  // Within each node, sort by target and merge duplicates.
  const offsets = new Int32Array(nodeCount + 1);
  const targets = new Int32Array(m);
  const amountFen = new Float64Array(m);
  const count = new Int32Array(m);
  const firstDay = new Int32Array(m);
  const lastDay = new Int32Array(m);
  const monthMask = new Int32Array(m);
  const outAmountFen = new Float64Array(nodeCount);
  let written = 0;
  for (let v = 0; v < nodeCount; v++) {
    offsets[v] = written;
    const slice = Array.from(order.subarray(degree[v]!, degree[v + 1]!)).sort((a, b) => edges.target[a]! - edges.target[b]!);
    for (const e of slice) {
      const t = edges.target[e]!;
      if (written > offsets[v]! && targets[written - 1] === t) {
        const k = written - 1;
        amountFen[k]! += edges.amountFen[e]!;
        count[k]! += edges.count[e]!;
        firstDay[k] = Math.min(firstDay[k]!, edges.firstDay[e]!);
        lastDay[k] = Math.max(lastDay[k]!, edges.lastDay[e]!);
        monthMask[k]! |= edges.monthMask[e]!;
      } else {
        targets[written] = t;
        amountFen[written] = edges.amountFen[e]!;
        count[written] = edges.count[e]!;
        firstDay[written] = edges.firstDay[e]!;
        lastDay[written] = edges.lastDay[e]!;
        monthMask[written] = edges.monthMask[e]!;
        written++;
      }
      outAmountFen[v]! += edges.amountFen[e]!;
    }
  }
  offsets[nodeCount] = written;
  return {
    nodeCount, edgeCount: written, offsets, targets: targets.slice(0, written), amountFen: amountFen.slice(0, written), count: count.slice(0, written),
    firstDay: firstDay.slice(0, written), lastDay: lastDay.slice(0, written), monthMask: monthMask.slice(0, written), outAmountFen,
  };
}
