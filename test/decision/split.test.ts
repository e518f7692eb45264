/** Champion/challenger: a stable split near its share, shadow and live modes, both results kept. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import { DecisionService } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { armOf, checkExperiment, ExperimentError, splitPosition } from '../../src/decision/split.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { Rng } from '../../src/synth/random.ts';
import { applicantFrom, goodDossier } from './applicant.ts';

function codes(n: number): string[] {
  const rng = new Rng(3, 'codes');
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  return Array.from({ length: n }, () => composeCreditCode('91', '330106', Array.from({ length: 8 }, () => alphabet[rng.int(alphabet.length)]).join('')));
}

test('the split is stable and lands near its share for any experiment id', () => {
  const all = codes(20_000);
  for (const [id, share] of [['exp-a', 0.2], ['exp-b', 0.2], ['exp-c', 0.5], ['exp-d', 0.05]] as const) {
    const challengers = all.filter((c) => armOf({ id, share }, c) === 'challenger').length;
    // Binomial standard deviation at n = 20,000 is at most 0.35 points; allow four of them.
    assert.ok(Math.abs(challengers / all.length - share) < 0.014, `${id}: ${challengers / all.length} vs ${share}`);
  }
  const first = all.slice(0, 500).map((c) => armOf({ id: 'exp-a', share: 0.2 }, c));
  assert.deepEqual(all.slice(0, 500).map((c) => armOf({ id: 'exp-a', share: 0.2 }, c)), first, 'same experiment, same arms');
  const other = all.slice(0, 2000).filter((c) => armOf({ id: 'exp-a', share: 0.2 }, c) !== armOf({ id: 'exp-b', share: 0.2 }, c)).length;
  assert.ok(other > 400, 'a new experiment id reshuffles');
  assert.ok(all.every((c) => armOf({ id: 'x', share: 0 }, c) === 'champion'));
  assert.ok(all.every((c) => armOf({ id: 'x', share: 1 }, c) === 'challenger'));
  assert.equal(splitPosition('x', all[0]!), splitPosition('x', all[0]!));
  // Growing the share only moves enterprises to the challenger, never back.
  assert.ok(all.every((c) => armOf({ id: 'g', share: 0.1 }, c) === 'champion' || armOf({ id: 'g', share: 0.3 }, c) === 'challenger'));
});

test('experiments are checked', () => {
  const challenger = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan-challenger.json', import.meta.url)));
  assert.throws(() => checkExperiment({ id: 'x', challenger, share: 1.5, mode: 'live' }), ExperimentError);
  assert.throws(() => checkExperiment({ id: ' ', challenger, share: 0.5, mode: 'live' }), ExperimentError);
});

const engine = new StrategyEngine();
after(() => engine.dispose());

test('shadow: the champion acts for all and the challenger is recorded; live: the challenger acts for its share', async () => {
  const champion = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url)));
  const challenger = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan-challenger.json', import.meta.url)));
  const applicants = codes(400).map((code) => {
    const a = applicantFrom(goodDossier());
    a.features.age_months = 16; // the challenger admits businesses from 12 months, the champion from 24
    return { ...a, enterprise: { ...a.enterprise, creditCode: code } };
  });
  const shadow = await new DecisionService(engine, { champion, experiment: { id: 'e1', challenger, share: 0.25, mode: 'shadow' } }).decideMany(applicants);
  assert.ok(shadow.every((r) => r.arm === 'champion' && r.decision.strategy.version === '2026.12' && r.shadow?.strategy.version === '2026.12-c1'));
  assert.ok(shadow.every((r) => r.decision.outcome === 'decline' && r.shadow!.outcome === 'approve'));
  const live = await new DecisionService(engine, { champion, experiment: { id: 'e1', challenger, share: 0.25, mode: 'live' } }).decideMany(applicants);
  const acting = live.filter((r) => r.arm === 'challenger');
  assert.ok(acting.length > 60 && acting.length < 140, `${acting.length} of 400`);
  for (const r of live) {
    assert.equal(r.arm, armOf({ id: 'e1', share: 0.25 }, r.creditCode));
    assert.equal(r.decision.outcome, r.arm === 'challenger' ? 'approve' : 'decline');
    assert.equal(r.shadow!.strategy.version, r.arm === 'challenger' ? '2026.12' : '2026.12-c1', 'the other arm is kept');
  }
});
