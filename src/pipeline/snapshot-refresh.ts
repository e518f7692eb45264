/**
 * New facts for one enterprise after its snapshot was built: rows as the import's column specs define
 * them (a tax return, invoices, a bank month, a bureau report, a court case, a registration change).
 *
 * What is refreshed: the enterprise's compact dossier (the snapshot's, with the facts merged in), its 80
 * features (with the snapshot's industry reference) and its enterprise-local fraud signals (the checks on
 * its own features and returns, run by the same anti-fraud code as the batch). What is not: the industry
 * reference (medians over the whole population), the network-wide signals (rings and shell clusters,
 * kept as the snapshot found them), and every other enterprise (an invoice between A and B refreshes B
 * only when B is refreshed with it; `enterprisesOfFacts` names both). A per-node ring search, when the
 * anti-fraud module offers one, plugs in at `networkSignalsOf` below.
 *
 * Point in time: a fact dated after the snapshot's as-of date is ignored (the same filters as the batch
 * feature job: returns by filing date, invoices by issue date within the feature window, bank months
 * before the as-of month, reports and cases by their dates). Facts merge by natural key; a fact whose key
 * the snapshot already holds replaces it. The compact dossier keeps no invoice numbers or case ids, so an
 * invoice (or case) the snapshot holds is recognised by its content: same day, counterparty, amount and
 * status (same filing day, role and amount).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ENTITIES, TAX_GRADES, type BankMonth, type BureauReport, type CitReturn, type CourtCase, type Enterprise, type Invoice, type TaxGradeRecord, type VatReturn } from '../domain/entities.ts';
import { ENTITY_NAMES, type EntityName } from '../domain/columns.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { addMonths, dayNumber, isoDateOfDay, isoMonthOfIndex, monthIndex } from '../domain/period.ts';
import { computeFeatureVector, FEATURES, type CompactDossier, type FeatureValue } from '../features/index.ts';
import { featureSqlType } from '../features/batch.ts';
import { INVOICE_STATUS_CODES, NO_DAY } from '../features/compact.ts';
import { WINDOW_MONTHS } from '../features/context.ts';
import { quoteText } from '../data/sql-checks.ts';
import { MANIFEST_FILE, type DatasetManifest } from '../data/layout.ts';
import { CsvFileWriter } from '../synth/csv-writer.ts';
import { detectFraud } from '../fraud/index.ts';
import { columnsOf, DOSSIER_TABLES, type DossierTable } from './snapshot-format.ts';
import { NETWORK_SIGNAL_CODES, summaryOf, type SignalRef, type SnapshotEntry } from './snapshot-entry.ts';
import type { Snapshot } from './snapshot.ts';

export class FactError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'fact_invalid');
  }
}

/** One new fact: a row of an entity, as the import and the store's intake accept it. */
export interface Fact { entity: EntityName; row: unknown }

/** At most this many facts in one refresh (a year of daily invoices for a busy firm fits many times over). */
export const REFRESH_FACTS_MAX = 100_000;

/** A fact kept for an enterprise: its entity, natural key and validated row. */
export interface KeptFact { entity: EntityName; key: string; row: Record<string, unknown> }

export interface RefreshOutcome {
  entry: SnapshotEntry;
  signals: SignalRef[];
  /** Every fact held for the enterprise after this refresh (earlier refreshes included). */
  facts: KeptFact[];
  /** Facts of this call that were dated after the snapshot's date (or before the feature window) and so not used. */
  ignored: number;
}

function keyOf(entity: EntityName, row: Record<string, unknown>): string {
  return `${entity}:${ENTITIES[entity].key.map((k) => String(row[k])).join('\u0000')}`;
}

/** Validates facts with the entity specs (one set of rules for files, the API and here). */
export function checkFacts(facts: readonly Fact[]): KeptFact[] {
  if (facts.length > REFRESH_FACTS_MAX) throw new FactError(`at most ${REFRESH_FACTS_MAX} facts in one refresh, got ${facts.length}`);
  return facts.map((fact, index) => {
    if (!(ENTITY_NAMES as readonly string[]).includes(fact.entity) || fact.entity === 'labels') throw new FactError(`fact ${index}: ${JSON.stringify(fact.entity)} is not an entity of facts`);
    const parsed = ENTITIES[fact.entity].schema.safeParse(fact.row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new FactError(`fact ${index} (${fact.entity}): ${issue.path.join('.') || 'row'} ${issue.message}`);
    }
    const row = parsed.data as Record<string, unknown>;
    return { entity: fact.entity, key: keyOf(fact.entity, row), row };
  });
}

