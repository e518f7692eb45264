/**
 * A snapshot: what a decision needs from the whole population as of one date, built once by a job and
 * read by any number of processes. It holds the industry reference (same-date medians), the anti-fraud
 * result per enterprise (rings, shell clusters and the enterprise-local checks), each enterprise's
 * compact dossier and its feature vector. A decision reads one entry and never recomputes the dataset.
 *
 * A snapshot folder is immutable once built: it is written under a temporary name and renamed into
 * place, and its id is the content hash of the dataset's files with the as-of date (the same dataset and
 * date always give the same id; building it again finds it and does nothing). New facts for one
 * enterprise (`refreshEnterprise`) are held beside the files, never written into them.
 */
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetError, datasetFiles } from '../data/index.ts';
import { tableSource } from '../data/sql-checks.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { isoDateOfDay } from '../domain/period.ts';
import { asOfDayOf, FEATURES, type CompactDossier, type FeatureValue, type IndustryReference } from '../features/index.ts';
import { computeFeatureTable, featureTableSource, readIndustryReference, referenceFileOf } from '../features/batch.ts';
import { dossiersOfShard } from '../features/shard.ts';
import { detectFraud, type FraudReport } from '../fraud/index.ts';
import type { FraudSummary } from '../decision/inputs.ts';
import { summaryOf, type SignalRef, type SnapshotEntry } from './snapshot-entry.ts';
import { checkFacts, refreshedEntry, type Fact, type KeptFact } from './snapshot-refresh.ts';
import { CREDIT_CODE_LENGTH, decodeDossier, encodeDossier, FILES, PROFILE_FIELDS, SNAPSHOT_FORMAT, type ProfileField } from './snapshot-format.ts';

export { NETWORK_SIGNAL_CODES, summaryOf, type SignalRef, type SnapshotEntry } from './snapshot-entry.ts';
export { enterprisesOfFacts, FactError, type Fact } from './snapshot-refresh.ts';

export class SnapshotInvalidError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'snapshot_invalid');
  }
}

export class UnknownEnterpriseError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'not_found');
  }
}

export interface SnapshotInfo {
  id: string;
  datasetDir: string;
  asOf: string;
  /** When the build finished (ISO timestamp, UTC): a record of the job, not an input to any decision. */
  builtAt: string;
  /** Enterprises registered by the as-of date: those a decision can be asked for. */
  enterprises: number;
  dir: string;
}

interface Manifest {
  format: typeof SNAPSHOT_FORMAT;
  id: string;
  datasetDir: string;
  datasetHash: string;
  asOf: string;
  builtAt: string;
  /** Rows in the files: every enterprise of the dataset, registered by asOf or not. */
  rows: number;
  enterprises: number;
  featureIds: string[];
  /** Per category feature and profile field, the values its codes index. */
  dictionaries: Record<string, string[]>;
  reference: { group: string; vatBurdenMedian: number }[];
  fraud: Pick<FraudReport, 'windowMonths' | 'network'> & { signals: number; flagged: number };
  counterparties: number;
  bytes: Record<string, number>;
}

export interface BuildOptions {
  datasetDir: string;
  asOf: string;
  /** Folder that receives the snapshot folder `<id>`; default: `snapshots` beside the dataset. */
  outDir?: string;
  workers?: number;
  /** When the build finished; default: the system clock (UTC). */
  clock?: () => string;
  onProgress?: (step: string) => void;
}

const ENTRY_WIDTH = FEATURES.length + PROFILE_FIELDS.length;
const HASH_CHUNK_BYTES = 1 << 20;

async function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}

/** The snapshot id: the as-of date and a SHA-256 over the format, the feature catalogue and the dataset files' names and bytes. */
async function snapshotIdOf(datasetDir: string, asOf: string): Promise<{ id: string; datasetHash: string }> {
  const dataset = createHash('sha256');
  for (const file of datasetFiles(datasetDir)) {
    if (file.entity === 'labels') continue; // outcomes are not an input of any decision
    dataset.update(`${file.entity}.${file.format}\u0000`);
    await hashFile(dataset, file.path);
  }
  const datasetHash = dataset.digest('hex');
  const id = createHash('sha256').update(`${SNAPSHOT_FORMAT}\u0000${asOf}\u0000${FEATURES.map((f) => f.id).join(',')}\u0000${datasetHash}`).digest('hex');
  return { id: `${asOf}-${id.slice(0, 16)}`, datasetHash };
}

