/**
 * The enterprise's front office: registration on the platform and financing needs. An enterprise registers once
 * (its credit code checked against GB 32100; its region is the division code inside that credit code), then
 * publishes needs — amount, term, purpose, urgency, the product line it wants. A need carries, from the moment it
 * is published, the claim rules of its product line in the platform policy (first claim wins, or up to k banks),
 * its claim window and expiry, and the platform's red/yellow/green light from the snapshot. Banks see open needs
 * that their active products serve in their queue, without the enterprise's identity until they claim one.
 */
import { sql, type Kysely } from 'kysely';
import { creditCodeProblem } from '../domain/credit-code.ts';
import { UnknownEnterpriseError, type Snapshot, type SnapshotEntry } from '../pipeline/snapshot.ts';
import {
  appendAudit, ConflictError, createApiKey, SYSTEM_ACTOR, createTenant, ForbiddenError, InvalidRequestError, isUniqueViolation, listPage, NotFoundError,
  type Database, type Page, type PageRequest, type Principal, type Store,
} from '../store/index.ts';
import {
  NEED_URGENCIES, type NeedStatus, type NeedUrgency, type PlatformEnterprise, type PlatformNeed, type RiskLight,
} from '../store/schema-platform.ts';
import { loadPlatformPolicy, recordIdOf, type PlatformPolicy } from './market-policy.ts';
import { PRODUCT_SERVES_NEED_SQL } from './products.ts';

export const NEED_PURPOSE_LENGTH_MAX = 200;
export const NEED_AMOUNT_FEN_MAX = 100_000_000_000;
export const NEED_TERM_MONTHS_MAX = 360;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SIZE_BANDS = ['micro', 'small', 'medium', 'large'] as const;

export interface NewRegistration {
  /** Required when the operator registers an enterprise; an enterprise registers itself. */
  creditCode?: string;
  name: string;
  /** GB/T 4754 industry section, A..T. */
  industrySection: string;
  sizeBand?: (typeof SIZE_BANDS)[number] | null;
  /** The operator only: also issue the enterprise an API key (returned once). */
  issueKey?: boolean;
  /** Default: a new UUID (the simulation passes its own). */
  id?: string;
}

/** The division code of registration: characters 3..8 of a unified social credit code (GB 32100). */
export function regionOfCreditCode(creditCode: string): string {
  return creditCode.slice(2, 8);
}

/**
 * Registers an enterprise on the platform. An enterprise registers itself; the operator may onboard one, creating
 * its tenant when it has none (and, with `issueKey`, a key for it). Audited as `platform.enterprise.register`.
 */