/** The enterprises whose dossiers a set of facts touches: both parties of an invoice, the subject of any other row. */
export function enterprisesOfFacts(facts: readonly Fact[]): string[] {
  const codes = new Set<string>();
  for (const { entity, row } of facts) {
    const r = row as Record<string, unknown>;
    if (entity === 'invoices') { codes.add(String(r.sellerCode)); codes.add(String(r.buyerCode)); } else if (typeof r.creditCode === 'string') codes.add(r.creditCode);
  }
  return [...codes].sort();
}

function concerns(fact: KeptFact, creditCode: string): boolean {
  return fact.entity === 'invoices' ? fact.row.sellerCode === creditCode || fact.row.buyerCode === creditCode : fact.row.creditCode === creditCode;
}

/** Whether the batch feature job would have read this fact as of the date (the filters of its SQL). */
function visible(fact: KeptFact, asOf: string): boolean {
  const r = fact.row;
  switch (fact.entity) {
    case 'vatReturns': case 'citReturns': case 'courtCases': return String(r.filedDate) <= asOf;
    case 'taxGrades': return String(r.publishedDate) <= asOf;
    case 'invoices': return String(r.issueDate) <= asOf && String(r.issueDate) >= `${addMonths(asOf.slice(0, 7), -WINDOW_MONTHS)}-01`;
    case 'bankMonths': return String(r.month) < asOf.slice(0, 7);
    case 'bureauReports': return String(r.reportDate) <= asOf;
    default: return true;
  }
}

type Row = Record<string, number>;
type Rows = Record<DossierTable, Row[]>;

function rowsOf(dossier: CompactDossier): Rows {
  const out = {} as Rows;
  for (const table of DOSSIER_TABLES) {
    const source = dossier[table] as unknown as Record<string, ArrayLike<number>> & { count: number };
    const columns = columnsOf(table);
    out[table] = Array.from({ length: source.count }, (_, k) => Object.fromEntries(columns.map(([name]) => [name, source[name]![k]!])));
  }
  return out;
}

function compactOf(header: Omit<CompactDossier, DossierTable>, rows: Rows): CompactDossier {
  const out = { ...header } as CompactDossier;
  for (const table of DOSSIER_TABLES) {
    const list = rows[table];
    const columns: Record<string, unknown> = { count: list.length };
    for (const [name, kind] of columnsOf(table)) {
      columns[name] = kind === 'i32' ? Int32Array.from(list, (r) => r[name]!) : kind === 'f64' ? Float64Array.from(list, (r) => r[name]!) : Uint8Array.from(list, (r) => r[name]!);
    }
    (out as unknown as Record<string, unknown>)[table] = columns;
  }
  return out;
}

/** Replaces the rows `same` picks (a fact with the key of one the snapshot holds) and appends the new one. */
function put(list: Row[], row: Row, same: (existing: Row) => boolean): void {
  const at = list.findIndex(same);
  if (at >= 0) list.splice(at, 1);
  list.push(row);
}

interface Counterparties { idOf(code: string): number }

