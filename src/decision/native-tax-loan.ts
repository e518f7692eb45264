/**
 * The default strategy (strategies/tax-loan.json, version 2026.12) written by hand in TypeScript. It is not
 * used to decide anything: it is the benchmark's baseline (what the rules engine costs) and the tests'
 * oracle (the JDM graph must agree with it on every enterprise of a synthetic economy). A change to the
 * strategy file that this function does not follow fails that test, on purpose.
 */
import { NO_SELF_PROOF, type StrategyInput } from './inputs.ts';
import type { ReasonCode } from './reasons.ts';

export interface NativeResult { outcome: 'approve' | 'review' | 'decline'; riskGrade: string | null; limitFen: number; rateBps: number | null; termMonths: number | null; reasons: ReasonCode[] }

const PRODUCT = { capFen: 300_000_000, minLimitFen: 1_000_000, limitStepFen: 1_000_000, exposureCapFen: 500_000_000, salesShare: 0.15, spreadBps: 60, rateFloorBps: 310, rateCapBps: 800, termMonthsMax: 12, selfProofStrongShare: 0.3, selfProofPartialShare: 0.1 };

/** Self-proof uplift caps by the strongest verification present (the product terms selfProof…CapFen). */
const SELF_PROOF_CAP_FEN = { strong: 50_000_000, partial: 10_000_000 };

const BANDS = [
  { below: 0.01, grade: 'R1', premiumBps: 30, limitScale: 1 },
  { below: 0.02, grade: 'R2', premiumBps: 80, limitScale: 0.9 },
  { below: 0.04, grade: 'R3', premiumBps: 150, limitScale: 0.8 },
  { below: 0.08, grade: 'R4', premiumBps: 280, limitScale: 0.6 },
] as const;

