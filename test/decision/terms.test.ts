/** Limit and price arithmetic of the default strategy at its edges: caps, floors, 4 × LPR, rounding to fen. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strategyInput } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import type { StrategyInput } from '../../src/decision/inputs.ts';
import { LPR_1Y, LprError, lprOn } from '../../src/decision/lpr.ts';
import { taxLoanNative } from '../../src/decision/native-tax-loan.ts';
import { loadStrategy, StrategyError } from '../../src/decision/strategy.ts';
import { applicantFrom, goodDossier, LOW_RISK_MODEL } from './applicant.ts';

const engine = new StrategyEngine();
after(() => engine.dispose());
const strategy = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url)));

/** The clean applicant with features replaced: tax paid, invoiced sales, outstanding loans, PD and market. */
function input(change: { tax24mFen?: number; invoicedFen?: number; outstandingFen?: number; pd?: number | null; lprBps?: number; amountFen?: number | null; termMonths?: number | null; grade?: string }): StrategyInput {
  const base = strategyInput(applicantFrom(goodDossier(), { amountFen: change.amountFen ?? null, termMonths: change.termMonths ?? null, model: change.pd === undefined ? LOW_RISK_MODEL : change.pd === null ? null : { ...LOW_RISK_MODEL, pd: change.pd } }));
  const f = { ...base.features };
  if (change.tax24mFen !== undefined) f.vat_tax_paid_24m = change.tax24mFen;
  if (change.invoicedFen !== undefined) f.inv_sales_12m = change.invoicedFen;
  if (change.outstandingFen !== undefined) f.bureau_outstanding_fen = change.outstandingFen;
  if (change.grade !== undefined) f.tax_grade = change.grade;
  const market = change.lprBps === undefined ? base.market : { lpr1yBps: change.lprBps, lprCeilingBps: 4 * change.lprBps };
  return { ...base, features: f, market };
}

async function run(i: StrategyInput) {
  const result = await engine.evaluate(strategy, i);
  const native = taxLoanNative(i);
  assert.deepEqual(native, { outcome: result.outcome, riskGrade: result.riskGrade, limitFen: result.limitFen, rateBps: result.rateBps, termMonths: result.termMonths, reasons: result.reasons.map((r) => r.code) }, 'the hand-written oracle agrees');
  assert.ok(Number.isSafeInteger(result.limitFen), 'limits are whole fen');
  return { ...result, codes: result.reasons.map((r) => r.code) };
}

test('the limit is the least of cap, tax multiple, sales share and headroom, and says which', async () => {
  const huge = 10_000_000_000;
  const cap = await run(input({ tax24mFen: huge, invoicedFen: huge, outstandingFen: 0 }));
  assert.equal(cap.limitFen, 300_000_000);
  assert.ok(cap.codes.includes('L_PRODUCT_CAP'));
  const tax = await run(input({ tax24mFen: 20_000_000, invoicedFen: huge, outstandingFen: 0 }));
  assert.equal(tax.limitFen, 100_000_000); // 10 × 20,000,000 / 2, grade A
  assert.ok(tax.codes.includes('L_TAX_MULTIPLE'));
  const taxB = await run(input({ tax24mFen: 20_000_000, invoicedFen: huge, outstandingFen: 0, grade: 'B' }));
  assert.equal(taxB.limitFen, 60_000_000); // 6 × for grade B
  const sales = await run(input({ tax24mFen: huge, invoicedFen: 400_000_000, outstandingFen: 0 }));
  assert.equal(sales.limitFen, 60_000_000); // 15% of 4,000,000 yuan
  assert.ok(sales.codes.includes('L_SALES_SHARE'));
  const headroom = await run(input({ tax24mFen: huge, invoicedFen: huge, outstandingFen: 430_000_000 }));
  assert.equal(headroom.limitFen, 70_000_000); // 5,000,000 − 4,300,000 yuan
  assert.ok(headroom.codes.includes('L_DEBT_HEADROOM'));
});

