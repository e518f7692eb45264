/** The store's tables for the loan ledger, its journal and the nightly close (issue #14). Kysely's view; the SQL is in migrations-loans.ts. */
import type { ColumnType, Generated } from 'kysely';
import type { Json } from './schema.ts';

type JsonColumn<T = Json> = ColumnType<T, string, string>;

/** One loan of a bank (the tenant): its ledger record (src/loans LoanRecord) as JSON, and the columns queries need. */
export interface LoanTable {
  id: string;
  tenantId: string;
  /** The borrower's credit code. */
  debtorId: string;
  /** What the loan was booked from: an accepted decision or a platform offer, and its id. */
  sourceKind: 'decision' | 'offer';
  sourceId: string;
  status: 'booked' | 'active' | 'closed' | 'written_off' | 'renewed';
  principalFen: number;
  record: JsonColumn;
  /** The last business date a command took effect (the record's lastDate). */
  lastDate: string;
  bookedAt: string;
  updatedAt: string;
}

/** A debtor's ledger record at one bank (classification override). */
export interface LoanDebtorTable {
  tenantId: string;
  debtorId: string;
  record: JsonColumn;
  updatedAt: string;
}

/** Every command applied, under its idempotency key (unique per tenant): a repeat returns `result`, never posts again. */
export interface LoanCommandTable {
  tenantId: string;
  idempotencyKey: string;
  loanId: string | null;
  debtorId: string;
  kind: string;
  commandDate: string;
  /** Canonical JSON of the request: the same key with a different request is a conflict. */
  fingerprint: string;
  result: JsonColumn;
  actor: string;
  createdAt: string;
}

/** The double-entry journal, one row per posting line, append-only. */
export interface LoanJournalTable {
  entrySeq: Generated<number>;
  tenantId: string;
  postingKey: string;
  lineNo: number;
  loanId: string;
  postingDate: string;
  event: string;
  account: string;
  debitFen: number;
  creditFen: number;
  recordedAt: string;
}

/** The nightly close's result for one loan on one date under one model version (first run wins; reruns add nothing). */
export interface LoanCloseResultTable {
  closeDate: string;
  loanId: string;
  modelVersion: string;
  tenantId: string;
  debtorId: string;
  daysPastDue: number;
  bucket: string;
  categoryByDays: string;
  category: string;
  outstandingFen: number;
  basis: JsonColumn;
  createdAt: string;
}

/** The nightly close's result for one debtor at one bank. */
export interface LoanCloseDebtorTable {
  closeDate: string;
  tenantId: string;
  debtorId: string;
  modelVersion: string;
  category: string;
  outstandingFen: number;
  nonPerformingShare: number;
  debtorWideRuleApplied: boolean;
  createdAt: string;
}

/** What an extra close step (early warning, rescoring) returned for one enterprise on one date. */
export interface LoanCloseStepTable {
  closeDate: string;
  debtorId: string;
  step: string;
  stepVersion: string;
  result: JsonColumn;
  createdAt: string;
}

export interface LoanTables {
  loans: LoanTable;
  loanDebtors: LoanDebtorTable;
  loanCommands: LoanCommandTable;
  loanJournal: LoanJournalTable;
  loanCloseResults: LoanCloseResultTable;
  loanCloseDebtors: LoanCloseDebtorTable;
  loanCloseSteps: LoanCloseStepTable;
}