/** Builds the snapshot of a dataset as of a date (or finds it, when one with the same id exists). */
export async function buildSnapshot(options: BuildOptions): Promise<SnapshotInfo> {
  const asOfDay = asOfDayOf(options.asOf);
  const datasetDir = resolve(options.datasetDir);
  const files = datasetFiles(datasetDir);
  if (!files.some((f) => f.entity === 'enterprises')) throw new DatasetError(`${datasetDir} is not a dataset: it has no enterprises file`);
  const outDir = resolve(options.outDir ?? join(dirname(datasetDir), 'snapshots'));
  options.onProgress?.('hashing the dataset');
  const { id, datasetHash } = await snapshotIdOf(datasetDir, options.asOf);
  const finalDir = join(outDir, id);
  if (existsSync(join(finalDir, FILES.manifest))) return openSnapshot(finalDir).close();
  mkdirSync(outDir, { recursive: true });
  const work = join(outDir, `.building-${id}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work);
  try {
    await writeSnapshotFiles(work, { ...options, datasetDir }, asOfDay, id, datasetHash);
    try {
      renameSync(work, finalDir);
    } catch (error) {
      // Another job built the same snapshot meanwhile: its files are the same, keep them.
      if (!existsSync(join(finalDir, FILES.manifest))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return openSnapshot(finalDir).close();
}

async function writeSnapshotFiles(work: string, options: BuildOptions & { datasetDir: string }, asOfDay: number, id: string, datasetHash: string): Promise<void> {
  const featureFile = join(work, 'features.parquet');
  // Compact dossiers straight from the feature job's shards, in credit-code order, one blob each.
  const dossierFd = openSync(join(work, FILES.dossiers), 'w');
  const offsets: number[] = [0];
  const shardCodes: string[] = [];
  let written = 0;
  try {
    options.onProgress?.('features and compact dossiers');
    await computeFeatureTable({
      datasetDir: options.datasetDir, asOf: options.asOf, outFile: featureFile, workers: options.workers,
      onShard: (shard) => {
        shardCodes.push(...(shard.tables.enterprises.code as string[]));
        for (const dossier of dossiersOfShard(shard)) {
          const blob = encodeDossier(dossier);
          writeSync(dossierFd, blob);
          written += blob.length;
          offsets.push(written);
        }
      },
    });
  } finally {
    closeSync(dossierFd);
  }
  writeFileSync(join(work, FILES.dossierOffsets), new Uint8Array(Float64Array.from(offsets).buffer));
  options.onProgress?.('anti-fraud (invoice network, identities, local checks)');
  const report = await detectFraud({ datasetDir: options.datasetDir, asOf: options.asOf, featureFile, workers: options.workers });
  writeFileSync(join(work, FILES.fraudReport), JSON.stringify(report));
  const signalsByFirm: Record<string, SignalRef[]> = {};
  for (const s of report.signals) (signalsByFirm[s.creditCode] ??= []).push({ code: s.code, severity: s.severity, typology: s.typology, group: s.group });
  writeFileSync(join(work, FILES.fraud), JSON.stringify({ asOf: options.asOf, signals: signalsByFirm }));
  options.onProgress?.('entries');
  const table = await readEntries(options.datasetDir, featureFile, asOfDay);
  if (table.codes.length !== shardCodes.length || table.codes.some((c, k) => c !== shardCodes[k])) {
    throw new Error('the feature table and the compact dossiers disagree on the enterprises or their order');
  }
  writeFileSync(join(work, FILES.codes), table.codes.join(''), 'latin1');
  writeFileSync(join(work, FILES.entries), new Uint8Array(table.entries.buffer));
  writeFileSync(join(work, FILES.counterparties), table.counterparties.join(''), 'latin1');
  const reference = readIndustryReference(featureFile);
  const manifest: Manifest = {
    format: SNAPSHOT_FORMAT, id, datasetDir: options.datasetDir, datasetHash, asOf: options.asOf, builtAt: (options.clock ?? (() => new Date().toISOString()))(),
    rows: table.codes.length, enterprises: table.registered, featureIds: FEATURES.map((f) => f.id), dictionaries: table.dictionaries,
    reference: [...reference.vatBurdenMedian].map(([group, vatBurdenMedian]) => ({ group, vatBurdenMedian })),
    fraud: { windowMonths: report.windowMonths, network: report.network, signals: report.signals.length, flagged: report.enterprises.length },
    counterparties: table.counterparties.length, bytes: {},
  };
  for (const name of [FILES.codes, FILES.entries, FILES.dossiers, FILES.dossierOffsets, FILES.fraud, FILES.counterparties]) manifest.bytes[name] = statSync(join(work, name)).size;
  writeFileSync(join(work, FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
  // The feature table stays in the snapshot (with its reference file) for batch work on the same date.
  if (!existsSync(referenceFileOf(featureFile))) throw new Error('the feature job wrote no industry reference');
}

interface EntryTable { codes: string[]; entries: Float64Array; registered: number; dictionaries: Record<string, string[]>; counterparties: string[] }

/** Features and profile of every enterprise, in credit-code order, as rows of doubles (codes for text). */
async function readEntries(datasetDir: string, featureFile: string, asOfDay: number): Promise<EntryTable> {
  const files = datasetFiles(datasetDir);
  const enterprises = files.find((f) => f.entity === 'enterprises')!;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    const [count] = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${featureTableSource(featureFile)}`)).getRowObjectsJS();
    const rows = Number(count!.n);
    const entries = new Float64Array(rows * ENTRY_WIDTH).fill(Number.NaN);
    const codes: string[] = [];
    const dictionaries: Record<string, string[]> = {};
    const lookups = new Map<string, Map<string, number>>();
    const codeOf = (field: string, value: string): number => {
      let lookup = lookups.get(field);
      if (!lookup) { lookups.set(field, (lookup = new Map())); dictionaries[field] = []; }
      let code = lookup.get(value);
      if (code === undefined) { code = lookup.size; lookup.set(value, code); dictionaries[field]!.push(value); }
      return code;
    };
    const sql = `SELECT f.creditCode, e.status, e.taxpayerType, e.industrySection, e.regionCode, CAST(e.establishedDate AS VARCHAR) AS establishedDate,
      ${FEATURES.map((f) => `f.${f.id}`).join(', ')} FROM ${featureTableSource(featureFile)} f JOIN ${tableSource(enterprises.path)} e USING (creditCode) ORDER BY f.creditCode`;
    const result = await connection.stream(sql);
    let row = 0;
    let registered = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const column = (c: number) => chunk.getColumnValues(c) as unknown[];
      const chunkCodes = column(0) as string[];
      const profile = PROFILE_FIELDS.slice(0, 4).map((_, k) => column(k + 1) as string[]);
      const established = column(5) as string[];
      const features = FEATURES.map((_, k) => column(k + 6));
      for (let r = 0; r < chunk.rowCount; r++, row++) {
        const code = chunkCodes[r]!;
        if (code.length !== CREDIT_CODE_LENGTH || !/^[\x21-\x7e]+$/.test(code)) throw new Error(`credit code ${JSON.stringify(code)} is not 18 ASCII characters`);
        codes.push(code);
        const base = row * ENTRY_WIDTH;
        FEATURES.forEach((f, k) => {
          const value = features[k]![r];
          if (value === null || value === undefined) return;
          entries[base + k] = f.type === 'category' ? codeOf(f.id, String(value)) : Number(value);
        });
        PROFILE_FIELDS.slice(0, 4).forEach((field, k) => { entries[base + FEATURES.length + k] = codeOf(field, profile[k]![r]!); });
        const day = asOfDayOf(established[r]!);
        entries[base + FEATURES.length + 4] = day;
        if (day <= asOfDay) registered++;
      }
    }
    if (row !== rows) throw new Error(`read ${row} of ${rows} feature rows`);
    const hasInvoices = files.some((f) => f.entity === 'invoices');
    const counterparties = hasInvoices ? (await connection.runAndReadAll(`SELECT code FROM (SELECT sellerCode AS code FROM ${tableSource(files.find((f) => f.entity === 'invoices')!.path)}
      UNION SELECT buyerCode FROM ${tableSource(files.find((f) => f.entity === 'invoices')!.path)}) ORDER BY code`)).getRowObjectsJS().map((r) => String(r.code)) : [];
    for (const code of counterparties) if (code.length !== CREDIT_CODE_LENGTH) throw new Error(`counterparty code ${JSON.stringify(code)} is not 18 characters`);
    return { codes, entries, registered, dictionaries, counterparties };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function readExact(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new SnapshotInvalidError(`snapshot file ended early at byte ${position + done}`);
    done += n;
  }
  return buffer;
}

