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
import { enumerateCycles, type CycleSearch } from './cycles.ts';
import { identityClusters, type IdentityCluster, type IdentityHub, type IdentityPlaceholder } from './identities.ts';
import { loadNetwork, type LoadedNetwork } from './load.ts';
import { type FraudPolicy, type FraudPolicyDocument, defaultFraudPolicy } from './policy.ts';
import { describeRing, legsAllowed, legsChain, type Ring, ringEvidence, ringFigures } from './rings.ts';
import { type FraudSignal, signal, TYPOLOGY_PRIORITY } from './signals.ts';

export interface FraudOptions {
  datasetDir: string;
  asOf: string;
  /** The fraud policy (thresholds and switches); the shipped policies/fraud-default.json when absent. */
  policy?: FraudPolicy;
  workers?: number;
  /** A feature table of the dataset as of the same date (computed when not given). */
  featureFile?: string;
}

export interface FlaggedEnterprise { creditCode: string; typology: Exclude<FraudKind, 'none'> | null; signals: string[] }

/** A kind of evidence the data could not show: the signals it would feed were not checked, not found clean. */
export interface EvidenceUnavailable { evidence: string; reason: string; signals: string[] }

export interface FraudReport {
  asOf: string;
  policy: { id: string; version: string; hash: string; source: string };
  windowMonths: number;
  windowStartMonth: string;
  network: {
    enterprises: number; edges: number; invoices: number; invoiceLevel: boolean; monthsWithInvoices: number;
    componentsSearched: number; rootsSearched: number; cyclesExamined: number; cyclesWithEvidence: number; steps: number; invoicesSkipped: number;
    /** Start nodes whose search a budget cut short: a ring whose smallest member (by credit code) is listed may be missing. */
    uncovered: { creditCode: string; reason: string }[];
  };
  rings: Ring[];
  clusters: (IdentityCluster & { internalInvoicedFen: number; youngMembers: number; loops: number })[];
  identityHubs: IdentityHub[];
  identityPlaceholders: IdentityPlaceholder[];
  unavailable: EvidenceUnavailable[];
  signals: FraudSignal[];
  enterprises: FlaggedEnterprise[];
}

type Policy = FraudPolicyDocument;

