/**
 * Consent (PIPL): an enterprise authorises a named grantee to read some of its data, for a purpose, until an
 * expiry. Lifecycle: AwaitingAuthorisation → Authorised → Revoked | Expired, or AwaitingAuthorisation → Rejected
 * (or Expired, when nobody answered in time). Bank statements are sensitive and need a consent of their own.
 * Every change is audited in the same transaction. requireConsent is checked on every read, against the request's
 * own time, so a revocation or an expiry takes effect on the next request even before expireConsents runs.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { creditCodeProblem } from '../domain/credit-code.ts';
import type { EntityName } from '../domain/columns.ts';
import type { Store } from './db.ts';
import { CONSENT_SCOPES, type Consent, type ConsentScope, type ConsentStatus, type Database } from './schema.ts';
import type { Principal } from './tenants.ts';
import { SYSTEM_ACTOR } from './tenants.ts';
import { appendAudit } from './audit.ts';
import { ConflictError, ConsentRequiredError, ForbiddenError, InvalidRequestError, NotFoundError } from './errors.ts';
import { listPage, type Page, type PageRequest } from './pagination.ts';

/** The consent scope that covers each entity of the dataset (labels are credit outcomes, like the bureau's). */
export const ENTITY_SCOPES: Readonly<Record<EntityName, ConsentScope>> = {
  enterprises: 'registration',
  vatReturns: 'tax', citReturns: 'tax', taxGrades: 'tax',
  invoices: 'invoices',
  bankMonths: 'bank_statements',
  bureauReports: 'bureau', labels: 'bureau',
  courtCases: 'court',
};

/** Scopes that may only be granted alone (sensitive personal information needs a separate consent). */
export const SEPARATE_SCOPES: readonly ConsentScope[] = ['bank_statements'];

export const CONSENT_PURPOSE_LENGTH_MAX = 200;
export const CONSENT_DURATION_DAYS_MAX = 3 * 366;
const DAY_MS = 86_400_000;

export interface ConsentRequest {
  creditCode: string;
  scopes: readonly string[];
  purpose: string;
  /** ISO timestamp, or a date meaning the end of that day (UTC). */
  expiresAt: string;
}

const GRANTEE_KINDS = new Set(['operator', 'bank', 'guarantee_fund', 'government']);

/** A consent's purpose, trimmed: 1..CONSENT_PURPOSE_LENGTH_MAX characters, the same rule for a request and a grant. */
function checkPurpose(purposeRaw: string): string {
  const purpose = purposeRaw.trim();
  if (purpose.length === 0 || purpose.length > CONSENT_PURPOSE_LENGTH_MAX) {
    throw new InvalidRequestError(`a purpose has 1..${CONSENT_PURPOSE_LENGTH_MAX} characters`, 'invalid_purpose');
  }
  return purpose;
}

