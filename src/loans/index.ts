/**
 * Loans: exact schedules, revolving lines, the loan ledger over a double-entry journal, delinquency and
 * five-category classification, renewal and relief. Pure functions over plain data; no store, no clock.
 */
export { annualRateOf, type AnnualRate, type RateInput } from './arithmetic.ts';
export { DAY_COUNTS, type DayCount } from './calendar.ts';
export { AMORTISATIONS, generateSchedule, scheduleTermsOf, TERM_MONTHS_MAX, type Amortisation, type Instalment, type Schedule, type ScheduleInput } from './schedule.ts';
export { LoanError } from './errors.ts';
export { ACCOUNTS, accountBalances, journalProblems, type Account, type Posting, type PostingLine } from './journal.ts';
export { CATEGORIES, CATEGORY_ZH, loadLoanPolicy, parsePolicy, type Category, type LoanPolicy } from './policy.ts';
export { EMPTY_LEDGER, type LedgerState, type LoanRecord, type Offer } from './ledger-state.ts';
export { applyCommand, LoanBook, offerOfDecision, reconcile, type Applied, type LedgerCommand } from './ledger.ts';
export { bucketOf, classifyPortfolio, daysPastDue, type DebtorClassification, type LoanClassification } from './classification.ts';
export { applyLineCommand, availableFen, lineDaysPastDue, openCreditLine, reconcileLines, type CreditLine, type LineCommand } from './revolving.ts';
export type { CloseStep, CloseStepContext, CloseStepOutcome, ClosedLoan } from './close.ts';