export async function registerEnterprise(store: Store, principal: Principal, input: NewRegistration): Promise<{ registration: PlatformEnterprise; key?: string }> {
  let creditCode: string;
  if (principal.tenantKind === 'enterprise') {
    creditCode = principal.creditCode ?? '';
    if (input.creditCode !== undefined && input.creditCode !== creditCode) throw new ForbiddenError('an enterprise registers itself only');
    if (input.issueKey) throw new ForbiddenError('only the operator issues keys');
  } else if (principal.tenantKind === 'operator') {
    creditCode = (input.creditCode ?? '').trim().toUpperCase();
  } else {
    throw new ForbiddenError('an enterprise registers itself, or the platform operator registers it');
  }
  if (creditCodeProblem(creditCode) !== null) throw new InvalidRequestError(`'${creditCode}' is not a valid unified social credit code (GB 32100)`, 'invalid_credit_code');
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new InvalidRequestError('a name has 1..200 characters', 'invalid_registration');
  if (!/^[A-T]$/.test(input.industrySection)) throw new InvalidRequestError(`industrySection is a GB/T 4754 section letter A..T, got '${input.industrySection}'`, 'invalid_registration');
  if (input.sizeBand != null && !(SIZE_BANDS as readonly string[]).includes(input.sizeBand)) {
    throw new InvalidRequestError(`sizeBand is one of ${SIZE_BANDS.join(', ')}`, 'invalid_registration');
  }
  let tenantId = principal.tenantKind === 'enterprise' ? principal.tenantId : null;
  if (tenantId === null) {
    const existing = await store.db.selectFrom('tenants').select('id').where('creditCode', '=', creditCode).executeTakeFirst();
    tenantId = existing?.id ?? (await createTenant(store, { kind: 'enterprise', name, creditCode }, principal.keyId)).id;
  }
  const now = store.now();
  const registration: PlatformEnterprise = {
    id: recordIdOf(input.id), tenantId, creditCode, name, regionCode: regionOfCreditCode(creditCode), industrySection: input.industrySection,
    sizeBand: input.sizeBand ?? null, ratingGrade: null, ratingScore: null, ratedAt: null, registeredBy: principal.keyId, createdAt: now, updatedAt: now,
  };
  try {
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('platformEnterprises').values(registration).execute();
      await appendAudit(tx, {
        at: now, tenantId, actor: principal.keyId, action: 'platform.enterprise.register', subjectType: 'platform_enterprise', subjectId: registration.id,
        details: { creditCode, name, regionCode: registration.regionCode, industrySection: registration.industrySection, sizeBand: registration.sizeBand },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`${creditCode} is already registered on the platform`);
    throw error;
  }
  const key = input.issueKey ? (await createApiKey(store, tenantId, 'enterprise', principal.keyId)).key : undefined;
  return { registration, ...(key !== undefined ? { key } : {}) };
}

/** The enterprise's own registration; the operator and government departments may read any. */
export async function getRegistration(store: Pick<Store, 'db'>, principal: Principal, creditCode?: string): Promise<PlatformEnterprise> {
  let query = store.db.selectFrom('platformEnterprises').selectAll();
  if (principal.tenantKind === 'enterprise') query = query.where('tenantId', '=', principal.tenantId);
  else if (principal.tenantKind !== 'operator' && principal.tenantKind !== 'government') throw new ForbiddenError('registrations are read by the enterprise itself, the operator and government departments');
  else if (creditCode === undefined) throw new InvalidRequestError('name the enterprise by its credit code', 'invalid_credit_code');
  if (creditCode !== undefined) query = query.where('creditCode', '=', creditCode);
  const registration = await query.executeTakeFirst();
  if (!registration) throw new NotFoundError(`no platform registration${creditCode ? ` for ${creditCode}` : ''}`);
  return registration;
}

export interface EnterpriseRating { grade: string; score: number | null; ratedAt: string; modelVersion: string }

/**
 * Records the platform's public credit rating on a registration (the rating module's job calls this), so the
 * banks' queues show it; audited as `platform.enterprise.rate`. A registration that is not there is not_found.
 */
export async function setEnterpriseRating(store: Store, creditCode: string, rating: EnterpriseRating, actor: string = SYSTEM_ACTOR): Promise<PlatformEnterprise> {
  if (!/^[A-Z][A-Z+-]{0,3}$/.test(rating.grade)) throw new InvalidRequestError(`a rating grade is a letter grade like A, B+, C-, got '${rating.grade}'`, 'invalid_rating');
  if (rating.score !== null && !Number.isFinite(rating.score)) throw new InvalidRequestError('a rating score is a finite number or null', 'invalid_rating');
  return store.db.transaction().execute(async (tx) => {
    const at = store.now();
    const updated = await tx.updateTable('platformEnterprises').set({ ratingGrade: rating.grade, ratingScore: rating.score, ratedAt: rating.ratedAt, updatedAt: at })
      .where('creditCode', '=', creditCode).returningAll().executeTakeFirst();
    if (!updated) throw new NotFoundError(`${creditCode} is not registered on the platform`);
    await appendAudit(tx, {
      at, tenantId: updated.tenantId, actor, action: 'platform.enterprise.rate', subjectType: 'platform_enterprise', subjectId: updated.id,
      details: { grade: rating.grade, score: rating.score, ratedAt: rating.ratedAt, modelVersion: rating.modelVersion },
    });
    return updated;
  });
}

export interface RiskLightVerdict { light: RiskLight | null; reasons: string[] }

/**
 * The platform's red/yellow/green light for an enterprise, from its snapshot entry: red for a registration that is
 * not active, high-severity fraud signals or a red-listed tax grade; yellow for medium signals or a yellow-listed
 * grade; green otherwise. Thresholds from the policy; each reason names what set the light.
 */
export function riskLightOf(entry: SnapshotEntry | null, policy: PlatformPolicy): RiskLightVerdict {
  if (entry === null) return { light: null, reasons: ['not_in_snapshot'] };
  const red: string[] = [];
  const yellow: string[] = [];
  const rules = policy.riskLight;
  if (entry.enterprise.status !== 'active') red.push(`status_${entry.enterprise.status}`);
  const high = entry.fraud?.high ?? 0;
  const medium = entry.fraud?.medium ?? 0;
  if (high >= rules.redFraudHighMin) red.push(`fraud_high_${high}`);
  if (medium >= rules.yellowFraudMediumMin) yellow.push(`fraud_medium_${medium}`);
  const grade = entry.features.tax_grade;
  if (typeof grade === 'string' && (rules.redTaxGrades as readonly string[]).includes(grade)) red.push(`tax_grade_${grade}`);
  if (typeof grade === 'string' && (rules.yellowTaxGrades as readonly string[]).includes(grade)) yellow.push(`tax_grade_${grade}`);
  if (red.length > 0) return { light: 'red', reasons: red };
  if (yellow.length > 0) return { light: 'yellow', reasons: yellow };
  return { light: 'green', reasons: [] };
}

/** The snapshot entry of an enterprise, or null when the snapshot does not hold it (registered after its date). */
export function entryOrNull(snapshot: Snapshot | null | undefined, creditCode: string): SnapshotEntry | null {
  if (!snapshot) return null;
  try {
    return snapshot.entry(creditCode);
  } catch (error) {
    if (error instanceof UnknownEnterpriseError) return null;
    throw error;
  }
}

export interface NewNeed {
  amountFen: number;
  termMonths: number;
  purpose: string;
  urgency?: NeedUrgency;
  productLine: string;
  /** Default: a new UUID (the simulation passes its own). */
  id?: string;
}

export interface MarketOptions {
  policy?: PlatformPolicy;
  /** The platform's current snapshot: the red/yellow/green light and the supermarket's pre-screens read it. */
  snapshot?: Snapshot | null;
}

/** An enterprise publishes a financing need; the claim rules of its product line are fixed on it from the policy. */
export async function publishNeed(store: Store, principal: Principal, input: NewNeed, options: MarketOptions = {}): Promise<PlatformNeed> {
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('only an enterprise publishes a financing need');
  const policy = options.policy ?? loadPlatformPolicy();
  const registration = await store.db.selectFrom('platformEnterprises').selectAll().where('tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!registration) throw new ConflictError('register on the platform (POST /v1/platform/enterprises) before publishing a need');
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > NEED_AMOUNT_FEN_MAX) {
    throw new InvalidRequestError(`amountFen is a whole number of fen 1..${NEED_AMOUNT_FEN_MAX}`, 'invalid_need');
  }
  if (!Number.isInteger(input.termMonths) || input.termMonths < 1 || input.termMonths > NEED_TERM_MONTHS_MAX) {
    throw new InvalidRequestError(`termMonths is a whole number 1..${NEED_TERM_MONTHS_MAX}`, 'invalid_need');
  }
  const purpose = input.purpose.trim();
  if (purpose.length === 0 || purpose.length > NEED_PURPOSE_LENGTH_MAX) throw new InvalidRequestError(`a purpose has 1..${NEED_PURPOSE_LENGTH_MAX} characters`, 'invalid_need');
  const urgency = input.urgency ?? 'normal';
  if (!(NEED_URGENCIES as readonly string[]).includes(urgency)) throw new InvalidRequestError(`urgency is one of ${NEED_URGENCIES.join(', ')}`, 'invalid_need');
  const line = policy.productLines[input.productLine];
  if (!line) throw new InvalidRequestError(`product line '${input.productLine}' is not on the platform; lines: ${Object.keys(policy.productLines).join(', ')}`, 'invalid_product_line');
  const verdict = riskLightOf(entryOrNull(options.snapshot, registration.creditCode), policy);
  const now = store.now();
  const nowMs = Date.parse(now);
  const need: PlatformNeed = {
    id: recordIdOf(input.id), tenantId: principal.tenantId, creditCode: registration.creditCode, regionCode: registration.regionCode,
    industrySection: registration.industrySection, productLine: input.productLine, amountFen: input.amountFen, termMonths: input.termMonths,
    purpose, urgency, status: 'open', riskLight: verdict.light, riskReasons: verdict.reasons, policyVersion: policy.version,
    claimMode: line.claimMode, claimSlots: line.offersMax, claimsActive: 0, claimsTotal: 0, claimSlaHours: line.claimSlaHours,
    claimWindowEndsAt: new Date(nowMs + line.claimWindowHours * HOUR_MS).toISOString(),
    expiresAt: new Date(nowMs + policy.needOpenDays * DAY_MS).toISOString(),
    firstClaimedAt: null, acceptedOfferId: null, closedAt: null, createdBy: principal.keyId, createdAt: now, updatedAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('platformNeeds').values({ ...need, riskReasons: JSON.stringify(need.riskReasons) }).execute();
    await appendAudit(tx, {
      at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.need.publish', subjectType: 'platform_need', subjectId: need.id,
      details: {
        amountFen: need.amountFen, termMonths: need.termMonths, productLine: need.productLine, urgency, claimMode: need.claimMode,
        claimSlots: need.claimSlots, riskLight: need.riskLight, policyVersion: policy.version,
      },
    });
  });
  return need;
}

