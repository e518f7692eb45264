/**
 * The platform's public credit rating, credit reports, credit commitments and risk notices over the API.
 *
 * - The operator runs the rating job on the current snapshot (POST /v1/ratings/jobs; GET /v1/jobs/{id} says how
 *   it went); anyone authenticated reads the model (dimensions, indicators, weights, consistency, bands).
 * - An enterprise's rating and credit report: the operator, the enterprise itself, and a bank, guarantee fund or
 *   government department with the enterprise's consent (registration scope; the report withholds the
 *   dimensions whose scopes the viewer's consents do not cover). Every read and every report open is audited.
 * - Credit commitments: the enterprise signs; the operator or an authorised government department records
 *   breaches; reading follows the rule above.
 * - Risk notices: the operator publishes and withdraws; the public reads them WITHOUT an API key under
 *   /public/ — they are warnings for everyone and carry no tenant's data.
 */
import { z } from 'zod';
import { isoDate, creditCode, idParams } from '../schemas.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import type { ServiceApp } from '../routes.ts';
import { defaultRatingModel } from '../../platform/rating-policy.ts';
import { readRating, ratingResultOf } from '../../platform/rating-store.ts';
import { startRatingJob } from '../../platform/rating-job.ts';
import { openCreditReport, REPORT_LANGUAGES } from '../../platform/report.ts';
import {
  BREACH_DESCRIPTION_LENGTH_MAX, BREACH_SEVERITIES, breachesOf, COMMITMENT_CONTENT_LENGTH_MAX, COMMITMENT_KINDS, getCommitment,
  listCommitments, recordBreach, signCommitment, type CommitmentBreach, type CreditCommitment,
} from '../../platform/commitments.ts';
import {
  getPublicNotice, listPublicNotices, NOTICE_BODY_LENGTH_MAX, NOTICE_LEVELS, NOTICE_TITLE_LENGTH_MAX, publishNotice, withdrawNotice,
  type RiskNotice,
} from '../../platform/notices.ts';
import type { Job } from '../../store/index.ts';

const ALL_ROLES = ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise'] as const;
const READER_ROLES = ALL_ROLES;

const creditCodeParams = z.object({ creditCode });
const reportQuery = z.object({ lang: z.enum(REPORT_LANGUAGES).default('zh-CN').describe('zh-CN or en') });

const contributionView = z.object({
  dimension: z.string(), feature: z.string(), value: z.number().nullable(), normalised: z.number(), weight: z.number(), points: z.number(),
});
const ratingView = z.object({
  id: z.string(), creditCode: z.string(), asOf: z.string(), modelVersion: z.string(), snapshotId: z.string(),
  score: z.number(), grade: z.string(), eligible: z.boolean(),
  dimensions: z.array(z.object({ id: z.string(), points: z.number(), pointsMax: z.number() })),
  contributions: z.array(contributionView).describe('Each indicator: its value, normalised 0..1, weight and the points it adds; the points add up to the score'),
});
const modelView = z.object({
  version: z.string(), source: z.string().nullable(),
  dimensions: z.array(z.object({ id: z.string(), zh: z.string(), en: z.string(), weight: z.number(), consistencyRatio: z.number() })),
  indicators: z.array(z.object({ dimension: z.string(), feature: z.string(), zh: z.string(), en: z.string(), direction: z.string(), min: z.number(), max: z.number(), weight: z.number(), scopes: z.array(z.string()) })),
  grades: z.array(z.object({ grade: z.string(), scoreMin: z.number(), zh: z.string(), en: z.string() })),
  eligibleGrades: z.array(z.string()),
  rootConsistencyRatio: z.number(),
});
const jobView = z.object({ id: z.string(), kind: z.string(), status: z.string(), payload: z.unknown(), createdAt: z.string() });