test('the limit is scaled by the risk grade and rounded down to 10,000 yuan', async () => {
  const r2 = await run(input({ tax24mFen: 10_000_000_000, invoicedFen: 1_000_000_000, outstandingFen: 0, pd: 0.015 }));
  assert.equal(r2.riskGrade, 'R2');
  assert.equal(r2.limitFen, 135_000_000); // 0.15 × 0.9 × 10,000,000 yuan
  const odd = await run(input({ tax24mFen: 10_000_000_000, invoicedFen: 123_456_789, outstandingFen: 0 }));
  assert.equal(odd.limitFen, 18_000_000); // 0.15 × 1,234,567.89 yuan = 185,185.18 → 180,000 yuan
});

test('a limit of exactly 10,000 yuan is granted; one fen less is declined as too low', async () => {
  const at = await run(input({ tax24mFen: 10_000_000_000, invoicedFen: 6_666_667, outstandingFen: 0 })); // 15% = 1,000,000.05 fen
  assert.equal(at.outcome, 'approve');
  assert.equal(at.limitFen, 1_000_000);
  const below = await run(input({ tax24mFen: 10_000_000_000, invoicedFen: 6_666_666, outstandingFen: 0 })); // 999,999.9 fen
  assert.equal(below.outcome, 'decline');
  assert.deepEqual(below.codes, ['D_LIMIT_TOO_LOW']);
});

test('the amount asked, when lower, is granted to the fen; a longer term than the product allows is cut to 12 months', async () => {
  const asked = await run(input({ amountFen: 12_345_678, termMonths: 6 }));
  assert.equal(asked.limitFen, 12_345_678);
  assert.equal(asked.termMonths, 6);
  assert.deepEqual(asked.codes, ['L_AMOUNT_ASKED']);
  const more = await run(input({ amountFen: 900_000_000, termMonths: 36 }));
  assert.equal(more.limitFen, 162_000_000);
  assert.equal(more.termMonths, 12);
});

test('price = LPR + 60 bps + grade premium, within the 3.10% floor, the 8% product cap and 4 × LPR', async () => {
  const grades: [number, string, number][] = [[0.005, 'R1', 390], [0.015, 'R2', 440], [0.03, 'R3', 510], [0.05, 'R4', 640]];
  for (const [pd, grade, rate] of grades) {
    const r = await run(input({ pd }));
    assert.equal(r.riskGrade, grade);
    assert.equal(r.rateBps, rate, grade);
  }
  const review = await run(input({ pd: 0.1 })); // 300 + 60 + 450 = 810 > 800
  assert.equal(review.rateBps, 800);
  assert.ok(review.codes.includes('P_RATE_CAP'));
  const lowLpr = await run(input({ lprBps: 200 })); // 200 + 60 + 30 = 290 < 310
  assert.equal(lowLpr.rateBps, 310);
  assert.ok(lowLpr.codes.includes('P_RATE_FLOOR'));
  const lprCap = await run(input({ lprBps: 150, pd: 0.1 })); // 150 + 60 + 450 = 660 > 4 × 150 = 600
  assert.equal(lprCap.rateBps, 600);
  assert.ok(lprCap.codes.includes('P_LPR_CAP'));
});

test('a strategy whose floor lies above 4 × LPR is refused as broken, never priced above the ceiling', async () => {
  await assert.rejects(engine.evaluate(strategy, input({ lprBps: 70 })), (e: unknown) => e instanceof StrategyError && /above 4 × LPR/.test((e as Error).message));
});

test('the LPR is the one in force on the decision date', () => {
  assert.equal(lprOn('2025-05-19').rateBps, 310);
  assert.equal(lprOn('2025-05-20').rateBps, 300);
  assert.equal(lprOn('2026-11-22').rateBps, 300);
  assert.equal(lprOn('2020-08-20').rateBps, 385);
  assert.throws(() => lprOn('2019-08-19'), LprError);
  assert.throws(() => lprOn('2025-13-01'), LprError);
  for (let k = 1; k < LPR_1Y.length; k++) assert.ok(LPR_1Y[k]!.effectiveDate > LPR_1Y[k - 1]!.effectiveDate, 'the table is in date order');
});
