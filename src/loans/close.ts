/**
 * The nightly close of business for one date, one shard of enterprises at a time:
 *
 * 1. accrual: every active loan is brought up to the date through the ledger's own `accrue` command (interest
 *    falling due, penalty interest on what is overdue, money in advance applied), under the key
 *    `close:DATE:LOAN`, in the same transaction as its journal lines — so a loan is accrued once per date;
 * 2. days past due, delinquency bucket and five-category classification of every open loan, per debtor at each
 *    bank (the debtor-wide rule and overrides included: classifyPortfolio);
 * 3. results written keyed by (date, loan, model version) and (date, bank, debtor, model version); the first close
 *    of a date is the record: a rerun (a retried job, a second worker, a second `puhui loan close`) writes nothing new;
 * 4. extra steps per enterprise (rescoring and early warnings belong to src/monitoring): each `CloseStep` gets the
 *    store, the date, the enterprise and its classified loans, and what it returns is kept keyed by (date,
 *    enterprise, step, step version).
 *
 * Shards are sets of whole enterprises (every loan of a debtor, at every bank, is in the same shard), so the
 * debtor-wide rule never spans two workers. queue.ts runs the shards through a job queue.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, Json, Store } from '../store/index.ts';
import { classifyPortfolio, type DebtorClassification, type LoanClassification } from './classification.ts';
import { applyCommand, type Applied } from './ledger.ts';
import type { LedgerState, LoanRecord } from './ledger-state.ts';
import { CATEGORIES, type Category, type LoanPolicy } from './policy.ts';
import { CLOSE_KEY_PREFIX, insertJournal, recordOf, storePolicy } from './store.ts';
import { LoanError } from './errors.ts';
import { isIsoDate } from '../domain/period.ts';

/** One loan as an extra close step sees it: its record (after the accrual), its bank and its classification. */
export interface ClosedLoan {
  tenantId: string;
  loan: LoanRecord;
  classification: LoanClassification;
}

export interface CloseStepContext {
  store: Store;
  /** The business date being closed, ISO. */
  date: string;
  /** The enterprise (debtor credit code). */
  enterpriseId: string;
  /** Its open loans at every bank, classified as of the date. */
  loans: readonly ClosedLoan[];
}

/** What a step keeps for an enterprise on a date: stored under (date, enterprise, step, version); null keeps nothing. */
export interface CloseStepOutcome {
  step: string;
  version: string;
  result: Json;
}

/**
 * An extra step of the close, called once per enterprise with loans, after its accrual and classification have
 * committed (src/monitoring plugs its rescoring and early warnings in here). It must be rerunnable: a rerun's
 * outcome for the same (date, enterprise, step, version) is not stored again.
 */
export type CloseStep = (context: CloseStepContext) => Promise<CloseStepOutcome | null>;

export interface CloseShardOptions {
  date: string;
  debtorIds: readonly string[];
  modelVersion: string;
  policy?: LoanPolicy;
  steps?: readonly CloseStep[];
}

export interface ShardSummary {
  debtors: number;
  loans: number;
  accrued: number;
  postings: number;
  categories: Record<Category, number>;
  stepOutcomes: number;
}

/** Enterprises per shard (one job, one transaction): bounded so a transaction stays short and memory small. */
export const SHARD_DEBTORS_MAX = 500;

/** The model version of the close's results: the classification policy that made them. */
export function closeModelVersion(policy: LoanPolicy): string {
  return `classification:${policy.classification.id}@${policy.classification.version}`;
}

export function checkCloseDate(date: string): void {
  if (!isIsoDate(date)) throw new LoanError(`the close date must be a date YYYY-MM-DD, got '${date}'`, 'loan_terms');
}

/** The enterprises with an active loan, sorted, cut into shards of at most `shardSize`. */
export async function planShards(store: Store, shardSize = SHARD_DEBTORS_MAX): Promise<string[][]> {
  const rows = await store.db.selectFrom('loans').select('debtorId').distinct().where('status', '=', 'active').orderBy('debtorId').execute();
  const shards: string[][] = [];
  for (let start = 0; start < rows.length; start += shardSize) shards.push(rows.slice(start, start + shardSize).map((r) => r.debtorId));
  return shards;
}