const commitmentBody = z.object({
  kind: z.enum(COMMITMENT_KINDS),
  content: z.string().trim().min(1).max(COMMITMENT_CONTENT_LENGTH_MAX).describe('The text the enterprise signed'),
  signedOn: isoDate,
}).strict();
const breachBody = z.object({
  occurredOn: isoDate,
  description: z.string().trim().min(1).max(BREACH_DESCRIPTION_LENGTH_MAX),
  severity: z.enum(BREACH_SEVERITIES),
}).strict();
const breachView = z.object({ id: z.string(), commitmentId: z.string(), creditCode: z.string(), occurredOn: z.string(), description: z.string(), severity: z.string(), createdAt: z.string() });
const commitmentView = z.object({
  id: z.string(), creditCode: z.string(), kind: z.string(), content: z.string(), signedOn: z.string(), createdAt: z.string(),
  breaches: z.array(breachView).optional(),
});
const commitmentListQuery = pageQuery.extend({ creditCode: creditCode.optional().describe("A grantee must name the enterprise (its consent is checked)") });

const noticeBody = z.object({
  titleZh: z.string().trim().min(1).max(NOTICE_TITLE_LENGTH_MAX), titleEn: z.string().trim().min(1).max(NOTICE_TITLE_LENGTH_MAX),
  bodyZh: z.string().trim().min(1).max(NOTICE_BODY_LENGTH_MAX), bodyEn: z.string().trim().min(1).max(NOTICE_BODY_LENGTH_MAX),
  level: z.enum(NOTICE_LEVELS),
}).strict();
const noticeView = z.object({
  id: z.string(), titleZh: z.string(), titleEn: z.string(), bodyZh: z.string(), bodyEn: z.string(), level: z.string(),
  publishedAt: z.string(), withdrawnAt: z.string().nullable(),
});

const breachViewOf = (b: CommitmentBreach) => ({ id: b.id, commitmentId: b.commitmentId, creditCode: b.creditCode, occurredOn: b.occurredOn, description: b.description, severity: b.severity, createdAt: b.createdAt });
const commitmentViewOf = (c: CreditCommitment, breaches?: CommitmentBreach[]) => ({
  id: c.id, creditCode: c.creditCode, kind: c.kind, content: c.content, signedOn: c.signedOn, createdAt: c.createdAt,
  ...(breaches ? { breaches: breaches.map(breachViewOf) } : {}),
});
const noticeViewOf = (n: RiskNotice) => ({ id: n.id, titleZh: n.titleZh, titleEn: n.titleEn, bodyZh: n.bodyZh, bodyEn: n.bodyEn, level: n.level, publishedAt: n.publishedAt, withdrawnAt: n.withdrawnAt });
const jobViewOf = (job: Job) => ({ id: job.id, kind: job.kind, status: job.status, payload: job.payload, createdAt: job.createdAt });

