/**
 * The loan ledger on the store: every command of src/loans/ledger.ts applied in one database transaction with
 * the loan rows it changes, the journal lines it posts, its idempotency record and its audit entry.
 *
 * - Idempotency lives in the database: `loan_commands` has the key unique per tenant. A repeated key with the
 *   same request returns the first result (`replayed: true`) and posts nothing; with a different request it is
 *   refused (`idempotency_conflict`). Two racing requests with one key: one commits, the other hits the unique
 *   key, retries and reads the first result. The pure ledger's own `appliedKeys` are therefore not stored (the
 *   table is the record of applied keys): a loan row stays the size of its schedule.
 * - Locking: a command on a loan locks the loan row (FOR UPDATE) before it reads its key, so commands on one loan
 *   run one after another; a renewal locks every loan of the debtor at the bank (the classification it checks
 *   reads them all).
 * - The journal is append-only (a trigger refuses UPDATE and DELETE); `checkLedger` holds it to the loan rows.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { appendAudit, canonicalJson, ConflictError, isUniqueViolation, NotFoundError, type Database, type Store } from '../store/index.ts';
import { LoanError } from './errors.ts';
import type { Account, Posting } from './journal.ts';
import { applyCommand, IDEMPOTENCY_KEY_LENGTH_MAX, loanBalanceProblems, type Applied, type LedgerCommand } from './ledger.ts';
import type { DebtorRecord, LedgerState, LoanRecord, Offer } from './ledger-state.ts';
import { loadLoanPolicy, type LoanPolicy } from './policy.ts';
import type { Amortisation, Grace, Rounding } from './schedule.ts';
import type { DayCount } from './calendar.ts';
import type { EnterpriseSize } from './policy.ts';

/** Who posts: the bank (tenant) and the key or process acting for it. */
export interface LoanActor {
  tenantId: string;
  actor: string;
}

/**
 * What a loan is booked from. A stored decision of the bank (its outcome, limit, rate and term), or an offer
 * resolved elsewhere (a platform offer) with its reference: the booking itself does not care which.
 */
export type LoanSource = { kind: 'decision'; id: string } | { kind: 'offer'; id: string; offer: Offer };

export interface BookRequest {
  kind: 'book';
  key: string;
  date: string;
  source: LoanSource;
  principalFen: number;
  method: Amortisation;
  dayCount?: DayCount;
  rounding?: Partial<Rounding>;
  grace?: Partial<Grace>;
}

export interface RenewRequest {
  kind: 'renew';
  key: string;
  date: string;
  loanId: string;
  source: LoanSource;
  enterpriseSize: EnterpriseSize;
  method?: Amortisation;
}

/** A command as the store takes it: booking and renewal name their source; the rest are the ledger's own. */
export type LoanRequest = BookRequest | RenewRequest | Exclude<LedgerCommand, { kind: 'book' | 'renew' }>;

export interface LoanCommandResult {
  key: string;
  kind: LoanRequest['kind'];
  date: string;
  /** The loan the command was about (null for a debtor's classification override). */
  loanId: string | null;
  /** Every loan it changed (a renewal changes two). */
  loanIds: string[];
  postingKeys: string[];
  /** The loan's status afterwards. */
  status: LoanRecord['status'] | null;
}

export interface Posted extends LoanCommandResult {
  /** True when the key had been applied before: this is the first result, and nothing was posted now. */
  replayed: boolean;
}

export interface PostOptions {
  policy?: LoanPolicy;
}

/** Reserved for the nightly close's own accrual keys. */
export const CLOSE_KEY_PREFIX = 'close:';
/** Retries after a unique-key race (another transaction committed the same key or loan first). */
const RACE_RETRIES_MAX = 3;
/** Journal rows per INSERT (11 parameters a row, well under PostgreSQL's 65,535). */
const JOURNAL_ROWS_PER_INSERT = 2_000;

let defaultPolicy: LoanPolicy | null = null;
export function storePolicy(options: PostOptions = {}): LoanPolicy {
  if (options.policy) return options.policy;
  defaultPolicy ??= loadLoanPolicy();
  return defaultPolicy;
}

