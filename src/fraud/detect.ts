/**
 * `puhui fraud DIR --as-of D`: every fraud signal of a dataset as of a date, each with its evidence.
 *
 * The invoice network (a window of months before the date) is searched for rings; identities shared by
 * several enterprises form clusters; the point-in-time feature table supplies the per-enterprise checks
 * (pass-through, single source, corrections, burst invoicing, late back-filing, source mismatch); the returns
 * themselves supply the correction checks (exempt shifts, tax refunded). Each flagged enterprise gets one
 * typology, by TYPOLOGY_PRIORITY, and keeps all its signals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { FraudKind } from '../domain/entities.ts';
import { addMonths } from '../domain/period.ts';
import { attachDataset, datasetFiles, DatasetError } from '../data/index.ts';
import { quoteText } from '../data/sql-checks.ts';
import { queryRows } from '../data/columns-reader.ts';
import { asOfDayOf } from '../features/index.ts';
import { computeFeatureTable } from '../features/batch.ts';
import { type CycleConstraints, type CycleSearchLimit, enumerateCycles } from './cycles.ts';
import { identityClusters, type IdentityCluster } from './identities.ts';
import { loadNetwork } from './load.ts';
import { describeRing, type Ring } from './rings.ts';
import { type FraudSignal, signal, TYPOLOGY_PRIORITY } from './signals.ts';

export interface FraudThresholds {
  /** Rings at or above this suspicion (round-trip share × similarity) are signalled. */
  ringSuspicionMin: number;
  /** Shell cluster: at least this many members, this many of them young (age_months below shellYoungMonths, which rings report too). */
  shellMembersMin: number;
  shellYoungMembersMin: number;
  shellYoungMonths: number;
  passThroughRatioMin: number;
  passThroughRatioMax: number;
  passThroughUninvoicedMax: number;
  passThroughBurdenMax: number;
  singleSourceBankOverDeclaredMax: number;
  correctionUpliftMin: number;
  burstAgeMonthsMax: number;
  burstSales3mFenMin: number;
  burstSalesOverCapitalMin: number;
  lateFilingsMin: number;
  mismatchDeclaredOverInvoicedMin: number;
}

export const DEFAULT_THRESHOLDS: FraudThresholds = {
  ringSuspicionMin: 0.2, shellMembersMin: 3, shellYoungMembersMin: 2, shellYoungMonths: 24,
  passThroughRatioMin: 0.9, passThroughRatioMax: 1.03, passThroughUninvoicedMax: 0.02, passThroughBurdenMax: 0.04,
  singleSourceBankOverDeclaredMax: 0.5, correctionUpliftMin: 0.05,
  burstAgeMonthsMax: 9, burstSales3mFenMin: 100_000_000, burstSalesOverCapitalMin: 8,
  lateFilingsMin: 3, mismatchDeclaredOverInvoicedMin: 3,
};

/** The dataset command's ring search: loops up to 8 (planted rings reach 8), 20% similarity, 6 common months. */
export const DEFAULT_RING_SEARCH: Partial<CycleConstraints> = { maxLength: 8, similarityTolerance: 0.2, minCommonMonths: 6, minEdgeAmountFen: 10_000_000 };

export interface FraudOptions {
  datasetDir: string;
  asOf: string;
  windowMonths?: number;
  ringSearch?: Partial<CycleConstraints>;
  thresholds?: Partial<FraudThresholds>;
  workers?: number;
  /** A feature table of the dataset as of the same date (computed when not given). */
  featureFile?: string;
}

export interface FlaggedEnterprise { creditCode: string; typology: Exclude<FraudKind, 'none'> | null; signals: string[] }

export interface FraudReport {
  asOf: string;
  windowMonths: number;
  ringSearch: Partial<CycleConstraints>;
  thresholds: FraudThresholds;
  network: { enterprises: number; edges: number; componentsSearched: number; cyclesFound: number; limits: CycleSearchLimit[] };
  rings: Ring[];
  clusters: (IdentityCluster & { internalInvoicedFen: number; youngMembers: number; loops: number })[];
  signals: FraudSignal[];
  enterprises: FlaggedEnterprise[];
}