/** Closes one shard: accrual, classification and results in one transaction, then the extra steps. */
export async function closeShard(store: Store, options: CloseShardOptions): Promise<ShardSummary> {
  checkCloseDate(options.date);
  if (options.debtorIds.length > SHARD_DEBTORS_MAX) throw new LoanError(`a shard holds at most ${SHARD_DEBTORS_MAX} enterprises`, 'loan_terms');
  const policy = storePolicy({ policy: options.policy });
  const at = store.now();
  const closed = await store.db.transaction().execute((tx) => accrueAndClassify(tx, options, policy, at));
  let stepOutcomes = 0;
  for (const step of options.steps ?? []) {
    for (const [enterpriseId, loans] of closed.byEnterprise) {
      const outcome = await step({ store, date: options.date, enterpriseId, loans });
      if (outcome === null) continue;
      const inserted = await store.db.insertInto('loanCloseSteps').values({
        closeDate: options.date, debtorId: enterpriseId, step: outcome.step, stepVersion: outcome.version, result: JSON.stringify(outcome.result), createdAt: store.now(),
      }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      stepOutcomes += Number(inserted.numInsertedOrUpdatedRows ?? 0n);
    }
  }
  return { ...closed.summary, stepOutcomes };
}

interface Closed {
  summary: Omit<ShardSummary, 'stepOutcomes'>;
  byEnterprise: Map<string, ClosedLoan[]>;
}

async function accrueAndClassify(tx: Kysely<Database>, options: CloseShardOptions, policy: LoanPolicy, at: string): Promise<Closed> {
  const { date } = options;
  // Only active loans: closed, written-off and renewed ones are neither accrued nor classified (a renewed loan's
  // floor lives on its successor's record).
  const rows = options.debtorIds.length === 0 ? [] : await tx.selectFrom('loans').select(['tenantId', 'record'])
    .where('debtorId', 'in', options.debtorIds).where('status', '=', 'active').orderBy('id').forUpdate().execute();
  const debtorRows = options.debtorIds.length === 0 ? [] : await tx.selectFrom('loanDebtors').select(['tenantId', 'record'])
    .where('debtorId', 'in', options.debtorIds).execute();
  // One ledger state per bank: the debtor-wide rule counts a debtor's claims at that bank.
  const states = new Map<string, LedgerState>();
  const stateOf = (tenantId: string) => states.get(tenantId) ?? states.set(tenantId, { loans: {}, debtors: {} }).get(tenantId)!;
  for (const row of rows) {
    const loan = recordOf(row.record);
    stateOf(row.tenantId).loans[loan.id] = loan;
  }
  for (const row of debtorRows) {
    const debtor = row.record as unknown as { id: string };
    stateOf(row.tenantId).debtors[debtor.id] = row.record as never;
  }
  const changed: { tenantId: string; loan: LoanRecord; key: string; postings: Applied['postings'] }[] = [];
  for (const [tenantId, state] of states) {
    for (const loan of Object.values(state.loans)) {
      // A loan already at the date (closed before, or a later command) is not accrued again.
      if (loan.status !== 'active' || loan.lastDate >= date) continue;
      const key = `${CLOSE_KEY_PREFIX}${date}:${loan.id}`;
      const applied = applyCommand({ loans: { [loan.id]: loan }, debtors: {} }, { kind: 'accrue', key, date, loanId: loan.id }, policy);
      const accrued = { ...applied.state.loans[loan.id]!, appliedKeys: {} };
      state.loans[loan.id] = accrued;
      // Nothing moved (no posting, no fraction of a fen of penalty carried, same status): nothing to write. The
      // next command brings the loan over the same days again and finds nothing either.
      const moved = applied.postings.length > 0 || accrued.penaltyCarryNumerator !== loan.penaltyCarryNumerator || accrued.status !== loan.status;
      if (moved) changed.push({ tenantId, loan: accrued, key, postings: applied.postings });
    }
  }
  await writeAccruals(tx, changed, date, at);
  const byEnterprise = new Map<string, ClosedLoan[]>();
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const loanResults: LoanClassification[] = [];
  const debtorResults: (DebtorClassification & { tenantId: string })[] = [];
  const tenantOfLoan = new Map<string, string>();
  for (const [tenantId, state] of states) {
    const classified = classifyPortfolio(state, date, policy.classification);
    for (const entry of classified.loans) {
      categories[entry.category] += 1;
      loanResults.push(entry);
      tenantOfLoan.set(entry.loanId, tenantId);
      const list = byEnterprise.get(entry.debtorId) ?? [];
      list.push({ tenantId, loan: state.loans[entry.loanId]!, classification: entry });
      byEnterprise.set(entry.debtorId, list);
    }
    for (const entry of classified.debtors) debtorResults.push({ ...entry, tenantId });
  }
  await writeResults(tx, loanResults, debtorResults, tenantOfLoan, options.modelVersion, at);
  return {
    summary: { debtors: byEnterprise.size, loans: loanResults.length, accrued: changed.length, postings: changed.reduce((sum, c) => sum + c.postings.length, 0), categories },
    byEnterprise,
  };
}

/** Rows per multi-row statement in the close's bulk writes. */
const CLOSE_ROWS_PER_STATEMENT = 1_000;

function chunks<T>(items: readonly T[], size = CLOSE_ROWS_PER_STATEMENT): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** The accrued loans, their journal lines and their idempotency records, in bulk (one statement per chunk). */
async function writeAccruals(tx: Kysely<Database>, changed: { tenantId: string; loan: LoanRecord; key: string; postings: Applied['postings'] }[], date: string, at: string): Promise<void> {
  for (const part of chunks(changed)) {
    const rows = JSON.stringify(part.map((c) => ({ id: c.loan.id, tenant_id: c.tenantId, status: c.loan.status, last_date: c.loan.lastDate, record: c.loan })));
    await sql`UPDATE loans SET record = v.record, status = v.status, last_date = v.last_date, updated_at = ${at}
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(id text, tenant_id text, status text, last_date text, record jsonb)
      WHERE loans.id = v.id AND loans.tenant_id = v.tenant_id`.execute(tx);
    await tx.insertInto('loanCommands').values(part.map((c) => ({
      tenantId: c.tenantId, idempotencyKey: c.key, loanId: c.loan.id, debtorId: c.loan.debtorId, kind: 'accrue', commandDate: date, fingerprint: c.key,
      result: JSON.stringify({ key: c.key, kind: 'accrue', date, loanId: c.loan.id, loanIds: [c.loan.id], postingKeys: c.postings.map((p) => p.key), status: c.loan.status }),
      actor: 'close', createdAt: at,
    }))).execute();
  }
  const byTenant = new Map<string, Applied['postings']>();
  for (const c of changed) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), ...c.postings]);
  for (const [tenantId, postings] of byTenant) await insertJournal(tx, tenantId, postings, at);
}