/** A loan's id, derived from the bank and the booking key: a retried booking names the same loan. */
export function loanIdOf(tenantId: string, key: string): string {
  return `ln_${createHash('sha256').update(`${tenantId}\n${key}`, 'utf8').digest('hex').slice(0, 24)}`;
}

/** Applies one command in its own transaction (retrying a lost unique-key race, which then reads the winner's result). */
export async function postLoanCommand(store: Store, actor: LoanActor, request: LoanRequest, options: PostOptions = {}): Promise<Posted> {
  const policy = storePolicy(options);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const at = store.now();
      return await store.db.transaction().execute((tx) => applyRequestIn(tx, actor, request, policy, at));
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= RACE_RETRIES_MAX) throw error;
    }
  }
}

/**
 * Applies several commands in order in ONE transaction: all commit or none (the demo's monthly repayments).
 * A refused command refuses the whole batch.
 */
export async function postLoanCommands(store: Store, actor: LoanActor, requests: readonly LoanRequest[], options: PostOptions = {}): Promise<Posted[]> {
  const policy = storePolicy(options);
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    const results: Posted[] = [];
    for (const request of requests) results.push(await applyRequestIn(tx, actor, request, policy, at));
    return results;
  });
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX) {
    throw new LoanError(`an idempotency key of 1..${IDEMPOTENCY_KEY_LENGTH_MAX} characters is required`, 'loan_terms');
  }
}

async function applyRequestIn(tx: Transaction<Database>, actor: LoanActor, request: LoanRequest, policy: LoanPolicy, at: string): Promise<Posted> {
  checkKey(request.key);
  const fingerprint = canonicalJson(request);
  // Lock the loan before reading the key: two commands on one loan then see each other's key.
  const locked = 'loanId' in request ? await lockLoan(tx, actor.tenantId, request.loanId) : null;
  const previous = await tx.selectFrom('loanCommands').select(['fingerprint', 'result'])
    .where('tenantId', '=', actor.tenantId).where('idempotencyKey', '=', request.key).executeTakeFirst();
  if (previous) {
    if (previous.fingerprint !== fingerprint) throw new LoanError(`idempotency key '${request.key}' was already used for a different command`, 'idempotency_conflict');
    return { ...(previous.result as unknown as LoanCommandResult), replayed: true };
  }
  const { state, command, debtorId } = await prepare(tx, actor.tenantId, request, locked);
  const applied = applyCommand(state, command, policy);
  await persistApplied(tx, actor.tenantId, state, applied, at, sourceOf(request));
  const loanId = 'loanId' in command ? command.loanId : null;
  const loanIds = Object.keys(applied.state.loans).filter((id) => applied.state.loans[id] !== state.loans[id]);
  const result: LoanCommandResult = {
    key: request.key, kind: request.kind, date: request.date, loanId, loanIds,
    postingKeys: applied.postings.map((p) => p.key), status: loanId === null ? null : applied.state.loans[loanId]?.status ?? null,
  };
  await tx.insertInto('loanCommands').values({
    tenantId: actor.tenantId, idempotencyKey: request.key, loanId, debtorId, kind: request.kind, commandDate: request.date,
    fingerprint, result: JSON.stringify(result), actor: actor.actor, createdAt: at,
  }).execute();
  await appendAudit(tx, {
    at, tenantId: actor.tenantId, actor: actor.actor, action: `loan.${request.kind}`, subjectType: loanId === null ? 'debtor' : 'loan',
    subjectId: loanId ?? debtorId, details: { key: request.key, date: request.date, ...amountsOf(request), postings: result.postingKeys.length },
  });
  return { ...result, replayed: false };
}

function amountsOf(request: LoanRequest): Record<string, unknown> {
  switch (request.kind) {
    case 'book': return { source: `${request.source.kind}:${request.source.id}`, principalFen: request.principalFen };
    case 'repay': case 'charge-fee': return { amountFen: request.amountFen };
    case 'prepay': return { principalFen: request.principalFen, mode: request.mode };
    case 'renew': return { source: `${request.source.kind}:${request.source.id}` };
    default: return {};
  }
}

function sourceOf(request: LoanRequest): LoanSource | null {
  return request.kind === 'book' || request.kind === 'renew' ? request.source : null;
}