/** The enterprise withdraws an open need: its claims and pending offers lapse. */
export async function withdrawNeed(store: Store, principal: Principal, needId: string): Promise<PlatformNeed> {
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('only the enterprise that published a need withdraws it');
  return store.db.transaction().execute(async (tx) => {
    const need = await tx.selectFrom('platformNeeds').selectAll().where('id', '=', needId).where('tenantId', '=', principal.tenantId).forUpdate().executeTakeFirst();
    if (!need) throw new NotFoundError(`need '${needId}' not found`);
    if (need.status !== 'open') throw new ConflictError(`need '${needId}' is ${need.status}, not open`);
    const now = store.now();
    const closed = await closeNeed(tx, need, 'withdrawn', now);
    await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.need.withdraw', subjectType: 'platform_need', subjectId: needId, details: { lapsed: closed.lapsed } });
    return closed.need;
  });
}

/**
 * Closes an open need (the caller holds its row lock): claims still in play and pending offers lapse. Used when a
 * need is withdrawn or expires; accepting an offer closes it its own way.
 */
export async function closeNeed(tx: Kysely<Database>, need: PlatformNeed, status: Exclude<NeedStatus, 'open' | 'matched'>, at: string): Promise<{ need: PlatformNeed; lapsed: { claims: number; offers: number } }> {
  const claims = await tx.updateTable('platformClaims').set({ status: 'lapsed', updatedAt: at })
    .where('needId', '=', need.id).where('status', 'in', ['active', 'offered']).executeTakeFirst();
  const offers = await tx.updateTable('platformOffers').set({ status: 'lapsed', decidedAt: at, updatedAt: at })
    .where('needId', '=', need.id).where('status', '=', 'pending').executeTakeFirst();
  await tx.updateTable('platformNeeds').set({ status, claimsActive: 0, closedAt: at, updatedAt: at }).where('id', '=', need.id).execute();
  return {
    need: { ...need, status, claimsActive: 0, closedAt: at, updatedAt: at },
    lapsed: { claims: Number(claims.numUpdatedRows), offers: Number(offers.numUpdatedRows) },
  };
}

