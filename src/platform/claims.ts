/**
 * The claim race (抢单) and the offers that follow it (货比三家).
 *
 * A bank claims an open need with one of its products that serves it. Exactly `claimSlots` banks can hold a claim
 * at once (1 when the product line's policy says the first claim wins, k for multi-offer lines), however many try
 * at the same instant: the claim locks the need row (SELECT … FOR UPDATE, so concurrent claimers queue on it and
 * each sees the previous one's committed count), takes a slot with a conditional UPDATE
 * (`claims_active < claim_slots`), and the table's CHECK makes an overfull need impossible even if code changed.
 * A claim must be acted on within its SLA — an offer or a decline — or `releaseExpiredClaims` returns its slot to
 * the pool. An offer needs the enterprise's authorised consent to the bank (the policy's scopes) and may cite the
 * bank's own decision. The enterprise compares the offers on its need and accepts one; the others lapse.
 */
import { sql, type Kysely } from 'kysely';
import {
  appendAudit, ConflictError, ForbiddenError, InvalidRequestError, isUniqueViolation, listPage, NotFoundError, requireConsent, SYSTEM_ACTOR,
  type Database, type Page, type PageRequest, type Principal, type Store,
} from '../store/index.ts';
import type { ClaimStatus, OfferStatus, PlatformClaim, PlatformNeed, PlatformOffer } from '../store/schema-platform.ts';
import { loadPlatformPolicy, recordIdOf, type PlatformPolicy } from './market-policy.ts';
import { closeNeed } from './needs.ts';
import { productServes } from './products.ts';

const HOUR_MS = 3_600_000;
export const DECLINE_REASON_LENGTH_MAX = 200;
/** Needs and claims handled per transaction batch by the release job; it loops until none is due. */
export const RELEASE_BATCH_MAX = 200;

function requireBank(principal: Principal): void {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('only a bank claims needs and makes offers');
}

async function lockNeed(tx: Kysely<Database>, needId: string): Promise<PlatformNeed> {
  const need = await tx.selectFrom('platformNeeds').selectAll().where('id', '=', needId).forUpdate().executeTakeFirst();
  if (!need) throw new NotFoundError(`need '${needId}' not found`);
  return need;
}

export interface ClaimRequest { needId: string; productId: string; /** Default: a new UUID (the simulation passes its own). */ id?: string }

/** A bank claims a need from its queue with one of its active products that serves it. */
export async function claimNeed(store: Store, principal: Principal, request: ClaimRequest): Promise<PlatformClaim> {
  requireBank(principal);
  try {
    return await store.db.transaction().execute(async (tx) => {
      const product = await tx.selectFrom('platformProducts').selectAll().where('id', '=', request.productId)
        .where('tenantId', '=', principal.tenantId).where('status', '=', 'active').executeTakeFirst();
      if (!product) throw new NotFoundError(`no active product '${request.productId}' of this bank`);
      // Every claimer of this need queues here; the row each one sees is the one the previous claimer committed.
      const need = await tx.selectFrom('platformNeeds').selectAll().where('id', '=', request.needId).forUpdate().executeTakeFirst();
      // A need the product does not serve is not in this bank's queue: not found, so a probe learns nothing.
      if (!need || need.productLine !== product.productLine || !productServes(product, need)) {
        throw new NotFoundError(`need '${request.needId}' is not in this bank's queue for product '${product.id}'`);
      }
      const at = store.now();
      if (need.status !== 'open') throw new ConflictError(`need '${need.id}' is ${need.status}: it takes no more claims`);
      if (need.claimWindowEndsAt <= at) throw new ConflictError(`need '${need.id}''s claim window closed at ${need.claimWindowEndsAt}`);
      if (need.claimsActive >= need.claimSlots) {
        throw new ConflictError(need.claimMode === 'first_wins' ? `need '${need.id}' was claimed by another bank first` : `need '${need.id}' already has ${need.claimSlots} banks on it`);
      }
      const taken = await tx.updateTable('platformNeeds')
        .set((eb) => ({
          claimsActive: eb('claimsActive', '+', 1), claimsTotal: eb('claimsTotal', '+', 1),
          firstClaimedAt: sql<string>`coalesce(first_claimed_at, ${at})`, updatedAt: at,
        }))
        .where('id', '=', need.id).where('status', '=', 'open').where(sql<boolean>`claims_active < claim_slots`)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) throw new ConflictError(`need '${need.id}' has no free claim slot`);
      const claim: PlatformClaim = {
        id: recordIdOf(request.id), tenantId: principal.tenantId, needId: need.id, productId: product.id, status: 'active',
        slaDueAt: new Date(Date.parse(at) + need.claimSlaHours * HOUR_MS).toISOString(), actedAt: null, declineReason: null,
        createdBy: principal.keyId, createdAt: at, updatedAt: at,
      };
      await tx.insertInto('platformClaims').values(claim).execute();
      await appendAudit(tx, {
        at, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.claim.create', subjectType: 'platform_claim', subjectId: claim.id,
        details: { needId: need.id, productId: product.id, claimMode: need.claimMode, slot: need.claimsActive + 1, claimSlots: need.claimSlots, slaDueAt: claim.slaDueAt },
      });
      return claim;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`this bank has already claimed need '${request.needId}'`);
    throw error;
  }
}