interface Prepared { state: LedgerState; command: LedgerCommand; debtorId: string }

async function prepare(tx: Transaction<Database>, tenantId: string, request: LoanRequest, locked: LoanRecord | null): Promise<Prepared> {
  if (request.kind === 'book') {
    const offer = await resolveOffer(tx, tenantId, request.source);
    const { source, ...rest } = request;
    const command: LedgerCommand = { ...rest, loanId: loanIdOf(tenantId, request.key), offer };
    return { state: { loans: {}, debtors: {} }, command, debtorId: offer.debtorId };
  }
  if (request.kind === 'override-classification') {
    const debtor = await tx.selectFrom('loanDebtors').select('record').where('tenantId', '=', tenantId).where('debtorId', '=', request.debtorId).forUpdate().executeTakeFirst();
    const debtors = debtor ? { [request.debtorId]: debtor.record as unknown as DebtorRecord } : {};
    return { state: { loans: {}, debtors }, command: request, debtorId: request.debtorId };
  }
  const loan = locked!;
  if (request.kind === 'renew') {
    const offer = await resolveOffer(tx, tenantId, request.source);
    const state = await debtorState(tx, tenantId, [loan.debtorId], true);
    const { source, ...rest } = request;
    return { state, command: { ...rest, offer, newLoanId: loanIdOf(tenantId, request.key) }, debtorId: loan.debtorId };
  }
  return { state: { loans: { [loan.id]: loan }, debtors: {} }, command: request, debtorId: loan.debtorId };
}

async function lockLoan(tx: Transaction<Database>, tenantId: string, loanId: string): Promise<LoanRecord> {
  const row = await tx.selectFrom('loans').select('record').where('id', '=', loanId).where('tenantId', '=', tenantId).forUpdate().executeTakeFirst();
  if (!row) throw new NotFoundError(`loan '${loanId}' not found`);
  return recordOf(row.record);
}

/** Every loan and the debtor records of some debtors at one bank, as a ledger state (locked with forUpdate). */
export async function debtorState(db: Kysely<Database>, tenantId: string, debtorIds: readonly string[], forUpdate: boolean): Promise<LedgerState> {
  const state: LedgerState = { loans: {}, debtors: {} };
  if (debtorIds.length === 0) return state;
  let loans = db.selectFrom('loans').select('record').where('tenantId', '=', tenantId).where('debtorId', 'in', debtorIds).orderBy('id');
  if (forUpdate) loans = loans.forUpdate();
  for (const row of await loans.execute()) {
    const loan = recordOf(row.record);
    state.loans[loan.id] = loan;
  }
  const debtors = await db.selectFrom('loanDebtors').select('record').where('tenantId', '=', tenantId).where('debtorId', 'in', debtorIds).execute();
  for (const row of debtors) {
    const debtor = row.record as unknown as DebtorRecord;
    state.debtors[debtor.id] = debtor;
  }
  return state;
}

/** A stored loan record; keys applied live in loan_commands, so the record's own list starts empty. */
export function recordOf(stored: unknown): LoanRecord {
  return { ...(stored as LoanRecord), appliedKeys: {} };
}

function storedOf(loan: LoanRecord): string {
  return JSON.stringify({ ...loan, appliedKeys: {} });
}

/** The offer a source makes. A decision must be the bank's own; a decision another bank made is "not found". */
export async function resolveOffer(db: Kysely<Database>, tenantId: string, source: LoanSource): Promise<Offer> {
  if (source.kind === 'offer') {
    if (typeof source.id !== 'string' || source.id.length === 0) throw new LoanError('an offer source needs its reference id', 'loan_terms');
    return source.offer;
  }
  const row = await db.selectFrom('decisions').select(['creditCode', 'outcome', 'limitFen', 'rateBps', 'termMonths', 'strategy', 'record', 'createdAt'])
    .where('id', '=', source.id).where('tenantId', '=', tenantId).executeTakeFirst();
  if (!row) throw new NotFoundError(`decision '${source.id}' not found`);
  const record = row.record as { asOf?: string; decision?: { strategy?: { id: string; version: string; hash: string } } } | null;
  const [label = row.strategy, hash = ''] = row.strategy.split('#');
  const [id = label, version = ''] = label.split('@');
  const outcome = row.outcome === 'approve' || row.outcome === 'review' ? row.outcome : 'decline';
  return {
    debtorId: row.creditCode, decidedOn: record?.asOf ?? row.createdAt.slice(0, 10), outcome, limitFen: row.limitFen ?? 0,
    rateBps: row.rateBps, termMonths: row.termMonths, strategy: record?.decision?.strategy ?? { id, version, hash },
  };
}