/**
 * A need: its enterprise sees it; a bank sees one it has claimed (then with the enterprise's identity). Another
 * tenant's need is not found. The operator and government departments see the market through its statistics.
 */
export async function getNeed(store: Pick<Store, 'db'>, principal: Principal, needId: string): Promise<PlatformNeed> {
  let query = store.db.selectFrom('platformNeeds').selectAll().where('id', '=', needId);
  if (principal.tenantKind === 'enterprise') query = query.where('tenantId', '=', principal.tenantId);
  else if (principal.tenantKind === 'bank') {
    query = query.where((eb) => eb.exists(eb.selectFrom('platformClaims').select('platformClaims.id')
      .whereRef('platformClaims.needId', '=', 'platformNeeds.id').where('platformClaims.tenantId', '=', principal.tenantId)));
  } else {
    throw new ForbiddenError('a need is read by its enterprise and the banks that claimed it; the operator and government departments read statistics');
  }
  const need = await query.executeTakeFirst();
  if (!need) throw new NotFoundError(`need '${needId}' not found`);
  return need;
}

export interface NeedListRequest extends PageRequest { status?: NeedStatus }

/** The enterprise's own needs, newest first (a bank reads its queue and its claims). */
export async function listNeeds(store: Pick<Store, 'db'>, principal: Principal, request: NeedListRequest = {}): Promise<Page<PlatformNeed>> {
  let query = store.db.selectFrom('platformNeeds').selectAll();
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('an enterprise lists its own needs; a bank reads its queue and its claims');
  query = query.where('tenantId', '=', principal.tenantId);
  if (request.status) query = query.where('status', '=', request.status);
  return listPage(query, request);
}

