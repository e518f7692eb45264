/**
 * Applications and decisions. A bank or guarantee fund applies for an enterprise; the service checks the
 * consents the decision needs (authorised, unexpired, for every scope the decision reads), decides on the
 * current snapshot and keeps the decision as an immutable record — the inputs it saw, the consents it used —
 * with its application and an audit entry, in one transaction. A decision is visible only to the tenant
 * that made it (another tenant's is "not found"); replaying it evaluates the recorded inputs again.
 */
import { getDecision, listDecisions, recordDecision } from '../../store/index.ts';
import { decideOnline, replayDecision } from '../../pipeline/online.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { consentsForDecision, decisionSummaryOf, decisionViewOf, type StoredDecisionRecord } from '../decisions.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import type { ServiceApp } from '../routes.ts';
import { applicationBody, decisionSummaryView, decisionView, idParams, replayView } from '../schemas.ts';
import { appendAudit } from '../../store/index.ts';
import { selfProofForApplication } from './selfproof.ts';

const APPLICANT_ROLES = ['bank', 'guarantee_fund'] as const;

export function registerDecisionRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;

  app.post('/v1/applications', {
    schema: { tags: ['decisions'], summary: 'Apply for an enterprise and get a decision (bank, guarantee fund); needs its consents', body: applicationBody, response: { 201: decisionView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, APPLICANT_ROLES);
    const body = request.body;
    const snapshot = await context.snapshots.current();
    const consents = await consentsForDecision(store, principal, body.creditCode);
    const readings = body.selfProofReadings ?? [];
    const selfProof = readings.length > 0 ? await selfProofForApplication(context, principal, body.creditCode, readings) : undefined;
    const online = await decideOnline(snapshot, { creditCode: body.creditCode, product: body.product, amountFen: body.amountFen ?? null, termMonths: body.termMonths ?? null, selfProof }, context.decisions);
    const record: StoredDecisionRecord = { ...online, consentIds: consents.map((c) => c.id), ...(readings.length > 0 ? { selfProofReadings: readings } : {}) };
    const acting = record.decision;
    const { decision } = await recordDecision(store, principal, {
      application: {
        creditCode: record.creditCode, product: acting.strategy.product, amountFen: body.amountFen ?? null, termMonths: body.termMonths ?? null,
        consentId: consents[0]!.id, contactName: body.contactName ?? null, contactPhone: body.contactPhone ?? null,
      },
      decision: {
        outcome: acting.outcome, limitFen: acting.limitFen, rateBps: acting.rateBps, termMonths: acting.termMonths,
        strategy: `${acting.strategy.id}@${acting.strategy.version}#${acting.strategy.hash.slice(0, 12)}`, record,
      },
    });
    return reply.code(201).send(decisionViewOf(decision, { full: false }));
  });

  app.get('/v1/decisions', {
    schema: { tags: ['decisions'], summary: "This tenant's decisions, newest first", querystring: pageQuery, response: { 200: pageOf(decisionSummaryView) } },
  }, async (request) => {
    const principal = allow(request.principal, APPLICANT_ROLES);
    const page = await listDecisions(store, principal, pageRequest(request.query));
    return { items: page.items.map(decisionSummaryOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/decisions/:id', {
    schema: { tags: ['decisions'], summary: 'One decision with its full record (inputs, trace, consents used); audited', params: idParams, response: { 200: decisionView } },
  }, async (request) => {
    const principal = allow(request.principal, APPLICANT_ROLES);
    return decisionViewOf(await getDecision(store, request.params.id, principal), { full: true });
  });

  app.get('/v1/decisions/:id/replay', {
    schema: { tags: ['decisions'], summary: 'Evaluate a decision again on the inputs it recorded; it must agree', params: idParams, response: { 200: replayView } },
  }, async (request) => {
    const principal = allow(request.principal, APPLICANT_ROLES);
    const row = await getDecision(store, request.params.id, principal, { audit: false });
    const result = await replayDecision(row.record as unknown as StoredDecisionRecord, { strategies: strategiesOf(context) });
    await appendAudit(store.db, { at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'decision.replay', subjectType: 'decision', subjectId: row.id, details: { agrees: result.agrees } });
    return {
      decisionId: row.id, agrees: result.agrees, differences: result.differences,
      original: result.original as unknown as Record<string, unknown>, replayed: result.replayed as unknown as Record<string, unknown>,
    };
  });
}

/** The strategies this service decides with, so a replay finds them by hash. */
function strategiesOf(context: ServiceContext) {
  return [context.decisions.strategy, context.decisions.challenger].filter((s) => s !== undefined);
}