export function checkScopes(scopes: readonly string[]): ConsentScope[] {
  if (scopes.length === 0) throw new InvalidRequestError('a consent needs at least one scope', 'invalid_scopes');
  const unknown = scopes.filter((s) => !(CONSENT_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new InvalidRequestError(`unknown scope ${unknown.join(', ')}; scopes are ${CONSENT_SCOPES.join(', ')}`, 'invalid_scopes');
  }
  const unique = [...new Set(scopes)].sort() as ConsentScope[];
  for (const separate of SEPARATE_SCOPES) {
    if (unique.includes(separate) && unique.length > 1) {
      throw new InvalidRequestError(`${separate} needs a consent of its own (sensitive data); request the other scopes separately`, 'invalid_scopes');
    }
  }
  return unique;
}

function expiryOf(text: string, now: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.999Z` : text;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms)) {
    throw new InvalidRequestError(`expiresAt '${text}' is not an ISO date or timestamp`, 'invalid_expiry');
  }
  const nowMs = Date.parse(now);
  if (ms <= nowMs) throw new InvalidRequestError('expiresAt is not in the future', 'invalid_expiry');
  if (ms - nowMs > CONSENT_DURATION_DAYS_MAX * DAY_MS) {
    throw new InvalidRequestError(`a consent lasts at most ${CONSENT_DURATION_DAYS_MAX} days`, 'invalid_expiry');
  }
  return new Date(ms).toISOString();
}

/** A grantee (bank, guarantee fund, government department, operator) asks an enterprise for consent. */
export async function requestConsent(store: Store, principal: Principal, request: ConsentRequest): Promise<Consent> {
  if (!GRANTEE_KINDS.has(principal.tenantKind)) throw new ForbiddenError('only a grantee (not an enterprise) requests consent');
  if (creditCodeProblem(request.creditCode) !== null) {
    throw new InvalidRequestError(`'${request.creditCode}' is not a valid unified social credit code`, 'invalid_credit_code');
  }
  const purpose = checkPurpose(request.purpose);
  const scopes = checkScopes(request.scopes);
  const now = store.now();
  const consent: Consent = {
    id: randomUUID(), tenantId: principal.tenantId, creditCode: request.creditCode, purpose, scopes,
    status: 'AwaitingAuthorisation', requestedBy: principal.keyId, requestedAt: now, expiresAt: expiryOf(request.expiresAt, now),
    decidedAt: null, decidedBy: null, endedAt: null, retentionAppliedAt: null, updatedAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('consents').values({ ...consent, scopes: JSON.stringify(scopes) }).execute();
    await auditConsent(tx, consent, principal.keyId, 'consent.request', now);
  });
  return consent;
}

/**
 * The enterprise (or its legal representative, with the enterprise's key) grants a named grantee consent directly:
 * requested and authorised in one step, audited as `consent.grant`.
 */
export async function grantConsent(store: Store, principal: Principal, request: Omit<ConsentRequest, 'creditCode'> & { granteeTenantId: string }): Promise<Consent> {
  if (principal.tenantKind !== 'enterprise' || !principal.creditCode) throw new ForbiddenError('only the enterprise itself grants consent');
  const grantee = await store.db.selectFrom('tenants').select(['id', 'kind']).where('id', '=', request.granteeTenantId).executeTakeFirst();
  if (!grantee || !GRANTEE_KINDS.has(grantee.kind)) throw new NotFoundError(`grantee '${request.granteeTenantId}' not found`);
  const purpose = checkPurpose(request.purpose);
  const scopes = checkScopes(request.scopes);
  const now = store.now();
  const consent: Consent = {
    id: randomUUID(), tenantId: grantee.id, creditCode: principal.creditCode, purpose, scopes, status: 'Authorised',
    requestedBy: principal.keyId, requestedAt: now, expiresAt: expiryOf(request.expiresAt, now),
    decidedAt: now, decidedBy: principal.keyId, endedAt: null, retentionAppliedAt: null, updatedAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('consents').values({ ...consent, scopes: JSON.stringify(scopes) }).execute();
    await auditConsent(tx, consent, principal.keyId, 'consent.grant', now);
  });
  return consent;
}

/** A consent the principal may see: the grantee's own, or one about the enterprise the principal is. */
export async function getConsent(store: Store, principal: Principal, consentId: string): Promise<Consent> {
  let query = store.db.selectFrom('consents').selectAll().where('id', '=', consentId);
  query = principal.tenantKind === 'enterprise'
    ? query.where('creditCode', '=', principal.creditCode ?? '')
    : query.where('tenantId', '=', principal.tenantId);
  const consent = await query.executeTakeFirst();
  if (!consent) throw new NotFoundError(`consent '${consentId}' not found`);
  return consent;
}

export async function listConsents(store: Store, principal: Principal, page: PageRequest & { status?: ConsentStatus; creditCode?: string } = {}): Promise<Page<Consent>> {
  let query = store.db.selectFrom('consents').selectAll()
    .select(['requestedAt as createdAt']);
  query = principal.tenantKind === 'enterprise'
    ? query.where('creditCode', '=', principal.creditCode ?? '')
    : query.where('tenantId', '=', principal.tenantId);
  if (page.status) query = query.where('status', '=', page.status);
  if (page.creditCode) query = query.where('creditCode', '=', page.creditCode);
  const result = await listPage(query, { ...page, createdAtColumn: 'requestedAt' });
  return { items: result.items.map(({ createdAt: _createdAt, ...consent }) => consent), nextCursor: result.nextCursor };
}

type Transition = { action: string; from: readonly ConsentStatus[]; to: ConsentStatus; by: 'enterprise' | 'either' };
const TRANSITIONS = {
  authorise: { action: 'consent.authorise', from: ['AwaitingAuthorisation'], to: 'Authorised', by: 'enterprise' },
  reject: { action: 'consent.reject', from: ['AwaitingAuthorisation'], to: 'Rejected', by: 'enterprise' },
  revoke: { action: 'consent.revoke', from: ['AwaitingAuthorisation', 'Authorised'], to: 'Revoked', by: 'either' },
} as const satisfies Record<string, Transition>;

async function transition(store: Store, principal: Principal, consentId: string, step: Transition): Promise<Consent> {
  return store.db.transaction().execute(async (tx) => {
    const now = store.now();
    const consent = await tx.selectFrom('consents').selectAll().where('id', '=', consentId).forUpdate().executeTakeFirst();
    const isEnterprise = principal.tenantKind === 'enterprise' && consent !== undefined && principal.creditCode === consent.creditCode;
    const isGrantee = consent !== undefined && principal.tenantKind !== 'enterprise' && principal.tenantId === consent.tenantId;
    if (!consent || (!isEnterprise && !isGrantee)) throw new NotFoundError(`consent '${consentId}' not found`);
    if (step.by === 'enterprise' && !isEnterprise) throw new ForbiddenError('only the enterprise itself decides on a consent request');
    if (!(step.from as readonly string[]).includes(consent.status)) {
      throw new ConflictError(`consent '${consentId}' is ${consent.status}; cannot ${step.action.split('.')[1]} it`);
    }
    if (consent.expiresAt <= now && step.to === 'Authorised') {
      throw new ConflictError(`consent '${consentId}' expired at ${consent.expiresAt}`);
    }
    const ends = step.to === 'Revoked' || step.to === 'Rejected';
    const changed: Consent = {
      ...consent, status: step.to, updatedAt: now,
      ...(step.by === 'enterprise' ? { decidedAt: now, decidedBy: principal.keyId } : {}),
      ...(ends ? { endedAt: now } : {}),
    };
    await tx.updateTable('consents')
      .set({ status: changed.status, updatedAt: now, decidedAt: changed.decidedAt, decidedBy: changed.decidedBy, endedAt: changed.endedAt })
      .where('id', '=', consentId).execute();
    await auditConsent(tx, changed, principal.keyId, step.action, now, consent.status);
    return changed;
  });
}

export function authoriseConsent(store: Store, principal: Principal, consentId: string): Promise<Consent> {
  return transition(store, principal, consentId, TRANSITIONS.authorise);
}
export function rejectConsent(store: Store, principal: Principal, consentId: string): Promise<Consent> {
  return transition(store, principal, consentId, TRANSITIONS.reject);
}
/** The enterprise withdraws its consent (or the grantee gives it up); effective for the next request. */
export function revokeConsent(store: Store, principal: Principal, consentId: string): Promise<Consent> {
  return transition(store, principal, consentId, TRANSITIONS.revoke);
}

export const EXPIRE_BATCH_MAX = 1_000;

/** Marks every consent whose expiry has passed as Expired, audited one by one; returns how many. */
export async function expireConsents(store: Store, now: string = store.now()): Promise<number> {
  let expired = 0;
  for (;;) {
    const done = await store.db.transaction().execute(async (tx) => {
      const due = await tx.selectFrom('consents').selectAll()
        .where('status', 'in', ['AwaitingAuthorisation', 'Authorised']).where('expiresAt', '<=', now)
        .orderBy('expiresAt').limit(EXPIRE_BATCH_MAX).forUpdate().skipLocked().execute();
      for (const consent of due) {
        await tx.updateTable('consents').set({ status: 'Expired', endedAt: now, updatedAt: now }).where('id', '=', consent.id).execute();
        await auditConsent(tx, { ...consent, status: 'Expired', endedAt: now }, SYSTEM_ACTOR, 'consent.expire', now, consent.status);
      }
      return due.length;
    });
    expired += done;
    if (done < EXPIRE_BATCH_MAX) return expired;
  }
}

export interface ConsentCheck {
  granteeTenantId: string;
  creditCode: string;
  scopes: readonly ConsentScope[];
  purpose?: string;
  /** The time of the request (store.now()). */
  at: string;
}

/**
 * The authorised, unexpired consent that covers every requested scope for this grantee and enterprise (the one
 * expiring last), or ConsentRequiredError. Bank statements never share a consent: ask for them on their own.
 */
export async function requireConsent(store: Pick<Store, 'db'> | { db: Kysely<Database> }, check: ConsentCheck): Promise<Consent> {
  if (check.scopes.length === 0) throw new InvalidRequestError('a consent check names at least one scope', 'invalid_scopes');
  let query = store.db.selectFrom('consents').selectAll()
    .where('tenantId', '=', check.granteeTenantId).where('creditCode', '=', check.creditCode)
    .where('status', '=', 'Authorised').where('expiresAt', '>', check.at)
    .where(sql<boolean>`scopes @> ${JSON.stringify([...new Set(check.scopes)])}::jsonb`);
  if (check.purpose !== undefined) query = query.where('purpose', '=', check.purpose);
  const consent = await query.orderBy('expiresAt', 'desc').orderBy('id').limit(1).executeTakeFirst();
  if (!consent) {
    const what = check.purpose !== undefined ? ` for '${check.purpose}'` : '';
    throw new ConsentRequiredError(`no authorised, unexpired consent of ${check.creditCode} covers ${check.scopes.join(', ')}${what}`);
  }
  return consent;
}

async function auditConsent(tx: Kysely<Database>, consent: Consent, actor: string, action: string, at: string, from?: ConsentStatus): Promise<void> {
  await appendAudit(tx, {
    at, tenantId: consent.tenantId, actor, action, subjectType: 'consent', subjectId: consent.id,
    details: {
      creditCode: consent.creditCode, scopes: consent.scopes, purpose: consent.purpose, expiresAt: consent.expiresAt,
      status: consent.status, ...(from ? { from } : {}),
    },
  });
}
