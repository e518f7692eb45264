/** Strongly connected components of a CSR graph (Tarjan's algorithm, iterative: no recursion limit). */
import type { InvoiceNetwork } from './network.ts';

export interface Components {
  /** Component of each node; components are numbered in the order Tarjan completes them. */
  component: Int32Array;
  count: number;
  size: Int32Array;
}

export function stronglyConnectedComponents(network: Pick<InvoiceNetwork, 'nodeCount' | 'offsets' | 'targets'>, edgeAllowed: (edge: number) => boolean = () => true): Components {
  const n = network.nodeCount;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let stackSize = 0;
  let counter = 0;
  let count = 0;
  const sizes: number[] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = network.offsets[root]!;
    index[root] = low[root] = counter++;
    stack[stackSize++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth]!;
      const e = callEdge[depth]!;
      if (e < network.offsets[v + 1]!) {
        callEdge[depth] = e + 1;
        if (!edgeAllowed(e)) continue;
        const w = network.targets[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[stackSize++] = w;
          onStack[w] = 1;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = network.offsets[w]!;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--stackSize]!;
          onStack[w] = 0;
          component[w] = count;
          size++;
        } while (w !== v);
        sizes.push(size);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
    }
  }
  return { component, count, size: Int32Array.from(sizes) };
}