/**
 * Writes what a transition changed: new and changed loan rows, changed debtor rows and the journal lines of its
 * postings. `before` is the state the transition started from (rows it holds are updated, others inserted).
 */
export async function persistApplied(tx: Kysely<Database>, tenantId: string, before: LedgerState, applied: Applied, at: string, source: LoanSource | null): Promise<void> {
  for (const loan of Object.values(applied.state.loans)) {
    const previous = before.loans[loan.id];
    if (previous === loan) continue;
    const columns = { status: loan.status, record: storedOf(loan), lastDate: loan.lastDate, updatedAt: at };
    if (previous) {
      await tx.updateTable('loans').set(columns).where('id', '=', loan.id).where('tenantId', '=', tenantId).execute();
      continue;
    }
    if (!source) throw new Error(`internal: loan ${loan.id} is new but the command names no source`);
    const booked = await tx.selectFrom('loans').select('id').where('tenantId', '=', tenantId).where('sourceKind', '=', source.kind).where('sourceId', '=', source.id).executeTakeFirst();
    if (booked) throw new ConflictError(`${source.kind} '${source.id}' has already been booked as loan ${booked.id}`);
    await tx.insertInto('loans').values({
      id: loan.id, tenantId, debtorId: loan.debtorId, sourceKind: source.kind, sourceId: source.id, principalFen: loan.terms.principalFen, bookedAt: at, ...columns,
    }).execute();
  }
  for (const debtor of Object.values(applied.state.debtors)) {
    if (before.debtors[debtor.id] === debtor) continue;
    const record = JSON.stringify(debtor);
    await tx.insertInto('loanDebtors').values({ tenantId, debtorId: debtor.id, record, updatedAt: at })
      .onConflict((oc) => oc.columns(['tenantId', 'debtorId']).doUpdateSet({ record, updatedAt: at })).execute();
  }
  await insertJournal(tx, tenantId, applied.postings, at);
}

export async function insertJournal(tx: Kysely<Database>, tenantId: string, postings: readonly Posting[], at: string): Promise<void> {
  const rows = postings.flatMap((entry) => entry.lines.map((line, lineNo) => ({
    tenantId, postingKey: entry.key, lineNo, loanId: line.loanId, postingDate: entry.date, event: entry.event,
    account: line.account, debitFen: line.debitFen, creditFen: line.creditFen, recordedAt: at,
  })));
  for (let start = 0; start < rows.length; start += JOURNAL_ROWS_PER_INSERT) {
    await tx.insertInto('loanJournal').values(rows.slice(start, start + JOURNAL_ROWS_PER_INSERT)).execute();
  }
}

export interface StoredLoan {
  loan: LoanRecord;
  tenantId: string;
  source: { kind: 'decision' | 'offer'; id: string };
  bookedAt: string;
  updatedAt: string;
}

/** One loan of the bank; another bank's loan is "not found". */
export async function getLoan(store: Store, tenantId: string, loanId: string): Promise<StoredLoan> {
  const row = await store.db.selectFrom('loans').selectAll().where('id', '=', loanId).where('tenantId', '=', tenantId).executeTakeFirst();
  if (!row) throw new NotFoundError(`loan '${loanId}' not found`);
  return storedLoanOf(row);
}

function storedLoanOf(row: { record: unknown; tenantId: string; sourceKind: 'decision' | 'offer'; sourceId: string; bookedAt: string; updatedAt: string }): StoredLoan {
  return { loan: recordOf(row.record), tenantId: row.tenantId, source: { kind: row.sourceKind, id: row.sourceId }, bookedAt: row.bookedAt, updatedAt: row.updatedAt };
}

