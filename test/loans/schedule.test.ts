/** Schedules: the golden cases of issue #14, Fineract's reference schedules, and properties over random terms. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSchedule, AMORTISATIONS, type ScheduleInput } from '../../src/loans/schedule.ts';
import { DAY_COUNTS } from '../../src/loans/calendar.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { Rng } from '../../src/synth/random.ts';

const GOLDEN: ScheduleInput = { principalFen: 500_000, annualRateDecimal: 0.12, termMonths: 18, startDate: '2025-01-15', method: 'equal-instalment', rounding: { instalmentMultipleFen: 100 } };

test('equal instalment: 5,000 at 12 % over 18 months is 305.00 × 17 and 303.22, interest 488.22', () => {
  const schedule = generateSchedule(GOLDEN);
  assert.equal(schedule.instalments.length, 18);
  assert.deepEqual(schedule.instalments.slice(0, 17).map((i) => i.totalFen), Array(17).fill(30_500));
  assert.equal(schedule.instalments[17]!.totalFen, 30_322);
  assert.deepEqual(schedule.instalments.slice(0, 3).map((i) => i.interestFen), [5_000, 4_745, 4_487]);
  assert.equal(schedule.totalInterestFen, 48_822);
  assert.equal(schedule.totalPrincipalFen, 500_000);
  assert.equal(schedule.totalFen, 30_500 * 17 + 30_322);
});

test('equal principal: 277.78 × 17 and 277.74, interest 475.00, first payment 327.78', () => {
  const schedule = generateSchedule({ ...GOLDEN, method: 'equal-principal' });
  assert.deepEqual(schedule.instalments.map((i) => i.principalFen), [...Array(17).fill(27_778), 27_774]);
  assert.equal(schedule.totalInterestFen, 47_500);
  assert.equal(schedule.instalments[0]!.totalFen, 32_778);
  assert.equal(schedule.levelInstalmentFen, null);
});

test('flat: interest 50.00 every month and 5,900 repaid in all', () => {
  for (const rounding of [{ instalmentMultipleFen: 100 }, {}]) {
    const schedule = generateSchedule({ ...GOLDEN, method: 'flat', rounding });
    assert.deepEqual(schedule.instalments.map((i) => i.interestFen), Array(18).fill(5_000));
    assert.equal(schedule.totalFen, 590_000);
    assert.equal(schedule.totalPrincipalFen, 500_000);
  }
});

test('interest-only (先息后本): interest every month and the whole principal with the last', () => {
  const schedule = generateSchedule({ ...GOLDEN, method: 'interest-only' });
  assert.deepEqual(schedule.instalments.slice(0, 17).map((i) => [i.principalFen, i.interestFen]), Array(17).fill([0, 5_000]));
  assert.deepEqual([schedule.instalments[17]!.principalFen, schedule.instalments[17]!.interestFen], [500_000, 5_000]);
});

test("Fineract's annuity references: 100 at 9.4822 % × 6 and 12,000 at 2 %/month × 4", () => {
  const a = generateSchedule({ principalFen: 10_000, annualRateDecimal: 0.094822, termMonths: 6, startDate: '2024-01-01', method: 'equal-instalment' });
  assert.deepEqual(a.instalments.map((i) => i.interestFen), [79, 66, 53, 40, 27, 13]);
  assert.deepEqual(a.instalments.map((i) => i.totalFen), Array(6).fill(1_713));
  const b = generateSchedule({ principalFen: 1_200_000, annualRateBps: 2_400, termMonths: 4, startDate: '2011-09-20', method: 'equal-instalment' });
  assert.deepEqual(b.instalments.map((i) => i.principalFen), [291_149, 296_972, 302_911, 308_968]);
  assert.deepEqual(b.instalments.map((i) => i.interestFen), [24_000, 18_177, 12_238, 6_179]);
  assert.deepEqual(b.instalments.map((i) => i.dueDate), ['2011-10-20', '2011-11-20', '2011-12-20', '2012-01-20']);
  assert.equal(b.instalments[3]!.totalFen, 315_147);
});

test('the rate in basis points and as a decimal give the same schedule, fractional bps included', () => {
  assert.deepEqual(generateSchedule({ ...GOLDEN, annualRateDecimal: undefined, annualRateBps: 1_200 }), generateSchedule(GOLDEN));
  const fromBps = generateSchedule({ principalFen: 10_000, annualRateBps: 948.22, termMonths: 6, startDate: '2024-01-01', method: 'equal-instalment' });
  const fromDecimal = generateSchedule({ principalFen: 10_000, annualRateDecimal: 0.094822, termMonths: 6, startDate: '2024-01-01', method: 'equal-instalment' });
  assert.deepEqual(fromBps, fromDecimal);
});

test('due dates are anchored to the start day and clamped to month ends; a month-end start stays on month ends', () => {
  const fromJan31 = generateSchedule({ ...GOLDEN, startDate: '2024-01-31', termMonths: 4 });
  assert.deepEqual(fromJan31.instalments.map((i) => i.dueDate), ['2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31']);
  const fromApr30 = generateSchedule({ ...GOLDEN, startDate: '2025-04-30', termMonths: 3 });
  assert.deepEqual(fromApr30.instalments.map((i) => i.dueDate), ['2025-05-31', '2025-06-30', '2025-07-31']);
  const fromApr29 = generateSchedule({ ...GOLDEN, startDate: '2025-04-29', termMonths: 2 });
  assert.deepEqual(fromApr29.instalments.map((i) => i.dueDate), ['2025-05-29', '2025-06-29']);
});

test('actual/365 charges calendar days; actual/360 charges more than actual/365 for the same days', () => {
  const input: ScheduleInput = { principalFen: 1_000_000, annualRateBps: 365, termMonths: 2, startDate: '2025-01-01', method: 'interest-only', dayCount: 'actual/365' };
  const a365 = generateSchedule(input);
  // 10,000 yuan at 3.65 % for 31 days = 31.00 yuan; February has 28 days = 28.00 yuan.
  assert.deepEqual(a365.instalments.map((i) => [i.days, i.interestFen]), [[31, 3_100], [28, 2_800]]);
  const a360 = generateSchedule({ ...input, dayCount: 'actual/360' });
  assert.deepEqual(a360.instalments.map((i) => i.interestFen), [3_143, 2_839]);
  const thirty = generateSchedule({ ...input, dayCount: '30/360' });
  assert.deepEqual(thirty.instalments.map((i) => [i.days, i.interestFen]), [[30, 3_042], [30, 3_042]]);
});

test('grace: principal grace pays interest only; interest grace defers interest to the first instalment after it', () => {
  const principalGrace = generateSchedule({ ...GOLDEN, grace: { principalPeriods: 3 } });
  assert.deepEqual(principalGrace.instalments.slice(0, 3).map((i) => [i.principalFen, i.interestFen]), Array(3).fill([0, 5_000]));
  assert.ok(principalGrace.instalments[3]!.principalFen > 0);
  assert.equal(principalGrace.totalPrincipalFen, 500_000);
  const interestGrace = generateSchedule({ ...GOLDEN, method: 'equal-principal', grace: { interestPeriods: 2 } });
  assert.deepEqual(interestGrace.instalments.slice(0, 2).map((i) => i.interestFen), [0, 0]);
  assert.equal(interestGrace.instalments[2]!.interestFen, 5_000 + 4_722 + 4_444);
  assert.equal(interestGrace.totalInterestFen, 47_500);
});

test('rounding to whole yuan keeps every amount a multiple of 100 fen', () => {
  const schedule = generateSchedule({ ...GOLDEN, principalFen: 1_234_500, rounding: { decimals: 0 } });
  for (const i of schedule.instalments) for (const amount of [i.principalFen, i.interestFen, i.balanceFen]) assert.equal(amount % 100, 0);
  assert.equal(schedule.totalPrincipalFen, 1_234_500);
});

test('bad terms are refused with a LoanError, never a wrong schedule', () => {
  const bad: Partial<ScheduleInput>[] = [
    { principalFen: -5 }, { principalFen: 10.5 }, { termMonths: 0 }, { termMonths: 361 }, { annualRateBps: 1_200 },
    { annualRateDecimal: 1.5 }, { startDate: '2025-02-30' }, { rounding: { decimals: 0 }, principalFen: 123_456 },
    { rounding: { instalmentMultipleFen: 0 } }, { grace: { principalPeriods: 18 } }, { method: 'balloon' as never },
  ];
  for (const change of bad) assert.throws(() => generateSchedule({ ...GOLDEN, ...change }), LoanError, JSON.stringify(change));
});

test('property: over random terms principal sums exactly, balances never go negative and fall monotonically', () => {
  const rng = new Rng(14, 'loan-schedules');
  for (let round = 0; round < 1_500; round++) {
    const method = AMORTISATIONS[rng.int(AMORTISATIONS.length)]!;
    const decimals = ([0, 1, 2] as const)[rng.int(3)]!;
    const unitFen = 10 ** (2 - decimals);
    const termMonths = 1 + rng.int(rng.chance(0.2) ? 360 : 36);
    const input: ScheduleInput = {
      principalFen: unitFen * (1 + rng.int(rng.chance(0.3) ? 50 : 5_000_000)),
      annualRateBps: rng.chance(0.1) ? 0 : rng.int(3_600) + rng.int(100) / 100,
      termMonths,
      startDate: `20${10 + rng.int(20)}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`,
      method,
      dayCount: DAY_COUNTS[rng.int(DAY_COUNTS.length)]!,
      rounding: { decimals, instalmentMultipleFen: unitFen * (rng.chance(0.5) ? 1 : 1 + rng.int(1_000)) },
      grace: method === 'interest-only' ? {} : { principalPeriods: rng.chance(0.3) ? rng.int(termMonths) : 0, interestPeriods: rng.chance(0.2) ? rng.int(termMonths) : 0 },
    };
    const schedule = generateSchedule(input);
    const context = JSON.stringify(input);
    assert.ok(schedule.instalments.length >= 1 && schedule.instalments.length <= termMonths, context);
    assert.equal(schedule.instalments.reduce((sum, i) => sum + i.principalFen, 0), input.principalFen, context);
    let previousBalanceFen = input.principalFen;
    for (const i of schedule.instalments) {
      assert.ok(i.principalFen >= 0 && i.interestFen >= 0 && i.balanceFen >= 0, context);
      assert.equal(i.balanceFen, previousBalanceFen - i.principalFen, context);
      assert.equal(i.totalFen, i.principalFen + i.interestFen, context);
      assert.ok(Number.isSafeInteger(i.interestFen) && i.interestFen % unitFen === 0, context);
      previousBalanceFen = i.balanceFen;
    }
    assert.equal(schedule.instalments.at(-1)!.balanceFen, 0, context);
    assert.equal(schedule.totalFen, schedule.instalments.reduce((sum, i) => sum + i.totalFen, 0), context);
  }
});
