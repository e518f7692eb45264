/**
 * Applications and decisions. A decision is an immutable record of what the strategy saw and said (a trigger
 * refuses UPDATE and DELETE, except the retention job's one-time masking of personal fields); it names the consent
 * it used. A decision and its audit entry commit together. Every read is scoped to the principal's tenant.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { creditCodeProblem } from '../domain/credit-code.ts';
import type { Store } from './db.ts';
import type { ApplicationRow, Database, DecisionRow, Json } from './schema.ts';
import type { Principal } from './tenants.ts';
import { appendAudit } from './audit.ts';
import { InvalidRequestError, NotFoundError } from './errors.ts';
import { listPage, type Page, type PageRequest } from './pagination.ts';
import { FEN_MAX } from '../domain/columns.ts';

export const PRODUCT_LENGTH_MAX = 64;
export const CONTACT_LENGTH_MAX = 100;
export const STRATEGY_LABEL_LENGTH_MAX = 200;
export const TERM_MONTHS_MAX = 600;

export interface NewApplication {
  creditCode: string;
  product: string;
  amountFen: number | null;
  termMonths: number | null;
  consentId?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
}

/** A decision to record: the table's columns the caller decides, the record as a value, and who asked. */
export type NewDecision = Pick<DecisionRow, 'tenantId' | 'applicationId' | 'creditCode' | 'consentId' | 'outcome' | 'limitFen' | 'rateBps' | 'termMonths' | 'strategy'> & {
  /** The whole decision record (src/decision DecisionRecord): what replay re-evaluates. */
  record: unknown;
  /** Who asked: a key id. */
  actor: string;
  id?: string;
};

function checkFen(value: number | null, what: string, min: number): void {
  if (value === null) return;
  if (!Number.isSafeInteger(value) || value < min || value > FEN_MAX) throw new InvalidRequestError(`${what} must be whole fen in ${min}..${FEN_MAX}`, 'invalid_amount');
}

function checkText(value: string | null | undefined, what: string, lengthMax: number): void {
  if (value === null || value === undefined) return;
  if (value.length === 0 || value.length > lengthMax) throw new InvalidRequestError(`${what} has 1..${lengthMax} characters`, 'invalid_request');
}

function checkApplication(input: NewApplication): void {
  if (creditCodeProblem(input.creditCode) !== null) throw new InvalidRequestError(`'${input.creditCode}' is not a valid credit code`, 'invalid_credit_code');
  checkText(input.product, 'product', PRODUCT_LENGTH_MAX);
  checkFen(input.amountFen, 'amountFen', 1);
  if (input.termMonths !== null && (!Number.isInteger(input.termMonths) || input.termMonths < 1 || input.termMonths > TERM_MONTHS_MAX)) {
    throw new InvalidRequestError(`termMonths must be a whole number 1..${TERM_MONTHS_MAX}`, 'invalid_term');
  }
  checkText(input.contactName, 'contactName', CONTACT_LENGTH_MAX);
  checkText(input.contactPhone, 'contactPhone', CONTACT_LENGTH_MAX);
}

async function insertApplicationIn(tx: Kysely<Database>, principal: Principal, input: NewApplication, at: string): Promise<ApplicationRow> {
  checkApplication(input);
  const application: ApplicationRow = {
    id: randomUUID(), tenantId: principal.tenantId, creditCode: input.creditCode, product: input.product,
    amountFen: input.amountFen, termMonths: input.termMonths, consentId: input.consentId ?? null,
    contactName: input.contactName ?? null, contactPhone: input.contactPhone ?? null,
    createdBy: principal.keyId, createdAt: at, maskedAt: null,
  };
  await tx.insertInto('applications').values(application).execute();
  return application;
}

async function insertDecisionIn(tx: Kysely<Database>, input: NewDecision, at: string): Promise<DecisionRow> {
  if (creditCodeProblem(input.creditCode) !== null) throw new InvalidRequestError(`'${input.creditCode}' is not a valid credit code`, 'invalid_credit_code');
  checkFen(input.limitFen, 'limitFen', 0);
  checkText(input.outcome, 'outcome', 32);
  checkText(input.strategy, 'strategy', STRATEGY_LABEL_LENGTH_MAX);
  const record = JSON.parse(JSON.stringify(input.record ?? null)) as Json;
  const decision: DecisionRow = {
    id: input.id ?? randomUUID(), tenantId: input.tenantId, applicationId: input.applicationId, creditCode: input.creditCode,
    consentId: input.consentId, outcome: input.outcome, limitFen: input.limitFen, rateBps: input.rateBps,
    termMonths: input.termMonths, strategy: input.strategy, record, createdAt: at, maskedAt: null,
  };
  await tx.insertInto('decisions').values({ ...decision, record: JSON.stringify(record) }).execute();
  return decision;
}

