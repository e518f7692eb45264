/**
 * Simple cycles of the invoice network up to a maximum length: circular-invoicing candidates.
 *
 * Strongly connected components first (a cycle never leaves one), then inside each component a depth-first
 * search from every node s that visits only larger nodes, so each cycle is found exactly once, starting at
 * its smallest node. The user's constraints are checked as the path grows and cut it as soon as they fail:
 * each edge's amount at least `minEdgeAmountFen`; amounts along the loop within `similarityTolerance` of
 * each other (min ≥ (1 − tolerance) × max); and at least `minCommonMonths` months in which every edge of the
 * loop traded (the flow goes round within a time window). Bounded: at most `maxCycles` cycles, and a time
 * budget per component; what was cut short is reported, never a hang.
 */
import { type InvoiceNetwork } from './network.ts';
import { stronglyConnectedComponents } from './scc.ts';

export interface CycleConstraints {
  maxLength: number;
  minEdgeAmountFen: number;
  similarityTolerance: number;
  minCommonMonths: number;
  maxCycles: number;
  timeBudgetMsPerComponent: number;
}

export const DEFAULT_CYCLE_CONSTRAINTS: CycleConstraints = {
  maxLength: 6, minEdgeAmountFen: 0, similarityTolerance: Number.POSITIVE_INFINITY, minCommonMonths: 0, maxCycles: 100_000, timeBudgetMsPerComponent: 2_000,
};

export const CYCLE_LENGTH_MAX = 12;

export interface Cycle { nodes: number[]; edges: number[] }

export interface CycleSearchLimit { component: number; nodes: number; reason: 'max_cycles' | 'time_budget' }

export interface CycleSearch {
  cycles: Cycle[];
  componentsSearched: number;
  /** Components whose search was cut short, and why. */
  limits: CycleSearchLimit[];
  steps: number;
}

/** Number of set bits of a 32-bit mask (active months). */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function enumerateCycles(network: InvoiceNetwork, options: Partial<CycleConstraints> = {}, restrictToComponents = true): CycleSearch {
  const c = { ...DEFAULT_CYCLE_CONSTRAINTS, ...options };
  if (!(c.maxLength >= 1 && c.maxLength <= CYCLE_LENGTH_MAX)) throw new RangeError(`maxLength must be 1..${CYCLE_LENGTH_MAX}`);
  const allowed = (e: number) => network.amountFen[e]! >= c.minEdgeAmountFen && popcount(network.monthMask[e]!) >= c.minCommonMonths;
  const n = network.nodeCount;
  const { component, count, size } = restrictToComponents
    ? stronglyConnectedComponents(network, allowed)
    : { component: new Int32Array(n), count: 1, size: Int32Array.of(n) };
  const members: number[][] = Array.from({ length: count }, () => []);
  for (let v = 0; v < n; v++) {
    const k = component[v]!;
    if (size[k]! > 1 || hasSelfLoop(network, v, allowed)) members[k]!.push(v);
  }
  const search: CycleSearch = { cycles: [], componentsSearched: 0, limits: [], steps: 0 };
  const state = new SearchState(network, c, allowed, component, search);
  for (let k = 0; k < count; k++) {
    const nodes = members[k]!;
    if (nodes.length === 0) continue;
    search.componentsSearched++;
    const outcome = state.searchComponent(k, nodes);
    if (outcome) search.limits.push({ component: k, nodes: nodes.length, reason: outcome });
    if (search.cycles.length >= c.maxCycles) break;
  }
  return search;
}

function hasSelfLoop(network: InvoiceNetwork, v: number, allowed: (e: number) => boolean): boolean {
  for (let e = network.offsets[v]!; e < network.offsets[v + 1]!; e++) if (network.targets[e] === v && allowed(e)) return true;
  return false;
}

class SearchState {
  private readonly pathNodes: Int32Array;
  private readonly pathEdges: Int32Array;
  private readonly cursor: Int32Array;
  private readonly minAmount: Float64Array;
  private readonly maxAmount: Float64Array;
  private readonly mask: Int32Array;
  private readonly onPath: Uint8Array;
  private readonly ratio: number;

  constructor(
    private readonly network: InvoiceNetwork,
    private readonly c: CycleConstraints,
    private readonly allowed: (e: number) => boolean,
    private readonly component: Int32Array,
    private readonly search: CycleSearch,
  ) {
    const depth = c.maxLength + 1;
    this.pathNodes = new Int32Array(depth);
    this.pathEdges = new Int32Array(depth);
    this.cursor = new Int32Array(depth);
    this.minAmount = new Float64Array(depth);
    this.maxAmount = new Float64Array(depth);
    this.mask = new Int32Array(depth);
    this.onPath = new Uint8Array(network.nodeCount);
    this.ratio = Number.isFinite(c.similarityTolerance) ? Math.max(0, 1 - c.similarityTolerance) : 0;
  }

  /** Enumerates the cycles of one component; returns why it stopped early, or null. */
  searchComponent(k: number, nodes: number[]): CycleSearchLimit['reason'] | null {
    const started = performance.now();
    for (const s of nodes) {
      const reason = this.searchFrom(s, k, started);
      if (reason) return reason;
    }
    return null;
  }

  private accepts(depth: number, edge: number): boolean {
    const amount = this.network.amountFen[edge]!;
    const low = depth === 0 ? amount : Math.min(this.minAmount[depth - 1]!, amount);
    const high = depth === 0 ? amount : Math.max(this.maxAmount[depth - 1]!, amount);
    const mask = depth === 0 ? this.network.monthMask[edge]! : this.mask[depth - 1]! & this.network.monthMask[edge]!;
    if (low < this.ratio * high) return false;
    if (this.c.minCommonMonths > 0 && popcount(mask) < this.c.minCommonMonths) return false;
    this.minAmount[depth] = low;
    this.maxAmount[depth] = high;
    this.mask[depth] = mask;
    return true;
  }

  private searchFrom(s: number, k: number, started: number): CycleSearchLimit['reason'] | null {
    const { network, c, search } = this;
    this.pathNodes[0] = s;
    this.cursor[0] = network.offsets[s]!;
    this.onPath[s] = 1;
    let depth = 0; // number of edges on the path
    while (depth >= 0) {
      const v = this.pathNodes[depth]!;
      const e = this.cursor[depth]!;
      if (e >= network.offsets[v + 1]!) {
        this.onPath[v] = 0;
        depth--;
        continue;
      }
      this.cursor[depth] = e + 1;
      if ((++search.steps & 1023) === 0 && performance.now() - started > c.timeBudgetMsPerComponent) {
        this.clearPath(depth);
        return 'time_budget';
      }
      const w = network.targets[e]!;
      if (!this.allowed(e) || this.component[w] !== k) continue;
      if (w === s) {
        if (this.accepts(depth, e)) {
          this.pathEdges[depth] = e;
          search.cycles.push({ nodes: Array.from(this.pathNodes.subarray(0, depth + 1)), edges: Array.from(this.pathEdges.subarray(0, depth + 1)) });
          if (search.cycles.length >= c.maxCycles) {
            this.clearPath(depth);
            return 'max_cycles';
          }
        }
        continue;
      }
      if (w < s || this.onPath[w] || depth + 1 >= c.maxLength || !this.accepts(depth, e)) continue;
      this.pathEdges[depth] = e;
      depth++;
      this.pathNodes[depth] = w;
      this.cursor[depth] = network.offsets[w]!;
      this.onPath[w] = 1;
    }
    return null;
  }

  private clearPath(depth: number): void {
    for (let d = 0; d <= depth; d++) this.onPath[this.pathNodes[d]!] = 0;
  }
}
