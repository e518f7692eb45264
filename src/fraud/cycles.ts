/**
 * Simple cycles of the invoice network up to a length bound: circular-invoicing candidates.
 *
 * Complete and deterministic. Strongly connected components first (a cycle never leaves one); then every
 * node s of a component, in node order, is the root of a search for the cycles whose smallest node is s,
 * so each cycle is found exactly once. Before the depth-first search from s, a breadth-first search over
 * the reversed edges gives the larger nodes of the component near s their distance back to s, up to a radius
 * R = ⌈lengthMax / 2⌉; every other node is known to be farther than R. The depth-first search expands a node
 * only if it can still reach s within the length that remains: a node in the ball if depth + 1 + distance ≤
 * lengthMax, a node outside it only while depth + 1 + (R + 1) ≤ lengthMax (the first half of the loop). The
 * pruning is exact — it never drops a path that could close — and the half radius keeps the backward ball
 * small (on a random graph of mean degree 5 and bound 6: about 5³ nodes per root instead of 5⁵), while a dense
 * part of the component (a gadget) costs nothing to roots that cannot loop through it within the bound.
 *
 * Work is bounded in steps, never in seconds, so a result does not depend on the machine's load: each root
 * has a step budget and the whole search a cycle budget. A root cut short is reported by node and reason;
 * a ring is missing from the result only if its smallest node is among them.
 *
 * `cyclesThrough(network, node, …)` is the same search for one enterprise (the online question "is this
 * applicant in a ring?"): the cycles through one node, each once, rotated to start at it.
 */
import type { InvoiceNetwork } from './network.ts';
import { CYCLE_LENGTH_MAX } from './policy.ts';
import { stronglyConnectedComponents } from './scc.ts';

export { CYCLE_LENGTH_MAX };

export interface CycleSearchOptions {
  lengthMax: number;
  /** Edges the search may use (1) or not (0), per CSR edge; all edges when absent. */
  edgeAllowed?: Uint8Array | null;
  /** Steps (edges looked at, forward and backward) allowed per root before the root is reported as cut short. */
  stepsMaxPerRoot: number;
  /** Cycles examined in all; when reached the remaining roots are reported as not covered. */
  cyclesMax: number;
  /**
   * Called for every cycle found (the views are reused: copy what you keep). Returning false drops the cycle
   * from `cycles` (it still counts as examined).
   */
  accept?: ((nodes: Int32Array, edges: Int32Array, length: number) => boolean) | null;
  /**
   * Whether invoices of leg `into` can follow invoices of leg `from` in a round (ring evidence). A round has
   * at most one hop that does not chain (the one into its starting leg), so a path with two such hops is cut:
   * exact for rings with evidence, and what keeps a dense honest network cheap. Absent: structure only.
   */
  legsChain?: ((from: number, into: number) => boolean) | null;
  /** Prune by distance back to the root (default true); false only to measure what the pruning saves (bench). */
  distancePruning?: boolean;
}

export const DEFAULT_CYCLE_SEARCH: CycleSearchOptions = { lengthMax: 6, stepsMaxPerRoot: 5_000_000, cyclesMax: 1_000_000 };

export interface Cycle { nodes: number[]; edges: number[] }

export type UncoveredReason = 'step_budget' | 'cycles_max';

/** A root whose cycles were not all examined: the cycles whose smallest node it is may be missing. */
export interface UncoveredNode { node: number; reason: UncoveredReason }

export interface CycleSearch {
  cycles: Cycle[];
  cyclesExamined: number;
  componentsSearched: number;
  rootsSearched: number;
  uncovered: UncoveredNode[];
  steps: number;
}

/** Number of set bits of a 32-bit mask (active months). */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** In-edges of every node as CSR: the edges into v are reverseEdges[reverseOffsets[v] … reverseOffsets[v+1]-1]. */
export interface ReverseIndex { reverseOffsets: Int32Array; reverseEdges: Int32Array; sources: Int32Array }

