/**
 * The default strategy's self-proof rule: verified evidence raises the limit within a cap set by the
 * verification strength, a contradicted document stops the uplift and sends the case to a person, and an
 * unverifiable one changes nothing. The rules engine and the hand-written oracle must agree on every case.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strategyInput } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { NO_SELF_PROOF, type SelfProofSummary, type StrategyInput } from '../../src/decision/inputs.ts';
import { taxLoanNative } from '../../src/decision/native-tax-loan.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { applicantFrom, goodDossier, LOW_RISK_MODEL } from '../decision/applicant.ts';

const engine = new StrategyEngine();
after(() => engine.dispose());
const strategy = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url)));

/** The clean A-grade applicant, its limit set by tax paid (24-month tax replaced), with self-proof evidence. */
function input(proof: Partial<SelfProofSummary> | undefined, tax24mFen = 20_000_000, pd = LOW_RISK_MODEL.pd): StrategyInput {
  const base = strategyInput(applicantFrom(goodDossier(), { model: { ...LOW_RISK_MODEL, pd } }));
  const features = { ...base.features, vat_tax_paid_24m: tax24mFen };
  return proof === undefined ? { ...base, features } : { ...base, features, selfProof: { ...NO_SELF_PROOF, ...proof } };
}

async function run(i: StrategyInput) {
  const result = await engine.evaluate(strategy, i);
  const codes = result.reasons.map((r) => r.code);
  assert.deepEqual(taxLoanNative(i), { outcome: result.outcome, riskGrade: result.riskGrade, limitFen: result.limitFen, rateBps: result.rateBps, termMonths: result.termMonths, reasons: codes }, 'the oracle agrees');
  return { ...result, codes };
}

test('no documents, or documents that verified nothing, leave the decision exactly as it was', async () => {
  const before = await run(input(undefined));
  assert.equal(before.limitFen, 100_000_000);
  for (const proof of [NO_SELF_PROOF, { documents: 3 }, { documents: 2, strong: 1, strongEvidenceFen: 0 }]) {
    const same = await run(input(proof));
    assert.equal(same.limitFen, before.limitFen);
    assert.deepEqual(same.codes, before.codes);
  }
});

test('strongly verified sales raise the limit by 30% of them, up to 500,000 yuan, and say so', async () => {
  const raised = await run(input({ documents: 2, strong: 2, strongEvidenceFen: 100_000_000 }));
  assert.equal(raised.outcome, 'approve');
  assert.equal(raised.limitFen, 130_000_000); // 1,000,000 yuan from tax + 30% of 1,000,000 yuan of invoices
  assert.deepEqual(raised.codes.slice(0, 2), ['L_TAX_MULTIPLE', 'L_SELFPROOF_UPLIFT']);
  const capped = await run(input({ documents: 9, strong: 9, strongEvidenceFen: 1_000_000_000 }));
  assert.equal(capped.limitFen, 150_000_000, 'the strong cap: 500,000 yuan');
});

test('partly verified evidence (contracts) raises less: 10% up to 100,000 yuan', async () => {
  const partial = await run(input({ documents: 1, partial: 1, partialEvidenceFen: 50_000_000 }));
  assert.equal(partial.limitFen, 105_000_000);
  const capped = await run(input({ documents: 1, partial: 1, partialEvidenceFen: 900_000_000 }));
  assert.equal(capped.limitFen, 110_000_000);
});

test('a contradicted document stops every uplift and sends the application to a credit officer', async () => {
  const forged = await run(input({ documents: 2, strong: 1, contradicted: 1, strongEvidenceFen: 100_000_000 }));
  assert.equal(forged.outcome, 'review');
  assert.equal(forged.limitFen, 100_000_000, 'no uplift');
  assert.ok(forged.codes.includes('R_SELFPROOF_CONTRADICTED'));
  assert.ok(!forged.codes.includes('L_SELFPROOF_UPLIFT'));
});

test('verified evidence can lift a thin file over the minimum limit, but never past a decline', async () => {
  const thin = await run(input(undefined, 150_000)); // 10 × 75,000 fen = 7,500 yuan: under the 10,000-yuan minimum
  assert.equal(thin.outcome, 'decline');
  assert.deepEqual(thin.codes, ['D_LIMIT_TOO_LOW']);
  const proven = await run(input({ documents: 1, strong: 1, strongEvidenceFen: 2_000_000 }, 150_000));
  assert.equal(proven.outcome, 'approve');
  assert.equal(proven.limitFen, 1_000_000);
  const risky = await run(input({ documents: 1, strong: 1, strongEvidenceFen: 100_000_000 }, 20_000_000, 0.5));
  assert.equal(risky.outcome, 'decline');
  assert.equal(risky.limitFen, 0);
});
