/**
 * The online decision path on a small synthetic economy (600 firms): a snapshot built once decides every
 * enterprise exactly as the batch `puhui decide --all` path does (scorecard, live challenger), decision
 * records replay, and bad requests or damaged snapshots are user errors with stable codes.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { prepareDataset, type PreparedDataset } from '../../src/decision/dataset.ts';
import { DecisionService, type DecisionRecord } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { checkExperiment } from '../../src/decision/split.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { PuhuiUserError } from '../../src/domain/errors.ts';
import { addMonths } from '../../src/domain/period.ts';
import { DatasetReader } from '../../src/data/index.ts';
import { computeFeatures, computeFeatureVector, FEATURES } from '../../src/features/index.ts';
import { buildSnapshot, openSnapshot, type Snapshot, type SnapshotInfo } from '../../src/pipeline/snapshot.ts';
import { decideOnline, disposeOnlineEngine, replayDecision, type OnlineDecisionRecord } from '../../src/pipeline/online.ts';
import { economy, temporaryDir } from '../support/economy.ts';
import { puhui } from '../support/cli.ts';

const CHAMPION = 'strategies/tax-loan.json';
const CHALLENGER = 'strategies/tax-loan-challenger.json';
const SHARE = 0.3;

const root = temporaryDir('snapshot');
const { dir: datasetDir, config } = economy({ enterprises: 600 });
const asOf = JSON.parse(readFileSync(join(datasetDir, 'manifest.json'), 'utf8')).observationDate as string;
const modelFile = join(root, 'scorecard.json');
let info: SnapshotInfo;
let snapshot: Snapshot;
let prepared: PreparedDataset;
let batch: DecisionRecord[];

before(async () => {
  info = await buildSnapshot({ datasetDir, asOf, outDir: join(root, 'snapshots'), workers: 1 });
  snapshot = openSnapshot(info.dir);
  // A scorecard trained on the snapshot's own feature table, so decisions carry grades, limits and prices.
  const trained = puhui('train', '--features', join(info.dir, 'features.parquet'), '--labels', join(datasetDir, 'labels.csv'), '--as-of', asOf, '--out', modelFile, '--max-bins', '3', '--min-bin-share', '0.15', '--stepwise', 'forward', '--json');
  assert.equal(trained.code, 0, trained.stderr);
  prepared = await prepareDataset({ datasetDir, asOf, modelFile, application: { product: 'tax_loan', amountFen: null, termMonths: null }, workers: 1 });
  const engine = new StrategyEngine();
  try {
    const experiment = checkExperiment({ id: 'tax-loan@1-vs-challenger', challenger: loadStrategy(CHALLENGER), share: SHARE, mode: 'live' });
    batch = await new DecisionService(engine, { champion: loadStrategy(CHAMPION), experiment }).decideMany(prepared.applicants);
  } finally {
    engine.dispose();
  }
});

after(() => {
  snapshot?.close();
  disposeOnlineEngine();
});

test('a snapshot decides every enterprise exactly as the batch path does, champion and live challenger alike', async () => {
  assert.equal(info.enterprises, prepared.applicants.length);
  assert.ok(info.enterprises > 0.9 * config.enterprises, `${info.enterprises} registered of ${config.enterprises}`);
  const outcomes = new Map<string, number>();
  for (const expected of batch) {
    const online = await decideOnline(snapshot, { creditCode: expected.creditCode }, { strategy: CHAMPION, challenger: CHALLENGER, share: SHARE, mode: 'live', experimentId: 'tax-loan@1-vs-challenger', modelFile });
    const { snapshot: used, experiment, ...record } = online;
    assert.deepEqual(record, expected, expected.creditCode);
    assert.deepEqual(used, { id: info.id, asOf, refreshed: false });
    assert.deepEqual(experiment, { id: 'tax-loan@1-vs-challenger', share: SHARE, mode: 'live' });
    outcomes.set(record.decision.outcome, (outcomes.get(record.decision.outcome) ?? 0) + 1);
  }
  assert.deepEqual([...outcomes.keys()].sort(), ['approve', 'decline', 'review'], JSON.stringify([...outcomes]));
  const challengerShare = batch.filter((r) => r.arm === 'challenger').length / batch.length;
  assert.ok(Math.abs(challengerShare - SHARE) < 0.07, `challenger acts for ${challengerShare}`);
  assert.ok(batch.some((r) => r.fraud.high > 0), 'some enterprise carries a high fraud signal');
});

test('decision records replay: the same verdict, reasons and trace; an altered record is found out', async () => {
  const approved = batch.find((r) => r.decision.outcome === 'approve')!;
  const record = await decideOnline(snapshot, { creditCode: approved.creditCode, amountFen: 50_000_000, termMonths: 12 }, { challenger: CHALLENGER, modelFile, trace: true });
  assert.ok(record.decision.trace && record.decision.trace.length > 0);
  assert.equal(record.application.amountFen, 50_000_000);
  // A record travels as JSON (a database row, an HTTP body): replay from the parsed copy.
  const stored = JSON.parse(JSON.stringify(record)) as OnlineDecisionRecord;
  const replay = await replayDecision(stored);
  assert.equal(replay.agrees, true, replay.differences.join('\n'));
  assert.equal(replay.replayed.decision.limitFen, record.decision.limitFen);
  const altered = { ...stored, decision: { ...stored.decision, limitFen: stored.decision.limitFen + 100 } };
  const disagreement = await replayDecision(altered);
  assert.equal(disagreement.agrees, false);
  assert.match(disagreement.differences.join('\n'), /decision\.limitFen/);
  const otherInputs = { ...stored, features: { ...stored.features, vat_tax_paid_12m: 0 } };
  assert.equal((await replayDecision(otherInputs)).agrees, false, 'a record whose inputs were changed does not replay');
  // An analyst edits the strategy file in place: the next decision uses the new version, the old record still replays by its hash.
  const edited = join(root, 'tax-loan-edited.json');
  const document = JSON.parse(readFileSync(CHAMPION, 'utf8'));
  writeFileSync(edited, JSON.stringify(document));
  const first = await decideOnline(snapshot, { creditCode: approved.creditCode }, { strategy: edited, modelFile });
  writeFileSync(edited, JSON.stringify({ ...document, puhui: { ...document.puhui, version: `${document.puhui.version}-edited` } }));
  const second = await decideOnline(snapshot, { creditCode: approved.creditCode }, { strategy: edited, modelFile });
  assert.notEqual(second.decision.strategy.hash, first.decision.strategy.hash);
  assert.equal(second.decision.strategy.version, `${document.puhui.version}-edited`);
  assert.equal((await replayDecision(JSON.parse(JSON.stringify(first)))).agrees, true);
});

test('building again finds the same snapshot instead of building it twice', async () => {
  const again = await buildSnapshot({ datasetDir, asOf, outDir: join(root, 'snapshots') });
  assert.deepEqual(again, info);
  const command = puhui('snapshot', datasetDir, '--as-of', asOf, '--out', join(root, 'snapshots'), '--json');
  assert.equal(command.code, 0, command.stderr);
  assert.deepEqual({ ...JSON.parse(command.stdout), seconds: 0 }, { ...info, seconds: 0 });
  for (const args of [['snapshot', join(root, 'no-dataset'), '--as-of', asOf], ['snapshot', datasetDir, '--as-of', '2025-02-30'], ['snapshot']]) {
    const bad = puhui(...args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
  const reopened = openSnapshot(info.dir);
  assert.equal(reopened.has(batch[0]!.creditCode), true);
  reopened.close();
});

test('unknown enterprises, bad applications and damaged snapshots are user errors with stable codes', async () => {
  const codeOf = async (run: () => unknown): Promise<string> => {
    try {
      await run();
    } catch (error) {
      assert.ok(error instanceof PuhuiUserError, String(error));
      return error.code;
    }
    return 'no error';
  };
  assert.equal(snapshot.has('91330106MA2AB3CD0X'), false);
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: '91330106MA2AB3CD0X' })), 'not_found');
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: 'nonsense' })), 'not_found');
  const known = batch[0]!.creditCode;
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: known, amountFen: -5 })), 'application');
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: known, termMonths: 0.5 })), 'application');
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: known, product: 'mortgage' })), 'application');
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: known }, { share: 0.2 })), 'application');
  assert.equal(await codeOf(() => decideOnline(snapshot, { creditCode: known, product: '../package' })), 'application');
  const invoiceLoan = await decideOnline(snapshot, { creditCode: known.toLowerCase(), product: 'invoice_loan' });
  assert.equal(invoiceLoan.decision.strategy.product, 'invoice_loan');
  assert.equal(invoiceLoan.creditCode, known);
  assert.equal(await codeOf(() => openSnapshot(join(root, 'no-such-snapshot'))), 'snapshot_invalid');
  assert.equal(await codeOf(() => openSnapshot(datasetDir)), 'snapshot_invalid');
  const damaged = join(temporaryDir('snapshot-damaged'), info.id);
  cpSync(info.dir, damaged, { recursive: true });
  truncateSync(join(damaged, 'entries.f64'), 1000);
  assert.equal(await codeOf(() => openSnapshot(damaged)), 'snapshot_invalid');
  const garbled = join(temporaryDir('snapshot-garbled'), info.id);
  cpSync(info.dir, garbled, { recursive: true });
  writeFileSync(join(garbled, 'snapshot.json'), '{"format": "puhui-snapshot/1", ');
  assert.equal(await codeOf(() => openSnapshot(garbled)), 'snapshot_invalid');
});

test('each compact dossier of the snapshot gives back its feature entry', () => {
  for (const expected of prepared.applicants) {
    const code = expected.enterprise.creditCode;
    const vector = computeFeatureVector(snapshot.compactDossier(code), snapshot.asOfDay, snapshot.reference);
    assert.deepEqual(Object.fromEntries(FEATURES.map((f, k) => [f.id, vector[k]])), snapshot.entry(code).features, code);
  }
});

/** A copy of the snapshot to refresh, so the tests above keep reading the snapshot as built. */
function snapshotCopy(): Snapshot {
  const copy = join(temporaryDir('snapshot-refresh'), info.id);
  cpSync(info.dir, copy, { recursive: true });
  return openSnapshot(copy);
}