export async function detectFraud(options: FraudOptions): Promise<FraudReport> {
  asOfDayOf(options.asOf); // refuses a malformed date before any work
  const t: FraudThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const ringSearch = { ...DEFAULT_RING_SEARCH, ...options.ringSearch };
  const windowMonths = options.windowMonths ?? 12;
  const files = datasetFiles(options.datasetDir);
  if (!files.some((f) => f.entity === 'enterprises')) throw new DatasetError(`${options.datasetDir} is not a dataset: it has no enterprises file`);
  const work = mkdtempSync(join(tmpdir(), 'puhui-fraud-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    const featureFile = options.featureFile ?? join(work, 'features.parquet');
    if (!options.featureFile) await computeFeatureTable({ datasetDir: options.datasetDir, asOf: options.asOf, outFile: featureFile, workers: options.workers });
    await attachDataset(connection, files);
    await connection.run(`CREATE VIEW features AS SELECT * FROM read_parquet(${quoteText(featureFile)})`);
    const loaded = await loadNetwork(connection, options.asOf, windowMonths);
    const search = enumerateCycles(loaded.network, ringSearch);
    const signals: FraudSignal[] = [];
    const clusters = await shellClusters(connection, loaded, options.asOf, t);
    const clusterOf = new Map(clusters.flatMap((c) => c.members.map((m) => [m, c.id] as const)));
    const rings: Ring[] = [];
    for (const cycle of search.cycles) {
      const ring = describeRing(loaded.network, loaded.codes, cycle, rings.length);
      const cluster = clusterOf.get(ring.members[0]!);
      if (cluster && ring.members.every((m) => clusterOf.get(m) === cluster)) {
        clusters.find((c) => c.id === cluster)!.loops++; // a loop inside one identity cluster is the shell network's
        continue;
      }
      if (ring.suspicion >= t.ringSuspicionMin) rings.push(ring);
    }
    await annotateRings(connection, rings, t);
    rings.sort((a, b) => b.suspicion - a.suspicion || (a.taxPaidOverLoop ?? 0) - (b.taxPaidOverLoop ?? 0) || b.youngMembers - a.youngMembers)
      .forEach((r, k) => { r.id = `ring-${k + 1}`; });
    for (const ring of rings) for (const member of ring.members) {
      signals.push(signal('ring', member, {
        ring: ring.id, members: ring.members, loopAmountFen: ring.loopAmountFen, roundTripShare: ring.roundTripShare, similarity: ring.similarity,
        commonMonths: ring.commonMonths, taxPaidOverLoop: ring.taxPaidOverLoop, youngMembers: ring.youngMembers, edges: ring.edges,
      }, ring.id));
    }
    for (const cluster of clusters.filter((c) => c.members.length >= t.shellMembersMin && c.youngMembers >= t.shellYoungMembersMin && c.internalInvoicedFen > 0)) {
      for (const member of cluster.members) {
        signals.push(signal('shellCluster', member, { cluster: cluster.id, members: cluster.members, sharedBy: cluster.sharedBy, youngMembers: cluster.youngMembers, internalInvoicedFen: cluster.internalInvoicedFen, loops: cluster.loops }, cluster.id));
      }
    }
    signals.push(...(await featureSignals(connection, t)));
    signals.push(...(await returnSignals(connection, options.asOf)));
    return {
      asOf: options.asOf, windowMonths, ringSearch, thresholds: t,
      network: { enterprises: loaded.network.nodeCount, edges: loaded.network.edgeCount, componentsSearched: search.componentsSearched, cyclesFound: search.cycles.length, limits: search.limits },
      rings, clusters, signals, enterprises: flagged(signals),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Members' tax paid (latest 12 declared months) against the loop amount, and how many are young. */
async function annotateRings(connection: DuckDBConnection, rings: Ring[], t: FraudThresholds): Promise<void> {
  const members = [...new Set(rings.flatMap((r) => r.members))];
  if (members.length === 0) return;
  const figures = new Map((await queryRows(connection, `SELECT creditCode, vat_tax_paid_12m, age_months FROM features WHERE creditCode IN (${members.map(quoteText).join(', ')})`))
    .map((r) => [String(r.creditCode), { taxPaid: r.vat_tax_paid_12m as number | null, age: Number(r.age_months) }]));
  for (const ring of rings) {
    const paid = ring.members.map((m) => figures.get(m)?.taxPaid ?? null);
    ring.taxPaidOverLoop = paid.some((p) => p === null) ? null : paid.reduce((a, b) => a! + b!, 0)! / ring.loopAmountFen;
    ring.youngMembers = ring.members.filter((m) => (figures.get(m)?.age ?? 0) < t.shellYoungMonths).length;
  }
}

async function shellClusters(connection: DuckDBConnection, loaded: Awaited<ReturnType<typeof loadNetwork>>, asOf: string, t: FraudThresholds): Promise<FraudReport['clusters']> {
  // Young means what the feature age_months says: whole calendar months since establishment.
  const records = await queryRows(connection, `SELECT e.creditCode, e.legalRepIdHash, e.phoneHash, e.addressHash, f.age_months FROM enterprises e JOIN features f USING (creditCode)
    WHERE e.establishedDate <= ${quoteText(asOf)} ORDER BY e.creditCode`);
  const ageMonths = new Map(records.map((r) => [String(r.creditCode), Number(r.age_months)]));
  const clusters = identityClusters(records.map((r) => ({ creditCode: String(r.creditCode), legalRepIdHash: String(r.legalRepIdHash), phoneHash: String(r.phoneHash), addressHash: String(r.addressHash) })));
  const { network, nodeOf } = loaded;
  return clusters.map((cluster) => {
    const nodes = new Set(cluster.members.map((m) => nodeOf.get(m)!));
    let internal = 0;
    for (const u of nodes) for (let e = network.offsets[u]!; e < network.offsets[u + 1]!; e++) if (nodes.has(network.targets[e]!)) internal += network.amountFen[e]!;
    const young = cluster.members.filter((m) => ageMonths.get(m)! < t.shellYoungMonths).length;
    return { ...cluster, internalInvoicedFen: internal, youngMembers: young, loops: 0 };
  });
}

async function featureSignals(connection: DuckDBConnection, t: FraudThresholds): Promise<FraudSignal[]> {
  const out: FraudSignal[] = [];
  const checks: [Parameters<typeof signal>[0], string, string][] = [
    ['passThrough', `inv_purchase_sales_ratio_12m BETWEEN ${t.passThroughRatioMin} AND ${t.passThroughRatioMax} AND vat_uninvoiced_share_12m < ${t.passThroughUninvoicedMax} AND vat_burden_12m < ${t.passThroughBurdenMax}`,
      'inv_purchases_12m, inv_sales_12m, inv_purchase_sales_ratio_12m, vat_uninvoiced_share_12m, vat_burden_12m, vat_burden_dev_industry'],
    ['singleSource', `xs_bank_vs_declared_12m < ${t.singleSourceBankOverDeclaredMax}`, 'vat_sales_12m, bank_inflow_12m, xs_bank_vs_declared_12m, inv_sales_12m, xs_declared_vs_invoiced_12m'],
    ['correctionUplift', `vat_correction_uplift_6m >= ${t.correctionUpliftMin}`, 'vat_corrections_6m, vat_correction_uplift_6m, vat_sales_12m'],
    ['burst', `age_months <= ${t.burstAgeMonthsMax} AND inv_sales_3m >= ${t.burstSales3mFenMin} AND inv_sales_3m >= ${t.burstSalesOverCapitalMin} * registered_capital_fen`,
      'age_months, inv_sales_3m, registered_capital_fen, inv_customers_12m'],
    ['lateBackfill', `vat_late_filings_12m >= ${t.lateFilingsMin}`, 'vat_late_filings_12m'],
    ['sourceMismatch', `xs_declared_vs_invoiced_12m >= ${t.mismatchDeclaredOverInvoicedMin} AND vat_uninvoiced_share_12m < 0.5`, 'vat_sales_12m, inv_sales_12m, xs_declared_vs_invoiced_12m, vat_uninvoiced_share_12m'],
  ];
  for (const [name, where, evidence] of checks) {
    for (const row of await queryRows(connection, `SELECT creditCode, ${evidence} FROM features WHERE ${where} ORDER BY creditCode`)) {
      const { creditCode, ...figures } = row;
      out.push(signal(name, String(creditCode), figures));
    }
  }
  return out;
}

/** Correction checks on the returns filed in the 12 months before the as-of date. */
async function returnSignals(connection: DuckDBConnection, asOf: string): Promise<FraudSignal[]> {
  const since = quoteText(`${addMonths(asOf.slice(0, 7), -12)}-${asOf.slice(8, 10)}`);
  const pairs = `SELECT c.creditCode, c.periodStart, c.revision, c.filedDate, c.exemptSalesFen - p.exemptSalesFen AS exemptAddedFen, p.taxPaidFen - c.taxPaidFen AS taxReducedFen
    FROM vatReturns c JOIN vatReturns p ON p.creditCode = c.creditCode AND p.periodStart = c.periodStart AND p.revision = c.revision - 1
    WHERE c.revision > 0 AND c.filedDate > ${since} AND c.filedDate <= ${quoteText(asOf)}`;
  const out: FraudSignal[] = [];
  for (const row of await queryRows(connection, `${pairs} AND c.exemptSalesFen > p.exemptSalesFen ORDER BY 1, 2`)) out.push(signal('exemptCorrection', String(row.creditCode), { periodStart: row.periodStart, revision: row.revision, filedDate: row.filedDate, exemptAddedFen: Number(row.exemptAddedFen) }));
  for (const row of await queryRows(connection, `${pairs} AND c.taxPaidFen < p.taxPaidFen ORDER BY 1, 2`)) out.push(signal('taxRefunded', String(row.creditCode), { periodStart: row.periodStart, revision: row.revision, filedDate: row.filedDate, taxReducedFen: Number(row.taxReducedFen) }));
  return out;
}

function flagged(signals: readonly FraudSignal[]): FlaggedEnterprise[] {
  const byFirm = new Map<string, FraudSignal[]>();
  for (const s of signals) byFirm.set(s.creditCode, [...(byFirm.get(s.creditCode) ?? []), s]);
  return [...byFirm.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([creditCode, list]) => ({
    creditCode, typology: TYPOLOGY_PRIORITY.find((k) => list.some((s) => s.typology === k)) ?? null, signals: [...new Set(list.map((s) => s.code))],
  }));
}

/** Precision and recall of each typology against labels: flagged = enterprises whose typology it is. */
export function evaluateTypologies(report: FraudReport, labels: ReadonlyMap<string, FraudKind>): { typology: string; planted: number; flagged: number; truePositives: number; precision: number; recall: number }[] {
  return TYPOLOGY_PRIORITY.map((typology) => {
    const planted = [...labels.values()].filter((k) => k === typology).length;
    const flaggedFirms = report.enterprises.filter((e) => e.typology === typology);
    const truePositives = flaggedFirms.filter((e) => labels.get(e.creditCode) === typology).length;
    return { typology, planted, flagged: flaggedFirms.length, truePositives, precision: flaggedFirms.length ? truePositives / flaggedFirms.length : 0, recall: planted ? truePositives / planted : 0 };
  });
}