const FRAUD_CODES: Record<string, ReasonCode> = {
  ring: 'D_FRAUD_RING', shell: 'D_FRAUD_SHELL', burst_invoicing: 'D_FRAUD_BURST', pass_through: 'D_FRAUD_PASS_THROUGH',
  single_source: 'D_FRAUD_SINGLE_SOURCE', correction_inflation: 'D_FRAUD_CORRECTION',
};

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function taxLoanNative(input: StrategyInput): NativeResult {
  const f = input.features;
  const declines: ReasonCode[] = [];
  const reviews: ReasonCode[] = [];
  const lt = (v: unknown, x: number) => { const n = num(v); return n !== null && n < x; };
  const gt = (v: unknown, x: number) => { const n = num(v); return n !== null && n > x; };
  // Admission, in the table's row order.
  if (input.enterprise.status !== 'active') declines.push('D_NOT_ACTIVE');
  if (input.enterprise.industrySection === 'J' || input.enterprise.industrySection === 'K') declines.push('D_INDUSTRY');
  if (lt(f.age_months, 24)) declines.push('D_BUSINESS_AGE');
  if (lt(f.legal_rep_age_years, 18) || gt(f.legal_rep_age_years, 65)) declines.push('D_LEGAL_REP_AGE');
  if (f.tax_grade === 'C' || f.tax_grade === 'D') declines.push('D_TAX_GRADE');
  if (f.tax_grade === null || f.tax_grade === undefined) declines.push('D_TAX_GRADE_MISSING');
  if (lt(f.vat_tax_paid_12m, 1_000_000) || f.vat_tax_paid_12m === null) declines.push('D_TAX_PAID_LOW');
  if (gt(f.vat_months_since_tax_paid, 6)) declines.push('D_TAX_DISCONTINUOUS');
  if (gt(f.vat_months_since_last_return, 3) || f.vat_months_since_last_return === null) declines.push('D_FILING_GAP');
  if (num(f.vat_zero_sales_months_12m) !== null && (f.vat_zero_sales_months_12m as number) >= 6) declines.push('D_ZERO_FILINGS');
  if (f.bureau_has_report === 0) reviews.push('R_NO_BUREAU');
  if (f.bureau_has_overdue === 1) declines.push('D_BUREAU_OVERDUE');
  if (num(f.bureau_worst_dpd_24m) !== null && (f.bureau_worst_dpd_24m as number) >= 90) declines.push('D_BUREAU_DPD');
  if (gt(f.bureau_inquiries_3m, 5)) declines.push('D_BUREAU_INQUIRIES');
  if (gt(f.bureau_inquiries_6m, 8)) declines.push('D_BUREAU_INQUIRIES');
  if (gt(f.bureau_outstanding_fen, 500_000_000)) declines.push('D_DEBT_HIGH');
  if (f.court_dishonest_open === 1) declines.push('D_DISHONEST');
  const litigation = num(f.court_open_defendant_amount_fen) ?? 0;
  if (litigation > 0 && litigation > 0.1 * (num(f.vat_sales_12m) ?? 0)) reviews.push('R_LITIGATION');
  // Anti-fraud.
  const fraud = input.fraud;
  if (fraud.typology !== null && FRAUD_CODES[fraud.typology]) declines.push(FRAUD_CODES[fraud.typology]!);
  if (fraud.typology === null && fraud.high > 0) declines.push('D_FRAUD_SIGNAL');
  if (fraud.medium > 0) reviews.push('R_FRAUD_SIGNAL');
  // Self-proof: a contradicted document stops any uplift and sends the application to a credit officer.
  const proof = input.selfProof ?? NO_SELF_PROOF;
  const upliftCapFen = proof.contradicted > 0 ? 0 : proof.strongEvidenceFen > 0 ? SELF_PROOF_CAP_FEN.strong : proof.partialEvidenceFen > 0 ? SELF_PROOF_CAP_FEN.partial : 0;
  // Risk band from the model's probability of default.
  const pd = input.model?.pd ?? null;
  let band: { grade: string | null; premiumBps: number; limitScale: number };
  if (pd === null) { band = { grade: null, premiumBps: 450, limitScale: 0.5 }; reviews.push('R_NO_SCORE'); }
  else {
    const found = BANDS.find((b) => pd < b.below);
    if (found) band = { grade: found.grade, premiumBps: found.premiumBps, limitScale: found.limitScale };
    else if (pd < 0.15) { band = { grade: 'R5', premiumBps: 450, limitScale: 0.5 }; reviews.push('R_SCORE_BAND'); }
    else { band = { grade: 'R6', premiumBps: 0, limitScale: 0 }; declines.push('D_SCORE'); }
  }
  if (proof.contradicted > 0) reviews.push('R_SELFPROOF_CONTRADICTED');
  // Limit: the least of the cap, a multiple of annual tax, a share of invoiced sales and the exposure headroom.
  const taxMultiple = f.tax_grade === 'A' ? 10 : f.tax_grade === 'B' ? 6 : f.tax_grade === 'M' ? 3 : 0;
  const taxLimitFen = Math.floor(taxMultiple * band.limitScale * ((num(f.vat_tax_paid_24m) ?? 0) / 2));
  const salesLimitFen = Math.floor(PRODUCT.salesShare * band.limitScale * (num(f.inv_sales_12m) ?? 0));
  const headroomFen = Math.max(0, PRODUCT.exposureCapFen - (num(f.bureau_outstanding_fen) ?? 0));
  const supportedFen = Math.min(PRODUCT.capFen, taxLimitFen, salesLimitFen, headroomFen);
  const upliftFen = Math.floor(Math.min(upliftCapFen, PRODUCT.selfProofStrongShare * proof.strongEvidenceFen + PRODUCT.selfProofPartialShare * proof.partialEvidenceFen));
  const raisedFen = Math.min(PRODUCT.capFen, headroomFen, supportedFen + upliftFen);
  const roundedFen = Math.floor(raisedFen / PRODUCT.limitStepFen) * PRODUCT.limitStepFen;
  if (declines.length === 0 && roundedFen < PRODUCT.minLimitFen) declines.push('D_LIMIT_TOO_LOW');
  const outcome = declines.length > 0 ? 'decline' : reviews.length > 0 ? 'review' : 'approve';
  if (outcome === 'decline') return { outcome, riskGrade: band.grade, limitFen: 0, rateBps: null, termMonths: null, reasons: [...new Set(declines)] };
  const asked = input.application.amountFen;
  const askedBinds = asked !== null && asked < roundedFen;
  const limitDriver: ReasonCode = askedBinds ? 'L_AMOUNT_ASKED' : supportedFen === PRODUCT.capFen ? 'L_PRODUCT_CAP' : supportedFen === taxLimitFen ? 'L_TAX_MULTIPLE' : supportedFen === salesLimitFen ? 'L_SALES_SHARE' : 'L_DEBT_HEADROOM';
  // Price: LPR + spread + premium, within the floor and the lesser of the product cap and 4 × LPR.
  const listRateBps = input.market.lpr1yBps + PRODUCT.spreadBps + band.premiumBps;
  const ceilingBps = Math.min(PRODUCT.rateCapBps, input.market.lprCeilingBps);
  const rateBps = Math.max(PRODUCT.rateFloorBps, Math.min(listRateBps, ceilingBps));
  const priceDriver: ReasonCode | null = listRateBps < PRODUCT.rateFloorBps ? 'P_RATE_FLOOR' : listRateBps <= ceilingBps ? null : ceilingBps === input.market.lprCeilingBps ? 'P_LPR_CAP' : 'P_RATE_CAP';
  const termMonths = Math.min(input.application.termMonths ?? PRODUCT.termMonthsMax, PRODUCT.termMonthsMax);
  const raised = !askedBinds && Math.floor(raisedFen / PRODUCT.limitStepFen) > Math.floor(supportedFen / PRODUCT.limitStepFen);
  const reasons = [...new Set<ReasonCode>([...reviews, limitDriver, ...(raised ? ['L_SELFPROOF_UPLIFT' as const] : []), ...(priceDriver ? [priceDriver] : [])])];
  return { outcome, riskGrade: band.grade, limitFen: askedBinds ? asked! : roundedFen, rateBps, termMonths, reasons };
}
