/**
 * Government whitelists on the store (issue #13 item 3): a department uploads a whitelist (CSV or JSON rows, validated
 * by whitelist-file.ts: bad rows named and left out, an incomplete file refused), dispatches its firms to banks
 * (dispatch.ts: the HiGHS MIP, with the greedy baseline computed beside it and stored for comparison), and follows
 * each firm's financing: listed → dispatched (or unmatched) → claimed → offered → booked, or declined on the way.
 * The bank a firm is dispatched to sees it and reports its progress; the department sees its own whitelists; the
 * operator sees all. Every write is audited in its transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Store } from '../store/db.ts';
import type { Principal } from '../store/tenants.ts';
import type { Json } from '../store/schema.ts';
import type { DispatchRunTable, WhitelistFirmStatus, WhitelistFirmTable, WhitelistTable } from '../store/schema-funds.ts';
import { appendAudit } from '../store/audit.ts';
import { ConflictError, ForbiddenError, InvalidRequestError, NotFoundError } from '../store/errors.ts';
import { listPage, type Page, type PageRequest } from '../store/pagination.ts';
import { dispatchGreedy, dispatchMipOffThread, loadDispatchPolicy, type DispatchBank, type DispatchFirm, type DispatchObjective, type DispatchPolicy } from './dispatch.ts';
import { readWhitelistCsv, validateWhitelistRows, type ValidatedWhitelist, type WhitelistRejection } from './whitelist-file.ts';
import { marketStatuses, type MarketStatus } from './whitelist-market.ts';

export type Whitelist = Selectable<WhitelistTable>;
export type WhitelistFirm = Selectable<WhitelistFirmTable>;
/** A firm as followed: its own status, and its progress with its bank on the market when the market's tables exist. */
export type FollowedFirm = WhitelistFirm & { marketStatus: MarketStatus | null };

async function withMarket(store: Pick<Store, 'db'>, page: Page<WhitelistFirm & { createdAt: string; id: string }>): Promise<Page<FollowedFirm>> {
  const statuses = await marketStatuses(store.db, page.items);
  return {
    items: page.items.map(({ createdAt: _createdAt, id: _id, ...firm }) => ({ ...firm, marketStatus: statuses.get(`${firm.creditCode} ${firm.bankTenantId}`) ?? null })),
    nextCursor: page.nextCursor,
  };
}
export type DispatchRun = Selectable<DispatchRunTable>;

const NAME_LENGTH_MAX = 200;
const INSERT_CHUNK_ROWS = 500;
/** Which statuses a bank may move a firm to, from each status. */
const NEXT_STATUSES: Partial<Record<WhitelistFirmStatus, readonly WhitelistFirmStatus[]>> = {
  dispatched: ['claimed', 'declined'],
  claimed: ['offered', 'declined'],
  offered: ['booked', 'declined'],
};
/** Firms a new dispatch run may (re)assign: nobody has acted on them yet. */
const DISPATCHABLE: readonly WhitelistFirmStatus[] = ['listed', 'unmatched', 'dispatched'];

export interface WhitelistUpload { name: string; csv?: string; rows?: unknown[]; /** The operator names the department it uploads for. */ tenantId?: string }
export interface DispatchBankInput extends Omit<DispatchBank, 'bankId'> { bankTenantId: string }
export interface DispatchRequest { banks: DispatchBankInput[]; method?: 'mip' | 'greedy'; objective?: DispatchObjective }

function requireGovernment(principal: Principal, what: string): void {
  if (principal.tenantKind !== 'government' && principal.tenantKind !== 'operator') throw new ForbiddenError(`only a government department or the operator ${what}`);
}

