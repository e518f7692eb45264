/**
 * The service under load (autocannon on loopback), on PostgreSQL and on the embedded store side by side:
 * one decision over HTTP (one connection at a time: p50/p99, with the application, decision and audit
 * writes), and sustained decisions per second with several connections for a fixed time, with errors and
 * non-2xx answers counted; against decideOnline in process on the same snapshot in the same run.
 * The server runs in its own process (`puhui serve`), so the load generator does not share its event loop.
 *
 *   node --import tsx bench/steps/service.ts [--quick] [--enterprises N] [--seconds S]   (writes bench/results/service.json)
 *
 * Aims (issue #12, 20,000 firms): HTTP p99 ≤ 25 ms, ≥ 300 decisions/s for 60 s with 0 errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { readManifest } from '../../src/data/index.ts';
import { buildSnapshot, openSnapshot, type SnapshotInfo } from '../../src/pipeline/snapshot.ts';
import { decideOnline, disposeOnlineEngine } from '../../src/pipeline/online.ts';
import { decisionConsentGroups } from '../../src/server/scopes.ts';
import { authoriseConsent, createApiKey, createTenant, openStore, registerSnapshot, requestConsent, type Principal, type Store } from '../../src/store/index.ts';
import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../../src/synth/index.ts';

const quick = process.argv.includes('--quick');
const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const ENTERPRISES = flag('enterprises', quick ? 1_000 : 20_000);
const SUSTAINED_SECONDS = flag('seconds', quick ? 10 : 60);
const LATENCY_SECONDS = quick ? 5 : 15;
const CONNECTIONS = 16;
const APPLICANTS = 200;
const IN_PROCESS_DECISIONS = 2_000;
const POSTGRES_ADMIN_URL = process.env.PUHUI_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER_READY_MS_MAX = 300_000;

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A bank with consents (both groups) from each applicant enterprise. */
async function seed(store: Store, info: SnapshotInfo, codes: string[]): Promise<string> {
  await registerSnapshot(store, { id: info.id, datasetDir: info.datasetDir, asOf: info.asOf, dir: info.dir, builtAt: info.builtAt, enterprises: info.enterprises });
  const bank = await createTenant(store, { kind: 'bank', name: 'Bench bank' });
  const key = (await createApiKey(store, bank.id, 'bank')).key;
  const bankPrincipal: Principal = { tenantId: bank.id, tenantKind: 'bank', role: 'bank', keyId: 'bench' };
  const expiresAt = new Date(Date.parse(store.now()) + 300 * 86_400_000).toISOString();
  for (const code of codes) {
    const enterprise = await createTenant(store, { kind: 'enterprise', name: code, creditCode: code });
    const principal: Principal = { tenantId: enterprise.id, tenantKind: 'enterprise', role: 'enterprise', keyId: 'bench', creditCode: code };
    for (const scopes of decisionConsentGroups()) {
      const consent = await requestConsent(store, bankPrincipal, { creditCode: code, purpose: 'bench', scopes, expiresAt });
      await authoriseConsent(store, principal, consent.id);
    }
  }
  return key;
}