const reverseCache = new WeakMap<InvoiceNetwork, ReverseIndex>();

export function reverseIndex(network: InvoiceNetwork): ReverseIndex {
  const cached = reverseCache.get(network);
  if (cached) return cached;
  const n = network.nodeCount;
  const m = network.edgeCount;
  const reverseOffsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) reverseOffsets[network.targets[e]! + 1]!++;
  for (let v = 0; v < n; v++) reverseOffsets[v + 1]! += reverseOffsets[v]!;
  const cursor = reverseOffsets.slice(0, n);
  const reverseEdges = new Int32Array(m);
  const sources = new Int32Array(m);
  for (let u = 0; u < n; u++) {
    for (let e = network.offsets[u]!; e < network.offsets[u + 1]!; e++) {
      const k = cursor[network.targets[e]!]!++;
      reverseEdges[k] = e;
      sources[k] = u;
    }
  }
  const index = { reverseOffsets, reverseEdges, sources };
  reverseCache.set(network, index);
  return index;
}

function checkOptions(options: CycleSearchOptions): void {
  if (!(Number.isInteger(options.lengthMax) && options.lengthMax >= 1 && options.lengthMax <= CYCLE_LENGTH_MAX)) {
    throw new RangeError(`lengthMax must be 1..${CYCLE_LENGTH_MAX}`);
  }
  if (!(options.stepsMaxPerRoot >= 1 && options.cyclesMax >= 1)) throw new RangeError('stepsMaxPerRoot and cyclesMax must be at least 1');
}

/** Every simple cycle of at most lengthMax edges, each once, from its smallest node; see the module comment. */
export function enumerateCycles(network: InvoiceNetwork, options: Partial<CycleSearchOptions> = {}): CycleSearch {
  const c = { ...DEFAULT_CYCLE_SEARCH, ...options };
  checkOptions(c);
  const allowed = c.edgeAllowed ?? null;
  const { component, size } = stronglyConnectedComponents(network, allowed ? (e) => allowed[e] === 1 : undefined);
  const walker = new CycleWalker(network, reverseIndex(network), c, component);
  const search: CycleSearch = { cycles: [], cyclesExamined: 0, componentsSearched: 0, rootsSearched: 0, uncovered: [], steps: 0 };
  const componentSeen = new Uint8Array(size.length);
  for (let s = 0; s < network.nodeCount; s++) {
    const k = component[s]!;
    if (size[k]! < 2 && !walker.hasSelfLoop(s)) continue;
    if (search.cyclesExamined >= c.cyclesMax) {
      search.uncovered.push({ node: s, reason: 'cycles_max' });
      continue;
    }
    if (!componentSeen[k]) { componentSeen[k] = 1; search.componentsSearched++; }
    search.rootsSearched++;
    const complete = walker.search(s, true, search);
    if (!complete) search.uncovered.push({ node: s, reason: search.cyclesExamined >= c.cyclesMax ? 'cycles_max' : 'step_budget' });
  }
  return search;
}

export interface CyclesThrough { node: number; cycles: Cycle[]; cyclesExamined: number; complete: boolean; uncoveredReason: UncoveredReason | null; steps: number }

