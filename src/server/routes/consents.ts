/**
 * Consent (PIPL): a grantee (bank, guarantee fund, government department) asks an enterprise to let it read
 * named scopes of its data for a purpose until an expiry; the enterprise authorises or rejects it, and either
 * side may revoke it at any time (effective on the next request); an enterprise may also grant a named
 * grantee directly. Bank statements are sensitive: they need a consent of their own. The store keeps the
 * lifecycle, scopes every read (a grantee sees the consents granted to it, an enterprise those about
 * itself) and audits every change.
 */
import {
  authoriseConsent, getConsent, listConsents, rejectConsent, requestConsent, revokeConsent,
  type Consent, type Principal, type TenantKind,
} from '../../store/index.ts';
import { allow, enterpriseCodeOf } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import { NotFound } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { consentListQuery, consentView, grantConsentBody, idParams, requestConsentBody } from '../schemas.ts';

export const GRANTEE_ROLES = ['bank', 'guarantee_fund', 'government'] as const;
const CONSENT_ROLES = [...GRANTEE_ROLES, 'enterprise'] as const;

export function consentViewOf(consent: Consent) {
  return {
    id: consent.id, granteeTenantId: consent.tenantId, creditCode: consent.creditCode, purpose: consent.purpose,
    scopes: consent.scopes, status: consent.status, requestedAt: consent.requestedAt, expiresAt: consent.expiresAt,
    decidedAt: consent.decidedAt, endedAt: consent.endedAt,
  };
}

export function registerConsentRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;

  app.post('/v1/consents', {
    schema: { tags: ['consents'], summary: 'A grantee asks an enterprise for consent (status AwaitingAuthorisation)', body: requestConsentBody, response: { 201: consentView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, GRANTEE_ROLES);
    return reply.code(201).send(consentViewOf(await requestConsent(store, principal, request.body)));
  });

  app.post('/v1/consents/grant', {
    schema: { tags: ['consents'], summary: 'An enterprise grants a named grantee consent directly (status Authorised)', body: grantConsentBody, response: { 201: consentView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['enterprise']);
    const grantee = await store.db.selectFrom('tenants').select(['id', 'kind']).where('id', '=', request.body.granteeTenantId).executeTakeFirst();
    if (!grantee || !(GRANTEE_ROLES as readonly TenantKind[]).includes(grantee.kind)) throw new NotFound('grantee tenant');
    // The request is recorded in the grantee's name (it is the grantee's consent), by the enterprise's key.
    const onBehalf: Principal = { tenantId: grantee.id, tenantKind: grantee.kind, role: grantee.kind, keyId: principal.keyId };
    const requested = await requestConsent(store, onBehalf, {
      creditCode: enterpriseCodeOf(principal), purpose: request.body.purpose, scopes: request.body.scopes, expiresAt: request.body.expiresAt,
    });
    return reply.code(201).send(consentViewOf(await authoriseConsent(store, principal, requested.id)));
  });

  app.get('/v1/consents', {
    schema: { tags: ['consents'], summary: 'Consents granted to this tenant, or (an enterprise) about it; newest first', querystring: pageQuery.extend(consentListQuery.shape), response: { 200: pageOf(consentView) } },
  }, async (request) => {
    const principal = allow(request.principal, CONSENT_ROLES);
    const page = await listConsents(store, principal, { ...pageRequest(request.query), ...(request.query.status ? { status: request.query.status } : {}) });
    return { items: page.items.map(consentViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/consents/:id', {
    schema: { tags: ['consents'], summary: 'One consent (its grantee or its enterprise)', params: idParams, response: { 200: consentView } },
  }, async (request) => consentViewOf(await getConsent(store, allow(request.principal, CONSENT_ROLES), request.params.id)));

  const transitions = [
    { verb: 'authorise', apply: authoriseConsent, roles: ['enterprise'] as const, summary: 'The enterprise authorises a consent request about itself' },
    { verb: 'reject', apply: rejectConsent, roles: ['enterprise'] as const, summary: 'The enterprise rejects a consent request about itself' },
    { verb: 'revoke', apply: revokeConsent, roles: CONSENT_ROLES, summary: 'The enterprise withdraws a consent (or the grantee gives it up); effective on the next request' },
  ];
  for (const { verb, apply, roles, summary } of transitions) {
    app.post(`/v1/consents/:id/${verb}`, {
      schema: { tags: ['consents'], summary, params: idParams, response: { 200: consentView } },
    }, async (request) => consentViewOf(await apply(store, allow(request.principal, roles), request.params.id)));
  }
}
