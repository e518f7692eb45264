/**
 * The 信易贷 platform's marketplace over HTTP (issue #13): the enterprise's front office (register, publish needs,
 * the financial supermarket, compare and accept offers), the bank's middle office (products, the claim queue,
 * claims, offers, decline), the regulator's statistics (JSON and CSV) and the banks' ranking. Handlers check the
 * role and call src/platform/market.ts, which scopes every read by the principal's tenant and audits every write.
 */
import { z } from 'zod';
import { FEN_MAX } from '../../domain/columns.ts';
import {
  acceptOffer, rejectOffer, bankRanking, claimNeed, declineClaim, financialSupermarket, getClaim, getNeed, getOffer, getProduct, getRegistration,
  listClaims, listNeedQueue, listNeeds, listOffers, listProducts, makeOffer, platformStatistics, publishNeed, publishProduct,
  registerEnterprise, releaseExpiredClaims, statisticsCsv, STATISTICS_DIMENSIONS, updateProduct, withdrawNeed,
  type PlatformClaim, type PlatformEnterprise, type PlatformNeed, type PlatformOffer, type PlatformProduct,
} from '../../platform/market.ts';
import type { Snapshot } from '../../pipeline/snapshot.ts';
import { InvalidRequestError, TENANT_KINDS } from '../../store/index.ts';
import {
  CLAIM_STATUSES, NEED_STATUSES, NEED_URGENCIES, OFFER_STATUSES, PRODUCT_STATUSES, RISK_LIGHTS,
} from '../../store/schema-platform.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import type { ServiceApp } from '../routes.ts';
import { creditCode, idParams, isoDate, isoTimestamp, resourceId } from '../schemas.ts';

const TAGS = ['platform'];
const productLine = z.string().min(1).max(64).regex(/^[a-z][a-z0-9_]*$/);
const amountFen = z.number().int().min(1).max(FEN_MAX);
const termMonths = z.number().int().min(1).max(360);
const rateBps = z.number().int().min(1).max(2_400);
const industrySection = z.string().regex(/^[A-T]$/).describe('GB/T 4754 industry section letter');
const dateOrTimestamp = z.union([isoDate, isoTimestamp]);

const registrationBody = z.object({
  creditCode: creditCode.optional().describe('The operator names the enterprise it onboards; an enterprise registers itself'),
  name: z.string().trim().min(1).max(200),
  industrySection,
  sizeBand: z.enum(['micro', 'small', 'medium', 'large']).nullable().optional(),
  issueKey: z.boolean().optional().describe('Operator only: issue the enterprise an API key, returned once'),
}).strict();
const registrationView = z.object({
  id: z.string(), creditCode: z.string(), name: z.string(), regionCode: z.string(), industrySection: z.string(), sizeBand: z.string().nullable(),
  ratingGrade: z.string().nullable().describe('The platform rating; null until the rating module rates the enterprise'),
  ratingScore: z.number().nullable(), ratedAt: z.string().nullable(), createdAt: z.string(),
  key: z.string().optional().describe('The new API key (operator onboarding with issueKey): shown once'),
});