/** An open snapshot. Cheap to open (the manifest, the sorted codes and the fraud summaries); entries are read on demand. */
export class Snapshot {
  readonly info: SnapshotInfo;
  readonly asOfDay: number;
  readonly reference: IndustryReference;
  private readonly codes: string;
  private readonly rows: number;
  private readonly entriesFd: number;
  private dossiersFd: number | null = null;
  private dossierOffsets: Float64Array | null = null;
  private counterpartyCodes: string | null = null;
  private readonly signals: ReadonlyMap<string, readonly SignalRef[]>;
  private readonly summaries = new Map<string, FraudSummary | null>();
  /** Refreshed entries read from the refresh folder, with the file version they came from. */
  private readonly refreshed = new Map<string, { entry: SnapshotEntry; version: string }>();
  /** Where refreshed entries live, one file per enterprise, shared by every process that opens the snapshot. */
  readonly refreshDir: string;

  constructor(readonly dir: string, private readonly manifest: Manifest) {
    this.info = { id: manifest.id, datasetDir: manifest.datasetDir, asOf: manifest.asOf, builtAt: manifest.builtAt, enterprises: manifest.enterprises, dir };
    this.asOfDay = asOfDayOf(manifest.asOf);
    this.reference = { asOf: manifest.asOf, vatBurdenMedian: new Map(manifest.reference.map((g) => [g.group, g.vatBurdenMedian])) };
    this.rows = manifest.rows;
    this.codes = readFileSync(join(dir, FILES.codes), 'latin1');
    const fraud = JSON.parse(readFileSync(join(dir, FILES.fraud), 'utf8')) as { asOf: string; signals: Record<string, SignalRef[]> };
    if (fraud.asOf !== manifest.asOf) throw new SnapshotInvalidError(`${dir}: its fraud results are as of ${fraud.asOf}, not ${manifest.asOf}`);
    this.signals = new Map(Object.entries(fraud.signals));
    this.entriesFd = openSync(join(dir, FILES.entries), 'r');
    this.refreshDir = join(dir, REFRESH_DIR);
  }

