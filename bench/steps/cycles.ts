// The cycle search against the aims, beside networkx in the same run (networkx is the bench's yardstick
// only; the product never calls Python). Prints one JSON line; `--quick` shrinks the large graph tenfold.
//   1. every cycle of length ≤ 6 of a uniform random graph of 200,000 nodes and 1,000,000 edges: ≤ 10 s, ≤ 300 MB;
//   2. the same on 2,000 nodes / 10,000 edges against networkx simple_cycles(length_bound=6): ≥ 100×;
//   3. a chain of 24 diamonds (73 nodes, no cycle) with length bound 48: ≤ 10 ms (networkx walks 2^24 paths);
//   4. the cycles through one node (one applicant) on the 1M-edge graph: p99 ≤ 5 ms over 1,000 nodes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNetwork, cyclesThrough, enumerateCycles, type EdgeList } from '../../src/fraud/index.ts';
import { Rng } from '../../src/synth/random.ts';

const quick = process.argv.includes('--quick');
const networkxTimeoutSeconds = Number(process.env.NETWORKX_TIMEOUT_SECONDS ?? 900);

/** Distinct random edges without self-loops, as typed arrays (keys u·n+v sorted and deduplicated: no large Set). */
function randomEdges(nodes: number, edges: number, seed: number): { source: Int32Array; target: Int32Array } {
  const rng = new Rng(seed, 'cycle-bench');
  let keys = new Float64Array(0);
  let draw = Math.ceil(edges * 1.05);
  for (;;) {
    const more = new Float64Array(keys.length + draw);
    more.set(keys);
    for (let k = keys.length; k < more.length; k++) {
      const u = rng.int(nodes);
      let v = rng.int(nodes - 1);
      if (v >= u) v++;
      more[k] = u * nodes + v;
    }
    more.sort();
    let unique = 0;
    for (let k = 0; k < more.length; k++) if (k === 0 || more[k] !== more[k - 1]) more[unique++] = more[k]!;
    keys = more.slice(0, unique);
    if (keys.length >= edges) break;
    draw = edges - keys.length + 1000;
  }
  // Keep a deterministic, unbiased subset of exactly `edges`: shuffle the keys, take the first ones.
  for (let k = keys.length - 1; k > 0; k--) { const j = rng.int(k + 1); const t = keys[k]!; keys[k] = keys[j]!; keys[j] = t; }
  const source = new Int32Array(edges);
  const target = new Int32Array(edges);
  for (let k = 0; k < edges; k++) { source[k] = Math.floor(keys[k]! / nodes); target[k] = keys[k]! % nodes; }
  return { source, target };
}

function networkOf(nodes: number, pairs: { source: Int32Array; target: Int32Array }) {
  const m = pairs.source.length;
  const list: EdgeList = {
    source: pairs.source, target: pairs.target, amountFen: new Float64Array(m).fill(1),
    count: new Int32Array(m).fill(1), firstDay: new Int32Array(m), lastDay: new Int32Array(m), monthMask: new Int32Array(m).fill(1),
  };
  return buildNetwork(nodes, list);
}

/** networkx simple_cycles(length_bound) on the same edges: cycle count and seconds, or the timeout as a lower bound. */
function networkx(pairs: { source: Int32Array; target: Int32Array }, nodes: number, lengthBound: number): { cycles: number | null; seconds: number; timedOut: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'puhui-nx-'));
  try {
    const file = join(dir, 'edges.txt');
    writeFileSync(file, Array.from(pairs.source, (u, k) => `${u} ${pairs.target[k]}`).join('\n') + '\n');
    const script = `import networkx as nx, time, json, sys
g = nx.DiGraph(); g.add_nodes_from(range(${nodes}))
g.add_edges_from(tuple(map(int, line.split())) for line in open(sys.argv[1]) if line.strip())
t = time.perf_counter(); n = sum(1 for _ in nx.simple_cycles(g, length_bound=${lengthBound}))
print(json.dumps({"cycles": n, "seconds": time.perf_counter() - t, "version": nx.__version__}))`;
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8', timeout: networkxTimeoutSeconds * 1000 });
    if (run.status !== 0) return { cycles: null, seconds: networkxTimeoutSeconds, timedOut: true };
    return { ...(JSON.parse(run.stdout.trim()) as { cycles: number; seconds: number }), timedOut: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function seconds(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

// 1. The large random graph.
const largeNodes = quick ? 20_000 : 200_000;
const large = networkOf(largeNodes, randomEdges(largeNodes, largeNodes * 5, 1));
const rssBeforeSearchMb = Math.round(process.memoryUsage().rss / 1e6);
let largeCycles = 0;
let largeUncovered = 0;
const largeSeconds = seconds(() => { const s = enumerateCycles(large, { lengthMax: 6, accept: () => false }); largeCycles = s.cyclesExamined; largeUncovered = s.uncovered.length; });
const rssAfterLargeMb = Math.round(process.memoryUsage().rss / 1e6);

// 4. One node at a time on the large graph.
const rng = new Rng(2, 'cycle-bench-through');
const latenciesMs: number[] = [];
for (let k = 0; k < 1000; k++) {
  const node = rng.int(largeNodes);
  const started = performance.now();
  cyclesThrough(large, node, { lengthMax: 6, accept: () => false });
  latenciesMs.push(performance.now() - started);
}
latenciesMs.sort((a, b) => a - b);

// 2. The small random graph beside networkx.
const smallPairs = randomEdges(2000, 10_000, 3);
const small = networkOf(2000, smallPairs);
let smallCycles = 0;
const smallSeconds = seconds(() => { smallCycles = enumerateCycles(small, { lengthMax: 6, accept: () => false }).cyclesExamined; });
const smallNetworkx = networkx(smallPairs, 2000, 6);

// 3. The chain of diamonds.
const diamondList: [number, number][] = [];
for (let k = 0; k < 24; k++) { const a = 3 * k; diamondList.push([a, a + 1], [a, a + 2], [a + 1, a + 3], [a + 2, a + 3]); }
const diamondPairs = { source: Int32Array.from(diamondList, (p) => p[0]), target: Int32Array.from(diamondList, (p) => p[1]) };
const diamonds = networkOf(73, diamondPairs);
let diamondCycles = -1;
const diamondSeconds = seconds(() => { diamondCycles = enumerateCycles(diamonds, { lengthMax: 48 }).cyclesExamined; });
const diamondNetworkx = networkx(diamondPairs, 73, 48);

console.log(JSON.stringify({
  quick,
  large: { nodes: largeNodes, edges: large.edgeCount, lengthMax: 6, cycles: largeCycles, uncovered: largeUncovered, seconds: largeSeconds, rssBeforeSearchMb, rssMb: rssAfterLargeMb },
  throughOneNode: { samples: latenciesMs.length, p50Ms: latenciesMs[500], p99Ms: latenciesMs[990], maxMs: latenciesMs.at(-1) },
  small: { nodes: 2000, edges: small.edgeCount, cycles: smallCycles, seconds: smallSeconds, networkx: smallNetworkx, speedup: smallNetworkx.seconds / smallSeconds, speedupIsLowerBound: smallNetworkx.timedOut },
  diamonds: { nodes: 73, edges: diamonds.edgeCount, lengthMax: 48, cycles: diamondCycles, ms: diamondSeconds * 1000, networkx: diamondNetworkx },
  aims: { largeSecondsMax: 10, largeRssMbMax: 300, smallSpeedupMin: 100, diamondsMsMax: 10, throughP99MsMax: 5 },
  loadAverage: (await import('node:os')).loadavg(),
  maxRssKb: process.resourceUsage().maxRSS,
}));