async function lockedOwnClaim(tx: Kysely<Database>, principal: Principal, claimId: string): Promise<{ claim: PlatformClaim; need: PlatformNeed }> {
  const found = await tx.selectFrom('platformClaims').select('needId').where('id', '=', claimId).where('tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!found) throw new NotFoundError(`claim '${claimId}' not found`);
  // Lock order everywhere: the need row first, then its claims and offers, then the audit head.
  const need = await lockNeed(tx, found.needId);
  const claim = await tx.selectFrom('platformClaims').selectAll().where('id', '=', claimId).forUpdate().executeTakeFirstOrThrow();
  return { claim, need };
}

function requireActing(claim: PlatformClaim, need: PlatformNeed, at: string): void {
  if (claim.status !== 'active') throw new ConflictError(`claim '${claim.id}' is ${claim.status}, not active`);
  if (need.status !== 'open') throw new ConflictError(`need '${need.id}' is ${need.status}`);
  if (claim.slaDueAt <= at) throw new ConflictError(`claim '${claim.id}' passed its SLA at ${claim.slaDueAt}; the need goes back to the pool`);
}

/** The bank declines a need it claimed (after its review): the slot returns to the pool at once. */
export async function declineClaim(store: Store, principal: Principal, claimId: string, reason: string): Promise<PlatformClaim> {
  requireBank(principal);
  const text = reason.trim();
  if (text.length === 0 || text.length > DECLINE_REASON_LENGTH_MAX) throw new InvalidRequestError(`a reason has 1..${DECLINE_REASON_LENGTH_MAX} characters`, 'invalid_claim');
  return store.db.transaction().execute(async (tx) => {
    const { claim, need } = await lockedOwnClaim(tx, principal, claimId);
    const at = store.now();
    requireActing(claim, need, at);
    await tx.updateTable('platformClaims').set({ status: 'declined', actedAt: at, declineReason: text, updatedAt: at }).where('id', '=', claim.id).execute();
    await tx.updateTable('platformNeeds').set((eb) => ({ claimsActive: eb('claimsActive', '-', 1), updatedAt: at })).where('id', '=', need.id).execute();
    await appendAudit(tx, { at, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.claim.decline', subjectType: 'platform_claim', subjectId: claim.id, details: { needId: need.id, reason: text } });
    return { ...claim, status: 'declined' as const, actedAt: at, declineReason: text, updatedAt: at };
  });
}

export interface OfferRequest {
  claimId: string;
  amountFen: number;
  rateBps: number;
  termMonths: number;
  /** The bank's own decision on this enterprise (POST /v1/applications) that the offer rests on, if any. */
  decisionId?: string | null;
  /** Default: a new UUID (the simulation passes its own). */
  id?: string;
}

/** The bank makes an offer on a need it claimed, within its product's terms and the enterprise's consent. */
export async function makeOffer(store: Store, principal: Principal, request: OfferRequest, options: { policy?: PlatformPolicy } = {}): Promise<PlatformOffer> {
  requireBank(principal);
  const policy = options.policy ?? loadPlatformPolicy();
  return store.db.transaction().execute(async (tx) => {
    const { claim, need } = await lockedOwnClaim(tx, principal, request.claimId);
    const at = store.now();
    requireActing(claim, need, at);
    const product = await tx.selectFrom('platformProducts').selectAll().where('id', '=', claim.productId).executeTakeFirstOrThrow();
    const within = (value: number, min: number, max: number) => Number.isSafeInteger(value) && value >= min && value <= max;
    if (!within(request.amountFen, product.limitMinFen, Math.min(product.limitMaxFen, need.amountFen))) {
      throw new InvalidRequestError(`amountFen must be ${product.limitMinFen}..${Math.min(product.limitMaxFen, need.amountFen)} (the product's range, at most what the need asks)`, 'invalid_offer');
    }
    if (!within(request.rateBps, product.rateMinBps, product.rateMaxBps)) throw new InvalidRequestError(`rateBps must be within the product's ${product.rateMinBps}..${product.rateMaxBps}`, 'invalid_offer');
    if (!within(request.termMonths, product.termMonthsMin, product.termMonthsMax)) throw new InvalidRequestError(`termMonths must be within the product's ${product.termMonthsMin}..${product.termMonthsMax}`, 'invalid_offer');
    const consent = await requireConsent({ db: tx }, { granteeTenantId: principal.tenantId, creditCode: need.creditCode, scopes: policy.offer.consentScopes, at });
    if (request.decisionId != null) {
      const decision = await tx.selectFrom('decisions').select(['id', 'creditCode', 'outcome', 'limitFen']).where('id', '=', request.decisionId)
        .where('tenantId', '=', principal.tenantId).executeTakeFirst();
      if (!decision) throw new NotFoundError(`decision '${request.decisionId}' not found`);
      if (decision.creditCode !== need.creditCode || decision.outcome !== 'approve' || (decision.limitFen !== null && decision.limitFen < request.amountFen)) {
        throw new InvalidRequestError(`decision '${decision.id}' is not an approval of this enterprise covering ${request.amountFen} fen`, 'invalid_offer');
      }
    }
    const offer: PlatformOffer = {
      id: recordIdOf(request.id), tenantId: principal.tenantId, needId: need.id, claimId: claim.id, productId: product.id, creditCode: need.creditCode,
      amountFen: request.amountFen, rateBps: request.rateBps, termMonths: request.termMonths, decisionId: request.decisionId ?? null,
      consentId: consent.id, status: 'pending', decidedAt: null, defaultedAt: null, createdBy: principal.keyId, createdAt: at, updatedAt: at,
    };
    await tx.insertInto('platformOffers').values(offer).execute();
    await tx.updateTable('platformClaims').set({ status: 'offered', actedAt: at, updatedAt: at }).where('id', '=', claim.id).execute();
    await appendAudit(tx, {
      at, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.offer.create', subjectType: 'platform_offer', subjectId: offer.id,
      details: { needId: need.id, claimId: claim.id, amountFen: offer.amountFen, rateBps: offer.rateBps, termMonths: offer.termMonths, consentId: consent.id, decisionId: offer.decisionId },
    });
    return offer;
  });
}

/** The enterprise accepts one offer on its open need: the need is matched, every other claim and offer lapses. */
export async function acceptOffer(store: Store, principal: Principal, offerId: string): Promise<PlatformOffer> {
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('only the enterprise that published the need accepts an offer');
  return store.db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom('platformOffers').innerJoin('platformNeeds', 'platformNeeds.id', 'platformOffers.needId')
      .select('platformOffers.needId').where('platformOffers.id', '=', offerId).where('platformNeeds.tenantId', '=', principal.tenantId).executeTakeFirst();
    if (!found) throw new NotFoundError(`offer '${offerId}' not found`);
    const need = await lockNeed(tx, found.needId);
    const offer = await tx.selectFrom('platformOffers').selectAll().where('id', '=', offerId).forUpdate().executeTakeFirstOrThrow();
    if (need.status !== 'open') throw new ConflictError(`need '${need.id}' is ${need.status}: its offers can no longer be accepted`);
    if (offer.status !== 'pending') throw new ConflictError(`offer '${offer.id}' is ${offer.status}`);
    const at = store.now();
    await tx.updateTable('platformOffers').set({ status: 'accepted', decidedAt: at, updatedAt: at }).where('id', '=', offer.id).execute();
    const lapsedOffers = await tx.updateTable('platformOffers').set({ status: 'lapsed', decidedAt: at, updatedAt: at })
      .where('needId', '=', need.id).where('status', '=', 'pending').executeTakeFirst();
    await tx.updateTable('platformClaims').set({ status: 'accepted', updatedAt: at }).where('id', '=', offer.claimId).execute();
    const lapsedClaims = await tx.updateTable('platformClaims').set({ status: 'lapsed', updatedAt: at })
      .where('needId', '=', need.id).where('status', 'in', ['active', 'offered']).executeTakeFirst();
    await tx.updateTable('platformNeeds').set({ status: 'matched', acceptedOfferId: offer.id, claimsActive: 0, closedAt: at, updatedAt: at }).where('id', '=', need.id).execute();
    await appendAudit(tx, {
      at, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.offer.accept', subjectType: 'platform_offer', subjectId: offer.id,
      details: { needId: need.id, amountFen: offer.amountFen, rateBps: offer.rateBps, lapsedOffers: Number(lapsedOffers.numUpdatedRows), lapsedClaims: Number(lapsedClaims.numUpdatedRows) },
    });
    return { ...offer, status: 'accepted' as const, decidedAt: at, updatedAt: at };
  });
}

/**
 * The enterprise turns down one offer on its open need: the offer and its claim are rejected and the claim's slot
 * returns to the pool, so on a first-wins line another bank can claim the need.
 */
export async function rejectOffer(store: Store, principal: Principal, offerId: string): Promise<PlatformOffer> {
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('only the enterprise that published the need rejects an offer');
  return store.db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom('platformOffers').innerJoin('platformNeeds', 'platformNeeds.id', 'platformOffers.needId')
      .select('platformOffers.needId').where('platformOffers.id', '=', offerId).where('platformNeeds.tenantId', '=', principal.tenantId).executeTakeFirst();
    if (!found) throw new NotFoundError(`offer '${offerId}' not found`);
    const need = await lockNeed(tx, found.needId);
    const offer = await tx.selectFrom('platformOffers').selectAll().where('id', '=', offerId).forUpdate().executeTakeFirstOrThrow();
    if (need.status !== 'open') throw new ConflictError(`need '${need.id}' is ${need.status}`);
    if (offer.status !== 'pending') throw new ConflictError(`offer '${offer.id}' is ${offer.status}`);
    const at = store.now();
    await tx.updateTable('platformOffers').set({ status: 'rejected', decidedAt: at, updatedAt: at }).where('id', '=', offer.id).execute();
    await tx.updateTable('platformClaims').set({ status: 'rejected', updatedAt: at }).where('id', '=', offer.claimId).execute();
    await tx.updateTable('platformNeeds').set((eb) => ({ claimsActive: eb('claimsActive', '-', 1), updatedAt: at })).where('id', '=', need.id).execute();
    await appendAudit(tx, { at, tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.offer.reject', subjectType: 'platform_offer', subjectId: offer.id, details: { needId: need.id } });
    return { ...offer, status: 'rejected' as const, decidedAt: at, updatedAt: at };
  });
}

/** An ISO timestamp, or a date meaning the end of that day (UTC): the nightly job passes the day it closes. */
function instantOf(at: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T23:59:59.999Z` : at;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms)) throw new InvalidRequestError(`'${at}' is not an ISO date or timestamp`, 'invalid_date');
  return new Date(ms).toISOString();
}

export interface ReleaseSummary { at: string; claimsReleased: number; needsExpired: number; claimsLapsed: number; offersLapsed: number }

/**
 * The nightly job (and the simulation, with its own date): claims past their SLA with no offer and no decline
 * are released — their need goes back to the pool — and open needs past their expiry close, their claims and
 * pending offers lapsing. Each need is handled in its own short transaction (need row locked first, as everywhere),
 * so the job runs beside live claims and from several processes at once; it is idempotent.
 */
export async function releaseExpiredClaims(store: Store, at?: string): Promise<ReleaseSummary> {
  const instant = at === undefined ? store.now() : instantOf(at);
  const summary: ReleaseSummary = { at: instant, claimsReleased: 0, needsExpired: 0, claimsLapsed: 0, offersLapsed: 0 };
  for (;;) {
    const due = await store.db.selectFrom('platformClaims').select('needId').distinct().where('status', '=', 'active').where('slaDueAt', '<=', instant).limit(RELEASE_BATCH_MAX).execute();
    for (const { needId } of due) {
      summary.claimsReleased += await store.db.transaction().execute(async (tx) => {
        const need = await lockNeed(tx, needId);
        const released = await tx.updateTable('platformClaims').set({ status: 'expired', updatedAt: instant })
          .where('needId', '=', needId).where('status', '=', 'active').where('slaDueAt', '<=', instant).returning(['id', 'tenantId']).execute();
        if (released.length === 0) return 0;
        await tx.updateTable('platformNeeds').set((eb) => ({ claimsActive: eb('claimsActive', '-', released.length), updatedAt: instant })).where('id', '=', needId).execute();
        for (const claim of released) {
          await appendAudit(tx, {
            at: instant, tenantId: claim.tenantId, actor: SYSTEM_ACTOR, action: 'platform.claim.release', subjectType: 'platform_claim', subjectId: claim.id,
            details: { needId, reason: 'sla_passed', needStatus: need.status },
          });
        }
        return released.length;
      });
    }
    if (due.length < RELEASE_BATCH_MAX) break;
  }
  for (;;) {
    const expiring = await store.db.selectFrom('platformNeeds').select('id').where('status', '=', 'open').where('expiresAt', '<=', instant).limit(RELEASE_BATCH_MAX).execute();
    for (const { id } of expiring) {
      await store.db.transaction().execute(async (tx) => {
        const need = await lockNeed(tx, id);
        if (need.status !== 'open' || need.expiresAt > instant) return;
        const closed = await closeNeed(tx, need, 'expired', instant);
        summary.needsExpired += 1;
        summary.claimsLapsed += closed.lapsed.claims;
        summary.offersLapsed += closed.lapsed.offers;
        await appendAudit(tx, { at: instant, tenantId: need.tenantId, actor: SYSTEM_ACTOR, action: 'platform.need.expire', subjectType: 'platform_need', subjectId: id, details: closed.lapsed });
      });
    }
    if (expiring.length < RELEASE_BATCH_MAX) break;
  }
  return summary;
}

/** Records that the loan behind an accepted offer defaulted (the loan book or the simulation feeds this). */
export async function recordOfferDefault(store: Store, principal: Principal, offerId: string, defaultedAt: string): Promise<PlatformOffer> {
  if (principal.tenantKind !== 'bank' && principal.tenantKind !== 'operator') throw new ForbiddenError('the lending bank or the operator records a default');
  const instant = instantOf(defaultedAt);
  return store.db.transaction().execute(async (tx) => {
    let query = tx.selectFrom('platformOffers').selectAll().where('id', '=', offerId).where('status', '=', 'accepted');
    if (principal.tenantKind === 'bank') query = query.where('tenantId', '=', principal.tenantId);
    const offer = await query.forUpdate().executeTakeFirst();
    if (!offer) throw new NotFoundError(`accepted offer '${offerId}' not found`);
    if (offer.defaultedAt !== null) throw new ConflictError(`offer '${offerId}' is already recorded as defaulted on ${offer.defaultedAt}`);
    const at = store.now();
    await tx.updateTable('platformOffers').set({ defaultedAt: instant, updatedAt: at }).where('id', '=', offerId).execute();
    await appendAudit(tx, { at, tenantId: offer.tenantId, actor: principal.keyId, action: 'platform.offer.default', subjectType: 'platform_offer', subjectId: offerId, details: { defaultedAt: instant } });
    return { ...offer, defaultedAt: instant, updatedAt: at };
  });
}

export interface ClaimListRequest extends PageRequest { status?: ClaimStatus }

/** The bank's own claims, newest first. */
export async function listClaims(store: Pick<Store, 'db'>, principal: Principal, request: ClaimListRequest = {}): Promise<Page<PlatformClaim & { creditCode: string }>> {
  requireBank(principal);
  let query = store.db.selectFrom('platformClaims').innerJoin('platformNeeds', 'platformNeeds.id', 'platformClaims.needId')
    .selectAll('platformClaims').select('platformNeeds.creditCode').where('platformClaims.tenantId', '=', principal.tenantId);
  if (request.status) query = query.where('platformClaims.status', '=', request.status);
  return listPage(query, { ...request, createdAtColumn: 'platformClaims.createdAt', idColumn: 'platformClaims.id' });
}

export async function getClaim(store: Pick<Store, 'db'>, principal: Principal, claimId: string): Promise<PlatformClaim & { creditCode: string }> {
  requireBank(principal);
  const claim = await store.db.selectFrom('platformClaims').innerJoin('platformNeeds', 'platformNeeds.id', 'platformClaims.needId')
    .selectAll('platformClaims').select('platformNeeds.creditCode')
    .where('platformClaims.id', '=', claimId).where('platformClaims.tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!claim) throw new NotFoundError(`claim '${claimId}' not found`);
  return claim;
}

export interface OfferListRequest extends PageRequest { needId?: string; status?: OfferStatus }

/** Offers: an enterprise sees those on its needs (货比三家), a bank its own. Cheapest first within a need is the client's sort. */
export async function listOffers(store: Pick<Store, 'db'>, principal: Principal, request: OfferListRequest = {}): Promise<Page<PlatformOffer & { bankName: string; productNameZh: string; productNameEn: string }>> {
  let query = offerQuery(store.db);
  if (principal.tenantKind === 'enterprise') query = query.where('platformNeeds.tenantId', '=', principal.tenantId);
  else if (principal.tenantKind === 'bank') query = query.where('platformOffers.tenantId', '=', principal.tenantId);
  else throw new ForbiddenError('offers are read by the enterprise they are made to and the bank that makes them');
  if (request.needId) query = query.where('platformOffers.needId', '=', request.needId);
  if (request.status) query = query.where('platformOffers.status', '=', request.status);
  return listPage(query, { ...request, createdAtColumn: 'platformOffers.createdAt', idColumn: 'platformOffers.id' });
}

export async function getOffer(store: Pick<Store, 'db'>, principal: Principal, offerId: string): Promise<PlatformOffer & { bankName: string; productNameZh: string; productNameEn: string }> {
  let query = offerQuery(store.db).where('platformOffers.id', '=', offerId);
  if (principal.tenantKind === 'enterprise') query = query.where('platformNeeds.tenantId', '=', principal.tenantId);
  else if (principal.tenantKind === 'bank') query = query.where('platformOffers.tenantId', '=', principal.tenantId);
  else throw new ForbiddenError('offers are read by the enterprise they are made to and the bank that makes them');
  const offer = await query.executeTakeFirst();
  if (!offer) throw new NotFoundError(`offer '${offerId}' not found`);
  return offer;
}

function offerQuery(db: Kysely<Database>) {
  return db.selectFrom('platformOffers')
    .innerJoin('platformNeeds', 'platformNeeds.id', 'platformOffers.needId')
    .innerJoin('platformProducts', 'platformProducts.id', 'platformOffers.productId')
    .innerJoin('tenants', 'tenants.id', 'platformOffers.tenantId')
    .selectAll('platformOffers')
    .select(['tenants.name as bankName', 'platformProducts.nameZh as productNameZh', 'platformProducts.nameEn as productNameEn']);
}

export type { PlatformClaim, PlatformOffer };