  private refreshFileOf(creditCode: string): string {
    return join(this.refreshDir, `${creditCode}.json`);
  }

  /** The refreshed entry of an enterprise, if any process refreshed it (one stat per call: cheap, and always current). */
  private refreshedOf(creditCode: string): SnapshotEntry | null {
    if (creditCode.length !== CREDIT_CODE_LENGTH || !/^[0-9A-Z]+$/.test(creditCode)) return null;
    const path = this.refreshFileOf(creditCode);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) {
      this.refreshed.delete(creditCode);
      return null;
    }
    const version = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    const cached = this.refreshed.get(creditCode);
    if (cached && cached.version === version) return cached.entry;
    const { entry } = readRefreshFile(path, this.info.id);
    this.refreshed.set(creditCode, { entry, version });
    return entry;
  }

  /**
   * New facts for one enterprise: its dossier, features and enterprise-local fraud signals are rebuilt
   * (see snapshot-refresh.ts for what is and is not refreshed) and kept in the refresh folder, where every
   * process that opens this snapshot finds them. Facts accumulate across calls by natural key.
   */
  async refreshEnterprise(creditCode: string, facts: readonly Fact[]): Promise<{ entry: SnapshotEntry; factsHeld: number; ignored: number }> {
    const checked = checkFacts(facts);
    this.entry(creditCode, { snapshotOnly: true }); // unknown or not yet registered: refused before any work
    mkdirSync(this.refreshDir, { recursive: true });
    return withLock(join(this.refreshDir, `${creditCode}.lock`), async () => {
      const path = this.refreshFileOf(creditCode);
      const earlier = existsSync(path) ? readRefreshFile(path, this.info.id).facts : [];
      const outcome = await refreshedEntry(this, creditCode, [...earlier, ...checked]);
      const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(temporary, JSON.stringify({ snapshotId: this.info.id, creditCode, entry: outcome.entry, signals: outcome.signals, facts: outcome.facts }));
      renameSync(temporary, path);
      this.refreshed.delete(creditCode);
      return { entry: outcome.entry, factsHeld: outcome.facts.length, ignored: outcome.ignored };
    });
  }

  /** Row of a credit code in the sorted code file, or -1. */
  private rowOf(creditCode: string): number {
    if (creditCode.length !== CREDIT_CODE_LENGTH) return -1;
    let low = 0;
    let high = this.rows - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const code = this.codes.slice(mid * CREDIT_CODE_LENGTH, (mid + 1) * CREDIT_CODE_LENGTH);
      if (code === creditCode) return mid;
      if (code < creditCode) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  private entryRow(row: number): Float64Array {
    const bytes = readExact(this.entriesFd, ENTRY_WIDTH * 8, row * ENTRY_WIDTH * 8);
    return new Float64Array(bytes.buffer, bytes.byteOffset, ENTRY_WIDTH);
  }

  /** Every credit code the snapshot holds (registered by the as-of date or not), in sorted order. */
  creditCodes(): string[] {
    const codes: string[] = new Array(this.rows);
    for (let k = 0; k < this.rows; k++) codes[k] = this.codes.slice(k * CREDIT_CODE_LENGTH, (k + 1) * CREDIT_CODE_LENGTH);
    return codes;
  }

  /** Whether a decision can be asked for this enterprise: in the dataset and registered by the as-of date. */
  has(creditCode: string): boolean {
    if (this.refreshedOf(creditCode)) return true;
    const row = this.rowOf(creditCode);
    return row >= 0 && this.entryRow(row)[FEATURES.length + 4]! <= this.asOfDay;
  }

  /** The enterprise's entry: its profile, features and fraud summary as of the snapshot's date. */
  entry(creditCode: string, options: { snapshotOnly?: boolean } = {}): SnapshotEntry {
    const refreshed = options.snapshotOnly ? null : this.refreshedOf(creditCode);
    if (refreshed) return structuredClone(refreshed);
    const row = this.rowOf(creditCode);
    if (row < 0) throw new UnknownEnterpriseError(`no enterprise with credit code ${creditCode} in snapshot ${this.info.id}`);
    const values = this.entryRow(row);
    const establishedDay = values[FEATURES.length + 4]!;
    if (establishedDay > this.asOfDay) throw new UnknownEnterpriseError(`${creditCode} was registered on ${isoDateOfDay(establishedDay)}, after the snapshot's date ${this.info.asOf}`);
    const dictionaries = this.manifest.dictionaries;
    const features: Record<string, FeatureValue> = {};
    for (let k = 0; k < FEATURES.length; k++) {
      const f = FEATURES[k]!;
      const value = values[k]!;
      features[f.id] = Number.isNaN(value) ? null : f.type === 'category' ? dictionaries[f.id]![value]! : value;
    }
    const text = (field: ProfileField) => dictionaries[field]![values[FEATURES.length + PROFILE_FIELDS.indexOf(field)]!]!;
    return {
      creditCode, enterprise: { creditCode, status: text('status'), taxpayerType: text('taxpayerType'), industrySection: text('industrySection'), regionCode: text('regionCode') },
      establishedDate: isoDateOfDay(establishedDay), features, fraud: this.fraudOf(creditCode), refreshed: false,
    };
  }

  /** The snapshot's fraud signals of an enterprise (as built; a refresh keeps its own). */
  signalsOf(creditCode: string): readonly SignalRef[] {
    return this.signals.get(creditCode) ?? [];
  }

  private fraudOf(creditCode: string): FraudSummary | null {
    if (!this.summaries.has(creditCode)) this.summaries.set(creditCode, summaryOf(this.signalsOf(creditCode)));
    const summary = this.summaries.get(creditCode)!;
    return summary ? { ...summary, codes: [...summary.codes] } : null;
  }

  /** The enterprise's compact dossier as the snapshot holds it (facts dated by asOf; invoices of the feature window). */
  compactDossier(creditCode: string): CompactDossier {
    const row = this.rowOf(creditCode);
    if (row < 0) throw new UnknownEnterpriseError(`no enterprise with credit code ${creditCode} in snapshot ${this.info.id}`);
    if (this.dossiersFd === null) {
      this.dossiersFd = openSync(join(this.dir, FILES.dossiers), 'r');
      const bytes = readFileSync(join(this.dir, FILES.dossierOffsets));
      this.dossierOffsets = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8).slice();
    }
    const from = this.dossierOffsets![row]!;
    const to = this.dossierOffsets![row + 1]!;
    try {
      return decodeDossier(readExact(this.dossiersFd, to - from, from));
    } catch (error) {
      if (error instanceof PuhuiUserError) throw error;
      throw new SnapshotInvalidError(`${this.dir}: the dossier of ${creditCode} is corrupt: ${(error as Error).message}`);
    }
  }

  /** The counterparty id the snapshot's compact invoices use for a credit code, or -1 when it never invoiced. */
  counterpartyId(creditCode: string): number {
    this.counterpartyCodes ??= readFileSync(join(this.dir, FILES.counterparties), 'latin1');
    const n = this.manifest.counterparties;
    let low = 0;
    let high = n - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const code = this.counterpartyCodes.slice(mid * CREDIT_CODE_LENGTH, (mid + 1) * CREDIT_CODE_LENGTH);
      if (code === creditCode) return mid;
      if (code < creditCode) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  get counterpartyCount(): number {
    return this.manifest.counterparties;
  }

  /** Closes the files; returns the info for convenience. */
  close(): SnapshotInfo {
    closeSync(this.entriesFd);
    if (this.dossiersFd !== null) closeSync(this.dossiersFd);
    this.dossiersFd = null;
    return this.info;
  }
}

