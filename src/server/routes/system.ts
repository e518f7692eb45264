/** Health (for load balancers: is the database answering, which snapshot is current), whoami, audit verification. */
import { sql } from 'kysely';
import { verifyAuditChain } from '../../store/index.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { withinDeadline } from '../deadline.ts';
import type { ServiceApp } from '../routes.ts';
import { auditVerifyView, healthView, principalView } from '../schemas.ts';

/** A health check answers fast or says the database is unavailable: a load balancer must not wait on it. */
const HEALTH_DEADLINE_MS = 2_000;

export function registerSystemRoutes(app: ServiceApp, context: ServiceContext): void {
  app.get('/health', {
    schema: { tags: ['system'], summary: 'Whether this process can serve: the database answers', security: [], response: { 200: healthView } },
  }, async () => {
    await withinDeadline(() => sql`select 1`.execute(context.store.db), HEALTH_DEADLINE_MS, 'the health check');
    return { status: 'ok' as const, store: context.store.kind, snapshot: (await context.snapshots.currentInfo())?.id ?? null };
  });

  app.get('/v1/me', {
    schema: { tags: ['system'], summary: 'The principal this API key stands for', response: { 200: principalView } },
  }, async (request) => {
    const principal = allow(request.principal, ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise']);
    return { ...principal, creditCode: principal.creditCode ?? null };
  });

  app.get('/v1/audit/verify', {
    schema: { tags: ['audit'], summary: 'Walk the audit hash chain and name the first broken entry (operator)', response: { 200: auditVerifyView } },
  }, async (request) => {
    allow(request.principal, ['operator']);
    const result = await verifyAuditChain(context.store);
    return { ok: result.ok, entries: result.entries, firstBroken: result.firstBroken ?? null };
  });
}
