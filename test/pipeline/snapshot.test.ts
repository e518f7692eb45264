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
});

test('building again finds the same snapshot instead of building it twice', async () => {
  const again = await buildSnapshot({ datasetDir, asOf, outDir: join(root, 'snapshots') });
  assert.deepEqual(again, info);
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
