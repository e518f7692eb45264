/**
 * Days past due, delinquency buckets and five-category classification (正常/关注/次级/可疑/损失).
 *
 * - Days past due: the oldest instalment with unpaid principal or interest whose due date is before the
 *   as-of date; DPD = as-of − that due date (an instalment is payable all through its due date).
 * - A loan's category by days: the worst category whose minimum DPD it reaches (policies/loans-classification
 *   .json; defaults from the 2023 rules).
 * - Debtor-wide rule: when the non-performing share (次级 and worse) of a debtor's outstanding claims exceeds
 *   the policy's share, all its claims are at least 次级.
 * - A manual override (with its reason) may make a debtor's claims worse, never better than the rules: the
 *   rules are floors, so the effective category is the worse of the two, with both on record.
 * - A 无还本续贷 renewal is not a reason to downgrade: the renewed loan is classified on its own days past due,
 *   and keeps at least the category its predecessor had at renewal (a 关注 loan does not become 正常 by renewal).
 */
import { dayNumber } from '../domain/period.ts';
import { CATEGORIES, CATEGORY_ZH, type Category, type ClassificationPolicy } from './policy.ts';
import { interestReceivableFen, isOpen, principalOutstandingFen, type LedgerState, type LoanRecord } from './ledger-state.ts';

export interface Basis {
  code: string;
  en: string;
  zh: string;
}

export interface LoanClassification {
  loanId: string;
  debtorId: string;
  asOf: string;
  daysPastDue: number;
  bucket: string;
  /** Category from the loan's own days past due. */
  categoryByDays: Category;
  /** Category after the debtor-wide rule and any override: the one that counts. */
  category: Category;
  outstandingFen: number;
  basis: Basis[];
}

export interface DebtorClassification {
  debtorId: string;
  asOf: string;
  category: Category;
  outstandingFen: number;
  nonPerformingShare: number;
  debtorWideRuleApplied: boolean;
  override: { category: Category; reason: string; date: string } | null;
}

export function daysPastDue(loan: LoanRecord, asOfDay: number): number {
  for (const instalment of loan.instalments) {
    const dueDay = dayNumber(instalment.dueDate);
    if (dueDay >= asOfDay) break;
    const unpaid = instalment.principalFen - instalment.paidPrincipalFen + instalment.interestFen - instalment.paidInterestFen;
    if (unpaid > 0) return asOfDay - dueDay;
  }
  return 0;
}

export function bucketOf(days: number, policy: ClassificationPolicy): string {
  for (const bucket of policy.delinquencyBuckets) if (days >= bucket.minDays && (bucket.maxDays === null || days <= bucket.maxDays)) return bucket.code;
  throw new Error(`internal: no delinquency bucket holds ${days} days`);
}

export function categoryByDays(days: number, policy: ClassificationPolicy): Category {
  const m = policy.minimumDaysPastDue;
  if (days >= m.loss) return 'loss';
  if (days >= m.doubtful) return 'doubtful';
  if (days >= m.substandard) return 'substandard';
  if (days >= m.special_mention) return 'special_mention';
  return 'normal';
}

export function worse(a: Category, b: Category): Category {
  return CATEGORIES.indexOf(a) >= CATEGORIES.indexOf(b) ? a : b;
}

export function isNonPerforming(category: Category): boolean {
  return CATEGORIES.indexOf(category) >= CATEGORIES.indexOf('substandard');
}

function outstandingOf(loan: LoanRecord): number {
  return principalOutstandingFen(loan) + interestReceivableFen(loan) + loan.penaltyReceivableFen + loan.feeReceivableFen;
}