test('a refresh with no new facts keeps every feature and, through the batch anti-fraud code, every fraud signal', async () => {
  const copy = snapshotCopy();
  try {
    const network = (code: string) => code === 'FR_RING' || code === 'FR_SHELL_CLUSTER';
    const local = prepared.applicants.filter((a) => a.fraud?.codes.some((c) => !network(c))).slice(0, 3);
    const ringOrShell = prepared.applicants.filter((a) => a.fraud?.codes.some(network)).slice(0, 1);
    assert.ok(local.length === 3 && ringOrShell.length === 1, 'enterprises with local and with network signals');
    for (const applicant of [...local, ...ringOrShell, prepared.applicants.find((a) => a.fraud === null)!]) {
      const code = applicant.enterprise.creditCode;
      const { entry } = await copy.refreshEnterprise(code, []);
      const built = copy.entry(code, { snapshotOnly: true });
      assert.deepEqual({ ...entry, refreshed: false }, built, code);
      assert.equal(copy.entry(code).refreshed, true);
    }
  } finally {
    copy.close();
  }
});

test('new facts refresh one enterprise as its dossier with them would compute; facts after the as-of date are ignored; other processes see it', async () => {
  const copy = snapshotCopy();
  const reader = await DatasetReader.open(datasetDir);
  try {
    const code = prepared.applicants.find((a) => a.fraud === null && a.enterprise.taxpayerType === 'general')!.enterprise.creditCode;
    const dossier = await reader.dossier(code);
    const filed = dossier.vatReturns.filter((r) => r.filedDate <= asOf);
    const lastPeriod = filed.map((r) => r.periodStart).sort().at(-1)!;
    const latest = filed.filter((r) => r.periodStart === lastPeriod).sort((a, b) => b.revision - a.revision)[0]!;
    // A correction (更正申报) a month before the date: more sales declared, the tax paid cut (a refund).
    const correction = { ...latest, revision: latest.revision + 1, taxableSalesFen: latest.taxableSalesFen + 50_000_000, taxPaidFen: Math.floor(latest.taxPaidFen / 2),
      filedDate: `${addMonths(asOf.slice(0, 7), -1)}-05`, late: false, correctedFields: 'taxableSalesFen;taxPaidFen' };
    const buyer = dossier.salesInvoices[0]!.buyerCode;
    const invoice = { invoiceNumber: '99999999999999990001', sellerCode: code, buyerCode: buyer, issueDate: `${addMonths(asOf.slice(0, 7), -1)}-12`, amountFen: 12_345_600,
      taxFen: 1_604_928, taxRateBps: 1300, kind: 'special' as const, status: 'normal' as const, originalInvoiceNumber: null, goodsCategory: dossier.enterprise.industryDivision };
    const future = { ...invoice, invoiceNumber: '99999999999999990002', issueDate: `${asOf.slice(0, 8)}20`, amountFen: 900_000_000, taxFen: 117_000_000 };
    const before = copy.entry(code);
    const result = await copy.refreshEnterprise(code, [{ entity: 'vatReturns', row: correction }, { entity: 'invoices', row: invoice }, { entity: 'invoices', row: future }]);
    assert.equal(result.ignored, 1);
    assert.equal(result.factsHeld, 2);
    const expected = computeFeatures({ ...dossier, vatReturns: [...dossier.vatReturns, correction], salesInvoices: [...dossier.salesInvoices, invoice] }, asOf, copy.reference);
    assert.deepEqual(result.entry.features, expected);
    assert.notDeepEqual(result.entry.features, before.features);
    assert.ok(result.entry.fraud?.codes.includes('FR_TAX_REFUNDED'), JSON.stringify(result.entry.fraud));
    // The same facts again change nothing (merged by natural key); a second process opening the snapshot sees the refresh.
    const again = await copy.refreshEnterprise(code, [{ entity: 'invoices', row: invoice }]);
    assert.deepEqual(again.entry, result.entry);
    const other = openSnapshot(copy.dir);
    assert.deepEqual(other.entry(code), result.entry);
    const decided = await decideOnline(other, { creditCode: code }, { modelFile });
    assert.equal(decided.snapshot.refreshed, true);
    assert.ok(decided.fraud.codes.includes('FR_TAX_REFUNDED'));
    assert.equal((await replayDecision(decided)).agrees, true);
    other.close();
  } finally {
    reader.close();
    copy.close();
  }
});