export async function detectFraud(options: FraudOptions): Promise<FraudReport> {
  asOfDayOf(options.asOf); // refuses a malformed date before any work
  const policy = options.policy ?? defaultFraudPolicy();
  const p = policy.document;
  const files = datasetFiles(options.datasetDir);
  if (!files.some((f) => f.entity === 'enterprises')) throw new DatasetError(`${options.datasetDir} is not a dataset: it has no enterprises file`);
  const has = (entity: string) => files.some((f) => f.entity === entity);
  const work = mkdtempSync(join(tmpdir(), 'puhui-fraud-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    const featureFile = options.featureFile ?? join(work, 'features.parquet');
    if (!options.featureFile) await computeFeatureTable({ datasetDir: options.datasetDir, asOf: options.asOf, outFile: featureFile, workers: options.workers });
    await attachDataset(connection, files);
    await connection.run(`CREATE VIEW features AS SELECT * FROM read_parquet(${quoteText(featureFile)})`);
    const loaded = await loadNetwork(connection, options.asOf, p.windowMonths, has('invoices'));
    const unavailable = unavailableEvidence(has, loaded, p);
    const signals: FraudSignal[] = [];
    const identities = await shellClusters(connection, loaded, options.asOf, p);
    const clusters = identities.clusters;
    const { rings, search, invoicesSkipped, withEvidence } = findRings(loaded, p, clusters);
    await annotateRings(connection, rings, p);
    rings.sort((a, b) => b.suspicion - a.suspicion || (a.taxPaidOverLoop ?? 0) - (b.taxPaidOverLoop ?? 0) || b.youngMembers - a.youngMembers || (a.members.join() < b.members.join() ? -1 : 1))
      .forEach((r, k) => { r.id = `ring-${k + 1}`; });
    for (const ring of rings) for (const member of ring.members) {
      signals.push(signal('ring', member, {
        ring: ring.id, members: ring.members, loopAmountFen: ring.loopAmountFen, rounds: ring.rounds, roundMonths: ring.roundMonths, coverage: ring.coverage,
        roundTripShare: ring.roundTripShare, amountRatio: ring.amountRatio, suspicion: ring.suspicion, taxPaidOverLoop: ring.taxPaidOverLoop, youngMembers: ring.youngMembers, edges: ring.edges,
      }, ring.id));
    }
    const id = p.identities;
    for (const cluster of clusters.filter((c) => c.members.length >= id.shellMembersMin && c.youngMembers >= id.shellYoungMembersMin && c.internalInvoicedFen > 0)) {
      for (const member of cluster.members) {
        signals.push(signal('shellCluster', member, { cluster: cluster.id, members: cluster.members, sharedBy: cluster.sharedBy, youngMembers: cluster.youngMembers, internalInvoicedFen: cluster.internalInvoicedFen, loops: cluster.loops }, cluster.id));
      }
    }
    for (const hub of identities.hubs) {
      for (const member of hub.members) signals.push(signal('identityHub', member, { hub: hub.id, sharedBy: hub.kind, firms: hub.members.length }, hub.id));
    }
    signals.push(...(await featureSignals(connection, p, has)));
    if (has('vatReturns')) signals.push(...(await returnSignals(connection, options.asOf)));
    return {
      asOf: options.asOf, policy: { id: p.id, version: p.version, hash: policy.hash, source: policy.source }, windowMonths: p.windowMonths, windowStartMonth: loaded.windowStartMonth,
      network: {
        enterprises: loaded.network.nodeCount, edges: loaded.network.edgeCount, invoices: loaded.network.invoiceAmountFen.length, invoiceLevel: loaded.network.invoiceLevel,
        monthsWithInvoices: loaded.monthsWithInvoices, componentsSearched: search.componentsSearched, rootsSearched: search.rootsSearched, cyclesExamined: search.cyclesExamined,
        cyclesWithEvidence: withEvidence, steps: search.steps, invoicesSkipped, uncovered: search.uncovered.map((u) => ({ creditCode: loaded.codes[u.node]!, reason: u.reason })),
      },
      rings, clusters, identityHubs: identities.hubs, identityPlaceholders: identities.placeholders, unavailable, signals, enterprises: flagged(signals),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
}

/** What the dataset cannot show: missing entity files, and too few months of invoices for recurrence. */
function unavailableEvidence(has: (entity: string) => boolean, loaded: LoadedNetwork, p: Policy): EvidenceUnavailable[] {
  const out: EvidenceUnavailable[] = [];
  if (!has('invoices')) out.push({ evidence: 'invoices', reason: 'the dataset has no invoices file', signals: ['FR_RING', 'FR_SHELL_CLUSTER', 'FR_BURST_INVOICING', 'FR_PASS_THROUGH', 'FR_SOURCE_MISMATCH'] });
  else if (loaded.monthsWithInvoices < p.rings.recurrenceMonthsFull) {
    out.push({ evidence: 'ring_recurrence', reason: `invoices in ${loaded.monthsWithInvoices} month(s) of the window, fewer than the ${p.rings.recurrenceMonthsFull} that show recurrence; rings are judged on what the months show`, signals: ['FR_RING'] });
  }
  if (!has('vatReturns')) out.push({ evidence: 'vat_returns', reason: 'the dataset has no VAT returns file', signals: ['FR_PASS_THROUGH', 'FR_SINGLE_SOURCE', 'FR_CORRECTION_UPLIFT', 'FR_LATE_BACKFILL', 'FR_EXEMPT_CORRECTION', 'FR_TAX_REFUNDED', 'FR_SOURCE_MISMATCH'] });
  if (!has('bankMonths')) out.push({ evidence: 'bank', reason: 'the dataset has no bank months file', signals: ['FR_SINGLE_SOURCE'] });
  if (!loaded.network.invoiceLevel && has('invoices')) out.push({ evidence: 'invoice_amounts', reason: 'edges without their invoices: legs compared on whole amounts', signals: ['FR_RING'] });
  return out;
}

/** Cycles of the network with invoice-level evidence, ranked later; loops inside one identity cluster are the cluster's. */
function findRings(loaded: LoadedNetwork, p: Policy, clusters: FraudReport['clusters']): { rings: Ring[]; search: CycleSearch; invoicesSkipped: number; withEvidence: number } {
  const { network, codes } = loaded;
  const clusterOf = new Int32Array(network.nodeCount).fill(-1);
  clusters.forEach((c, k) => { for (const m of c.members) clusterOf[loaded.nodeOf.get(m)!] = k; });
  const edgeAllowed = legsAllowed(network, p.rings.legAmountMinFen);
  const rings: Ring[] = [];
  let invoicesSkipped = 0;
  let withEvidence = 0;
  const accept = (nodes: Int32Array, edges: Int32Array, length: number): boolean => {
    if (length < 2) return false; // a firm invoicing itself is not a ring (and import refuses it)
    const evidence = ringEvidence(network, edges, length, p.rings);
    if (!evidence) return false;
    withEvidence++;
    invoicesSkipped += evidence.invoicesSkipped;
    const cluster = clusterOf[nodes[0]!]!;
    let inside = cluster >= 0;
    for (let j = 1; j < length && inside; j++) inside = clusterOf[nodes[j]!] === cluster;
    if (inside) { clusters[cluster]!.loops++; return false; }
    const cycle = { nodes: Array.from(nodes.subarray(0, length)), edges: Array.from(edges.subarray(0, length)) };
    const figures = ringFigures(network, cycle, evidence, p.rings, loaded.monthsWithInvoices);
    if (figures.suspicion >= p.rings.suspicionMin) rings.push(describeRing(network, (v) => codes[v]!, cycle, evidence, figures));
    return false;
  };
  const legsChainOf = (from: number, into: number) => legsChain(network, from, into, p.rings);
  const search = enumerateCycles(network, { lengthMax: p.rings.lengthMax, edgeAllowed, stepsMaxPerRoot: p.rings.searchStepsMaxPerRoot, cyclesMax: p.rings.cyclesMax, accept, legsChain: legsChainOf });
  return { rings, search, invoicesSkipped, withEvidence };
}

/** Members' tax paid (latest 12 declared months) against the loop amount, and how many are young. */
async function annotateRings(connection: DuckDBConnection, rings: Ring[], p: Policy): Promise<void> {
  const members = [...new Set(rings.flatMap((r) => r.members))];
  if (members.length === 0) return;
  const figures = new Map((await queryRows(connection, `SELECT creditCode, vat_tax_paid_12m, age_months FROM features WHERE creditCode IN (${members.map(quoteText).join(', ')})`))
    .map((r) => [String(r.creditCode), { taxPaid: r.vat_tax_paid_12m as number | null, age: Number(r.age_months) }]));
  for (const ring of rings) {
    const paid = ring.members.map((m) => figures.get(m)?.taxPaid ?? null);
    ring.taxPaidOverLoop = paid.some((p) => p === null) ? null : paid.reduce((a, b) => a! + b!, 0)! / ring.loopAmountFen;
    ring.youngMembers = ring.members.filter((m) => (figures.get(m)?.age ?? 0) < p.identities.youngMonths).length;
  }
}

async function shellClusters(connection: DuckDBConnection, loaded: LoadedNetwork, asOf: string, p: Policy): Promise<{ clusters: FraudReport['clusters']; hubs: IdentityHub[]; placeholders: IdentityPlaceholder[] }> {
  // Young means what the feature age_months says: whole calendar months since establishment.
  const records = await queryRows(connection, `SELECT e.creditCode, e.legalRepIdHash, e.phoneHash, e.addressHash, f.age_months FROM enterprises e JOIN features f USING (creditCode)
    WHERE e.establishedDate <= ${quoteText(asOf)} ORDER BY e.creditCode`);
  const ageMonths = new Map(records.map((r) => [String(r.creditCode), Number(r.age_months)]));
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const found = identityClusters(records.map((r) => ({ creditCode: String(r.creditCode), legalRepIdHash: text(r.legalRepIdHash), phoneHash: text(r.phoneHash), addressHash: text(r.addressHash) })), p.identities);
  const { network, nodeOf } = loaded;
  const clusters = found.clusters.map((cluster) => {
    const nodes = new Set(cluster.members.map((m) => nodeOf.get(m)!));
    let internal = 0;
    for (const u of nodes) for (let e = network.offsets[u]!; e < network.offsets[u + 1]!; e++) if (nodes.has(network.targets[e]!)) internal += network.amountFen[e]!;
    const young = cluster.members.filter((m) => ageMonths.get(m)! < p.identities.youngMonths).length;
    return { ...cluster, internalInvoicedFen: internal, youngMembers: young, loops: 0 };
  });
  return { clusters, hubs: found.hubs, placeholders: found.placeholders };
}

/** Checks on the feature table; a check whose entity files are missing is skipped (reported as unavailable). */
async function featureSignals(connection: DuckDBConnection, p: Policy, has: (entity: string) => boolean): Promise<FraudSignal[]> {
  const out: FraudSignal[] = [];
  const needs: Partial<Record<Parameters<typeof signal>[0], string[]>> = {
    passThrough: ['vatReturns', 'invoices'], singleSource: ['vatReturns', 'bankMonths'], correctionUplift: ['vatReturns'], burst: ['invoices'],
    lateBackfill: ['vatReturns'], sourceMismatch: ['vatReturns', 'invoices'],
  };
  const checks: [Parameters<typeof signal>[0], string, string][] = [
    ['passThrough', `inv_purchase_sales_ratio_12m BETWEEN ${p.passThrough.ratioMin} AND ${p.passThrough.ratioMax} AND vat_uninvoiced_share_12m < ${p.passThrough.uninvoicedShareMax} AND vat_burden_12m < ${p.passThrough.burdenMax}`,
      'inv_purchases_12m, inv_sales_12m, inv_purchase_sales_ratio_12m, vat_uninvoiced_share_12m, vat_burden_12m, vat_burden_dev_industry'],
    ['singleSource', `xs_bank_vs_declared_12m < ${p.singleSource.bankOverDeclaredMax}`, 'vat_sales_12m, bank_inflow_12m, xs_bank_vs_declared_12m, inv_sales_12m, xs_declared_vs_invoiced_12m'],
    ['correctionUplift', `vat_correction_uplift_6m >= ${p.correctionUplift.upliftMin}`, 'vat_corrections_6m, vat_correction_uplift_6m, vat_sales_12m'],
    ['burst', `age_months <= ${p.burst.ageMonthsMax} AND inv_sales_3m >= ${p.burst.sales3mFenMin} AND inv_sales_3m >= ${p.burst.salesOverCapitalMin} * registered_capital_fen`,
      'age_months, inv_sales_3m, registered_capital_fen, inv_customers_12m'],
    ['lateBackfill', `vat_late_filings_12m >= ${p.lateBackfill.lateFilingsMin}`, 'vat_late_filings_12m'],
    ['sourceMismatch', `xs_declared_vs_invoiced_12m >= ${p.sourceMismatch.declaredOverInvoicedMin} AND vat_uninvoiced_share_12m < ${p.sourceMismatch.uninvoicedShareMax}`, 'vat_sales_12m, inv_sales_12m, xs_declared_vs_invoiced_12m, vat_uninvoiced_share_12m'],
  ];
  for (const [name, where, evidence] of checks) {
    if (!(needs[name] ?? []).every(has)) continue;
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
