/**
 * Tenants and API keys. The platform operator creates tenants (a bank, a guarantee fund, a government
 * department, an enterprise) and issues their keys; a tenant sees only itself and may revoke its own keys.
 */
import { createApiKey, createTenant, getTenant, listPage, revokeApiKey, type Tenant } from '../../store/index.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import { NotFound } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { apiKeyView, createKeyBody, createTenantBody, idParams, tenantView } from '../schemas.ts';
import { z } from 'zod';

const ALL_ROLES = ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise'] as const;

function viewOf(tenant: Tenant) {
  return { id: tenant.id, kind: tenant.kind, name: tenant.name, creditCode: tenant.creditCode, createdAt: tenant.createdAt };
}

export function registerTenantRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;

  app.post('/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'Create a tenant (operator)', body: createTenantBody, response: { 201: tenantView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator']);
    const tenant = await createTenant(store, { kind: request.body.kind, name: request.body.name, creditCode: request.body.creditCode ?? null }, principal.keyId);
    return reply.code(201).send(viewOf(tenant));
  });

  app.get('/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'List tenants (operator: all; others: their own)', querystring: pageQuery, response: { 200: pageOf(tenantView) } },
  }, async (request) => {
    const principal = allow(request.principal, ALL_ROLES);
    let query = store.db.selectFrom('tenants').selectAll();
    if (principal.role !== 'operator') query = query.where('id', '=', principal.tenantId);
    const page = await listPage(query, pageRequest(request.query));
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/tenants/:id', {
    schema: { tags: ['tenants'], summary: 'One tenant (operator: any; others: their own)', params: idParams, response: { 200: tenantView } },
  }, async (request) => {
    const principal = allow(request.principal, ALL_ROLES);
    if (principal.role !== 'operator' && request.params.id !== principal.tenantId) throw new NotFound('tenant');
    const tenant = await getTenant(store, request.params.id);
    if (!tenant) throw new NotFound('tenant');
    return viewOf(tenant);
  });

  app.post('/v1/tenants/:id/keys', {
    schema: { tags: ['tenants'], summary: "Issue an API key for a tenant (operator); the plain key is in this answer only", params: idParams, body: createKeyBody, response: { 201: apiKeyView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator']);
    const created = await createApiKey(store, request.params.id, request.body.role, principal.keyId);
    return reply.code(201).send({ id: created.id, key: created.key, tenantId: request.params.id, role: request.body.role });
  });

  app.post('/v1/keys/:id/revoke', {
    schema: { tags: ['tenants'], summary: "Revoke an API key of one's own tenant (the operator: any); effective on the next request", params: idParams, response: { 200: z.object({ id: z.string(), revoked: z.literal(true) }) } },
  }, async (request) => {
    const principal = allow(request.principal, ALL_ROLES);
    await revokeApiKey(store, principal, request.params.id);
    return { id: request.params.id, revoked: true as const };
  });
}