/** Every simple cycle of at most lengthMax edges through one node, each once, starting at that node. */
export function cyclesThrough(network: InvoiceNetwork, node: number, options: Partial<CycleSearchOptions> = {}): CyclesThrough {
  const c = { ...DEFAULT_CYCLE_SEARCH, ...options };
  checkOptions(c);
  if (!(Number.isInteger(node) && node >= 0 && node < network.nodeCount)) throw new RangeError(`node must be 0..${network.nodeCount - 1}`);
  // One applicant at a time is the online path: reuse the network's node-sized scratch arrays instead of
  // allocating ~10 bytes per node per call (at 200,000 nodes the allocation and the collections it caused
  // were most of the p99).
  const scratch = scratchCache.get(network);
  const reuse = scratch !== undefined && !scratch.inUse;
  const walker = new CycleWalker(network, reverseIndex(network), c, null, reuse ? scratch : undefined);
  if (!reuse && scratch === undefined) scratchCache.set(network, walker.scratch);
  const search: CycleSearch = { cycles: [], cyclesExamined: 0, componentsSearched: 0, rootsSearched: 1, uncovered: [], steps: 0 };
  walker.scratch.inUse = true;
  let complete: boolean;
  try {
    complete = walker.search(node, false, search);
  } catch (error) {
    scratchCache.delete(network); // a callback threw mid-path: the arrays may not be clean
    throw error;
  } finally {
    walker.scratch.inUse = false;
  }
  const uncoveredReason = complete ? null : search.cyclesExamined >= c.cyclesMax ? 'cycles_max' : 'step_budget';
  return { node, cycles: search.cycles, cyclesExamined: search.cyclesExamined, complete, uncoveredReason, steps: search.steps };
}

/**
 * Node-sized arrays of a search. `stamp` makes `distance` valid per root without clearing, and `onPath` is
 * left all zero by every search, so one set serves any number of searches on the same network, one at a time.
 */
interface WalkerScratch {
  onPath: Uint8Array;
  distance: Uint8Array;
  stamp: Int32Array;
  queue: Int32Array;
  currentStamp: number;
  inUse: boolean;
}

const scratchCache = new WeakMap<InvoiceNetwork, WalkerScratch>();

function newScratch(nodeCount: number): WalkerScratch {
  return {
    onPath: new Uint8Array(nodeCount), distance: new Uint8Array(nodeCount), stamp: new Int32Array(nodeCount),
    queue: new Int32Array(nodeCount), currentStamp: 0, inUse: false,
  };
}

/** The search from one root: reverse BFS for distances, then a depth-first search pruned by them. */
class CycleWalker {
  private readonly pathNodes: Int32Array;
  private readonly pathEdges: Int32Array;
  private readonly cursor: Int32Array;
  /** breaks[d]: hops that do not chain among the first d edges of the path. */
  private readonly breaks: Int32Array;
  private readonly onPath: Uint8Array;
  /** distance[v] back to the root is valid only where stamp[v] equals the current root's stamp. */
  private readonly distance: Uint8Array;
  private readonly stamp: Int32Array;
  private readonly queue: Int32Array;
  readonly scratch: WalkerScratch;

  constructor(
    private readonly network: InvoiceNetwork,
    private readonly reverse: ReverseIndex,
    private readonly c: CycleSearchOptions,
    private readonly component: Int32Array | null,
    scratch?: WalkerScratch,
  ) {
    const depth = c.lengthMax + 1;
    this.pathNodes = new Int32Array(depth);
    this.pathEdges = new Int32Array(depth);
    this.cursor = new Int32Array(depth);
    this.breaks = new Int32Array(depth + 1);
    this.scratch = scratch ?? newScratch(network.nodeCount);
    ({ onPath: this.onPath, distance: this.distance, stamp: this.stamp, queue: this.queue } = this.scratch);
  }

  hasSelfLoop(v: number): boolean {
    const { network } = this;
    for (let e = network.offsets[v]!; e < network.offsets[v + 1]!; e++) if (network.targets[e] === v && this.usable(e)) return true;
    return false;
  }

  private usable(e: number): boolean {
    return this.c.edgeAllowed ? this.c.edgeAllowed[e] === 1 : true;
  }

  /** Whether w may appear on a path from root s: same component, and larger than s when `smallestFirst`. */
  private eligible(w: number, s: number, smallestFirst: boolean): boolean {
    if (smallestFirst && w < s) return false;
    return this.component === null || this.component[w] === this.component[s];
  }

  /** Radius of the backward ball: distances up to it are known, every node outside lies farther. */
  private get radius(): number {
    return Math.min(this.c.lengthMax - 1, Math.ceil(this.c.lengthMax / 2));
  }