function mergeFact(fact: KeptFact, creditCode: string, rows: Rows, header: Omit<CompactDossier, DossierTable>, profile: SnapshotEntry['enterprise'], parties: Counterparties): void {
  const row = fact.row as unknown;
  switch (fact.entity) {
    case 'enterprises': {
      const r = row as Enterprise;
      header.establishedDay = dayNumber(r.establishedDate); header.industrySection = r.industrySection; header.industryDivision = r.industryDivision;
      header.regionCode = r.regionCode; header.general = r.taxpayerType === 'general'; header.registeredCapitalFen = r.registeredCapitalFen; header.legalRepBirthYear = r.legalRepBirthYear;
      Object.assign(profile, { status: r.status, taxpayerType: r.taxpayerType, industrySection: r.industrySection, regionCode: r.regionCode });
      return;
    }
    case 'vatReturns': {
      const r = row as VatReturn;
      const compact = { periodStart: monthIndex(r.periodStart), periodEnd: monthIndex(r.periodEnd), revision: r.revision, taxableFen: r.taxableSalesFen, uninvoicedFen: r.uninvoicedSalesFen,
        exemptFen: r.exemptSalesFen, payableFen: r.taxPayableFen, paidFen: r.taxPaidFen, filedDay: dayNumber(r.filedDate), late: r.late ? 1 : 0 };
      return put(rows.vat, compact, (e) => e.periodStart === compact.periodStart && e.revision === compact.revision);
    }
    case 'citReturns': {
      const r = row as CitReturn;
      const compact = { year: r.year, revision: r.revision, revenueFen: r.revenueFen, filedDay: dayNumber(r.filedDate) };
      return put(rows.cit, compact, (e) => e.year === compact.year && e.revision === compact.revision);
    }
    case 'taxGrades': {
      const r = row as TaxGradeRecord;
      const compact = { year: r.year, grade: TAX_GRADES.indexOf(r.grade), publishedDay: dayNumber(r.publishedDate) };
      return put(rows.grades, compact, (e) => e.year === compact.year);
    }
    case 'invoices': {
      const r = row as Invoice;
      const sales = r.sellerCode === creditCode;
      const compact = { day: dayNumber(r.issueDate), counterparty: parties.idOf(sales ? r.buyerCode : r.sellerCode), amountFen: r.amountFen,
        status: INVOICE_STATUS_CODES[r.status as keyof typeof INVOICE_STATUS_CODES], special: r.kind === 'special' ? 1 : 0 };
      const same = (e: Row) => e.day === compact.day && e.counterparty === compact.counterparty && e.amountFen === compact.amountFen && e.status === compact.status;
      put(sales ? rows.sales : rows.purchases, compact, same);
      // An invoice an enterprise issues to itself is both a sale and a purchase, as in the batch.
      if (sales && r.buyerCode === creditCode) put(rows.purchases, { ...compact }, same);
      return;
    }
    case 'bankMonths': {
      const r = row as BankMonth;
      const compact = { month: monthIndex(r.month), inflowFen: r.inflowFen, outflowFen: r.outflowFen, balanceFen: r.endBalanceFen, topSharePermille: r.topInflowSharePermille };
      return put(rows.bank, compact, (e) => e.month === compact.month);
    }
    case 'bureauReports': {
      const r = row as BureauReport;
      const compact = { day: dayNumber(r.reportDate), overdueFen: r.overdueFen, worstDpd: r.worstDpd24m, inquiries3m: r.inquiries3m, inquiries6m: r.inquiries6m,
        lenders: r.lenderCount, outstandingFen: r.outstandingLoanFen, guaranteesFen: r.guaranteesGivenFen };
      return put(rows.bureau, compact, (e) => e.day === compact.day);
    }
    case 'courtCases': {
      const r = row as CourtCase;
      const compact = { filedDay: dayNumber(r.filedDate), closedDay: r.closedDate ? dayNumber(r.closedDate) : NO_DAY, defendant: r.role === 'defendant' ? 1 : 0, amountFen: r.amountFen, dishonest: r.dishonestDebtor ? 1 : 0 };
      return put(rows.court, compact, (e) => e.filedDay === compact.filedDay && e.defendant === compact.defendant && e.amountFen === compact.amountFen);
    }
    default:
      throw new FactError(`${fact.entity} rows are not facts about an enterprise`);
  }
}

/**
 * The refreshed entry of an enterprise: the snapshot's compact dossier with `facts` merged in (a later
 * fact with the same key wins), features recomputed, enterprise-local signals recomputed, network-wide
 * signals kept. A pure function of the snapshot and the facts.
 */