const termsShape = {
  limitMinFen: amountFen, limitMaxFen: amountFen, rateMinBps: rateBps, rateMaxBps: rateBps, termMonthsMin: termMonths, termMonthsMax: termMonths,
  segments: z.array(industrySection).max(20).optional().describe('Industry sections served; empty or absent: all'),
  regions: z.array(z.string().regex(/^([0-9]{2}|[0-9]{4}|[0-9]{6})$/)).max(50).optional().describe('Division-code prefixes served; empty or absent: all'),
};
const strategyDocument = z.object({
  puhui: z.object({ schema: z.string(), id: z.string(), version: z.string(), product: z.string(), titleEn: z.string(), titleZh: z.string(), lossGivenDefault: z.number() }).passthrough(),
  contentType: z.string().optional(),
  nodes: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), content: z.record(z.string(), z.unknown()) }).passthrough()).min(1).max(200),
  edges: z.array(z.object({ id: z.string(), sourceId: z.string(), targetId: z.string() }).passthrough()).max(1_000),
  tests: z.array(z.unknown()).max(200).optional(),
}).passthrough().describe('A pre-screen strategy: a JDM graph with its puhui header, as in strategies/*.json');
const productBody = z.object({
  nameZh: z.string().trim().min(1).max(100), nameEn: z.string().trim().min(1).max(100),
  strategyId: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/).optional().describe('A shipped strategy (strategies/<id>.json) …'),
  strategy: strategyDocument.optional().describe('… or the bank\'s own strategy document'),
  ...termsShape,
}).strict();
const productPatchBody = z.object({
  limitMinFen: amountFen.optional(), limitMaxFen: amountFen.optional(), rateMinBps: rateBps.optional(), rateMaxBps: rateBps.optional(),
  termMonthsMin: termMonths.optional(), termMonthsMax: termMonths.optional(), segments: termsShape.segments, regions: termsShape.regions,
  status: z.enum(PRODUCT_STATUSES).optional(),
}).strict();
const productView = z.object({
  id: z.string(), bankName: z.string(), productLine: z.string(), nameZh: z.string(), nameEn: z.string(),
  strategy: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
  limitMinFen: z.number().int(), limitMaxFen: z.number().int(), rateMinBps: z.number().int(), rateMaxBps: z.number().int(),
  termMonthsMin: z.number().int(), termMonthsMax: z.number().int(), segments: z.array(z.string()), regions: z.array(z.string()),
  status: z.enum(PRODUCT_STATUSES), createdAt: z.string(), updatedAt: z.string(),
});

const needBody = z.object({
  amountFen, termMonths, purpose: z.string().trim().min(1).max(200), urgency: z.enum(NEED_URGENCIES).optional(), productLine,
}).strict();
const needView = z.object({
  id: z.string(), creditCode: z.string(), regionCode: z.string(), industrySection: z.string(), productLine: z.string(),
  amountFen: z.number().int(), termMonths: z.number().int(), purpose: z.string(), urgency: z.enum(NEED_URGENCIES), status: z.enum(NEED_STATUSES),
  riskLight: z.enum(RISK_LIGHTS).nullable(), riskReasons: z.array(z.string()), policyVersion: z.string(),
  claimMode: z.string(), claimSlots: z.number().int(), claimsActive: z.number().int(), claimsTotal: z.number().int(),
  claimWindowEndsAt: z.string(), expiresAt: z.string(), firstClaimedAt: z.string().nullable(), acceptedOfferId: z.string().nullable(),
  closedAt: z.string().nullable(), createdAt: z.string(),
});
const queueItemView = z.object({
  id: z.string(), regionCode: z.string(), industrySection: z.string(), productLine: z.string(), amountFen: z.number().int(),
  termMonths: z.number().int(), purpose: z.string(), urgency: z.enum(NEED_URGENCIES), riskLight: z.enum(RISK_LIGHTS).nullable(),
  riskReasons: z.array(z.string()), ratingGrade: z.string().nullable(), ratingScore: z.number().nullable(), claimMode: z.string(),
  claimSlots: z.number().int(), claimsActive: z.number().int(), claimWindowEndsAt: z.string(), createdAt: z.string(),
  productIds: z.array(z.string()).describe('This bank\'s products that serve the need: claim with one of them'),
}).describe('An open need as a bank\'s queue shows it: the enterprise is named only once the bank claims it');

const claimBody = z.object({ needId: resourceId, productId: resourceId }).strict();
const claimView = z.object({
  id: z.string(), needId: z.string(), productId: z.string(), creditCode: z.string(), status: z.enum(CLAIM_STATUSES), slaDueAt: z.string(),
  actedAt: z.string().nullable(), declineReason: z.string().nullable(), createdAt: z.string(),
});
const declineBody = z.object({ reason: z.string().trim().min(1).max(200) }).strict();
const offerBody = z.object({ amountFen, rateBps, termMonths, decisionId: resourceId.nullable().optional() }).strict();
const offerView = z.object({
  id: z.string(), needId: z.string(), claimId: z.string(), productId: z.string(), bankName: z.string(), productNameZh: z.string(),
  productNameEn: z.string(), creditCode: z.string(), amountFen: z.number().int(), rateBps: z.number().int(), termMonths: z.number().int(),
  decisionId: z.string().nullable(), consentId: z.string(), status: z.enum(OFFER_STATUSES), decidedAt: z.string().nullable(),
  defaultedAt: z.string().nullable(), createdAt: z.string(),
});