/** Longest list of loans returned at once. */
export const LOANS_LISTED_MAX = 500;

/** An enterprise's own loans, at every bank (oldest first, at most LOANS_LISTED_MAX). */
export async function loansOfEnterprise(store: Store, creditCode: string): Promise<StoredLoan[]> {
  const rows = await store.db.selectFrom('loans').selectAll().where('debtorId', '=', creditCode).orderBy('bookedAt').orderBy('id').limit(LOANS_LISTED_MAX).execute();
  return rows.map(storedLoanOf);
}

/** Longest journal returned for one loan. */
export const JOURNAL_LINES_MAX = 5_000;

export interface JournalLine {
  postingKey: string;
  lineNo: number;
  postingDate: string;
  event: string;
  account: Account;
  debitFen: number;
  creditFen: number;
}

/** A loan's journal lines in the order they were posted (the caller has checked the loan is the bank's). */
export async function journalOfLoan(store: Store, tenantId: string, loanId: string): Promise<JournalLine[]> {
  const rows = await store.db.selectFrom('loanJournal').select(['postingKey', 'lineNo', 'postingDate', 'event', 'account', 'debitFen', 'creditFen'])
    .where('tenantId', '=', tenantId).where('loanId', '=', loanId).orderBy('entrySeq').limit(JOURNAL_LINES_MAX).execute();
  return rows.map((row) => ({ ...row, account: row.account as Account }));
}

/** Loans read per page by checkLedger. */
const CHECK_PAGE_LOANS = 1_000;

export interface LedgerCheck {
  loans: number;
  postings: number;
  problems: string[];
}

/**
 * Holds the stored journal to the stored loans: every posting balanced (debits = credits), and for every loan the
 * journal's balance of each account equals the loan record's (expectedLoanBalances in ledger.ts, the same rule the
 * in-process reconcile applies). Empty `problems` when sound.
 */
export async function checkLedger(store: Store, options: { tenantId?: string } = {}): Promise<LedgerCheck> {
  const problems: string[] = [];
  let unbalanced = store.db.selectFrom('loanJournal').select(['tenantId', 'postingKey'])
    .select(({ fn }) => [fn.sum<number>('debitFen').as('debitFen'), fn.sum<number>('creditFen').as('creditFen')])
    .groupBy(['tenantId', 'postingKey']).having(sql<boolean>`sum(debit_fen) <> sum(credit_fen)`);
  if (options.tenantId) unbalanced = unbalanced.where('tenantId', '=', options.tenantId);
  for (const row of await unbalanced.execute()) problems.push(`posting ${row.postingKey} is unbalanced: debits ${row.debitFen} ≠ credits ${row.creditFen}`);
  let counted = store.db.selectFrom('loanJournal').select(sql<string>`count(DISTINCT (tenant_id, posting_key))`.as('postings'));
  if (options.tenantId) counted = counted.where('tenantId', '=', options.tenantId);
  const postings = Number((await counted.executeTakeFirstOrThrow()).postings);
  let loans = 0;
  let afterId = '';
  for (;;) {
    let page = store.db.selectFrom('loans').select(['id', 'record']).where('id', '>', afterId).orderBy('id').limit(CHECK_PAGE_LOANS);
    if (options.tenantId) page = page.where('tenantId', '=', options.tenantId);
    const rows = await page.execute();
    if (rows.length === 0) break;
    afterId = rows.at(-1)!.id;
    loans += rows.length;
    // Summed in the database: a long-running loan has thousands of lines, its balances are five numbers.
    const sums = await store.db.selectFrom('loanJournal').select(['loanId', 'account'])
      .select(sql<string>`sum(debit_fen - credit_fen)`.as('balanceFen'))
      .where('loanId', 'in', rows.map((r) => r.id)).groupBy(['loanId', 'account']).execute();
    const balances = new Map(sums.map((s) => [`${s.loanId}|${s.account}`, Number(s.balanceFen)]));
    for (const row of rows) {
      const loan = recordOf(row.record);
      problems.push(...loanBalanceProblems(loan, (account) => balances.get(`${loan.id}|${account}`) ?? 0));
    }
  }
  return { loans, postings, problems };
}