/** Every open loan and every debtor with an open loan, classified as of a date. */
export function classifyPortfolio(state: LedgerState, asOf: string, policy: ClassificationPolicy): { loans: LoanClassification[]; debtors: DebtorClassification[] } {
  const asOfDay = dayNumber(asOf);
  const byDebtor = new Map<string, LoanClassification[]>();
  for (const loan of Object.values(state.loans)) {
    if (!isOpen(loan)) continue;
    const days = daysPastDue(loan, asOfDay);
    const byDays = categoryByDays(days, policy);
    const category = loan.renewalFloor === null ? byDays : worse(byDays, loan.renewalFloor);
    const basis: Basis[] = [{ code: `DPD_${byDays.toUpperCase()}`, en: `${days} days past due: ${byDays.replace('_', ' ')} by the day thresholds`, zh: `逾期${days}天，按逾期天数归为${CATEGORY_ZH[byDays]}类` }];
    if (loan.renewedFrom !== null) basis.push({ code: 'RENEWAL_NOT_DOWNGRADED', en: `renewed from ${loan.renewedFrom} without repaying principal; not downgraded for the renewal alone, and kept at least ${loan.renewalFloor?.replace('_', ' ')} as it was`, zh: `由${loan.renewedFrom}无还本续贷而来，不因续贷单独下调分类，至少维持续贷前的${loan.renewalFloor ? CATEGORY_ZH[loan.renewalFloor] : ''}类` });
    const entry: LoanClassification = { loanId: loan.id, debtorId: loan.debtorId, asOf, daysPastDue: days, bucket: bucketOf(days, policy), categoryByDays: byDays, category, outstandingFen: outstandingOf(loan), basis };
    const list = byDebtor.get(loan.debtorId) ?? [];
    list.push(entry);
    byDebtor.set(loan.debtorId, list);
  }
  const debtors: DebtorClassification[] = [];
  for (const [debtorId, entries] of byDebtor) debtors.push(applyDebtorRules(debtorId, entries, state, asOf, policy));
  const loans = [...byDebtor.values()].flat().sort((a, b) => (a.loanId < b.loanId ? -1 : a.loanId > b.loanId ? 1 : 0));
  debtors.sort((a, b) => (a.debtorId < b.debtorId ? -1 : a.debtorId > b.debtorId ? 1 : 0));
  return { loans, debtors };
}

function applyDebtorRules(debtorId: string, entries: LoanClassification[], state: LedgerState, asOf: string, policy: ClassificationPolicy): DebtorClassification {
  let outstandingFen = 0;
  let nonPerformingFen = 0;
  for (const entry of entries) {
    outstandingFen += entry.outstandingFen;
    if (isNonPerforming(entry.category)) nonPerformingFen += entry.outstandingFen;
  }
  const nonPerformingShare = outstandingFen === 0 ? 0 : nonPerformingFen / outstandingFen;
  const debtorWideRuleApplied = nonPerformingShare > policy.debtorNonPerformingShareMax && entries.some((e) => !isNonPerforming(e.category));
  const override = state.debtors[debtorId]?.override ?? null;
  let category: Category = 'normal';
  for (const entry of entries) {
    if (debtorWideRuleApplied && !isNonPerforming(entry.category)) {
      entry.category = 'substandard';
      entry.basis.push({ code: 'DEBTOR_NPL_SHARE', en: `${(nonPerformingShare * 100).toFixed(1)} % of the debtor's claims are non-performing (over ${policy.debtorNonPerformingShareMax * 100} %): all its claims are at least substandard`, zh: `该债务人不良债权占比${(nonPerformingShare * 100).toFixed(1)}%，超过${policy.debtorNonPerformingShareMax * 100}%，其全部债权至少归为次级类` });
    }
    if (override !== null && worse(override.category, entry.category) !== entry.category) {
      entry.category = override.category;
      entry.basis.push({ code: 'MANUAL_OVERRIDE', en: `classified ${override.category.replace('_', ' ')} by hand on ${override.date}: ${override.reason}`, zh: `${override.date}人工认定为${CATEGORY_ZH[override.category]}类：${override.reason}` });
    }
    category = worse(category, entry.category);
  }
  return { debtorId, asOf, category, outstandingFen, nonPerformingShare, debtorWideRuleApplied, override };
}
