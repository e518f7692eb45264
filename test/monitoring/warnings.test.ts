/** The warning strategy, its contract, point-in-time signals on a synthetic economy, and the catalogue doc. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCompactDossiers } from '../../src/features/batch.ts';
import { dayNumber } from '../../src/domain/period.ts';
import {
  evaluateWarnings, loadWarningStrategy, parseWarningStrategy, renderWarningCodes, runWarningStrategyTests, WarningEngine, warningSignals,
} from '../../src/monitoring/index.ts';
import { readWarning } from '../../src/monitoring/strategy.ts';
import { economy } from '../support/economy.ts';

const engine = new WarningEngine();
after(() => engine.dispose());
const strategyPath = fileURLToPath(new URL('../../strategies/early-warning.json', import.meta.url));
const document = () => JSON.parse(readFileSync(strategyPath, 'utf8'));

test('the early-warning strategy loads and passes every test it carries', async () => {
  const strategy = loadWarningStrategy();
  assert.equal(strategy.header.product, 'post_loan_warning');
  const outcomes = await runWarningStrategyTests(engine, strategy);
  assert.ok(outcomes.length >= 10);
  for (const o of outcomes) assert.ok(o.passed, `${o.name}: ${o.problems.join('; ')}`);
});

test('a warning strategy naming an unknown code or action, or another product, is refused', () => {
  const unknown = document();
  unknown.nodes.find((n: { id: string }) => n.id === 'signal_rules').content.rules[0].o_code = '"W_MADE_UP"';
  assert.throws(() => parseWarningStrategy(unknown, 'x.json'), /unknown warning code or action "W_MADE_UP"/);
  const action = document();
  action.nodes.find((n: { id: string }) => n.id === 'actions').content.rules[1].x_actions = '["A_SEND_FLOWERS"]';
  assert.throws(() => parseWarningStrategy(action, 'x.json'), /"A_SEND_FLOWERS"/);
  const credit = document();
  credit.puhui.product = 'tax_loan';
  assert.throws(() => parseWarningStrategy(credit, 'x.json'), /product "post_loan_warning"/);
});

test('the warning contract refuses a red level without a red signal, and a warning without actions', () => {
  const strategy = loadWarningStrategy();
  const input = { asOf: '2026-03-01', enterprise: { creditCode: 'X', industrySection: 'C', regionCode: '330106', taxpayerType: 'general' } } as never;
  assert.throws(() => readWarning(strategy, input, { warning: { level: 'red', codes: ['W_TAX_ARREARS'] }, handling: { actions: ['A_CALL'] } }), /red warning needs a red signal/);
  assert.throws(() => readWarning(strategy, input, { warning: { level: 'yellow', codes: ['W_TAX_ARREARS'] }, handling: { actions: [] } }), /needs actions/);
  assert.throws(() => readWarning(strategy, input, { warning: { level: 'amber', codes: [] }, handling: { actions: [] } }), /level must be one of/);
  const ok = readWarning(strategy, input, { warning: { level: 'red', codes: ['W_DISHONEST'] }, handling: { actions: ['A_FREEZE_LINE'] } });
  assert.deepEqual(ok.reasons.map((r) => [r.code, r.severity]), [['W_DISHONEST', 'red']]);
  assert.match(ok.reasons[0]!.zh, /失信被执行人/);
});

test('a warning as of a date reads nothing after it: the same signals and level from all the data as from the data up to the date', async () => {
  const { dir } = economy({ enterprises: 300, months: 30, seed: 11 });
  const asOf = '2026-03-01';
  const upToDate = await readCompactDossiers(dir, asOf);
  const everything = await readCompactDossiers(dir, '2026-10-01');
  assert.deepEqual(upToDate.codes, everything.codes);
  let nonGreen = 0;
  for (let i = 0; i < upToDate.codes.length; i++) {
    const seen = warningSignals(upToDate.dossiers[i]!, dayNumber(asOf));
    assert.deepEqual(warningSignals(everything.dossiers[i]!, dayNumber(asOf)), seen, upToDate.codes[i]);
    if (i % 10 === 0) {
      const context = { creditCode: upToDate.codes[i]!, ringNow: false, ringAtBooking: false };
      const early = await evaluateWarnings(engine, loadWarningStrategy(), upToDate.dossiers[i]!, asOf, context);
      const late = await evaluateWarnings(engine, loadWarningStrategy(), everything.dossiers[i]!, asOf, context);
      assert.deepEqual(late, early);
      if (early.level !== 'green') nonGreen++;
      for (const reason of early.reasons) assert.ok(early.evidence[reason.code]!.length > 0, `${reason.code} carries its evidence`);
    }
  }
  assert.ok(nonGreen < 30 / 2, 'most firms are green on an ordinary day');
});

test('docs/warning-codes.md is the list the code accepts (regenerate with scripts/gen-docs.ts)', () => {
  assert.equal(readFileSync(fileURLToPath(new URL('../../docs/warning-codes.md', import.meta.url)), 'utf8'), renderWarningCodes());
});

test("a portfolio's warnings: every borrower counted once by level, flagged ones listed red first, unknown ones named", async () => {
  const { dir } = economy({ enterprises: 300, months: 30, seed: 11 });
  const { codes } = await readCompactDossiers(dir, '2026-06-01');
  const borrowers = [...codes.slice(0, 120), codes[0]!, '91330106MA2AB3CD0X'];
  const result = (await import('../../src/monitoring/index.ts')).warnPortfolio({ datasetDir: dir, asOf: '2026-06-01', creditCodes: borrowers });
  const { byLevel, flagged, unknown, byCode } = await result;
  assert.equal(byLevel.green + byLevel.yellow + byLevel.red, 120);
  assert.deepEqual(unknown, ['91330106MA2AB3CD0X']);
  assert.equal(flagged.length, byLevel.yellow + byLevel.red);
  assert.ok(flagged.every((w, k) => k === 0 || !(w.level === 'red' && flagged[k - 1]!.level === 'yellow')), 'red first');
  for (const { code, enterprises } of byCode) assert.ok(enterprises >= flagged.filter((w) => w.reasons.some((r) => r.code === code)).length);
});

test('a ring found by anti-fraud after booking raises W_RING_NEW and freezes the line; a report from after the date is refused', async () => {
  const { ringContext } = await import('../../src/monitoring/close-step.ts');
  const { dir } = economy({ enterprises: 300, months: 30, seed: 11 });
  const { codes, dossiers } = await readCompactDossiers(dir, '2026-06-01');
  const code = codes[3]!;
  const source = ringContext({ asOf: '2025-10-01', enterprises: [] }, { asOf: '2026-05-31', enterprises: [{ creditCode: code, typology: 'ring' }] });
  const warning = await evaluateWarnings(engine, loadWarningStrategy(), dossiers[3]!, '2026-06-01', { creditCode: code, ...(await source(code, '2026-06-01')) });
  assert.equal(warning.level, 'red');
  assert.ok(warning.reasons.some((r) => r.code === 'W_RING_NEW'));
  assert.deepEqual(warning.evidence.W_RING_NEW, [{ signal: 'fraud.ringNow', value: 1 }, { signal: 'fraud.ringAtBooking', value: 0 }]);
  assert.ok(warning.actions.includes('A_FREEZE_LINE'));
  await assert.rejects(source(code, '2026-05-01'), /after the close/);
});
