/**
 * Tenants, API keys and authentication. A plain key is `phk_<prefix>_<secret>`, shown once; the store keeps its
 * prefix (for lookup) and the SHA-256 of the whole key, compared in constant time. A key acts with its role, which
 * is its tenant's kind (issue #12: operator, bank, guarantee fund, government department, enterprise).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { creditCodeProblem } from '../domain/credit-code.ts';
import type { Store } from './db.ts';
import { TENANT_KINDS, type Role, type Tenant, type TenantKind } from './schema.ts';
import { appendAudit } from './audit.ts';
import { ConflictError, InvalidRequestError, isUniqueViolation, NotFoundError } from './errors.ts';
import { sha256Hex } from './canonical.ts';

export interface Principal {
  tenantId: string;
  tenantKind: TenantKind;
  role: Role;
  keyId: string;
  /** Set for an enterprise: the credit code it speaks for. */
  creditCode?: string;
}

/** The actor recorded for work the store does on its own (migrations, jobs, retention). */
export const SYSTEM_ACTOR = 'system';

const KEY_PREFIX_BYTES = 6;
const KEY_SECRET_BYTES = 24;
const KEY_PATTERN = /^phk_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;
const TENANT_NAME_LENGTH_MAX = 200;

export interface NewTenant { kind: TenantKind; name: string; creditCode?: string | null; id?: string }

export async function createTenant(store: Store, input: NewTenant, actor: string = SYSTEM_ACTOR): Promise<Tenant> {
  if (!(TENANT_KINDS as readonly string[]).includes(input.kind)) {
    throw new InvalidRequestError(`unknown tenant kind '${input.kind}'; one of ${TENANT_KINDS.join(', ')}`);
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > TENANT_NAME_LENGTH_MAX) {
    throw new InvalidRequestError(`a tenant name has 1..${TENANT_NAME_LENGTH_MAX} characters`);
  }
  const creditCode = input.creditCode ?? null;
  if ((input.kind === 'enterprise') !== (creditCode !== null)) {
    throw new InvalidRequestError('an enterprise tenant needs its credit code, and only an enterprise has one');
  }
  if (creditCode !== null && creditCodeProblem(creditCode) !== null) {
    throw new InvalidRequestError(`'${creditCode}' is not a valid unified social credit code (GB 32100)`);
  }
  const tenant: Tenant = { id: input.id ?? randomUUID(), kind: input.kind, name, creditCode, createdAt: store.now() };
  try {
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('tenants').values(tenant).execute();
      await appendAudit(tx, {
        at: tenant.createdAt, tenantId: tenant.id, actor, action: 'tenant.create', subjectType: 'tenant', subjectId: tenant.id,
        details: { kind: tenant.kind, name: tenant.name, creditCode: tenant.creditCode },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`a tenant with this id or credit code already exists`);
    throw error;
  }
  return tenant;
}

export async function getTenant(store: Store, tenantId: string): Promise<Tenant | null> {
  return (await store.db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst()) ?? null;
}

/** Creates a key for a tenant; the plain key is in the answer and nowhere else. */
export async function createApiKey(store: Store, tenantId: string, role: Role, actor: string = SYSTEM_ACTOR): Promise<{ id: string; key: string }> {
  const tenant = await getTenant(store, tenantId);
  if (!tenant) throw new NotFoundError(`tenant '${tenantId}' does not exist`);
  if (role !== tenant.kind) throw new InvalidRequestError(`a key of a ${tenant.kind} tenant acts as '${tenant.kind}', not '${role}'`);
  const prefix = randomBytes(KEY_PREFIX_BYTES).toString('hex');
  const key = `phk_${prefix}_${randomBytes(KEY_SECRET_BYTES).toString('base64url')}`;
  const id = randomUUID();
  const createdAt = store.now();
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('apiKeys').values({ id, tenantId, role, prefix, keyHash: sha256Hex(key), createdAt, revokedAt: null }).execute();
    await appendAudit(tx, { at: createdAt, tenantId, actor, action: 'api_key.create', subjectType: 'api_key', subjectId: id, details: { role, prefix } });
  });
  return { id, key };
}

/** Revokes a key of the principal's own tenant (an operator may revoke any). Takes effect on the next request. */
export async function revokeApiKey(store: Store, principal: Principal, keyId: string): Promise<void> {
  const at = store.now();
  await store.db.transaction().execute(async (tx) => {
    let query = tx.updateTable('apiKeys').set({ revokedAt: at }).where('id', '=', keyId).where('revokedAt', 'is', null);
    if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
    const result = await query.returning(['tenantId']).executeTakeFirst();
    if (!result) throw new NotFoundError(`no active key '${keyId}'`);
    await appendAudit(tx, { at, tenantId: result.tenantId, actor: principal.keyId, action: 'api_key.revoke', subjectType: 'api_key', subjectId: keyId, details: {} });
  });
}

/** The principal a plain key stands for, or null for a malformed, unknown or revoked key. */
export async function authenticate(store: Store, plainKey: string): Promise<Principal | null> {
  const match = KEY_PATTERN.exec(plainKey);
  if (!match) return null;
  const row = await store.db.selectFrom('apiKeys')
    .innerJoin('tenants', 'tenants.id', 'apiKeys.tenantId')
    .select(['apiKeys.id as keyId', 'apiKeys.keyHash', 'apiKeys.role', 'apiKeys.revokedAt', 'tenants.id as tenantId', 'tenants.kind', 'tenants.creditCode'])
    .where('apiKeys.prefix', '=', match[1]!)
    .executeTakeFirst();
  if (!row || row.revokedAt !== null) return null;
  const given = Buffer.from(sha256Hex(plainKey), 'hex');
  const stored = Buffer.from(row.keyHash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  return {
    tenantId: row.tenantId, tenantKind: row.kind, role: row.role, keyId: row.keyId,
    ...(row.creditCode !== null ? { creditCode: row.creditCode } : {}),
  };
}
