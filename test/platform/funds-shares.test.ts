import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lossShares, recoveryIncrement, recoveryShares, splitLargestRemainder } from '../../src/platform/funds.ts';
import { loadFundsPolicy } from '../../src/platform/funds-policy.ts';

const policy = loadFundsPolicy();

test('the default policy carries the Weihai tiers A 8:2, B 6:4, C 4:6 and a 5 million yuan cap per enterprise', () => {
  assert.deepEqual([policy.tiers.A.fundShareBps, policy.tiers.B.fundShareBps, policy.tiers.C.fundShareBps], [8000, 6000, 4000]);
  assert.equal(policy.coverCapPerEnterpriseFen, 5_000_000 * 100);
});

test('worked example 1: a fully covered tier-A loan of 1,000,000 yuan loses 600,000.00 principal and 12,345.67 interest', () => {
  const shares = lossShares({
    loanPrincipalFen: 100_000_000, coveredPrincipalFen: 100_000_000, fundShareBps: 8000,
    principalLostFen: 60_000_000, interestLostFen: 1_234_567, interestCovered: true,
  });
  // Principal: 80 % and 20 % are whole fen. Interest: 987,653.6 / 246,913.4 fen; floors leave 1 fen, the larger
  // remainder (0.6, the fund's) takes it.
  assert.deepEqual(shares.fund, { principalFen: 48_000_000, interestFen: 987_654, totalFen: 48_987_654 });
  assert.deepEqual(shares.bank, { principalFen: 12_000_000, interestFen: 246_913, totalFen: 12_246_913 });
});

test('worked example 2: a tier-B loan of 8 million yuan covered only up to the 5 million cap', () => {
  // Weights: fund 5,000,000 × 6000; bank 5,000,000 × 4000 + 3,000,000 × 10000, i.e. fund 30/80 = 37.5 %, bank 62.5 %.
  const shares = lossShares({
    loanPrincipalFen: 800_000_000, coveredPrincipalFen: 500_000_000, fundShareBps: 6000,
    principalLostFen: 400_000_001, interestLostFen: 3, interestCovered: true,
  });
  // 400,000,001 × 0.375 = 150,000,000.375 and × 0.625 = 250,000,000.625: the bank's remainder is larger.
  assert.deepEqual(shares.fund, { principalFen: 150_000_000, interestFen: 1, totalFen: 150_000_001 });
  assert.deepEqual(shares.bank, { principalFen: 250_000_001, interestFen: 2, totalFen: 250_000_003 });
});

test('worked example 3: equal remainders go to the bank; uncovered interest is all the bank\'s', () => {
  const tie = lossShares({ loanPrincipalFen: 1000, coveredPrincipalFen: 1000, fundShareBps: 5000, principalLostFen: 1, interestLostFen: 1, interestCovered: false });
  assert.deepEqual(tie.bank, { principalFen: 1, interestFen: 1, totalFen: 2 });
  assert.deepEqual(tie.fund, { principalFen: 0, interestFen: 0, totalFen: 0 });
});

test('shares always sum to the loss and each is within one fen of its exact value (1,000 random losses)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 5_000_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(8000, 6000, 4000, 0, 10000),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1_000_000_000 }), fc.boolean(),
    (loan, coveredFraction, bps, lostFraction, interest, interestCovered) => {
      const covered = Math.floor(loan * coveredFraction);
      const principalLost = Math.floor(loan * lostFraction);
      const s = lossShares({ loanPrincipalFen: loan, coveredPrincipalFen: covered, fundShareBps: bps, principalLostFen: principalLost, interestLostFen: interest, interestCovered });
      assert.equal(s.fund.principalFen + s.bank.principalFen, principalLost);
      assert.equal(s.fund.interestFen + s.bank.interestFen, interest);
      const exactFund = (principalLost * covered * bps) / (loan * 10_000);
      assert.ok(Math.abs(s.fund.principalFen - exactFund) < 1 + 1e-6, `fund ${s.fund.principalFen} vs exact ${exactFund}`);
      if (!interestCovered) assert.equal(s.fund.interestFen, 0);
    },
  ), { numRuns: 1000, seed: 13 });
});

test('splitLargestRemainder: three parties 1:1:1 over 100 fen give 34, 33, 33 (ties to the earlier party)', () => {
  assert.deepEqual(splitLargestRemainder(100, [1n, 1n, 1n]), [34, 33, 33]);
  assert.deepEqual(splitLargestRemainder(0, [0n, 0n]), [0, 0]);
  assert.throws(() => splitLargestRemainder(5, [0n, 0n]), RangeError);
});

test('recoveries in any instalments share like the loss, never take a fen back, and a full recovery returns each loss exactly', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1_000_000_000 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
    (bankLoss, fundLoss, cuts) => {
      const shares = { bank: { principalFen: bankLoss, interestFen: 0, totalFen: bankLoss }, fund: { principalFen: fundLoss, interestFen: 0, totalFen: fundLoss } };
      const loss = bankLoss + fundLoss;
      const points = [...cuts.map((c) => Math.floor(c * loss)), loss].sort((a, b) => a - b);
      let before = 0;
      let bank = 0;
      let fund = 0;
      for (const point of points) {
        const step = recoveryIncrement(shares, before, point - before);
        assert.ok(step.bank >= 0 && step.fund >= 0);
        assert.equal(step.bank + step.fund, point - before);
        bank += step.bank;
        fund += step.fund;
        before = point;
      }
      assert.deepEqual({ bank, fund }, { bank: bankLoss, fund: fundLoss });
    },
  ), { numRuns: 300, seed: 7 });
  assert.throws(() => recoveryShares({ bank: { principalFen: 1, interestFen: 0, totalFen: 1 }, fund: { principalFen: 1, interestFen: 0, totalFen: 1 } }, 3), RangeError);
});
