import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetwork, type EdgeList } from '../../src/fraud/network.ts';
import { CYCLE_LENGTH_MAX, cyclesThrough, enumerateCycles } from '../../src/fraud/cycles.ts';
import { stronglyConnectedComponents } from '../../src/fraud/scc.ts';
import { Rng } from '../../src/synth/random.ts';

function edgeList(edges: [number, number, number, number][]): EdgeList {
  return {
    source: Int32Array.from(edges, (e) => e[0]), target: Int32Array.from(edges, (e) => e[1]), amountFen: Float64Array.from(edges, (e) => e[2]),
    count: Int32Array.from(edges, () => 1), firstDay: Int32Array.from(edges, () => 0), lastDay: Int32Array.from(edges, () => 0), monthMask: Int32Array.from(edges, (e) => e[3]),
  };
}

/** Every simple cycle by trying every sequence of distinct nodes that starts at its smallest. */
function bruteForceCycles(n: number, edges: [number, number, number, number][], lengthMax: number, floor: number): string[] {
  const pairs = new Map<string, number>();
  for (const [u, v, amount] of edges) pairs.set(`${u},${v}`, (pairs.get(`${u},${v}`) ?? 0) + amount);
  const usable = (u: number, v: number) => (pairs.get(`${u},${v}`) ?? -1) >= floor;
  const found: string[] = [];
  const extend = (path: number[]) => {
    if (usable(path.at(-1)!, path[0]!)) found.push(path.join('>'));
    if (path.length === lengthMax) return;
    for (let w = path[0]! + 1; w < n; w++) if (!path.includes(w) && usable(path.at(-1)!, w)) extend([...path, w]);
  };
  for (let s = 0; s < n; s++) extend([s]);
  return found.sort();
}

function allowedByFloor(network: ReturnType<typeof buildNetwork>, floor: number): Uint8Array {
  return Uint8Array.from({ length: network.edgeCount }, (_, e) => (network.amountFen[e]! >= floor ? 1 : 0));
}

test('finds exactly the cycles a brute-force search finds, on 500 random small graphs with self-loops, parallel edges and two-node loops', () => {
  const rng = new Rng(7, 'cycles');
  for (let trial = 0; trial < 500; trial++) {
    const n = 2 + rng.int(7);
    const edges: [number, number, number, number][] = [];
    const m = rng.int(n * 3);
    for (let k = 0; k < m; k++) edges.push([rng.int(n), rng.int(n), 1 + rng.int(100), 1]);
    const lengthMax = 1 + rng.int(7);
    const floor = rng.chance(0.5) ? 0 : rng.int(60);
    const network = buildNetwork(n, edgeList(edges));
    const expected = bruteForceCycles(n, edges, lengthMax, floor);
    const search = enumerateCycles(network, { lengthMax, edgeAllowed: allowedByFloor(network, floor) });
    assert.deepEqual(search.cycles.map((cycle) => cycle.nodes.join('>')).sort(), expected, `trial ${trial}: ${JSON.stringify({ edges, lengthMax, floor })}`);
    assert.deepEqual(search.uncovered, []);
    // The cycles through each node are exactly the cycles that contain it, rotated to start there.
    for (let v = 0; v < n; v++) {
      const through = cyclesThrough(network, v, { lengthMax, edgeAllowed: allowedByFloor(network, floor) });
      const rotated = expected.map((c) => c.split('>').map(Number)).filter((c) => c.includes(v)).map((c) => [...c.slice(c.indexOf(v)), ...c.slice(0, c.indexOf(v))].join('>')).sort();
      assert.deepEqual(through.cycles.map((c) => c.nodes.join('>')).sort(), rotated, `trial ${trial}, node ${v}`);
      assert.ok(through.complete);
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

/**
 * A complete directed graph on `gadget` nodes (numbered first, so they are searched first), joined both ways
 * to a 4-ring numbered last: one strongly connected component in which the gadget has billions of cycles.
 */
function ringBesideGadget(gadget: number): { network: ReturnType<typeof buildNetwork>; ring: number[] } {
  const edges: [number, number, number, number][] = [];
  for (let u = 0; u < gadget; u++) for (let v = 0; v < gadget; v++) if (u !== v) edges.push([u, v, 1, 1]);
  const ring = [gadget, gadget + 1, gadget + 2, gadget + 3];
  ring.forEach((u, k) => edges.push([u, ring[(k + 1) % 4]!, 1, 1]));
  edges.push([0, ring[0]!, 1, 1], [ring[2]!, 1, 1, 1]);
  return { network: buildNetwork(gadget + 4, edgeList(edges)), ring };
}

test('finds a ring whose component holds a 155-node gadget, and names exactly the start nodes the step budget cut short', () => {
  const { network, ring } = ringBesideGadget(155);
  const search = enumerateCycles(network, { lengthMax: 4, stepsMaxPerRoot: 20_000 });
  assert.ok(search.cycles.some((c) => c.nodes.join() === ring.join()), 'the planted 4-ring is found');
  assert.equal(search.componentsSearched, 1);
  // Only gadget nodes can be cut short; every ring node's own search completed, so no ring through them is lost.
  assert.ok(search.uncovered.length > 0 && search.uncovered.every((u) => u.node < 155 && u.reason === 'step_budget'), JSON.stringify(search.uncovered.slice(0, 3)));
  const through = cyclesThrough(network, ring[3]!, { lengthMax: 4 });
  assert.ok(through.complete);
  assert.deepEqual(through.cycles.map((c) => c.nodes), [[ring[3], ring[0], ring[1], ring[2]]]);
  // The same search twice gives the same answer: budgets are steps, not seconds.
  assert.deepEqual(enumerateCycles(network, { lengthMax: 4, stepsMaxPerRoot: 20_000 }).uncovered, search.uncovered);
});

test('stops at the cycle budget and names every start node it did not finish', () => {
  const edges: [number, number, number, number][] = [];
  for (let u = 0; u < 9; u++) for (let v = 0; v < 9; v++) if (u !== v) edges.push([u, v, 1, 1]);
  const search = enumerateCycles(buildNetwork(9, edgeList(edges)), { lengthMax: 6, cyclesMax: 1000 });
  assert.equal(search.cyclesExamined, 1000);
  assert.deepEqual(search.uncovered.map((u) => u.node), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(search.uncovered.every((u) => u.reason === 'cycles_max'));
});

test('refuses a length bound beyond the justified limit', () => {
  const network = buildNetwork(2, edgeList([[0, 1, 1, 1], [1, 0, 1, 1]]));
  assert.throws(() => enumerateCycles(network, { lengthMax: CYCLE_LENGTH_MAX + 1 }), RangeError);
  assert.equal(enumerateCycles(network, { lengthMax: CYCLE_LENGTH_MAX }).cycles.length, 1);
});
