/**
 * Enterprise data: intake over the API and consented reads.
 *
 * Intake (`POST /v1/intake/{entity}`): a batch of rows of one entity, validated by the import's column specs
 * (one set of rules for files and the API), all-in or all-out, with an Idempotency-Key so that a retried
 * batch changes nothing. The platform operator may take in any rows; an enterprise only rows about itself
 * (the store rejects the others row by row).
 *
 * Reads (`GET /v1/enterprises/{creditCode}/data/{scope}`): a grantee needs an authorised, unexpired consent
 * for that scope at the moment of the request (a revocation takes effect on the next one); an enterprise
 * reads its own data. Every read is audited with the consent it relied on.
 */
import { appendAudit, ingestBatch, requireConsent } from '../../store/index.ts';
import { PuhuiUserError } from '../../domain/errors.ts';
import { allow, enterpriseCodeOf } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { closeDatasetReaders, enterpriseData } from '../enterprise-data.ts';
import { Forbidden, HttpProblem } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { API_ENTITIES, isApiEntity } from '../scopes.ts';
import { dataParams, enterpriseDataView, intakeBody, intakeHeaders, intakeParams, intakeView } from '../schemas.ts';
import { GRANTEE_ROLES } from './consents.ts';
import { enterprisesOfFacts, type Fact } from '../../pipeline/snapshot.ts';

/**
 * New facts refresh their enterprises' entries in the current snapshot (each enterprise an invoice names),
 * so the next decision sees them in every process. The batch is stored whatever happens here: an
 * enterprise whose refresh fails is listed, and the next snapshot build includes its facts anyway.
 */
async function refreshSnapshot(context: ServiceContext, facts: Fact[]): Promise<{ enterprises: string[]; failed: string[] }> {
  if (facts.length === 0 || (await context.snapshots.currentInfo()) === null) return { enterprises: [], failed: [] };
  const snapshot = await context.snapshots.current();
  const enterprises: string[] = [];
  const failed: string[] = [];
  for (const code of enterprisesOfFacts(facts).filter((c) => snapshot.has(c))) {
    const own = facts.filter((f) => enterprisesOfFacts([f]).includes(code));
    try {
      await snapshot.refreshEnterprise(code, own);
      enterprises.push(code);
    } catch (error) {
      if (!(error instanceof PuhuiUserError)) throw error;
      failed.push(code);
    }
  }
  return { enterprises, failed };
}

export function registerDataRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store, limits } = context;
  app.addHook('onClose', async () => closeDatasetReaders());

  app.post('/v1/intake/:entity', {
    schema: {
      tags: ['intake'], summary: `Take in a batch of rows of one entity (${API_ENTITIES.join(', ')}); all-in or all-out, idempotent by key`,
      params: intakeParams, headers: intakeHeaders, body: intakeBody, response: { 200: intakeView },
    },
  }, async (request) => {
    const principal = allow(request.principal, ['operator', 'enterprise']);
    const { entity } = request.params;
    if (!isApiEntity(entity)) throw new HttpProblem(404, 'unknown_entity', `no entity '${entity}'; one of ${API_ENTITIES.join(', ')}`);
    const { rows } = request.body;
    if (rows.length > limits.intakeRowsMax) throw new HttpProblem(413, 'batch_too_large', `a batch has at most ${limits.intakeRowsMax} rows, got ${rows.length}`);
    // An enterprise's rows about another enterprise are rejected row by row by the store.
    const result = await ingestBatch(store, { tenantId: principal.tenantId, principal, entity, rows, idempotencyKey: request.headers['idempotency-key'] });
    const accepted: Fact[] = result.acceptedRows.map((row) => ({ entity, row: rows[row] }));
    const refreshed = result.replayed ? { enterprises: [], failed: [] } : await refreshSnapshot(context, accepted);
    return { batchId: result.batchId, entity, accepted: result.accepted, replayed: result.replayed, rejected: result.rejected, refreshed };
  });

  app.get('/v1/enterprises/:creditCode/data/:scope', {
    schema: {
      tags: ['enterprise data'], summary: "An enterprise's data in one consent scope (grantee: with an authorised consent; the enterprise: its own)",
      params: dataParams, response: { 200: enterpriseDataView },
    },
  }, async (request) => {
    const principal = allow(request.principal, [...GRANTEE_ROLES, 'enterprise']);
    const { creditCode, scope } = request.params;
    let consentId: string | null = null;
    if (principal.role === 'enterprise') {
      if (enterpriseCodeOf(principal) !== creditCode) throw new Forbidden("an enterprise reads its own data only");
    } else {
      consentId = (await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode, scopes: [scope], at: store.now() })).id;
    }
    const { facts, truncated } = await enterpriseData(store, principal, (await context.snapshots.currentInfo())?.datasetDir ?? null, creditCode, scope);
    await appendAudit(store.db, {
      at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'facts.read', subjectType: 'enterprise', subjectId: creditCode,
      details: { scope, consentId, rows: facts.length },
    });
    return { creditCode, scope, consentId, facts, truncated };
  });
}
