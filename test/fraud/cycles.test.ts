import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetwork, type EdgeList } from '../../src/fraud/network.ts';
import { enumerateCycles, type CycleConstraints } from '../../src/fraud/cycles.ts';
import { stronglyConnectedComponents } from '../../src/fraud/scc.ts';
import { Rng } from '../../src/synth/random.ts';

function edgeList(edges: [number, number, number, number][]): EdgeList {
  return {
    source: Int32Array.from(edges, (e) => e[0]), target: Int32Array.from(edges, (e) => e[1]), amountFen: Float64Array.from(edges, (e) => e[2]),
    count: Int32Array.from(edges, () => 1), firstDay: Int32Array.from(edges, () => 0), lastDay: Int32Array.from(edges, () => 0), monthMask: Int32Array.from(edges, (e) => e[3]),
  };
}

function popcount(x: number): number {
  let count = 0;
  for (let v = x >>> 0; v; v &= v - 1) count++;
  return count;
}

/** Every simple cycle by trying every sequence of distinct nodes that starts at its smallest. */
function bruteForceCycles(n: number, edges: [number, number, number, number][], c: CycleConstraints): string[] {
  const pairs = new Map<string, { amount: number; mask: number }>();
  for (const [u, v, amount, mask] of edges) {
    const key = `${u},${v}`;
    const pair = pairs.get(key) ?? { amount: 0, mask: 0 };
    pairs.set(key, { amount: pair.amount + amount, mask: pair.mask | mask });
  }
  const found: string[] = [];
  const extend = (path: number[]) => {
    const closing = pairs.get(`${path.at(-1)},${path[0]}`);
    if (closing) {
      const legs = path.map((u, i) => pairs.get(`${u},${path[(i + 1) % path.length]}`)!);
      const amounts = legs.map((l) => l.amount);
      const mask = legs.reduce((m, l) => m & l.mask, -1);
      const similar = !Number.isFinite(c.similarityTolerance) || Math.min(...amounts) >= (1 - c.similarityTolerance) * Math.max(...amounts);
      if (legs.every((l) => l.amount >= c.minEdgeAmountFen) && similar && popcount(mask) >= c.minCommonMonths) found.push(path.join('>'));
    }
    if (path.length === c.maxLength) return;
    for (let w = path[0]! + 1; w < n; w++) if (!path.includes(w) && pairs.has(`${path.at(-1)},${w}`)) extend([...path, w]);
  };
  for (let s = 0; s < n; s++) extend([s]);
  return found.sort();
}

test('finds exactly the cycles a brute-force search finds, on 500 random small graphs with self-loops, parallel edges and two-node loops', () => {
  const rng = new Rng(7, 'cycles');
  for (let trial = 0; trial < 500; trial++) {
    const n = 2 + rng.int(6);
    const edges: [number, number, number, number][] = [];
    const m = rng.int(n * 3);
    for (let k = 0; k < m; k++) edges.push([rng.int(n), rng.int(n), 1 + rng.int(100), rng.nextUint32() & 0x3f]);
    const constraints: CycleConstraints = {
      maxLength: 1 + rng.int(6), minEdgeAmountFen: rng.chance(0.5) ? 0 : rng.int(60), similarityTolerance: rng.chance(0.5) ? Number.POSITIVE_INFINITY : rng.next(),
      minCommonMonths: rng.int(3), maxCycles: 1_000_000, timeBudgetMsPerComponent: 10_000,
    };
    const network = buildNetwork(n, edgeList(edges));
    const expected = bruteForceCycles(n, edges, constraints);
    for (const pruned of [true, false]) {
      const search = enumerateCycles(network, constraints, pruned);
      assert.deepEqual(search.cycles.map((cycle) => cycle.nodes.join('>')).sort(), expected, `trial ${trial} (${pruned ? 'with' : 'without'} components): ${JSON.stringify({ edges, constraints })}`);
      assert.deepEqual(search.limits, []);
    }
  }
});

test('merges parallel edges and keeps self-loops in the CSR', () => {
  const network = buildNetwork(3, edgeList([[0, 1, 10, 1], [0, 1, 5, 2], [1, 1, 3, 4], [2, 0, 1, 8]]));
  assert.equal(network.edgeCount, 3);
  assert.deepEqual(Array.from(network.offsets), [0, 1, 2, 3]);
  assert.equal(network.amountFen[0], 15);
  assert.equal(network.monthMask[0], 3);
  assert.deepEqual(enumerateCycles(network).cycles.map((c) => c.nodes), [[1]]);
});

test('strongly connected components of a graph with two loops joined one way', () => {
  const network = buildNetwork(6, edgeList([[0, 1, 1, 1], [1, 2, 1, 1], [2, 0, 1, 1], [2, 3, 1, 1], [3, 4, 1, 1], [4, 3, 1, 1], [4, 5, 1, 1]]));
  const { component, size } = stronglyConnectedComponents(network);
  assert.equal(component[0], component[1]);
  assert.equal(component[1], component[2]);
  assert.equal(component[3], component[4]);
  assert.notEqual(component[0], component[3]);
  assert.deepEqual([...size].sort(), [1, 2, 3]);
});

test('stops at the cycle limit and reports it, instead of running on', () => {
  // A complete directed graph on 9 nodes has hundreds of thousands of cycles up to length 6.
  const edges: [number, number, number, number][] = [];
  for (let u = 0; u < 9; u++) for (let v = 0; v < 9; v++) if (u !== v) edges.push([u, v, 1, 1]);
  const search = enumerateCycles(buildNetwork(9, edgeList(edges)), { maxCycles: 1000 });
  assert.equal(search.cycles.length, 1000);
  assert.deepEqual(search.limits.map((l) => l.reason), ['max_cycles']);
  const timed = enumerateCycles(buildNetwork(9, edgeList(edges)), { maxCycles: 10_000_000, timeBudgetMsPerComponent: 1 });
  assert.deepEqual(timed.limits.map((l) => l.reason), ['time_budget']);
});
