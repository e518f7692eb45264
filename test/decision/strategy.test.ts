/** Strategy files: validation, identity, the embedded tests, determinism, the decision contract and engine safety. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readResult, StrategyEngine } from '../../src/decision/engine.ts';
import { engineNumber, engineSafe, type StrategyInput } from '../../src/decision/inputs.ts';
import { REASONS } from '../../src/decision/reasons.ts';
import { canonicalJson, loadStrategy, parseStrategy, StrategyError } from '../../src/decision/strategy.ts';
import { runStrategyTests } from '../../src/decision/verify.ts';
import { DecisionService, recordedInput, strategyInput } from '../../src/decision/decide.ts';
import { Rng } from '../../src/synth/random.ts';
import { applicantFrom, goodDossier } from './applicant.ts';

const engine = new StrategyEngine();
after(() => engine.dispose());
const dir = fileURLToPath(new URL('../../strategies/', import.meta.url));
// The post-loan warning strategy speaks the warning contract, not the decision contract: test/monitoring checks it.
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')).puhui?.product !== 'post_loan_warning');
const taxLoan = () => JSON.parse(readFileSync(`${dir}/tax-loan.json`, 'utf8'));

test('every strategy in strategies/ loads, is accepted by the engine and passes the tests it carries', async () => {
  assert.ok(files.length >= 3);
  const products = new Set<string>();
  for (const file of files) {
    const strategy = loadStrategy(`${dir}/${file}`);
    products.add(strategy.header.product);
    const outcomes = await runStrategyTests(engine, strategy);
    assert.ok(outcomes.length >= 4, `${file} carries its tests`);
    for (const o of outcomes) assert.ok(o.passed, `${file}: ${o.name}: ${o.problems.join('; ')}`);
  }
  assert.ok(products.size >= 2, 'one engine serves several products');
});

test('a table row that leaves out a column is refused with the table and rule named (the engine would skip it silently)', () => {
  const doc = taxLoan();
  const admission = doc.nodes.find((n: { id: string }) => n.id === 'admission');
  delete admission.content.rules[2].a_rep_age;
  assert.throws(() => parseStrategy(doc, 'x.json'), /table 'Admission rules 准入规则' rule 'business_age' has no cell for column 'a_rep_age'/);
});

test('unknown reason codes, JavaScript function nodes and a missing header are refused', () => {
  const unknown = taxLoan();
  unknown.nodes.find((n: { id: string }) => n.id === 'admission').content.rules[0].o_code = '"D_MADE_UP"';
  assert.throws(() => parseStrategy(unknown, 'x.json'), /unknown reason code "D_MADE_UP"/);
  const fn = taxLoan();
  fn.nodes.push({ id: 'f', name: 'custom', type: 'functionNode', content: { source: 'export const handler = () => ({})' } });
  assert.throws(() => parseStrategy(fn, 'x.json'), /function nodes/);
  const bare = taxLoan();
  delete bare.puhui;
  assert.throws(() => parseStrategy(bare, 'x.json'), StrategyError);
  assert.throws(() => loadStrategy(`${dir}/no-such.json`), StrategyError);
});

test('the hash names the content: formatting and key order do not change it, a threshold does', () => {
  const doc = taxLoan();
  const a = parseStrategy(doc, 'a');
  const reordered = Object.fromEntries(Object.entries(doc).reverse());
  assert.equal(parseStrategy(JSON.parse(JSON.stringify(reordered, null, 7)), 'b').hash, a.hash);
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  doc.nodes.find((n: { id: string }) => n.id === 'admission').content.rules[2].a_age = '< 36';
  assert.notEqual(parseStrategy(doc, 'c').hash, a.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

test('the same input and version always give the same decision, across calls, batches and engines', async () => {
  const strategy = loadStrategy(`${dir}/tax-loan.json`);
  const i = strategyInput(applicantFrom(goodDossier()));
  const first = await engine.evaluate(strategy, i, { trace: true });
  const other = new StrategyEngine();
  try {
    assert.deepEqual(await other.evaluate(strategy, i, { trace: true }), first);
  } finally {
    other.dispose();
  }
  const batch = await engine.evaluateMany(strategy, Array.from({ length: 300 }, () => i));
  const { trace: _trace, ...withoutTrace } = first;
  for (const r of batch) assert.deepEqual(r, withoutTrace);
  assert.equal(first.strategy.hash, strategy.hash);
  assert.equal(first.strategy.version, '2026.12');
});

test('a decision record carries its inputs: evaluating them again gives the same decision', async () => {
  const champion = loadStrategy(`${dir}/tax-loan.json`);
  const challenger = loadStrategy(`${dir}/tax-loan-challenger.json`);
  const dossier = goodDossier();
  dossier.enterprise.establishedDate = '2024-07-01';
  const [record] = await new DecisionService(engine, { champion, experiment: { id: 'r', challenger, share: 1, mode: 'live' } }).decideMany([applicantFrom(dossier)]);
  assert.equal(record!.arm, 'challenger');
  assert.deepEqual(Object.keys(record!.features), [...new Set([...champion.featuresRead!, ...challenger.featuresRead!])].sort());
  const stored = JSON.parse(JSON.stringify(record));
  assert.deepEqual(await engine.evaluate(challenger, recordedInput(stored)), record!.decision);
  assert.deepEqual(await engine.evaluate(champion, recordedInput(stored)), record!.shadow);
});

test('switch nodes route the graph, and the trace says which branch was taken', async () => {
  const header = { ...taxLoan().puhui, id: 'switch-demo', version: '1' };
  const answer = (id: string, outcome: string, reasons: string, limit: string, rate: string, term: string) => ({ id, name: id, type: 'expressionNode', content: { expressions: [
    { id: `${id}1`, key: 'outcome', value: `"${outcome}"` }, { id: `${id}2`, key: 'reasons', value: reasons }, { id: `${id}3`, key: 'limitFen', value: limit },
    { id: `${id}4`, key: 'rateBps', value: rate }, { id: `${id}5`, key: 'termMonths', value: term }, { id: `${id}6`, key: 'riskGrade', value: 'null' }], passThrough: false } });
  const strategy = parseStrategy({
    puhui: header,
    nodes: [
      { id: 'in', name: 'request', type: 'inputNode', content: {} },
      { id: 'gate', name: 'Fraud gate', type: 'switchNode', content: { hitPolicy: 'first', statements: [{ id: 'stop', condition: 'fraud.high > 0' }, { id: 'go', condition: '' }] } },
      answer('declined', 'decline', '["D_FRAUD_SIGNAL"]', '0', 'null', 'null'),
      answer('offered', 'approve', '["L_PRODUCT_CAP"]', '1000000', 'market.lpr1yBps + 100', '12'),
      { id: 'out', name: 'response', type: 'outputNode', content: {} },
    ],
    edges: [{ id: 'e1', sourceId: 'in', targetId: 'gate' }, { id: 'e2', sourceId: 'gate', targetId: 'declined', sourceHandle: 'stop' }, { id: 'e3', sourceId: 'gate', targetId: 'offered', sourceHandle: 'go' },
      { id: 'e4', sourceId: 'declined', targetId: 'out' }, { id: 'e5', sourceId: 'offered', targetId: 'out' }],
  }, 'switch.json');
  const base = strategyInput(applicantFrom(goodDossier()));
  const stopped = await engine.evaluate(strategy, { ...base, fraud: { typology: null, high: 2, medium: 0, codes: ['FR_X'] } }, { trace: true });
  assert.equal(stopped.outcome, 'decline');
  assert.deepEqual(stopped.trace!.find((s) => s.type === 'switchNode')!.branches, [{ id: 'stop', condition: 'fraud.high > 0' }]);
  const offered = await engine.evaluate(strategy, base, { trace: true });
  assert.deepEqual([offered.outcome, offered.limitFen, offered.rateBps], ['approve', 1_000_000, 400]);
  assert.deepEqual(offered.trace!.find((s) => s.type === 'switchNode')!.branches, [{ id: 'go', condition: '' }]);
});

test('the trace names every node in order and the rules that fired with the values they saw', async () => {
  const strategy = loadStrategy(`${dir}/tax-loan.json`);
  const dossier = goodDossier();
  dossier.taxGrades.at(-1)!.grade = 'C';
  const result = await engine.evaluate(strategy, strategyInput(applicantFrom(dossier)), { trace: true });
  const nodes = result.trace!.map((s) => s.node);
  assert.deepEqual(nodes, ['Product terms 产品参数', 'Admission rules 准入规则', 'Anti-fraud rules 反欺诈规则', 'Risk grade from the model 风险等级', 'Limit multiple by tax grade 纳税等级倍数', 'Limit, price and term 额度、定价与期限']);
  const fired = result.trace![1]!.rules!;
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.id, 'tax_grade');
  assert.equal(fired[0]!.inputs['features.tax_grade'], 'C');
  assert.equal(result.trace![5]!.values!.outcome, 'decline');
});

test('the decision contract refuses a strategy that approves with a decline reason, pays in fractions of a fen or invents a code', () => {
  const strategy = loadStrategy(`${dir}/tax-loan.json`);
  const i = strategyInput(applicantFrom(goodDossier()));
  const ok = { outcome: 'approve', reasons: ['L_SALES_SHARE'], riskGrade: 'R1', limitFen: 100, rateBps: 390, termMonths: 12 };
  assert.equal(readResult(strategy, i, ok).outcome, 'approve');
  assert.throws(() => readResult(strategy, i, { ...ok, reasons: ['D_TAX_GRADE'] }), /approval cannot carry/);
  assert.throws(() => readResult(strategy, i, { ...ok, limitFen: 100.5 }), /whole number of fen/);
  assert.throws(() => readResult(strategy, i, { ...ok, reasons: ['X_NEW'] }), /unknown reason code/);
  assert.throws(() => readResult(strategy, i, { ...ok, outcome: 'decline', reasons: ['D_SCORE'] }), /decline offers no limit/);
  assert.throws(() => readResult(strategy, i, { ...ok, rateBps: 1201 }), /above 4 × LPR/);
  assert.throws(() => readResult(strategy, i, { ...ok, outcome: 'review', reasons: ['L_SALES_SHARE'] }), /review must carry a review reason/);
});

test('every reason code has English and Chinese text and a kind matching its prefix', () => {
  const kinds = { D: 'decline', R: 'review', L: 'limit', P: 'price' } as Record<string, string>;
  for (const [code, r] of Object.entries(REASONS)) {
    assert.equal(r.kind, kinds[code[0]!], code);
    assert.ok(r.en.length > 5 && /[\u4e00-\u9fff]/.test(r.zh), code);
  }
});

test('numbers the engine cannot hold are made safe before it sees them (it would abort the process)', async () => {
  assert.equal(engineNumber(Number.NaN), null);
  assert.equal(engineNumber(Infinity), null);
  assert.equal(engineNumber(1e-30), 0);
  assert.equal(engineNumber(-1e20), -1e15);
  assert.equal(engineNumber(123.5), 123.5);
  assert.deepEqual(engineSafe({ a: [1e300, 2n], b: { c: -5e-324 } }), { a: [1e15, 2], b: { c: 0 } });
  // A property run: random extreme features through the whole strategy, in this process.
  const strategy = loadStrategy(`${dir}/tax-loan.json`);
  const base = strategyInput(applicantFrom(goodDossier()));
  const rng = new Rng(7, 'extremes');
  const extremes = [0, -0, 1e-320, 1e-13, 1e-30, 1e20, -1e20, 9.3e18, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity, 0.1 + 0.2];
  const inputs: StrategyInput[] = [];
  for (let k = 0; k < 200; k++) {
    const features = { ...base.features };
    for (const key of Object.keys(features)) if (typeof features[key] === 'number' && rng.chance(0.3)) features[key] = extremes[rng.int(extremes.length)]! * (rng.chance(0.5) ? 1 : rng.between(-3, 3));
    inputs.push({ ...base, features });
  }
  const results = await engine.evaluateMany(strategy, inputs);
  assert.equal(results.length, 200);
  for (const r of results) assert.ok(['approve', 'review', 'decline'].includes(r.outcome));
});

test('only the features a graph reads are handed to the engine; a graph reading the features object whole gets all', () => {
  const strategy = loadStrategy(`${dir}/tax-loan.json`);
  assert.ok(strategy.featuresRead!.includes('tax_grade') && strategy.featuresRead!.includes('vat_tax_paid_24m'));
  assert.ok(!strategy.featuresRead!.includes('bank_inflow_12m'));
  const whole = taxLoan();
  whole.nodes.find((n: { id: string }) => n.id === 'terms').content.expressions.push({ id: 'x', key: 'everything', value: 'features' });
  assert.equal(parseStrategy(whole, 'x.json').featuresRead, null);
});

test('docs/reason-codes.md is the list the code accepts (regenerate with scripts/gen-docs.ts)', async () => {
  const { renderReasonCodes } = await import('../../src/decision/reasons-doc.ts');
  assert.equal(readFileSync(fileURLToPath(new URL('../../docs/reason-codes.md', import.meta.url)), 'utf8'), renderReasonCodes());
});