/** A need as a bank's queue shows it: no credit code or tenant until the bank claims it. */
export interface QueueItem {
  id: string;
  regionCode: string;
  industrySection: string;
  productLine: string;
  amountFen: number;
  termMonths: number;
  purpose: string;
  urgency: NeedUrgency;
  riskLight: RiskLight | null;
  riskReasons: string[];
  ratingGrade: string | null;
  ratingScore: number | null;
  claimMode: string;
  claimSlots: number;
  claimsActive: number;
  claimWindowEndsAt: string;
  createdAt: string;
  /** The bank's active products that serve this need (claim with one of them). */
  productIds: string[];
}

export interface QueueRequest extends PageRequest { productLine?: string; riskLight?: RiskLight; at?: string }

/**
 * The bank's queue: open needs whose claim window is open, with a free claim slot, that one of the bank's active
 * products serves (product line, amount, term, industry, region) and that the bank has not claimed yet. Newest first.
 */
export async function listNeedQueue(store: Pick<Store, 'db' | 'now'>, principal: Principal, request: QueueRequest = {}): Promise<Page<QueueItem>> {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('the claim queue is a bank\'s');
  const at = request.at ?? store.now();
  const bank = principal.tenantId;
  let query = store.db.selectFrom('platformNeeds as n')
    .leftJoin('platformEnterprises as e', 'e.creditCode', 'n.creditCode')
    .select([
      'n.id', 'n.regionCode', 'n.industrySection', 'n.productLine', 'n.amountFen', 'n.termMonths', 'n.purpose', 'n.urgency',
      'n.riskLight', 'n.riskReasons', 'e.ratingGrade', 'e.ratingScore', 'n.claimMode', 'n.claimSlots', 'n.claimsActive',
      'n.claimWindowEndsAt', 'n.createdAt',
    ])
    .select(sql<string[]>`(SELECT coalesce(jsonb_agg(p.id ORDER BY p.id), '[]'::jsonb) FROM platform_products p
      WHERE p.tenant_id = ${bank} AND p.status = 'active' AND ${PRODUCT_SERVES_NEED_SQL})`.as('productIds'))
    .where('n.status', '=', 'open').where('n.claimWindowEndsAt', '>', at)
    .where(sql<boolean>`n.claims_active < n.claim_slots`)
    .where(sql<boolean>`EXISTS (SELECT 1 FROM platform_products p WHERE p.tenant_id = ${bank} AND p.status = 'active' AND ${PRODUCT_SERVES_NEED_SQL})`)
    .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM platform_claims c WHERE c.need_id = n.id AND c.tenant_id = ${bank})`);
  if (request.productLine) query = query.where('n.productLine', '=', request.productLine);
  if (request.riskLight) query = query.where('n.riskLight', '=', request.riskLight);
  return listPage(query, { ...request, createdAtColumn: 'n.createdAt', idColumn: 'n.id' });
}

export type { PlatformNeed, PlatformEnterprise };