export function registerPlatformRatingRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;
  const model = () => defaultRatingModel();

  app.post('/v1/ratings/jobs', {
    schema: { tags: ['platform rating'], summary: 'Rate every enterprise of the current snapshot (operator); a job', response: { 202: jobView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator']);
    const job = await startRatingJob({ store, snapshot: () => context.snapshots.current(), model: model() }, principal);
    return reply.code(202).send(jobViewOf(job));
  });

  app.get('/v1/ratings/model', {
    schema: { tags: ['platform rating'], summary: 'The rating model: dimensions, indicators, AHP weights, consistency ratios, grade bands', response: { 200: modelView } },
  }, async (request) => {
    allow(request.principal, READER_ROLES);
    const m = model();
    return {
      version: m.version, source: m.policy.source ?? null, dimensions: m.dimensions, eligibleGrades: m.policy.eligibleGrades,
      indicators: m.indicators.map((i) => ({ dimension: i.dimension, feature: i.feature.id, zh: i.feature.descriptionZh, en: i.feature.descriptionEn, direction: i.direction, min: i.min, max: i.max, weight: i.weight, scopes: i.scopes })),
      grades: m.grades, rootConsistencyRatio: m.ahp.ratios.find((r) => r.node === 'rating')?.consistencyRatio ?? 0,
    };
  });

  app.get('/v1/enterprises/:creditCode/rating', {
    schema: { tags: ['platform rating'], summary: "An enterprise's latest rating with every indicator's contribution; audited", params: creditCodeParams, response: { 200: ratingView } },
  }, async (request) => {
    const principal = allow(request.principal, READER_ROLES);
    const m = model();
    const row = await readRating(store, principal, request.params.creditCode, m.version);
    return { id: row.id, snapshotId: row.snapshotId, ...ratingResultOf(row, m) };
  });

  app.get('/v1/enterprises/:creditCode/credit-report', {
    schema: { tags: ['platform rating'], summary: 'The credit report: a self-contained, printable HTML page (zh-CN or en); every open audited', params: creditCodeParams, querystring: reportQuery },
  }, async (request, reply) => {
    const principal = allow(request.principal, READER_ROLES);
    const snapshot = await context.snapshots.current().catch(() => null);
    const html = await openCreditReport(store, principal, { creditCode: request.params.creditCode, language: request.query.lang, model: model(), snapshot });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.post('/v1/commitments', {
    schema: { tags: ['commitments'], summary: 'The enterprise signs a credit commitment (信用承诺书)', body: commitmentBody, response: { 201: commitmentView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['enterprise']);
    return reply.code(201).send(commitmentViewOf(await signCommitment(store, principal, request.body)));
  });

  app.get('/v1/commitments', {
    schema: { tags: ['commitments'], summary: "Commitments, newest first: an enterprise's own, the operator's view of all, or one named enterprise's (consent checked)", querystring: commitmentListQuery, response: { 200: pageOf(commitmentView) } },
  }, async (request) => {
    const principal = allow(request.principal, READER_ROLES);
    const page = await listCommitments(store, principal, { ...pageRequest(request.query), ...(request.query.creditCode ? { creditCode: request.query.creditCode } : {}) });
    return { items: page.items.map((c) => commitmentViewOf(c)), nextCursor: page.nextCursor };
  });

  app.get('/v1/commitments/:id', {
    schema: { tags: ['commitments'], summary: 'One commitment with the breaches recorded against it', params: idParams, response: { 200: commitmentView } },
  }, async (request) => {
    const principal = allow(request.principal, READER_ROLES);
    const commitment = await getCommitment(store, principal, request.params.id);
    return commitmentViewOf(commitment, await breachesOf(store, [commitment.id]));
  });

  app.post('/v1/commitments/:id/breaches', {
    schema: { tags: ['commitments'], summary: 'Record a breach of a commitment (operator, or a government department the enterprise authorised)', params: idParams, body: breachBody, response: { 201: breachView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator', 'government']);
    return reply.code(201).send(breachViewOf(await recordBreach(store, principal, request.params.id, request.body)));
  });

  app.post('/v1/risk-notices', {
    schema: { tags: ['risk notices'], summary: 'Publish a risk notice (风险提示) to the public (operator)', body: noticeBody, response: { 201: noticeView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator']);
    return reply.code(201).send(noticeViewOf(await publishNotice(store, principal, request.body)));
  });

  app.post('/v1/risk-notices/:id/withdraw', {
    schema: { tags: ['risk notices'], summary: 'Withdraw a published risk notice (operator); it leaves the public list', params: idParams, response: { 200: noticeView } },
  }, async (request) => noticeViewOf(await withdrawNotice(store, allow(request.principal, ['operator']), request.params.id)));

  app.get('/public/risk-notices', {
    schema: { tags: ['risk notices'], summary: 'Published risk notices, newest first: public, no API key', security: [], querystring: pageQuery, response: { 200: pageOf(noticeView) } },
  }, async (request) => {
    const page = await listPublicNotices(store, pageRequest(request.query));
    return { items: page.items.map(noticeViewOf), nextCursor: page.nextCursor };
  });

  app.get('/public/risk-notices/:id', {
    schema: { tags: ['risk notices'], summary: 'One published risk notice: public, no API key', security: [], params: idParams, response: { 200: noticeView } },
  }, async (request) => noticeViewOf(await getPublicNotice(store, request.params.id)));
}