const supermarketQuery = z.object({
  amountFen: z.coerce.number().int().min(1).max(FEN_MAX).optional(), termMonths: z.coerce.number().int().min(1).max(360).optional(),
  productLine: productLine.optional(),
});
const supermarketView = z.object({
  creditCode: z.string(), snapshotId: z.string(), asOf: z.string(), policyVersion: z.string(),
  items: z.array(z.object({
    rank: z.number().int(), productId: z.string(), productLine: z.string(), bankName: z.string(), nameZh: z.string(), nameEn: z.string(),
    prescreen: z.enum(['approve', 'review']), limitFen: z.number().int(), expectedRateBps: z.number().int(), approvalChance: z.number(),
    score: z.number(), reasons: z.array(z.object({ code: z.string(), en: z.string(), zh: z.string() })), strategy: z.string(),
  })),
  screenedOut: z.array(z.object({ productId: z.string(), reasons: z.array(z.string()) })),
});

const statisticsQuery = z.object({
  by: z.enum(STATISTICS_DIMENSIONS),
  from: dateOrTimestamp.optional().describe('Needs published from (inclusive)'),
  to: dateOrTimestamp.optional().describe('… to (exclusive)'),
  regionDigits: z.coerce.number().int().refine((d) => d === 2 || d === 4 || d === 6, { message: 'is 2, 4 or 6' }).optional(),
});
const statisticsRowView = z.object({
  key: z.string(), label: z.string(), needs: z.number().int(), needAmountFen: z.number().int(), claims: z.number().int(),
  needsClaimed: z.number().int(), timeToClaimHoursMean: z.number().nullable(), timeToClaimHoursMedian: z.number().nullable(),
  offers: z.number().int(), approvals: z.number().int(), approvedAmountFen: z.number().int(), rateBpsMean: z.number().nullable(),
  defaults: z.number().int().describe('Accepted offers whose loan defaulted (fed by the loan book or the simulation)'), defaultedAmountFen: z.number().int(),
});
const rankingView = z.object({
  items: z.array(z.object({
    bankName: z.string(), claims: z.number().int(), offers: z.number().int(), declines: z.number().int(), slaMissed: z.number().int(),
    accepted: z.number().int(), responseHoursMean: z.number().nullable(), responseHoursMedian: z.number().nullable(),
    approvalRate: z.number().nullable(), responseRank: z.number().int(), approvalRank: z.number().int(),
  })),
});
const releaseBody = z.object({ at: dateOrTimestamp.optional().describe('Default: now; not in the future. A date means the end of that day (UTC)') }).strict();
const releaseView = z.object({ at: z.string(), claimsReleased: z.number().int(), needsExpired: z.number().int(), claimsLapsed: z.number().int(), offersLapsed: z.number().int() });

function registrationViewOf(registration: PlatformEnterprise, key?: string) {
  const { tenantId: _tenantId, registeredBy: _registeredBy, updatedAt: _updatedAt, ...view } = registration;
  return { ...view, ...(key !== undefined ? { key } : {}) };
}

function productViewOf(product: PlatformProduct & { bankName: string }) {
  return {
    id: product.id, bankName: product.bankName, productLine: product.productLine, nameZh: product.nameZh, nameEn: product.nameEn,
    strategy: { id: product.strategyId, version: product.strategyVersion, hash: product.strategyHash },
    limitMinFen: product.limitMinFen, limitMaxFen: product.limitMaxFen, rateMinBps: product.rateMinBps, rateMaxBps: product.rateMaxBps,
    termMonthsMin: product.termMonthsMin, termMonthsMax: product.termMonthsMax, segments: product.segments, regions: product.regions,
    status: product.status, createdAt: product.createdAt, updatedAt: product.updatedAt,
  };
}

function needViewOf(need: PlatformNeed) {
  const { tenantId: _tenantId, createdBy: _createdBy, claimSlaHours: _sla, updatedAt: _updatedAt, ...view } = need;
  return view;
}

function claimViewOf(claim: PlatformClaim & { creditCode: string }) {
  const { tenantId: _tenantId, createdBy: _createdBy, updatedAt: _updatedAt, ...view } = claim;
  return view;
}

