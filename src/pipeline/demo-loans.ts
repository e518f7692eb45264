/**
 * The demo's loan step, on the embedded store (PGlite in the demo's folder): the approved decisions are stored as
 * one demo bank's decisions and each is booked and disbursed for its limit on the observation date; then 12
 * months of repayments follow the economy — a firm pays every instalment on its due date until its first month in
 * default (labels.csv), and from then on pays nothing — and the nightly close runs at every month end. The result
 * is the portfolio's classification month by month and at the end, with the ledger checked against its journal.
 */
import { join } from 'node:path';
import { addMonths, dayNumber, isoDateOfDay } from '../domain/period.ts';
import { DatasetReader } from '../data/index.ts';
import type { DecisionRecord } from '../decision/decide.ts';
import { createTenant, insertDecision, openStore, type Store } from '../store/index.ts';
import { checkLedger, getLoan, loanIdOf, postLoanCommands, type LoanActor, type LoanRequest } from '../loans/store.ts';
import { closeModelVersion, portfolioClassification, type CloseStep, type PortfolioClassification } from '../loans/close.ts';
import { runClose } from '../loans/queue.ts';
import { loadLoanPolicy } from '../loans/policy.ts';

export const DEMO_BANK_TENANT = 'tn_demo_bank';
export const DEMO_LOAN_MONTHS = 12;
/** Commands per transaction when the demo books or repays in bulk. */
const COMMANDS_PER_BATCH = 200;

export interface DemoLoansInput {
  root: string;
  dataset: string;
  observationDate: string;
  decisions: readonly DecisionRecord[];
  /** Extra close steps run at each month end: early warnings (src/monitoring) plug in here. */
  closeSteps?: readonly CloseStep[];
  onMonth?: (month: number, months: number) => void;
}

export interface DemoLoansResult {
  storeDir: string;
  loans: number;
  bookedFen: number;
  /** Firms that stopped paying in the 12 months (their first default month fell in them). */
  stoppedPaying: number;
  /** Loans repaid in full by the end. */
  repaidInFull: number;
  repayments: number;
  months: PortfolioClassification[];
  final: PortfolioClassification;
  ledgerProblems: string[];
  postings: number;
}

/** Each enterprise's first month in default (null: never), from the economy's labels. */
export async function readDefaultMonths(dataset: string): Promise<Map<string, string | null>> {
  const reader = await DatasetReader.open(dataset);
  try {
    const rows = await reader.query('SELECT creditCode, defaultMonth FROM labels');
    return new Map(rows.map((r) => [String(r.creditCode), r.defaultMonth === null || r.defaultMonth === undefined ? null : String(r.defaultMonth).slice(0, 7)]));
  } finally {
    reader.close();
  }
}

export async function runDemoLoans(input: DemoLoansInput): Promise<DemoLoansResult> {
  const storeDir = join(input.root, 'store');
  const store = await openStore({ dataDir: storeDir });
  try {
    const defaults = await readDefaultMonths(input.dataset);
    const actor: LoanActor = { tenantId: DEMO_BANK_TENANT, actor: 'demo' };
    await createTenant(store, { id: DEMO_BANK_TENANT, kind: 'bank', name: '演示银行 Demo Bank' });
    const booked = await bookApproved(store, actor, input);
    const modelVersion = closeModelVersion(loadLoanPolicy());
    const months: PortfolioClassification[] = [];
    let repayments = 0;
    const startMonth = input.observationDate.slice(0, 7);
    for (let month = 1; month <= DEMO_LOAN_MONTHS; month += 1) {
      const period = addMonths(startMonth, month);
      repayments += await repayMonth(store, actor, booked, period, defaults);
      const monthEnd = isoDateOfDay(dayNumber(`${addMonths(period, 1)}-01`) - 1);
      await runClose({ store, date: monthEnd, steps: input.closeSteps ?? [] });
      months.push(await portfolioClassification(store, monthEnd, modelVersion, DEMO_BANK_TENANT));
      input.onMonth?.(month, DEMO_LOAN_MONTHS);
    }
    const check = await checkLedger(store);
    const lastPeriod = addMonths(startMonth, DEMO_LOAN_MONTHS);
    const stoppedPaying = booked.filter((b) => { const d = defaults.get(b.debtorId); return d !== null && d !== undefined && d <= lastPeriod; }).length;
    const repaidInFull = (await store.db.selectFrom('loans').select('id').where('tenantId', '=', DEMO_BANK_TENANT).where('status', '=', 'closed').execute()).length;
    return {
      storeDir, loans: booked.length, bookedFen: booked.reduce((sum, b) => sum + b.principalFen, 0), stoppedPaying, repaidInFull, repayments,
      months, final: months.at(-1)!, ledgerProblems: check.problems, postings: check.postings,
    };
  } finally {
    await store.close();
  }
}