export async function refreshedEntry(snapshot: Snapshot, creditCode: string, facts: readonly KeptFact[]): Promise<RefreshOutcome> {
  const base = snapshot.entry(creditCode, { snapshotOnly: true });
  const kept = new Map<string, KeptFact>();
  let ignored = 0;
  for (const fact of facts) {
    if (!concerns(fact, creditCode)) throw new FactError(`a ${fact.entity} fact (${fact.key.slice(fact.entity.length + 1).replaceAll('\u0000', ', ')}) is not about ${creditCode}`);
    if (!visible(fact, snapshot.info.asOf)) { ignored++; continue; }
    kept.set(fact.key, fact);
  }
  const { vat, cit, grades, sales, purchases, bank, bureau, court, ...header } = snapshot.compactDossier(creditCode);
  const rows = rowsOf({ vat, cit, grades, sales, purchases, bank, bureau, court, ...header });
  const profile = { ...base.enterprise };
  const added = new Map<string, number>();
  const parties: Counterparties = {
    idOf: (code) => {
      const id = snapshot.counterpartyId(code);
      if (id >= 0) return id;
      if (!added.has(code)) added.set(code, snapshot.counterpartyCount + added.size);
      return added.get(code)!;
    },
  };
  // Registration first (it may change the taxpayer type the other facts are read with), then the rest in key order.
  const ordered = [...kept.values()].sort((a, b) => (a.entity === 'enterprises' ? 0 : 1) - (b.entity === 'enterprises' ? 0 : 1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const fact of ordered) mergeFact(fact, creditCode, rows, header, profile, parties);
  if (header.establishedDay > snapshot.asOfDay) throw new FactError(`${creditCode} would be registered on ${isoDateOfDay(header.establishedDay)}, after the snapshot's date ${snapshot.info.asOf}`);
  const dossier = compactOf(header, rows);
  const vector = computeFeatureVector(dossier, snapshot.asOfDay, snapshot.reference);
  const features: Record<string, FeatureValue> = {};
  FEATURES.forEach((f, k) => { features[f.id] = vector[k]!; });
  const local = await localSignalsOf(snapshot, creditCode, dossier, profile, features);
  const signals = [...networkSignalsOf(snapshot, creditCode), ...local];
  const entry: SnapshotEntry = {
    creditCode, enterprise: profile, establishedDate: isoDateOfDay(header.establishedDay), features, fraud: summaryOf(signals), refreshed: true,
  };
  return { entry, signals, facts: ordered, ignored };
}

/** Ring and shell-cluster signals: the snapshot's, as the whole network showed them on its date. */
function networkSignalsOf(snapshot: Snapshot, creditCode: string): SignalRef[] {
  return snapshot.signalsOf(creditCode).filter((s) => NETWORK_SIGNAL_CODES.includes(s.code));
}

/**
 * The enterprise-local checks (those on its features and on its own returns) run by the batch anti-fraud
 * code itself, on a dataset of this one enterprise and a feature table of its refreshed row: one set of
 * thresholds, one truth. Its network is a single node, so no network signal can arise here.
 */
async function localSignalsOf(snapshot: Snapshot, creditCode: string, dossier: CompactDossier, profile: SnapshotEntry['enterprise'], features: Record<string, FeatureValue>): Promise<SignalRef[]> {
  const work = mkdtempSync(join(tmpdir(), 'puhui-refresh-'));
  try {
    const enterprise = new CsvFileWriter(join(work, 'enterprises.csv'), Object.keys(ENTITIES.enterprises.columns));
    const noHash = '0000000000000000';
    enterprise.row([creditCode, creditCode, isoDateOfDay(dossier.establishedDay), dossier.industrySection, dossier.industryDivision, dossier.regionCode,
      dossier.registeredCapitalFen, profile.taxpayerType, profile.status, noHash, dossier.legalRepBirthYear, noHash, noHash]);
    enterprise.close();
    const returns = new CsvFileWriter(join(work, 'vatReturns.csv'), Object.keys(ENTITIES.vatReturns.columns));
    const v = dossier.vat;
    for (let k = 0; k < v.count; k++) {
      returns.row([creditCode, isoMonthOfIndex(v.periodStart[k]!), isoMonthOfIndex(v.periodEnd[k]!), v.revision[k]!, v.taxableFen[k]!, v.uninvoicedFen[k]!, v.exemptFen[k]!,
        0, 0, v.payableFen[k]!, v.paidFen[k]!, isoDateOfDay(v.filedDay[k]!), v.late[k] ? 'true' : 'false', null]);
    }
    returns.close();
    new CsvFileWriter(join(work, 'invoices.csv'), Object.keys(ENTITIES.invoices.columns)).close();
    // Every reader refuses a dataset without its manifest (an import killed part-way): this one-enterprise dataset
    // is complete once its three files are written, so it says so, listing them with their rows.
    const manifest: DatasetManifest = { enterprises: 1, rowCounts: { enterprises: 1, vatReturns: v.count, invoices: 0 } };
    writeFileSync(join(work, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    const featureFile = join(work, 'features.parquet');
    await writeFeatureRow(featureFile, creditCode, features);
    const report = await detectFraud({ datasetDir: work, asOf: snapshot.info.asOf, featureFile, workers: 0 });
    return report.signals.filter((s) => s.creditCode === creditCode && !NETWORK_SIGNAL_CODES.includes(s.code))
      .map((s) => ({ code: s.code, severity: s.severity, typology: s.typology, group: s.group }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function writeFeatureRow(path: string, creditCode: string, features: Record<string, FeatureValue>): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const literal = (value: FeatureValue, type: string) => (value === null ? `NULL::${type}` : typeof value === 'string' ? quoteText(value) : `${value}::DOUBLE`);
    const columns = FEATURES.map((f) => `${literal(features[f.id] ?? null, featureSqlType(f))} AS ${f.id}`);
    await connection.run(`COPY (SELECT ${quoteText(creditCode)} AS creditCode, ${columns.join(', ')}) TO ${quoteText(path)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