  /** Distances back to s over usable edges, up to the radius; returns the steps it took. */
  private distancesTo(s: number, smallestFirst: boolean): number {
    const { reverse } = this;
    const stamp = ++this.scratch.currentStamp;
    const limit = this.radius;
    let head = 0;
    let tail = 0;
    let steps = 0;
    this.queue[tail++] = s;
    this.stamp[s] = stamp;
    this.distance[s] = 0;
    while (head < tail) {
      const v = this.queue[head++]!;
      const d = this.distance[v]!;
      if (d >= limit) continue;
      for (let k = reverse.reverseOffsets[v]!; k < reverse.reverseOffsets[v + 1]!; k++) {
        steps++;
        const u = reverse.sources[k]!;
        if (this.stamp[u] === stamp || !this.usable(reverse.reverseEdges[k]!) || !this.eligible(u, s, smallestFirst)) continue;
        this.stamp[u] = stamp;
        this.distance[u] = d + 1;
        this.queue[tail++] = u;
      }
    }
    return steps;
  }

  /** Examines every cycle from root s; returns false if a budget cut it short. */
  search(s: number, smallestFirst: boolean, search: CycleSearch): boolean {
    const { network, c } = this;
    const pruning = c.distancePruning !== false;
    let steps = pruning ? this.distancesTo(s, smallestFirst) : 0;
    // A node outside the ball (distance > radius) may still be added while depth + 1 + radius + 1 ≤ lengthMax.
    const outsideDepthMax = c.lengthMax - this.radius - 2;
    const stamp = this.scratch.currentStamp;
    const nodes = this.pathNodes;
    const edges = this.pathEdges;
    nodes[0] = s;
    this.breaks[0] = 0;
    this.cursor[0] = network.offsets[s]!;
    this.onPath[s] = 1;
    let depth = 0; // edges on the path
    let complete = true;
    while (depth >= 0) {
      const v = nodes[depth]!;
      const e = this.cursor[depth]!;
      if (e >= network.offsets[v + 1]!) {
        this.onPath[v] = 0;
        depth--;
        continue;
      }
      this.cursor[depth] = e + 1;
      if (++steps > c.stepsMaxPerRoot) { complete = false; break; }
      if (!this.usable(e)) continue;
      const w = network.targets[e]!;
      const chain = c.legsChain;
      const breaks = depth > 0 && chain && !chain(edges[depth - 1]!, e) ? this.breaks[depth]! + 1 : this.breaks[depth]!;
      if (breaks > 1) continue;
      if (w === s) {
        if (depth > 0 && chain && breaks + (chain(e, edges[0]!) ? 0 : 1) > 1) continue;
        edges[depth] = e;
        search.cyclesExamined++;
        const length = depth + 1;
        if (!c.accept || c.accept(nodes, edges, length)) {
          search.cycles.push({ nodes: Array.from(nodes.subarray(0, length)), edges: Array.from(edges.subarray(0, length)) });
        }
        if (search.cyclesExamined >= c.cyclesMax) { complete = false; break; }
        continue;
      }
      // Expand w only if it can still get back to s: depth + 1 edges so far, distance[w] more to close.
      if (this.onPath[w] || depth + 1 >= c.lengthMax) continue;
      if (pruning && this.stamp[w] === stamp) {
        if (depth + 1 + this.distance[w]! > c.lengthMax) continue;
      } else if ((pruning && depth > outsideDepthMax) || !this.eligible(w, s, smallestFirst)) {
        continue;
      }
      edges[depth] = e;
      depth++;
      this.breaks[depth] = breaks;
      nodes[depth] = w;
      this.cursor[depth] = network.offsets[w]!;
      this.onPath[w] = 1;
    }
    for (let d = 0; d <= depth; d++) this.onPath[nodes[d]!] = 0;
    search.steps += steps;
    return complete;
  }
}