interface BookedLoan { loanId: string; debtorId: string; principalFen: number }

/** Stores every approved decision as the demo bank's, then books and disburses a loan for its limit. */
async function bookApproved(store: Store, actor: LoanActor, input: DemoLoansInput): Promise<BookedLoan[]> {
  const approved = input.decisions.filter((d) => d.decision.outcome === 'approve' && d.decision.limitFen > 0 && d.decision.rateBps !== null && d.decision.termMonths !== null);
  const requests: LoanRequest[] = [];
  const booked: BookedLoan[] = [];
  for (const record of approved) {
    const d = record.decision;
    const stored = await insertDecision(store, {
      tenantId: actor.tenantId, applicationId: null, creditCode: record.creditCode, consentId: null, outcome: d.outcome, limitFen: d.limitFen,
      rateBps: d.rateBps, termMonths: d.termMonths, strategy: `${d.strategy.id}@${d.strategy.version}#${d.strategy.hash.slice(0, 12)}`,
      record: { asOf: record.asOf, decision: { strategy: d.strategy, outcome: d.outcome, reasons: d.reasons } }, actor: actor.actor,
    });
    const key = `demo-book-${record.creditCode}`;
    const loanId = loanIdOf(actor.tenantId, key);
    requests.push({ kind: 'book', key, date: input.observationDate, source: { kind: 'decision', id: stored.id }, principalFen: d.limitFen, method: 'equal-instalment' });
    requests.push({ kind: 'disburse', key: `demo-disburse-${record.creditCode}`, date: input.observationDate, loanId });
    booked.push({ loanId, debtorId: record.creditCode, principalFen: d.limitFen });
  }
  for (let start = 0; start < requests.length; start += COMMANDS_PER_BATCH) await postLoanCommands(store, actor, requests.slice(start, start + COMMANDS_PER_BATCH));
  return booked;
}

/** Pays, on its due date, every instalment falling due in a month, for the firms not yet in default. */
async function repayMonth(store: Store, actor: LoanActor, booked: readonly BookedLoan[], period: string, defaults: Map<string, string | null>): Promise<number> {
  const requests: LoanRequest[] = [];
  for (const { loanId, debtorId } of booked) {
    const defaultMonth = defaults.get(debtorId) ?? null;
    if (defaultMonth !== null && defaultMonth <= period) continue;
    const { loan } = await getLoan(store, actor.tenantId, loanId);
    if (loan.status !== 'active') continue;
    for (const instalment of loan.instalments) {
      if (instalment.dueDate.slice(0, 7) !== period) continue;
      const owedFen = instalment.principalFen + instalment.interestFen - instalment.paidPrincipalFen - instalment.paidInterestFen;
      if (owedFen > 0) requests.push({ kind: 'repay', key: `demo-pay-${loanId}-${instalment.number}`, date: instalment.dueDate, loanId, amountFen: owedFen });
    }
  }
  // A loan's repayments must come in date order: sort the month's by date (each loan has one due date a month).
  requests.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let start = 0; start < requests.length; start += COMMANDS_PER_BATCH) await postLoanCommands(store, actor, requests.slice(start, start + COMMANDS_PER_BATCH));
  return requests.length;
}
