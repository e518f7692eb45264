/**
 * The marketplace's write and read paths on PostgreSQL, each against a baseline measured in the same run:
 * - the claim race: 50 banks claim one first-wins need at once over 50 connections (one winner, 49 refusals),
 *   against publishing a need (one insert and its audit entry: the cheapest audited write of the market);
 * - a bank's queue page (open needs its products serve, with rating and light) over many open needs, against the
 *   enterprise's own list of needs (a plain keyset page of the same table).
 *
 *   node --import tsx bench/steps/market.ts [--quick]        (writes bench/results/market.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { claimNeed, listNeedQueue, listNeeds, publishNeed, publishProduct, registerEnterprise } from '../../src/platform/market.ts';
import { authenticate, createApiKey, createTenant, openStore, type Principal, type Store, type TenantKind } from '../../src/store/index.ts';

const quick = process.argv.includes('--quick');
const BANKS = 50;
const RACES = quick ? 10 : 40;
const PUBLISHES = quick ? 100 : 400;
const OPEN_NEEDS = quick ? 1_000 : 5_000;
const QUERIES = quick ? 30 : 100;
const POSTGRES_ADMIN_URL = process.env.PUHUI_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TERMS = { nameZh: '发票贷', nameEn: 'Invoice loan', limitMinFen: 1_000_000, limitMaxFen: 500_000_000, rateMinBps: 350, rateMaxBps: 900, termMonthsMin: 1, termMonthsMax: 12 };

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try { await client.query(text); } finally { await client.end(); }
}

async function party(store: Store, kind: TenantKind, name: string, creditCode?: string): Promise<Principal> {
  const tenant = await createTenant(store, { kind, name, ...(creditCode ? { creditCode } : {}) });
  return (await authenticate(store, (await createApiKey(store, tenant.id, kind)).key))!;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function timed(count: number, work: (k: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let k = 0; k < count; k++) {
    const started = performance.now();
    await work(k);
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

const name = `puhui_bench_market_${process.pid}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(POSTGRES_ADMIN_URL);
url.pathname = `/${name}`;
const store = await openStore({ databaseUrl: url.toString(), poolSizeMax: BANKS });
try {
  const firm = await party(store, 'enterprise', '企业', composeCreditCode('91', '350203', '00000001'));
  await registerEnterprise(store, firm, { name: '企业', industrySection: 'F' });
  const banks: { principal: Principal; productId: string }[] = [];
  for (let k = 0; k < BANKS; k++) {
    const principal = await party(store, 'bank', `银行${k + 1}`);
    banks.push({ principal, productId: (await publishProduct(store, principal, { ...TERMS, strategyId: 'tax-loan' })).id });
  }
  const need = () => publishNeed(store, firm, { amountFen: 10_000_000, termMonths: 12, purpose: '流动资金', productLine: 'tax_loan' });
  const publishMs = await timed(PUBLISHES, need);
  let winners = 0;
  const raceMs = await timed(RACES, async () => {
    const { id } = await need();
    const results = await Promise.allSettled(banks.map((b) => claimNeed(store, b.principal, { needId: id, productId: b.productId })));
    winners += results.filter((r) => r.status === 'fulfilled').length;
  });
  if (winners !== RACES) throw new Error(`${winners} winners in ${RACES} races`);
  for (let k = publishMs.length + RACES; k < OPEN_NEEDS; k++) await need();
  const queueMs = await timed(QUERIES, () => listNeedQueue(store, banks[BANKS - 1]!.principal, { limit: 50 }));
  const ownMs = await timed(QUERIES, () => listNeeds(store, firm, { limit: 50 }));
  const median = (ms: number[]) => quantile(ms, 0.5);
  const result = {
    benchmark: 'platform marketplace on PostgreSQL', date: new Date().toISOString().slice(0, 10), node: process.version, quick,
    loadAverage1m: round(loadavg()[0]!), banks: BANKS,
    publishNeed: { count: PUBLISHES, p50Ms: round(median(publishMs)), p99Ms: round(quantile(publishMs, 0.99)) },
    claimRace50: { races: RACES, winnersPerRace: 1, p50Ms: round(median(raceMs)), p99Ms: round(quantile(raceMs, 0.99)), claimAttemptsPerSecond: round((BANKS * 1000) / median(raceMs), 0) },
    raceOverPublish: round(median(raceMs) / median(publishMs)),
    queuePage: { openNeeds: OPEN_NEEDS, limit: 50, p50Ms: round(median(queueMs)), p99Ms: round(quantile(queueMs, 0.99)) },
    ownNeedsPage: { p50Ms: round(median(ownMs)), p99Ms: round(quantile(ownMs, 0.99)) },
    queueOverOwnList: round(median(queueMs) / median(ownMs)),
    baselineNote: 'publishNeed = one insert and its audit entry; ownNeedsPage = the enterprise\'s keyset page of the same table',
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/market.json', JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  await store.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