function decisionAudit(decision: DecisionRow, actor: string) {
  return {
    at: decision.createdAt, tenantId: decision.tenantId, actor, action: 'decision.create', subjectType: 'decision', subjectId: decision.id,
    details: {
      creditCode: decision.creditCode, applicationId: decision.applicationId, consentId: decision.consentId,
      outcome: decision.outcome, limitFen: decision.limitFen, rateBps: decision.rateBps, termMonths: decision.termMonths, strategy: decision.strategy,
    },
  };
}

/** Stores an application on its own (audited). */
export async function insertApplication(store: Store, principal: Principal, input: NewApplication): Promise<ApplicationRow> {
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    const application = await insertApplicationIn(tx, principal, input, at);
    await appendAudit(tx, {
      at, tenantId: principal.tenantId, actor: principal.keyId, action: 'application.create', subjectType: 'application', subjectId: application.id,
      details: { creditCode: application.creditCode, product: application.product, amountFen: application.amountFen, termMonths: application.termMonths, consentId: application.consentId },
    });
    return application;
  });
}

/** Stores a decision and its audit entry in one transaction (inside the caller's, if given one). */
export async function insertDecision(store: Store, input: NewDecision): Promise<DecisionRow> {
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    const decision = await insertDecisionIn(tx, input, at);
    await appendAudit(tx, decisionAudit(decision, input.actor));
    return decision;
  });
}

/**
 * The online path's one write: the application, its decision and one audit entry, in one transaction.
 * The audit append comes last, so the chain-head lock is held only until the commit.
 */
export async function recordDecision(store: Store, principal: Principal, input: {
  application: NewApplication;
  decision: Omit<NewDecision, 'tenantId' | 'applicationId' | 'creditCode' | 'consentId' | 'actor'>;
}): Promise<{ application: ApplicationRow; decision: DecisionRow }> {
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    const application = await insertApplicationIn(tx, principal, input.application, at);
    const decision = await insertDecisionIn(tx, {
      ...input.decision, tenantId: principal.tenantId, applicationId: application.id, creditCode: application.creditCode,
      consentId: application.consentId, actor: principal.keyId,
    }, at);
    const entry = decisionAudit(decision, principal.keyId);
    await appendAudit(tx, { ...entry, details: { ...entry.details, product: application.product, amountFen: application.amountFen } });
    return { application, decision };
  });
}

/** A decision of the principal's tenant; another tenant's decision is "not found", never "forbidden". */
export async function getDecision(store: Store, id: string, principal: Principal, options: { audit?: boolean } = {}): Promise<DecisionRow> {
  const decision = await store.db.selectFrom('decisions').selectAll().where('id', '=', id).where('tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!decision) throw new NotFoundError(`decision '${id}' not found`);
  if (options.audit !== false) {
    await appendAudit(store.db, {
      at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'decision.read', subjectType: 'decision', subjectId: id,
      details: { creditCode: decision.creditCode },
    });
  }
  return decision;
}

export async function listDecisions(store: Store, principal: Principal, page: PageRequest & { creditCode?: string } = {}): Promise<Page<Omit<DecisionRow, 'record'>>> {
  let query = store.db.selectFrom('decisions')
    .select(['id', 'tenantId', 'applicationId', 'creditCode', 'consentId', 'outcome', 'limitFen', 'rateBps', 'termMonths', 'strategy', 'createdAt', 'maskedAt'])
    .where('tenantId', '=', principal.tenantId);
  if (page.creditCode) query = query.where('creditCode', '=', page.creditCode);
  return listPage(query, page);
}

export async function getApplication(store: Store, id: string, principal: Principal): Promise<ApplicationRow> {
  const application = await store.db.selectFrom('applications').selectAll().where('id', '=', id).where('tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!application) throw new NotFoundError(`application '${id}' not found`);
  return application;
}

export async function listApplications(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<ApplicationRow>> {
  return listPage(store.db.selectFrom('applications').selectAll().where('tenantId', '=', principal.tenantId), page);
}