async function writeResults(tx: Kysely<Database>, loans: LoanClassification[], debtors: (DebtorClassification & { tenantId: string })[], tenantOfLoan: Map<string, string>, modelVersion: string, at: string): Promise<void> {
  for (const part of chunks(loans)) {
    await tx.insertInto('loanCloseResults').values(part.map((c) => ({
      closeDate: c.asOf, loanId: c.loanId, modelVersion, tenantId: tenantOfLoan.get(c.loanId)!, debtorId: c.debtorId, daysPastDue: c.daysPastDue, bucket: c.bucket,
      categoryByDays: c.categoryByDays, category: c.category, outstandingFen: c.outstandingFen, basis: JSON.stringify(c.basis), createdAt: at,
    }))).onConflict((oc) => oc.doNothing()).execute();
  }
  for (const part of chunks(debtors)) {
    await tx.insertInto('loanCloseDebtors').values(part.map((d) => ({
      closeDate: d.asOf, tenantId: d.tenantId, debtorId: d.debtorId, modelVersion, category: d.category, outstandingFen: d.outstandingFen,
      nonPerformingShare: d.nonPerformingShare, debtorWideRuleApplied: d.debtorWideRuleApplied, createdAt: at,
    }))).onConflict((oc) => oc.doNothing()).execute();
  }
}

export interface PortfolioClassification {
  date: string;
  modelVersion: string;
  loans: number;
  outstandingFen: number;
  /** Loans and outstanding fen per category. */
  categories: Record<Category, { loans: number; outstandingFen: number }>;
  /** Loans per delinquency bucket. */
  buckets: Record<string, number>;
}

/** The close's stored results for a date, summed: the portfolio's classification (optionally one bank's). */
export async function portfolioClassification(store: Store, date: string, modelVersion: string, tenantId?: string): Promise<PortfolioClassification> {
  let query = store.db.selectFrom('loanCloseResults').select(['category', 'bucket'])
    .select(({ fn }) => [fn.countAll<string>().as('loans'), fn.sum<string>('outstandingFen').as('outstandingFen')])
    .where('closeDate', '=', date).where('modelVersion', '=', modelVersion).groupBy(['category', 'bucket']);
  if (tenantId) query = query.where('tenantId', '=', tenantId);
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, { loans: 0, outstandingFen: 0 }])) as PortfolioClassification['categories'];
  const buckets: Record<string, number> = {};
  let loans = 0;
  let outstandingFen = 0;
  for (const row of await query.execute()) {
    const count = Number(row.loans);
    const fen = Number(row.outstandingFen);
    categories[row.category as Category].loans += count;
    categories[row.category as Category].outstandingFen += fen;
    buckets[row.bucket] = (buckets[row.bucket] ?? 0) + count;
    loans += count;
    outstandingFen += fen;
  }
  return { date, modelVersion, loans, outstandingFen, categories, buckets };
}
