import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assertAssignmentFeasible, bankLoads, dispatchGreedy, dispatchMip, dispatchMipOffThread, gini,
  type DispatchBank, type DispatchFirm, type DispatchProblem, type Rating,
} from '../../src/platform/dispatch.ts';

function firm(creditCode: string, amountFen: number, expectedLossBps: number, rating: Rating = 'A', industry = 'C', region = '37'): DispatchFirm {
  return { creditCode, amountFen, rating, expectedLossBps, industry, region };
}

function bank(bankId: string, fields: Partial<DispatchBank> = {}): DispatchBank {
  return {
    bankId, firmCountMax: 10, amountFenMax: 1e12, ratingMin: 'C', expectedLossBpsMax: 10_000,
    products: [{ productId: `${bankId}-P`, amountFenMin: 1, amountFenMax: 1e12, ratings: ['A', 'B', 'C'], industries: [], regions: [], rateBps: 400 }],
    ...fields,
  };
}

test('the MIP finds what greedy misses: a safe firm makes room in the risk appetite for a riskier one', async () => {
  // Bank X takes 2 firms at an expected-loss share ≤ 1 %. Greedy goes smallest first: the 1.5 % firms alone break
  // the share, so it sends only the safe firm; together with the safe firm one of them fits (0.5 % × 1000 + 1.5 % × 100 ≤ 1 % × 1100).
  const problem: DispatchProblem = {
    objective: 'matchedFirms',
    firms: [firm('SAFE', 1000, 50), firm('RISKY1', 100, 150), firm('RISKY2', 100, 150)],
    banks: [bank('X', { firmCountMax: 2, expectedLossBpsMax: 100 })],
  };
  const greedy = dispatchGreedy(problem);
  const mip = await dispatchMip(problem);
  assert.equal(greedy.objectiveValue, 1);
  assert.equal(mip.objectiveValue, 2);
  assert.equal(mip.status, 'Optimal');
  const sent = mip.assignments.map((a) => a.creditCode);
  assert.ok(sent.includes('SAFE') && sent.length === 2, `sent ${sent.join(', ')}`);
});

test('eligibility: rating D, a rating below the bank\'s minimum, and a product that does not fit the amount, industry or region are never sent', async () => {
  const products = [{ productId: 'P', amountFenMin: 100, amountFenMax: 1000, ratings: ['A', 'B'] as Rating[], industries: ['C'], regions: ['37'], rateBps: 400 }];
  const problem: DispatchProblem = {
    objective: 'matchedFirms',
    firms: [firm('OK', 500, 10, 'B'), firm('D', 500, 10, 'D'), firm('BIG', 5000, 10), firm('IND', 500, 10, 'A', 'K'), firm('REG', 500, 10, 'A', 'C', '44'), firm('C', 500, 10, 'C')],
    banks: [bank('X', { ratingMin: 'B', products })],
  };
  const mip = await dispatchMip(problem);
  assert.deepEqual(mip.assignments.map((a) => a.creditCode), ['OK']);
  assert.deepEqual(mip.unmatched.sort(), ['BIG', 'C', 'D', 'IND', 'REG']);
});

const RATINGS: Rating[] = ['A', 'B', 'C', 'D'];
const randomProblem = fc.record({
  firms: fc.array(fc.record({
    amountWan: fc.integer({ min: 1, max: 500 }), el: fc.integer({ min: 0, max: 800 }), rating: fc.integer({ min: 0, max: 3 }), industry: fc.constantFrom('C', 'F', 'I'),
  }), { minLength: 1, maxLength: 24 }),
  banks: fc.array(fc.record({
    count: fc.integer({ min: 0, max: 8 }), amountWan: fc.integer({ min: 0, max: 2000 }), ratingMin: fc.integer({ min: 0, max: 2 }), elMax: fc.integer({ min: 50, max: 400 }),
    industries: fc.subarray(['C', 'F', 'I']),
  }), { minLength: 1, maxLength: 4 }),
  objective: fc.constantFrom('matchedFirms' as const, 'expectedValue' as const),
}).map(({ firms, banks, objective }): DispatchProblem => ({
  objective,
  firms: firms.map((f, i) => firm(`F${i}`, f.amountWan * 1_000_000, f.el, RATINGS[f.rating]!, f.industry)),
  banks: banks.map((b, j) => bank(`B${j}`, {
    firmCountMax: b.count, amountFenMax: b.amountWan * 1_000_000, ratingMin: RATINGS[b.ratingMin] as DispatchBank['ratingMin'], expectedLossBpsMax: b.elMax,
    products: [{ productId: `B${j}-P`, amountFenMin: 1, amountFenMax: 1e12, ratings: ['A', 'B', 'C'], industries: b.industries, regions: [], rateBps: 450 }],
  })),
}));

test('on random problems the MIP is never worse than greedy on the objective and respects every capacity and risk appetite', async () => {
  await fc.assert(fc.asyncProperty(randomProblem, async (problem) => {
    const greedy = dispatchGreedy(problem);
    const mip = await dispatchMip(problem);
    assert.ok(mip.objectiveValue >= greedy.objectiveValue - 1e-6 * Math.max(1, Math.abs(greedy.objectiveValue)), `mip ${mip.objectiveValue} < greedy ${greedy.objectiveValue}`);
    for (const result of [greedy, mip]) {
      assertAssignmentFeasible(problem, result.assignments);
      const loads = bankLoads(problem, result.assignments);
      problem.banks.forEach((b, j) => {
        const load = loads[j]!;
        assert.ok(load.firms <= b.firmCountMax && load.amountFen <= b.amountFenMax, `bank ${b.bankId} over capacity`);
        assert.ok(load.expectedLossFen <= (b.expectedLossBpsMax / 10_000) * load.amountFen + 1e-6, `bank ${b.bankId} over its risk appetite`);
      });
      assert.equal(new Set(result.assignments.map((a) => a.creditCode)).size, result.assignments.length);
    }
  }), { numRuns: 25, seed: 2026 });
});

test('the exact check refuses an assignment over a bank\'s count', () => {
  const problem: DispatchProblem = { objective: 'matchedFirms', firms: [firm('A1', 10, 0), firm('A2', 10, 0)], banks: [bank('X', { firmCountMax: 1 })] };
  assert.throws(() => assertAssignmentFeasible(problem, [
    { creditCode: 'A1', bankId: 'X', productId: 'X-P', amountFen: 10 }, { creditCode: 'A2', bankId: 'X', productId: 'X-P', amountFen: 10 },
  ]), /over its 1/);
});

test('gini is 0 for equal loads and (n−1)/n when one bank has everything', () => {
  assert.equal(gini([0.5, 0.5, 0.5]), 0);
  assert.ok(Math.abs(gini([0, 0, 0, 1]) - 0.75) < 1e-12);
});

test('the solve in a worker thread gives the same assignment, and refuses a bad problem with a RangeError', async () => {
  const problem: DispatchProblem = {
    objective: 'matchedFirms',
    firms: [firm('SAFE', 1000, 50), firm('RISKY1', 100, 150), firm('RISKY2', 100, 150)],
    banks: [bank('X', { firmCountMax: 2, expectedLossBpsMax: 100 })],
  };
  const here = await dispatchMip(problem);
  const there = await dispatchMipOffThread(problem);
  assert.deepEqual(there.assignments, here.assignments);
  assert.equal(there.status, 'Optimal');
  await assert.rejects(dispatchMipOffThread({ ...problem, firms: [firm('A', 0, 0)] }), RangeError);
});
