/** Strategy versions compared the way an approver reads them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { diffStrategies } from '../../src/decision/diff.ts';
import { loadStrategy, parseStrategy } from '../../src/decision/strategy.ts';
import { puhui } from '../support/cli.ts';

const path = (name: string) => fileURLToPath(new URL(`../../strategies/${name}`, import.meta.url));
const document = () => JSON.parse(readFileSync(path('tax-loan.json'), 'utf8'));

test('champion against challenger: the version, the titles, the changelog and two admission thresholds, cell by cell', () => {
  const changes = diffStrategies(loadStrategy(path('tax-loan.json')), loadStrategy(path('tax-loan-challenger.json')));
  assert.deepEqual(changes.map((c) => [c.where, c.what, c.item]), [
    ['header', 'header', 'version'], ['header', 'header', 'titleEn'], ['header', 'header', 'titleZh'], ['header', 'header', 'changelog'],
    ['Admission rules 准入规则', 'rule changed', 'business_age'], ['Admission rules 准入规则', 'rule changed', 'tax_paid_low'],
  ]);
  assert.deepEqual(changes[4]!.before, { 'Age (months)': '< 24', description: 'In business 24 months or more' });
  assert.deepEqual(changes[4]!.after, { 'Age (months)': '< 12', description: 'In business 12 months or more' });
});

test('rules added, removed and reordered, expressions and settings changed, nodes and wiring; editor positions ignored', () => {
  const before = parseStrategy(document(), 'a');
  const doc = document();
  const admission = doc.nodes.find((n: { id: string }) => n.id === 'admission');
  const removed = admission.content.rules.splice(1, 1)[0];
  admission.content.rules.push({ ...removed, _id: 'industry_again' });
  [admission.content.rules[0], admission.content.rules[1]] = [admission.content.rules[1], admission.content.rules[0]];
  const product = doc.nodes.find((n: { id: string }) => n.id === 'product');
  product.content.expressions.find((e: { key: string }) => e.key === 'capFen').value = '500000000';
  product.content.expressions.push({ id: 'x', key: 'note', value: '"new"' });
  doc.nodes.find((n: { id: string }) => n.id === 'risk_band').content.hitPolicy = 'collect';
  for (const node of doc.nodes) node.position = { x: 0, y: 0 };
  const changes = diffStrategies(before, parseStrategy(doc, 'b'));
  const seen = changes.map((c) => `${c.what}:${c.item}`);
  assert.deepEqual(seen.sort(), ['expression added:note', 'expression changed:capFen', 'rule added:industry_again', 'rule removed:industry', 'rules reordered:null', 'setting changed:hitPolicy'].sort());
  assert.deepEqual(diffStrategies(before, parseStrategy(JSON.parse(JSON.stringify(document())), 'c')), []);
  const rewired = document();
  rewired.edges.pop();
  rewired.nodes.push({ id: 'extra', name: 'Extra', type: 'expressionNode', content: { expressions: [] } });
  assert.deepEqual(diffStrategies(before, parseStrategy(rewired, 'd')).map((c) => c.what), ['node added', 'edges changed']);
});

test('puhui strategy diff prints the changes', () => {
  const run = puhui('strategy', 'diff', 'strategies/tax-loan.json', 'strategies/tax-loan-challenger.json');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /6 changes[\s\S]*rule business_age changed — Age \(months\): "< 24" → "< 12"/);
});

test('a node that keeps its id and content but changes type is a change, never "no change" under a new hash', () => {
  const before = parseStrategy(document(), 'a');
  for (const [id, type] of [['admission', 'expressionNode'], ['product', 'switchNode']] as const) {
    const doc = document();
    const node = doc.nodes.find((n: { id: string }) => n.id === id);
    const beforeType = node.type;
    node.type = type;
    const after = parseStrategy(doc, 'b');
    assert.notEqual(after.hash, before.hash);
    assert.deepEqual(diffStrategies(before, after), [{ where: node.name, what: 'node type changed', item: null, before: beforeType, after: type }]);
  }
});