test('facts that are malformed or about someone else are refused with stable codes', async () => {
  const copy = snapshotCopy();
  try {
    const [first, second] = prepared.applicants.map((a) => a.enterprise.creditCode);
    const bank = { creditCode: first!, month: addMonths(asOf.slice(0, 7), -1), inflowFen: 100, outflowFen: 50, endBalanceFen: 10, inflowCount: 1, inflowCounterparties: 1, outflowCounterparties: 1, topInflowSharePermille: 1000 };
    const codeOf = async (run: () => Promise<unknown>) => run().then(() => 'no error', (error: unknown) => (error instanceof PuhuiUserError ? error.code : String(error)));
    assert.equal(await codeOf(() => copy.refreshEnterprise(first!, [{ entity: 'bankMonths', row: { ...bank, inflowFen: -1 } }])), 'fact_invalid');
    assert.equal(await codeOf(() => copy.refreshEnterprise(first!, [{ entity: 'bankMonths', row: { ...bank, month: '2025-13' } }])), 'fact_invalid');
    assert.equal(await codeOf(() => copy.refreshEnterprise(second!, [{ entity: 'bankMonths', row: bank }])), 'fact_invalid');
    assert.equal(await codeOf(() => copy.refreshEnterprise(first!, [{ entity: 'labels', row: {} }])), 'fact_invalid');
    assert.equal(await codeOf(() => copy.refreshEnterprise('91330106MA2AB3CD0X', [])), 'not_found');
    assert.equal(copy.entry(first!).refreshed, false, 'a refused refresh leaves the entry as it was');
    assert.equal((await copy.refreshEnterprise(first!, [{ entity: 'bankMonths', row: bank }])).entry.refreshed, true);
  } finally {
    copy.close();
  }
});
