import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULT_FRAUD_POLICY_FILE, FraudPolicyError, identityClusters, loadFraudPolicy, parseFraudPolicy, withOverrides } from '../../src/fraud/index.ts';
import { temporaryDir } from '../support/economy.ts';

const shipped = JSON.parse(readFileSync(DEFAULT_FRAUD_POLICY_FILE, 'utf8')) as Record<string, unknown>;

test('the shipped policy is valid and named by version and the SHA-256 of its canonical JSON, whatever the key order', () => {
  const policy = loadFraudPolicy();
  assert.equal(policy.document.version, shipped.version);
  assert.match(policy.hash, /^[0-9a-f]{64}$/);
  const reordered = Object.fromEntries(Object.entries(shipped).reverse());
  assert.equal(parseFraudPolicy(reordered, 'reordered').hash, policy.hash);
  const changed = { ...shipped, rings: { ...(shipped.rings as object), suspicionMin: 0.3 } };
  assert.notEqual(parseFraudPolicy(changed, 'changed').hash, policy.hash);
});

test('a bad policy is refused with every problem at once, each with its path', () => {
  const bad = {
    ...shipped, windowMonths: 0, extra: true,
    rings: { ...(shipped.rings as object), lengthMax: 500, commissionPerHopMax: -0.1 },
    passThrough: { ratioMin: 1.2, ratioMax: 1.03, uninvoicedShareMax: 0.02, burdenMax: 0.04 },
  };
  const error = (() => { try { parseFraudPolicy(bad, 'bad.json'); } catch (e) { return e; } return null; })();
  assert.ok(error instanceof FraudPolicyError);
  assert.equal(error.code, 'fraud_policy');
  const paths = error.problems.map((p) => p.split(':')[0]);
  for (const path of ['windowMonths', 'rings.lengthMax', 'rings.commissionPerHopMax', '(document)']) assert.ok(paths.includes(path), `${path} in ${JSON.stringify(error.problems)}`);
});

test('overrides from the command line are validated and marked in the version', () => {
  const policy = withOverrides(loadFraudPolicy(), { windowMonths: 6, lengthMax: 10 });
  assert.equal(policy.document.windowMonths, 6);
  assert.equal(policy.document.rings.lengthMax, 10);
  assert.match(policy.document.version, /\+windowMonths=6,lengthMax=10$/);
  assert.throws(() => withOverrides(loadFraudPolicy(), { lengthMax: 1000 }), FraudPolicyError);
});

test('puhui fraud --policy with a bad file ends with one line naming every problem and exit code 2', () => {
  const dir = temporaryDir('fraud-policy');
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ ...shipped, windowMonths: 99, rings: { ...(shipped.rings as object), suspicionMin: 2 } }));
  const run = spawnSync(process.execPath, ['bin/puhui.js', 'fraud', dir, '--as-of', '2025-10-01', '--policy', file], { encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /windowMonths/);
  assert.match(lines[0]!, /rings\.suspicionMin/);
});

const limits = { hubMembersMin: 4, placeholderValues: ['d41d8cd98f00b204'] };

test('links enterprises that share a legal representative, phone or address, transitively', () => {
  const { clusters } = identityClusters([
    { creditCode: 'A', legalRepIdHash: 'p1', phoneHash: 't1', addressHash: 'a1' },
    { creditCode: 'B', legalRepIdHash: 'p1', phoneHash: 't2', addressHash: 'a2' },
    { creditCode: 'C', legalRepIdHash: 'p3', phoneHash: 't2', addressHash: 'a3' },
    { creditCode: 'D', legalRepIdHash: 'p4', phoneHash: 't4', addressHash: 'a4' },
    { creditCode: 'E', legalRepIdHash: 'p5', phoneHash: 't5', addressHash: 'a4' },
  ], limits);
  assert.deepEqual(clusters.map((c) => [c.members, c.sharedBy]), [[['A', 'B', 'C'], ['legal representative', 'phone']], [['D', 'E'], ['address']]]);
});

test('a registered-agent address is a hub of its own, and placeholder hashes link nobody', () => {
  const records = Array.from({ length: 3000 }, (_, k) => ({
    creditCode: `F${String(k).padStart(4, '0')}`, legalRepIdHash: `p${k}`,
    phoneHash: k % 2 === 0 ? 'd41d8cd98f00b204' : `t${k}`, // half the firms without a phone, hashed empty
    addressHash: k < 2500 ? 'agent-address' : `a${k}`, // 2,500 firms registered at one agent's address
  }));
  records[2990]!.legalRepIdHash = 'shared'; records[2991]!.legalRepIdHash = 'shared'; records[2993]!.phoneHash = 't2991';
  const found = identityClusters(records, limits);
  assert.deepEqual(found.clusters.map((c) => c.members), [['F2990', 'F2991', 'F2993']]);
  assert.equal(found.hubs.length, 1);
  assert.equal(found.hubs[0]!.kind, 'address');
  assert.equal(found.hubs[0]!.members.length, 2500);
  assert.deepEqual(found.placeholders, [{ kind: 'phone', value: 'd41d8cd98f00b204', firms: 1500 }]);
  const zeros = identityClusters([{ creditCode: 'A', legalRepIdHash: '0000000000000000', phoneHash: '', addressHash: 'x' }, { creditCode: 'B', legalRepIdHash: '0000000000000000', phoneHash: '', addressHash: 'y' }], limits);
  assert.deepEqual(zeros.clusters, []);
  assert.deepEqual(zeros.placeholders.map((p) => p.kind).sort(), ['legal representative', 'phone']);
});