function startServer(args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.PUHUI_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), 'bin/puhui.js', 'serve', '--port', String(port), '--rate-limit', '100000000', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start')), SERVER_READY_MS_MAX);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Puhui service on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(url: string, key: string, codes: string[], connections: number, seconds: number) {
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/applications`, connections, duration: seconds, method: 'POST', timeout: 10,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: JSON.stringify({ creditCode: codes[next++ % codes.length], amountFen: 50_000_000, termMonths: 12 }) }) }],
  });
  return {
    connections, seconds, requests: result.requests.total, decisionsPerSecond: round(result.requests.average, 1),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
  };
}

async function inProcess(dir: string, codes: string[]) {
  const snapshot = openSnapshot(dir);
  try {
    const times: number[] = [];
    for (let k = 0; k < IN_PROCESS_DECISIONS; k++) {
      const started = performance.now();
      await decideOnline(snapshot, { creditCode: codes[k % codes.length]!, amountFen: 50_000_000, termMonths: 12 });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { p50Ms: round(times[Math.floor(times.length * 0.5)]!, 3), p99Ms: round(times[Math.floor(times.length * 0.99)]!, 3) };
  } finally {
    snapshot.close();
    disposeOnlineEngine();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-bench-service-'));
  const database = `puhui_bench_service_${process.pid}`;
  try {
    const raw = join(work, 'raw');
    generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises: ENTERPRISES }, raw);
    const asOf = readManifest(raw)!.observationDate!;
    let started = performance.now();
    const info = await buildSnapshot({ datasetDir: raw, asOf, outDir: join(work, 'snapshots') });
    const snapshotSeconds = (performance.now() - started) / 1000;
    const codes = await codesFromDataset(raw);
    const baseline = await inProcess(info.dir, codes);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const postgresUrl = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`);
    const stores = [
      { kind: 'postgres', open: () => openStore({ databaseUrl: postgresUrl }), args: ['--database', postgresUrl] },
      { kind: 'pglite', open: () => openStore({ dataDir: join(work, 'pglite') }), args: ['--data', join(work, 'pglite')] },
    ];
    const results: Record<string, unknown>[] = [];
    let port = 18_500;
    for (const target of stores) {
      mkdirSync(join(work, 'pglite'), { recursive: true });
      const store = await target.open();
      const key = await seed(store, info, codes);
      await store.close();
      const server = await startServer(target.args, ++port);
      try {
        const url = `http://127.0.0.1:${port}`;
        await load(url, key, codes, 1, 2); // warm-up: strategy compiled, snapshot pages cached
        const loadAverageBefore = loadavg().map((x) => round(x, 2));
        const single = await load(url, key, codes, 1, LATENCY_SECONDS);
        const sustained = await load(url, key, codes, CONNECTIONS, SUSTAINED_SECONDS);
        // The machine's load average (1, 5, 15 min) before and after: latency figures from a busy machine are its load.
        results.push({ store: target.kind, loadAverageBefore, loadAverageAfter: loadavg().map((x) => round(x, 2)), single, sustained, httpOverInProcessP50: round(single.latencyMs.p50 / Math.max(baseline.p50Ms, 0.001), 1), httpOverInProcessP99: round(single.latencyMs.p99 / Math.max(baseline.p99Ms, 0.001), 1) });
      } finally {
        await stopServer(server);
      }
    }
    const summary = {
      benchmark: 'service: decisions over HTTP (autocannon, loopback), PostgreSQL and PGlite', date: new Date().toISOString().slice(0, 10), node: process.version, quick,
      enterprises: ENTERPRISES, applicants: codes.length, snapshotSeconds: round(snapshotSeconds, 1), inProcess: baseline, stores: results,
      aims: { httpP99MsMax: 25, sustainedDecisionsPerSecondMin: 300, sustainedSeconds: 60, errors: 0, note: 'one decision = consent checks + decideOnline + application, decision and audit writes in one transaction' },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/service.json', JSON.stringify(summary, null, 2) + '\n');
    console.log(`service, ${ENTERPRISES} firms: in process p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`);
    for (const r of results as { store: string; single: Awaited<ReturnType<typeof load>>; sustained: Awaited<ReturnType<typeof load>> }[]) {
      console.log(`  ${r.store}: one at a time p50 ${r.single.latencyMs.p50} ms p99 ${r.single.latencyMs.p99} ms; ${CONNECTIONS} connections ${r.sustained.decisionsPerSecond}/s for ${SUSTAINED_SECONDS} s, p99 ${r.sustained.latencyMs.p99} ms, errors ${r.sustained.errors + r.sustained.timeouts}, non-2xx ${r.sustained.non2xx}`);
    }
  } finally {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect().then(() => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined).finally(() => admin.end());
    rmSync(work, { recursive: true, force: true });
  }
}

/** Registered, established enterprises from the dataset, for the applications. */
async function codesFromDataset(datasetDir: string): Promise<string[]> {
  const { DatasetReader } = await import('../../src/data/index.ts');
  const reader = await DatasetReader.open(datasetDir);
  try {
    const rows = await reader.query(`SELECT creditCode FROM enterprises WHERE establishedDate < '2024-01-01' ORDER BY creditCode LIMIT ${APPLICANTS}`);
    return rows.map((r) => String(r.creditCode));
  } finally {
    reader.close();
  }
}

await main();