/** Uploads a whitelist: its valid rows are kept (status listed), the rejected ones reported by line and field. */
export async function uploadWhitelist(store: Store, principal: Principal, upload: WhitelistUpload): Promise<{ whitelist: Whitelist; rejected: WhitelistRejection[]; rejectedRows: number }> {
  let tenantId = principal.tenantId;
  if (principal.tenantKind === 'operator') {
    if (upload.tenantId === undefined) throw new InvalidRequestError('the operator names the department it uploads for (tenantId)');
    const tenant = await store.db.selectFrom('tenants').select('kind').where('id', '=', upload.tenantId).executeTakeFirst();
    if (tenant?.kind !== 'government') throw new NotFoundError(`government tenant '${upload.tenantId}' not found`);
    tenantId = upload.tenantId;
  } else if (principal.tenantKind !== 'government') {
    throw new ForbiddenError('only a government department or the operator uploads a whitelist');
  } else if (upload.tenantId !== undefined && upload.tenantId !== principal.tenantId) {
    throw new ForbiddenError('a department uploads whitelists for itself only');
  }
  const name = upload.name.trim();
  if (name.length === 0 || name.length > NAME_LENGTH_MAX) throw new InvalidRequestError(`a whitelist name has 1..${NAME_LENGTH_MAX} characters`);
  if ((upload.csv === undefined) === (upload.rows === undefined)) throw new InvalidRequestError('give the whitelist as csv or as rows, one of the two');
  const validated: ValidatedWhitelist = upload.csv !== undefined ? await readWhitelistCsv(upload.csv) : validateWhitelistRows(upload.rows!);
  const now = store.now();
  const whitelist: Whitelist = {
    id: randomUUID(), tenantId, name, rowCount: validated.rowCount, accepted: validated.rows.length,
    rejected: validated.rejected as unknown as Json, createdBy: principal.keyId, createdAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('whitelists').values({ ...whitelist, rejected: JSON.stringify(validated.rejected) }).execute();
    for (let start = 0; start < validated.rows.length; start += INSERT_CHUNK_ROWS) {
      await tx.insertInto('whitelistFirms').values(validated.rows.slice(start, start + INSERT_CHUNK_ROWS).map((row) => ({
        whitelistId: whitelist.id, tenantId, creditCode: row.creditCode, firmName: row.name, amountFen: row.amountFen,
        termMonths: row.termMonths, rating: row.rating, expectedLossBps: row.expectedLossBps, industry: row.industrySection, region: row.regionCode,
        status: 'listed' as const, bankTenantId: null, productId: null, dispatchRunId: null, statusAt: now,
      }))).execute();
    }
    await appendAudit(tx, {
      at: now, tenantId, actor: principal.keyId, action: 'whitelist.upload', subjectType: 'whitelist', subjectId: whitelist.id,
      details: { name, rowCount: validated.rowCount, accepted: validated.rows.length, rejectedRows: validated.rejectedRows },
    });
  });
  return { whitelist, rejected: validated.rejected, rejectedRows: validated.rejectedRows };
}

export async function getWhitelist(store: Pick<Store, 'db'>, principal: Principal, whitelistId: string): Promise<Whitelist> {
  requireGovernment(principal, 'reads a whitelist');
  let query = store.db.selectFrom('whitelists').selectAll().where('id', '=', whitelistId);
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  const whitelist = await query.executeTakeFirst();
  if (!whitelist) throw new NotFoundError(`whitelist '${whitelistId}' not found`);
  return whitelist;
}

