/**
 * The invoice network as compact arrays (CSR): enterprises are nodes 0..n-1, each (seller → buyer) pair one
 * edge with its net amount, invoice count, first and last day, and a bitmask of the months it traded in
 * (bit k = k-th month of the window: up to 30 months before the as-of month, and the as-of month). Built
 * from edge lists in one counting pass. Each edge also keeps its invoices (amount and month, sorted by
 * amount), which is what ring evidence matches; without an invoice list each edge stands as one invoice of
 * its whole amount and `invoiceLevel` is false.
 */

export const WINDOW_MONTHS_MAX = 30;

/** One row per invoice: seller and buyer nodes, amount, month of the window (0 = first). */
export interface InvoiceList {
  source: Int32Array;
  target: Int32Array;
  amountFen: Float64Array;
  month: Uint8Array;
}

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
  /** The invoices of edge e are invoiceAmountFen[invoiceOffsets[e] … invoiceOffsets[e+1]-1], ascending. */
  invoiceOffsets: Int32Array;
  invoiceAmountFen: Float64Array;
  invoiceMonth: Uint8Array;
  /** True when the invoices are real ones; false when each edge stands as one invoice of its amount. */
  invoiceLevel: boolean;
}

/**
 * CSR from an edge list. Parallel edges (the same seller and buyer twice) are merged: amounts and counts add,
 * days widen, month masks OR. Self-loops are kept (a one-node cycle).
 */
export function buildNetwork(nodeCount: number, edges: EdgeList, invoices: InvoiceList | null = null): InvoiceNetwork {
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
  const network: InvoiceNetwork = {
    nodeCount, edgeCount: written, offsets, targets: targets.slice(0, written), amountFen: amountFen.slice(0, written), count: count.slice(0, written),
    firstDay: firstDay.slice(0, written), lastDay: lastDay.slice(0, written), monthMask: monthMask.slice(0, written), outAmountFen,
    invoiceOffsets: new Int32Array(written + 1), invoiceAmountFen: new Float64Array(0), invoiceMonth: new Uint8Array(0), invoiceLevel: invoices !== null,
  };
  if (invoices) attachInvoices(network, invoices);
  else edgesAsInvoices(network);
  return network;
}

/** The CSR edge from u to v, or -1 (binary search: targets are sorted within a node). */
export function edgeBetween(network: Pick<InvoiceNetwork, 'offsets' | 'targets'>, u: number, v: number): number {
  let low = network.offsets[u]!;
  let high = network.offsets[u + 1]! - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const t = network.targets[mid]!;
    if (t === v) return mid;
    if (t < v) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/** Invoices into their edges by counting sort, then each edge's invoices sorted by amount. */
function attachInvoices(network: InvoiceNetwork, invoices: InvoiceList): void {
  const rows = invoices.source.length;
  const edgeOf = new Int32Array(rows);
  const offsets = network.invoiceOffsets;
  for (let k = 0; k < rows; k++) {
    const e = edgeBetween(network, invoices.source[k]!, invoices.target[k]!);
    if (e < 0) throw new RangeError(`invoice ${k} (${invoices.source[k]} → ${invoices.target[k]}) has no edge in the network`);
    edgeOf[k] = e;
    offsets[e + 1]!++;
  }
  for (let e = 0; e < network.edgeCount; e++) offsets[e + 1]! += offsets[e]!;
  const cursor = offsets.slice(0, network.edgeCount);
  const order = new Int32Array(rows);
  for (let k = 0; k < rows; k++) order[cursor[edgeOf[k]!]!++] = k;
  const amount = new Float64Array(rows);
  const month = new Uint8Array(rows);
  for (let e = 0; e < network.edgeCount; e++) {
    const slice = Array.from(order.subarray(offsets[e]!, offsets[e + 1]!)).sort((a, b) => invoices.amountFen[a]! - invoices.amountFen[b]! || invoices.month[a]! - invoices.month[b]!);
    slice.forEach((k, j) => { amount[offsets[e]! + j] = invoices.amountFen[k]!; month[offsets[e]! + j] = invoices.month[k]!; });
  }
  network.invoiceAmountFen = amount;
  network.invoiceMonth = month;
}

function edgesAsInvoices(network: InvoiceNetwork): void {
  const m = network.edgeCount;
  network.invoiceAmountFen = network.amountFen.slice();
  network.invoiceMonth = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    network.invoiceOffsets[e + 1] = e + 1;
    const mask = network.monthMask[e]!;
    network.invoiceMonth[e] = mask === 0 ? 0 : 31 - Math.clz32(mask & -mask);
  }
}