function offerViewOf(offer: PlatformOffer & { bankName: string; productNameZh: string; productNameEn: string }) {
  const { tenantId: _tenantId, createdBy: _createdBy, updatedAt: _updatedAt, ...view } = offer;
  return view;
}

/** The current snapshot, or null when none is built yet (a need then carries no light). */
async function snapshotOrNull(context: ServiceContext): Promise<Snapshot | null> {
  return (await context.snapshots.currentInfo()) === null ? null : context.snapshots.current();
}

export function registerPlatformMarketRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;

  app.post('/v1/platform/enterprises', {
    schema: { tags: TAGS, summary: 'Register an enterprise on the platform (the enterprise itself, or the operator onboarding one)', body: registrationBody, response: { 201: registrationView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['enterprise', 'operator']);
    const { registration, key } = await registerEnterprise(store, principal, request.body);
    return reply.code(201).send(registrationViewOf(registration, key));
  });

  app.get('/v1/platform/enterprises/me', {
    schema: { tags: TAGS, summary: 'The enterprise\'s own platform registration (with its rating, once rated)', response: { 200: registrationView } },
  }, async (request) => registrationViewOf(await getRegistration(store, allow(request.principal, ['enterprise']))));

  app.get('/v1/platform/enterprises/:creditCode', {
    schema: { tags: TAGS, summary: 'A platform registration (operator, government department)', params: z.object({ creditCode }), response: { 200: registrationView } },
  }, async (request) => registrationViewOf(await getRegistration(store, allow(request.principal, ['operator', 'government']), request.params.creditCode)));

  app.post('/v1/platform/products', {
    schema: { tags: TAGS, summary: 'A bank publishes a product with its pre-screen strategy, limit and rate range, terms, segments and regions', body: productBody, response: { 201: productView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['bank']);
    const { strategy, strategyId, ...rest } = request.body;
    const product = await publishProduct(store, principal, { ...rest, ...(strategyId !== undefined ? { strategyId } : {}), ...(strategy !== undefined ? { strategy } : {}) });
    return reply.code(201).send(productViewOf(await getProduct(store, principal, product.id)));
  });

  app.get('/v1/platform/products', {
    schema: { tags: TAGS, summary: 'The catalogue of active products, or (a bank, mine=true) its own in every status; newest first',
      querystring: pageQuery.extend({ mine: z.enum(['true', 'false']).optional(), productLine: productLine.optional() }), response: { 200: pageOf(productView) },
    },
  }, async (request) => {
    const principal = allow(request.principal, TENANT_KINDS);
    const page = await listProducts(store, principal, { ...pageRequest(request.query), mine: request.query.mine === 'true', ...(request.query.productLine ? { productLine: request.query.productLine } : {}) });
    return { items: page.items.map(productViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/platform/products/:id', {
    schema: { tags: TAGS, summary: 'One product (any active one; a bank\'s own in any status)', params: idParams, response: { 200: productView } },
  }, async (request) => productViewOf(await getProduct(store, allow(request.principal, TENANT_KINDS), request.params.id)));

  app.patch('/v1/platform/products/:id', {
    schema: { tags: TAGS, summary: 'The owning bank changes a product\'s terms or withdraws it (status withdrawn)', params: idParams, body: productPatchBody, response: { 200: productView } },
  }, async (request) => {
    const principal = allow(request.principal, ['bank']);
    const patch = Object.fromEntries(Object.entries(request.body).filter(([, value]) => value !== undefined));
    await updateProduct(store, principal, request.params.id, patch);
    return productViewOf(await getProduct(store, principal, request.params.id));
  });

  app.post('/v1/platform/needs', {
    schema: { tags: TAGS, summary: 'A registered enterprise publishes a financing need (amount, term, purpose, urgency, product line)', body: needBody, response: { 201: needView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['enterprise']);
    const need = await publishNeed(store, principal, request.body, { snapshot: await snapshotOrNull(context) });
    return reply.code(201).send(needViewOf(need));
  });

  app.get('/v1/platform/needs', {
    schema: { tags: TAGS, summary: 'The enterprise\'s own needs, newest first', querystring: pageQuery.extend({ status: z.enum(NEED_STATUSES).optional() }), response: { 200: pageOf(needView) } },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise']);
    const page = await listNeeds(store, principal, { ...pageRequest(request.query), ...(request.query.status ? { status: request.query.status } : {}) });
    return { items: page.items.map(needViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/platform/needs/:id', {
    schema: { tags: TAGS, summary: 'One need (its enterprise; a bank that claimed it)', params: idParams, response: { 200: needView } },
  }, async (request) => needViewOf(await getNeed(store, allow(request.principal, ['enterprise', 'bank']), request.params.id)));

  app.post('/v1/platform/needs/:id/withdraw', {
    schema: { tags: TAGS, summary: 'The enterprise withdraws an open need; its claims and pending offers lapse', params: idParams, response: { 200: needView } },
  }, async (request) => needViewOf(await withdrawNeed(store, allow(request.principal, ['enterprise']), request.params.id)));

  app.get('/v1/platform/supermarket', {
    schema: { tags: TAGS, summary: 'The financial supermarket: products the enterprise is likely eligible for (each product\'s pre-screen strategy run on the platform snapshot), ranked by expected price and approval chance',
      querystring: supermarketQuery, response: { 200: supermarketView },
    },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise']);
    const query = request.query;
    return financialSupermarket(store, principal, await context.snapshots.current(), {
      ...(query.amountFen !== undefined ? { amountFen: query.amountFen } : {}), ...(query.termMonths !== undefined ? { termMonths: query.termMonths } : {}),
      ...(query.productLine ? { productLine: query.productLine } : {}),
    });
  });

  app.get('/v1/platform/queue', {
    schema: { tags: TAGS, summary: 'The bank\'s claim queue: open needs its active products serve, with the platform rating and red/yellow/green light',
      querystring: pageQuery.extend({ productLine: productLine.optional(), riskLight: z.enum(RISK_LIGHTS).optional() }), response: { 200: pageOf(queueItemView) },
    },
  }, async (request) => {
    const principal = allow(request.principal, ['bank']);
    const { productLine: line, riskLight } = request.query;
    return listNeedQueue(store, principal, { ...pageRequest(request.query), ...(line ? { productLine: line } : {}), ...(riskLight ? { riskLight } : {}) });
  });

  app.post('/v1/platform/claims', {
    schema: { tags: TAGS, summary: 'A bank claims (抢单) a need from its queue with one of its products; first claim wins or up to k banks, per the product line\'s policy', body: claimBody, response: { 201: claimView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['bank']);
    const claim = await claimNeed(store, principal, request.body);
    return reply.code(201).send(claimViewOf(await getClaim(store, principal, claim.id)));
  });

  app.get('/v1/platform/claims', {
    schema: { tags: TAGS, summary: 'The bank\'s claims, newest first', querystring: pageQuery.extend({ status: z.enum(CLAIM_STATUSES).optional() }), response: { 200: pageOf(claimView) } },
  }, async (request) => {
    const principal = allow(request.principal, ['bank']);
    const page = await listClaims(store, principal, { ...pageRequest(request.query), ...(request.query.status ? { status: request.query.status } : {}) });
    return { items: page.items.map(claimViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/platform/claims/:id', {
    schema: { tags: TAGS, summary: 'One of the bank\'s claims', params: idParams, response: { 200: claimView } },
  }, async (request) => claimViewOf(await getClaim(store, allow(request.principal, ['bank']), request.params.id)));

  app.post('/v1/platform/claims/:id/decline', {
    schema: { tags: TAGS, summary: 'The bank declines a need it claimed; the need goes back to the pool', params: idParams, body: declineBody, response: { 200: claimView } },
  }, async (request) => {
    const principal = allow(request.principal, ['bank']);
    await declineClaim(store, principal, request.params.id, request.body.reason);
    return claimViewOf(await getClaim(store, principal, request.params.id));
  });

  app.post('/v1/platform/claims/:id/offer', {
    schema: { tags: TAGS, summary: 'The bank makes an offer on a need it claimed (within its product\'s terms; needs the enterprise\'s consent)', params: idParams, body: offerBody, response: { 201: offerView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['bank']);
    const offer = await makeOffer(store, principal, { claimId: request.params.id, ...request.body });
    return reply.code(201).send(offerViewOf(await getOffer(store, principal, offer.id)));
  });

  app.get('/v1/platform/offers', {
    schema: { tags: TAGS, summary: 'Offers: an enterprise\'s on its needs (货比三家), a bank\'s own; newest first',
      querystring: pageQuery.extend({ needId: resourceId.optional(), status: z.enum(OFFER_STATUSES).optional() }), response: { 200: pageOf(offerView) },
    },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise', 'bank']);
    const { needId, status } = request.query;
    const page = await listOffers(store, principal, { ...pageRequest(request.query), ...(needId ? { needId } : {}), ...(status ? { status } : {}) });
    return { items: page.items.map(offerViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/platform/offers/:id', {
    schema: { tags: TAGS, summary: 'One offer (the enterprise it is made to, the bank that makes it)', params: idParams, response: { 200: offerView } },
  }, async (request) => offerViewOf(await getOffer(store, allow(request.principal, ['enterprise', 'bank']), request.params.id)));

  app.post('/v1/platform/offers/:id/accept', {
    schema: { tags: TAGS, summary: 'The enterprise accepts one offer on its need; the other offers and claims lapse', params: idParams, response: { 200: offerView } },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise']);
    await acceptOffer(store, principal, request.params.id);
    return offerViewOf(await getOffer(store, principal, request.params.id));
  });

  app.post('/v1/platform/offers/:id/reject', {
    schema: { tags: TAGS, summary: 'The enterprise turns down one offer; its claim\'s slot returns to the pool', params: idParams, response: { 200: offerView } },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise']);
    await rejectOffer(store, principal, request.params.id);
    return offerViewOf(await getOffer(store, principal, request.params.id));
  });

  app.get('/v1/platform/statistics', {
    schema: { tags: TAGS, summary: 'Regulator statistics by region, industry, bank or product (government department, operator)',
      querystring: statisticsQuery, response: { 200: z.object({ by: z.enum(STATISTICS_DIMENSIONS), rows: z.array(statisticsRowView) }) },
    },
  }, async (request) => {
    const principal = allow(request.principal, ['government', 'operator']);
    return { by: request.query.by, rows: await platformStatistics(store, principal, statisticsRequestOf(request.query)) };
  });

  app.get('/v1/platform/statistics.csv', {
    schema: { tags: TAGS, summary: 'The same statistics as CSV (RFC 4180, a header line)', querystring: statisticsQuery, produces: ['text/csv'] },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['government', 'operator']);
    const rows = await platformStatistics(store, principal, statisticsRequestOf(request.query));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="platform-statistics-${request.query.by}.csv"`).send(statisticsCsv(rows));
  });

  app.get('/v1/platform/banks/ranking', {
    schema: { tags: TAGS, summary: 'Banks ranked by response time (claim to offer or decline) and approval rate', response: { 200: rankingView } },
  }, async (request) => {
    allow(request.principal, TENANT_KINDS);
    return { items: await bankRanking(store) };
  });

  app.post('/v1/platform/release', {
    schema: { tags: TAGS, summary: 'The nightly job (operator): release claims past their SLA to the pool, expire needs past their date', body: releaseBody, response: { 200: releaseView } },
  }, async (request) => {
    allow(request.principal, ['operator']);
    // Over the API the job closes the past, never a day to come; the simulation calls the store function with its own dates.
    const at = request.body.at;
    if (at !== undefined && (/^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T23:59:59.999Z` : new Date(Date.parse(at)).toISOString()) > store.now()) {
      throw new InvalidRequestError(`at (${at}) is in the future: the nightly job releases what is already due`, 'invalid_date');
    }
    return releaseExpiredClaims(store, at);
  });
}

function statisticsRequestOf(query: z.infer<typeof statisticsQuery>) {
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) throw new InvalidRequestError('from must be before to', 'invalid_date');
  return {
    by: query.by, ...(query.from !== undefined ? { from: query.from } : {}), ...(query.to !== undefined ? { to: query.to } : {}),
    ...(query.regionDigits !== undefined ? { regionDigits: query.regionDigits as 2 | 4 | 6 } : {}),
  };
}