export async function listWhitelists(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<Whitelist>> {
  requireGovernment(principal, 'lists whitelists');
  let query = store.db.selectFrom('whitelists').selectAll();
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  return listPage(query, page);
}

/** Following the firms: the department (or operator) sees every firm of its whitelist with its status. */
export async function listWhitelistFirms(store: Store, principal: Principal, whitelistId: string, page: PageRequest & { status?: WhitelistFirmStatus } = {}): Promise<Page<FollowedFirm>> {
  await getWhitelist(store, principal, whitelistId);
  let query = store.db.selectFrom('whitelistFirms').selectAll().select(['statusAt as createdAt', 'creditCode as id']).where('whitelistId', '=', whitelistId);
  if (page.status !== undefined) query = query.where('status', '=', page.status);
  return withMarket(store, await listPage(query, { ...page, createdAtColumn: 'statusAt', idColumn: 'creditCode' }));
}

/** A bank's queue: the whitelisted firms dispatched to it, with their status. */
export async function listDispatchedFirms(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<FollowedFirm>> {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('only a bank lists the firms dispatched to it');
  const query = store.db.selectFrom('whitelistFirms').selectAll().select(['statusAt as createdAt', 'creditCode as id']).where('bankTenantId', '=', principal.tenantId);
  return withMarket(store, await listPage(query, { ...page, createdAtColumn: 'statusAt', idColumn: 'creditCode' }));
}

async function dispatchBanks(store: Store, banks: readonly DispatchBankInput[]): Promise<DispatchBank[]> {
  if (banks.length === 0) throw new InvalidRequestError('a dispatch needs at least one bank');
  const ids = [...new Set(banks.map((b) => b.bankTenantId))];
  if (ids.length !== banks.length) throw new InvalidRequestError('a bank is listed twice in the dispatch');
  const found = await store.db.selectFrom('tenants').select('id').where('id', 'in', ids).where('kind', '=', 'bank').execute();
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw new NotFoundError(`bank(s) not found: ${missing.join(', ')}`);
  return banks.map(({ bankTenantId, ...rest }) => ({ ...rest, bankId: bankTenantId }));
}

/**
 * Dispatches a whitelist's not-yet-acted-on firms to the named banks (capacities, products, risk appetite given by the
 * department): the chosen method decides (MIP by default), the greedy baseline is stored beside it.
 */
export async function runDispatch(store: Store, principal: Principal, whitelistId: string, request: DispatchRequest, policy: DispatchPolicy = loadDispatchPolicy()): Promise<DispatchRun> {
  requireGovernment(principal, 'dispatches a whitelist');
  const whitelist = await getWhitelist(store, principal, whitelistId);
  const banks = await dispatchBanks(store, request.banks);
  const rows = await store.db.selectFrom('whitelistFirms').selectAll().where('whitelistId', '=', whitelistId).where('status', 'in', DISPATCHABLE).execute();
  const firms: DispatchFirm[] = rows.map((r) => ({
    creditCode: r.creditCode, amountFen: r.amountFen, rating: r.rating, expectedLossBps: r.expectedLossBps, industry: r.industry, region: r.region.slice(0, 2),
  }));
  const problem = { firms, banks, objective: request.objective ?? policy.objective };
  let greedy;
  let chosen;
  try {
    greedy = dispatchGreedy(problem, policy);
    chosen = request.method === 'greedy' ? { ...greedy, gap: 0 } : await dispatchMipOffThread(problem, policy);
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidRequestError(`the dispatch is refused: ${error.message}`, 'invalid_dispatch');
    throw error;
  }
  const now = store.now();
  const run: DispatchRun = {
    id: randomUUID(), tenantId: whitelist.tenantId, whitelistId, method: chosen.method, objective: problem.objective, status: chosen.status,
    gap: chosen.gap, objectiveValue: chosen.objectiveValue, matched: chosen.assignments.length,
    banks: banks as unknown as Json, figures: chosen.figures as unknown as Json,
    baseline: { objectiveValue: greedy.objectiveValue, figures: greedy.figures } as unknown as Json,
    policyVersion: `${policy.id}@${policy.version}`, createdBy: principal.keyId, createdAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('dispatchRuns').values({
      ...run, banks: JSON.stringify(run.banks), figures: JSON.stringify(run.figures), baseline: JSON.stringify(run.baseline),
    }).execute();
    for (let start = 0; start < chosen.assignments.length; start += INSERT_CHUNK_ROWS) {
      await tx.insertInto('dispatchAssignments').values(chosen.assignments.slice(start, start + INSERT_CHUNK_ROWS).map((a) => ({
        runId: run.id, tenantId: whitelist.tenantId, creditCode: a.creditCode, bankTenantId: a.bankId, productId: a.productId, amountFen: a.amountFen,
      }))).execute();
    }
    const codes = firms.map((f) => f.creditCode);
    if (codes.length > 0) {
      await tx.updateTable('whitelistFirms').set({ status: 'unmatched', bankTenantId: null, productId: null, dispatchRunId: run.id, statusAt: now })
        .where('whitelistId', '=', whitelistId).where('status', 'in', DISPATCHABLE).execute();
    }
    for (const a of chosen.assignments) {
      await tx.updateTable('whitelistFirms').set({ status: 'dispatched', bankTenantId: a.bankId, productId: a.productId, statusAt: now })
        .where('whitelistId', '=', whitelistId).where('creditCode', '=', a.creditCode).execute();
    }
    await appendAudit(tx, {
      at: now, tenantId: whitelist.tenantId, actor: principal.keyId, action: 'whitelist.dispatch', subjectType: 'dispatch_run', subjectId: run.id,
      details: { whitelistId, method: run.method, status: run.status, objective: run.objective, firms: firms.length, matched: run.matched, baselineMatched: greedy.assignments.length },
    });
  });
  return run;
}

export async function getDispatchRun(store: Pick<Store, 'db'>, principal: Principal, runId: string): Promise<DispatchRun> {
  requireGovernment(principal, 'reads a dispatch run');
  let query = store.db.selectFrom('dispatchRuns').selectAll().where('id', '=', runId);
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  const run = await query.executeTakeFirst();
  if (!run) throw new NotFoundError(`dispatch run '${runId}' not found`);
  return run;
}

/** The bank a firm was dispatched to reports its progress: claimed, offered, booked, or declined. */
export async function reportFirmStatus(store: Store, principal: Principal, whitelistId: string, creditCode: string, status: WhitelistFirmStatus): Promise<WhitelistFirm> {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('only the bank a firm was dispatched to reports its progress');
  return store.db.transaction().execute(async (tx) => {
    const firm = await tx.selectFrom('whitelistFirms').selectAll().where('whitelistId', '=', whitelistId).where('creditCode', '=', creditCode)
      .where('bankTenantId', '=', principal.tenantId).forUpdate().executeTakeFirst();
    if (!firm) throw new NotFoundError(`firm '${creditCode}' of whitelist '${whitelistId}' is not dispatched to this bank`);
    if (!(NEXT_STATUSES[firm.status] ?? []).includes(status)) {
      throw new ConflictError(`a firm that is ${firm.status} cannot become ${status} (next: ${(NEXT_STATUSES[firm.status] ?? []).join(', ') || 'none'})`);
    }
    const now = store.now();
    await tx.updateTable('whitelistFirms').set({ status, statusAt: now }).where('whitelistId', '=', whitelistId).where('creditCode', '=', creditCode).execute();
    await appendAudit(tx, {
      at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'whitelist.firm_status', subjectType: 'whitelist_firm', subjectId: `${whitelistId}/${creditCode}`,
      details: { from: firm.status, to: status },
    });
    return { ...firm, status, statusAt: now };
  });
}

/** Counts of the whitelist's firms by status: the department's view of how its firms are financed. */
export async function whitelistProgress(store: Store, principal: Principal, whitelistId: string): Promise<Record<WhitelistFirmStatus, number>> {
  await getWhitelist(store, principal, whitelistId);
  const rows = await store.db.selectFrom('whitelistFirms').select(['status', (eb) => eb.fn.countAll<number>().as('firms')])
    .where('whitelistId', '=', whitelistId).groupBy('status').execute();
  const progress = { listed: 0, unmatched: 0, dispatched: 0, claimed: 0, offered: 0, booked: 0, declined: 0 };
  for (const row of rows) progress[row.status] = Number(row.firms);
  return progress;
}
