/** Every admission, fraud and model rule of the default strategy, each triggered alone on a hand-built dossier. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dossier } from '../../src/domain/dossier.ts';
import { DecisionService } from '../../src/decision/decide.ts';
import { StrategyEngine } from '../../src/decision/engine.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import type { FraudSummary, ModelSummary } from '../../src/decision/inputs.ts';
import { taxLoanNative } from '../../src/decision/native-tax-loan.ts';
import { strategyInput } from '../../src/decision/decide.ts';
import { applicantFrom, bureauReport, goodDossier, LOW_RISK_MODEL, MONTHLY_INVOICED_FEN, vatReturn } from './applicant.ts';

const engine = new StrategyEngine();
after(() => engine.dispose());
const strategy = loadStrategy(fileURLToPath(new URL('../../strategies/tax-loan.json', import.meta.url)));
const service = new DecisionService(engine, { champion: strategy });

async function decide(change: (d: Dossier) => void, extra: Parameters<typeof applicantFrom>[1] = {}) {
  const dossier = goodDossier();
  change(dossier);
  const applicant = applicantFrom(dossier, extra);
  const record = await service.decide(applicant);
  // The hand-written oracle agrees on every case.
  const native = taxLoanNative(strategyInput(applicant));
  assert.deepEqual({ ...native, reasons: native.reasons }, { outcome: record.decision.outcome, riskGrade: record.decision.riskGrade, limitFen: record.decision.limitFen, rateBps: record.decision.rateBps, termMonths: record.decision.termMonths, reasons: record.decision.reasons.map((r) => r.code) });
  return record.decision;
}

test('approves the clean applicant: limit 15% of invoiced sales (the least of the four), rate LPR 3.00% + 0.60% + R1 0.30%', async () => {
  const d = await decide(() => {});
  assert.equal(d.outcome, 'approve');
  assert.equal(d.riskGrade, 'R1');
  // Invoiced in the 12 months before 2025-10: 12 × 90,000,000 fen; 15% of it = 162,000,000 fen (1.62M yuan).
  // Tax multiple: 10 × (48,000,000 / 2) = 240,000,000; cap 300,000,000; headroom 500M − 100M = 400,000,000 fen.
  assert.equal(12 * MONTHLY_INVOICED_FEN, 1_080_000_000);
  assert.equal(d.limitFen, 162_000_000);
  assert.equal(d.rateBps, 390);
  assert.equal(d.termMonths, 12);
  assert.deepEqual(d.reasons.map((r) => r.code), ['L_SALES_SHARE']);
  assert.ok(d.reasons[0]!.en.length > 0 && d.reasons[0]!.zh.length > 0);
});

const DECLINES: [string, string, (d: Dossier) => void][] = [
  ['declines an enterprise that is not in business', 'D_NOT_ACTIVE', (d) => { d.enterprise.status = 'deregistered'; }],
  ['declines real estate', 'D_INDUSTRY', (d) => { d.enterprise.industrySection = 'K'; d.enterprise.industryDivision = '70'; }],
  ['declines financial intermediaries', 'D_INDUSTRY', (d) => { d.enterprise.industrySection = 'J'; d.enterprise.industryDivision = '66'; }],
  ['declines a business under 24 months old', 'D_BUSINESS_AGE', (d) => { d.enterprise.establishedDate = '2024-06-01'; }],
  ['declines a legal representative over 65', 'D_LEGAL_REP_AGE', (d) => { d.enterprise.legalRepBirthYear = 1959; }],
  ['declines a legal representative under 18', 'D_LEGAL_REP_AGE', (d) => { d.enterprise.legalRepBirthYear = 2008; }],
  ['declines tax grade C', 'D_TAX_GRADE', (d) => { d.taxGrades.at(-1)!.grade = 'C'; }],
  ['declines tax grade D', 'D_TAX_GRADE', (d) => { d.taxGrades.at(-1)!.grade = 'D'; }],
  ['declines an enterprise that was never graded', 'D_TAX_GRADE_MISSING', (d) => { d.taxGrades = []; }],
  ['declines less than 10,000 yuan of VAT in 12 months', 'D_TAX_PAID_LOW', (d) => { for (const r of d.vatReturns) { r.taxPayableFen = 50_000; r.taxPaidFen = 50_000; } }],
  ['declines when no tax was paid in the last 7 months', 'D_TAX_DISCONTINUOUS', (d) => { for (const r of d.vatReturns) if (r.periodStart >= '2025-02') r.taxPaidFen = 0; }],
  ['declines when the last 4 months were not filed', 'D_FILING_GAP', (d) => { d.vatReturns = d.vatReturns.filter((r) => r.periodStart < '2025-05'); }],
  ['declines six zero-sales returns in 12 months', 'D_ZERO_FILINGS', (d) => { for (const r of d.vatReturns) if (['2024-10', '2024-12', '2025-02', '2025-04', '2025-06', '2025-07'].includes(r.periodStart)) Object.assign(r, { taxableSalesFen: 0, uninvoicedSalesFen: 0, outputTaxFen: 0, inputTaxFen: 0, taxPayableFen: 0, taxPaidFen: 0 }); }],
  ['declines a loan overdue now', 'D_BUREAU_OVERDUE', (d) => { d.bureauReports = [bureauReport({ overdueFen: 1_000_000, worstDpd24m: 10 })]; }],
  ['declines 90 days overdue in the last 24 months', 'D_BUREAU_DPD', (d) => { d.bureauReports = [bureauReport({ worstDpd24m: 90 })]; }],
  ['declines six credit inquiries in 3 months', 'D_BUREAU_INQUIRIES', (d) => { d.bureauReports = [bureauReport({ inquiries3m: 6, inquiries6m: 6 })]; }],
  ['declines nine credit inquiries in 6 months', 'D_BUREAU_INQUIRIES', (d) => { d.bureauReports = [bureauReport({ inquiries3m: 2, inquiries6m: 9 })]; }],
  ['declines business loans above 5,000,000 yuan', 'D_DEBT_HIGH', (d) => { d.bureauReports = [bureauReport({ outstandingLoanFen: 500_000_001 })]; }],
  ['declines a dishonest judgment debtor', 'D_DISHONEST', (d) => {
    d.courtCases = [{ caseId: '(2025)浙0106执100号', creditCode: d.enterprise.creditCode, filedDate: '2025-03-01', role: 'defendant', kind: 'contract', amountFen: 1_000_000, status: 'open', closedDate: null, dishonestDebtor: true }];
  }],
];

for (const [name, code, change] of DECLINES) {
  test(`${name} (${code})`, async () => {
    const d = await decide(change);
    assert.equal(d.outcome, 'decline');
    assert.deepEqual(d.reasons.map((r) => r.code), [code]);
    assert.equal(d.limitFen, 0);
    assert.equal(d.rateBps, null);
  });
}

test('the boundaries are where the rules say: 24 months in business, 65 years old and 5 inquiries pass', async () => {
  assert.equal((await decide((d) => { d.enterprise.establishedDate = '2023-10-01'; })).outcome, 'approve');
  assert.equal((await decide((d) => { d.enterprise.legalRepBirthYear = 1960; })).outcome, 'approve');
  assert.equal((await decide((d) => { d.bureauReports = [bureauReport({ inquiries3m: 5, inquiries6m: 8 })]; })).outcome, 'approve');
  assert.equal((await decide((d) => { d.bureauReports = [bureauReport({ outstandingLoanFen: 500_000_000 })]; })).outcome, 'decline'); // no headroom left: limit too low
});

test('admits tax grade M (new taxpayers) with three times annual tax instead of ten', async () => {
  const d = await decide((x) => { x.taxGrades.at(-1)!.grade = 'M'; });
  assert.equal(d.outcome, 'approve');
  assert.equal(d.limitFen, 72_000_000); // 3 × 48,000,000 / 2 = 72,000,000 fen, below 15% of invoiced sales
  assert.deepEqual(d.reasons.map((r) => r.code), ['L_TAX_MULTIPLE']);
});

test('sends to manual review: no credit report, or open lawsuits above 10% of annual sales', async () => {
  const noReport = await decide((d) => { d.bureauReports = []; });
  assert.equal(noReport.outcome, 'review');
  assert.deepEqual(noReport.reasons.map((r) => r.code), ['R_NO_BUREAU', 'L_SALES_SHARE']);
  assert.ok(noReport.limitFen > 0 && noReport.rateBps !== null, 'a review carries the proposed terms');
  const lawsuit = await decide((d) => {
    d.courtCases = [{ caseId: '(2025)浙0106民初200号', creditCode: d.enterprise.creditCode, filedDate: '2025-06-01', role: 'defendant', kind: 'contract', amountFen: 130_000_000, status: 'open', closedDate: null, dishonestDebtor: false }];
  });
  assert.equal(lawsuit.outcome, 'review');
  assert.equal(lawsuit.reasons[0]!.code, 'R_LITIGATION');
});

const FRAUD: [string, FraudSummary, string, string][] = [
  ['declines a member of a circular-invoicing ring', { typology: 'ring', high: 1, medium: 0, codes: ['FR_RING'] }, 'decline', 'D_FRAUD_RING'],
  ['declines a shell cluster member', { typology: 'shell', high: 1, medium: 0, codes: ['FR_SHELL_CLUSTER'] }, 'decline', 'D_FRAUD_SHELL'],
  ['declines burst invoicing', { typology: 'burst_invoicing', high: 1, medium: 0, codes: ['FR_BURST_INVOICING'] }, 'decline', 'D_FRAUD_BURST'],
  ['declines pass-through trading', { typology: 'pass_through', high: 1, medium: 0, codes: ['FR_PASS_THROUGH'] }, 'decline', 'D_FRAUD_PASS_THROUGH'],
  ['declines declared sales the bank never saw', { typology: 'single_source', high: 1, medium: 0, codes: ['FR_SINGLE_SOURCE'] }, 'decline', 'D_FRAUD_SINGLE_SOURCE'],
  ['declines sales inflated by corrections', { typology: 'correction_inflation', high: 1, medium: 0, codes: ['FR_CORRECTION_UPLIFT'] }, 'decline', 'D_FRAUD_CORRECTION'],
  ['declines any other high-severity signal', { typology: null, high: 1, medium: 0, codes: ['FR_X'] }, 'decline', 'D_FRAUD_SIGNAL'],
  ['reviews a medium-severity signal', { typology: null, high: 0, medium: 1, codes: ['FR_LATE_BACKFILL'] }, 'review', 'R_FRAUD_SIGNAL'],
];

for (const [name, fraud, outcome, code] of FRAUD) {
  test(`${name} (${code})`, async () => {
    const d = await decide(() => {}, { fraud });
    assert.equal(d.outcome, outcome);
    assert.equal(d.reasons[0]!.code, code);
  });
}

const MODEL: [string, ModelSummary | null, string, string, string | null][] = [
  ['reviews an enterprise the model cannot score', null, 'review', 'R_NO_SCORE', null],
  ['reviews a PD in the manual-review band (8%–15%)', { ...LOW_RISK_MODEL, pd: 0.1 }, 'review', 'R_SCORE_BAND', 'R5'],
  ['declines a PD of 15% or more', { ...LOW_RISK_MODEL, pd: 0.15 }, 'decline', 'D_SCORE', 'R6'],
];

for (const [name, model, outcome, code, grade] of MODEL) {
  test(`${name} (${code})`, async () => {
    const d = await decide(() => {}, { model });
    assert.equal(d.outcome, outcome);
    assert.equal(d.reasons[0]!.code, code);
    assert.equal(d.riskGrade, grade);
  });
}

test('several failures are all reported, in the table order', async () => {
  const d = await decide((x) => { x.enterprise.establishedDate = '2024-06-01'; x.taxGrades.at(-1)!.grade = 'D'; x.bureauReports = [bureauReport({ overdueFen: 5 })]; }, { fraud: { typology: 'ring', high: 1, medium: 0, codes: ['FR_RING'] } });
  assert.deepEqual(d.reasons.map((r) => r.code), ['D_BUSINESS_AGE', 'D_TAX_GRADE', 'D_BUREAU_OVERDUE', 'D_FRAUD_RING']);
});

test('the VAT return used by the fixtures is internally consistent', () => {
  const r = vatReturn('2025-01');
  assert.equal(r.taxableSalesFen - r.uninvoicedSalesFen, MONTHLY_INVOICED_FEN);
});