export const REFRESH_DIR = 'refreshed';
/** How long a refresh waits for another process refreshing the same enterprise, and when a lock counts as abandoned. */
export const REFRESH_LOCK_WAIT_MS = 10_000;
export const REFRESH_LOCK_STALE_MS = 60_000;
const LOCK_POLL_MS = 5;

export class SnapshotBusyError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'snapshot_busy');
  }
}

function readRefreshFile(path: string, snapshotId: string): { entry: SnapshotEntry; facts: KeptFact[] } {
  let file: { snapshotId: string; entry: SnapshotEntry; facts: KeptFact[] };
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
  } catch (error) {
    throw new SnapshotInvalidError(`${path}: a refreshed entry that cannot be read: ${(error as Error).message}`);
  }
  if (file.snapshotId !== snapshotId || !file.entry || !Array.isArray(file.facts)) throw new SnapshotInvalidError(`${path} is not a refreshed entry of snapshot ${snapshotId}`);
  return { entry: file.entry, facts: file.facts };
}

/** Runs `work` holding an exclusive lock file (created with O_EXCL), so refreshes of one enterprise never interleave across processes. */
async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + REFRESH_LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(lockFile, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > REFRESH_LOCK_STALE_MS) { rmSync(lockFile, { force: true }); continue; }
      if (Date.now() > deadline) throw new SnapshotBusyError(`another process has been refreshing this enterprise for over ${REFRESH_LOCK_WAIT_MS / 1000} s; try again`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function readManifestOf(dir: string): Manifest {
  const path = join(dir, FILES.manifest);
  if (!existsSync(dir)) throw new SnapshotInvalidError(`no snapshot folder ${dir}`);
  if (!existsSync(path)) throw new SnapshotInvalidError(`${dir} is not a snapshot: it has no ${FILES.manifest}`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new SnapshotInvalidError(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== SNAPSHOT_FORMAT) throw new SnapshotInvalidError(`${dir} is a snapshot of format ${String(manifest.format)}, this Puhui reads ${SNAPSHOT_FORMAT}`);
  const ids = FEATURES.map((f) => f.id).join(',');
  if (!Array.isArray(manifest.featureIds) || manifest.featureIds.join(',') !== ids) throw new SnapshotInvalidError(`${dir} was built with another feature catalogue: build it again`);
  if (basename(dir) !== manifest.id) throw new SnapshotInvalidError(`${dir} holds snapshot ${manifest.id}: its folder was renamed`);
  return manifest;
}

/** Opens a snapshot folder, checking that its files are whole (sizes as built); throws SnapshotInvalidError otherwise. */
export function openSnapshot(dir: string): Snapshot {
  const folder = resolve(dir);
  const manifest = readManifestOf(folder);
  const expected: Record<string, number> = {
    [FILES.codes]: manifest.rows * CREDIT_CODE_LENGTH, [FILES.entries]: manifest.rows * ENTRY_WIDTH * 8, [FILES.dossierOffsets]: (manifest.rows + 1) * 8,
    [FILES.counterparties]: manifest.counterparties * CREDIT_CODE_LENGTH,
  };
  for (const [name, bytes] of Object.entries(manifest.bytes ?? {})) {
    const path = join(folder, name);
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size !== bytes || (expected[name] !== undefined && expected[name] !== bytes)) throw new SnapshotInvalidError(`${folder}: ${name} is ${size < 0 ? 'missing' : `${size} bytes, not ${bytes}`}: the snapshot is damaged, build it again`);
  }
  for (const name of Object.keys(expected)) if (manifest.bytes?.[name] === undefined) throw new SnapshotInvalidError(`${folder}: the manifest does not list ${name}`);
  try {
    return new Snapshot(folder, manifest);
  } catch (error) {
    if (error instanceof PuhuiUserError) throw error;
    throw new SnapshotInvalidError(`${folder}: cannot open: ${(error as Error).message}`);
  }
}
