/**
 * Data intake: a batch of rows of one entity, validated by the same column specs as file import
 * (src/domain/columns.ts), written all-in or all-out in one transaction, made idempotent by a key per tenant.
 * The batch row and its facts commit together, so a process killed mid-batch (even SIGKILL) leaves either the whole
 * batch or nothing, and a retry with the same key either replays the stored answer or writes the batch once.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ENTITIES } from '../domain/entities.ts';
import { ENTITY_NAMES, type EntityName, type EntitySpec } from '../domain/columns.ts';
import type { Store } from './db.ts';
import type { Database, Json } from './schema.ts';
import type { Principal } from './tenants.ts';
import { appendAudit } from './audit.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { ENTITY_SCOPES, requireConsent } from './consent.ts';

export const INTAKE_ROWS_MAX = 50_000;
export const FACT_INSERT_CHUNK_ROWS = 500;
export const REJECTED_LISTED_MAX = 1_000;
export const FACTS_READ_ROWS_MAX = 200_000;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

export interface RejectedRow { row: number; column: string | null; message: string }

export interface IntakeBatch {
  tenantId: string;
  entity: string;
  rows: readonly unknown[];
  idempotencyKey: string;
  /** Who sends it: recorded in the audit trail; an enterprise may only send its own records. */
  principal?: Principal;
  /** Called after each chunk of facts is written inside the transaction (for progress, and the SIGKILL test). */
  onProgress?: (rowsWritten: number) => void;
}

export interface IntakeResult {
  batchId: string;
  /** How many rows were accepted, and which (0-based indexes into the batch). */
  accepted: number;
  acceptedRows: number[];
  /** Problems found, one per row and column (at most 1,000 listed). */
  rejected: RejectedRow[];
  rejectedRowCount: number;
  replayed: boolean;
}

interface StoredRejections { rows: number[]; issues: RejectedRow[] }

interface ValidFact { index: number; naturalKey: string; creditCode: string; counterpartyCode: string | null; record: Record<string, Json> }

function entitySpec(name: string): EntitySpec {
  if (!(ENTITY_NAMES as readonly string[]).includes(name)) {
    throw new InvalidRequestError(`unknown entity '${name}'; one of ${ENTITY_NAMES.join(', ')}`, 'invalid_entity');
  }
  return ENTITIES[name as EntityName] as unknown as EntitySpec;
}

/** The credit-code columns that say whom a fact is about: `creditCode`, else the first two (seller, buyer). */
function partyColumns(spec: EntitySpec): { primary: string; counterparty: string | null } {
  const codes = Object.entries(spec.columns).filter(([, c]) => c.kind === 'creditCode').map(([name]) => name);
  if (codes.includes('creditCode')) return { primary: 'creditCode', counterparty: null };
  if (codes.length === 0) throw new Error(`entity ${spec.name} has no credit-code column`);
  return { primary: codes[0]!, counterparty: codes[1] ?? null };
}

export function validateRows(spec: EntitySpec, rows: readonly unknown[], ownCreditCode?: string): { valid: ValidFact[]; rejected: StoredRejections } {
  const parties = partyColumns(spec);
  const valid: ValidFact[] = [];
  const rejectedRows: number[] = [];
  const issues: RejectedRow[] = [];
  const seenKeys = new Map<string, number>();
  const reject = (row: number, column: string | null, message: string) => {
    if (rejectedRows.at(-1) !== row) rejectedRows.push(row);
    if (issues.length < REJECTED_LISTED_MAX) issues.push({ row, column, message });
  };
  rows.forEach((row, index) => {
    const parsed = spec.schema.safeParse(row);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = (issue as { keys?: string[] }).keys;
        const column = typeof issue.path[0] === 'string' ? issue.path[0] : keys?.[0] ?? null;
        reject(index, column, issue.code === 'unrecognized_keys' ? `unknown column(s) ${keys?.join(', ')}` : issue.message);
      }
      return;
    }
    const record = parsed.data as Record<string, Json>;
    const creditCode = record[parties.primary] as string;
    if (ownCreditCode !== undefined && creditCode !== ownCreditCode) {
      reject(index, parties.primary, 'an enterprise may only submit its own records');
      return;
    }
    const naturalKey = JSON.stringify(spec.key.map((column) => record[column]));
    const earlier = seenKeys.get(naturalKey);
    if (earlier !== undefined) {
      reject(index, spec.key[0] ?? null, `repeats the key of row ${earlier} in this batch`);
      return;
    }
    seenKeys.set(naturalKey, index);
    const counterpartyCode = parties.counterparty ? (record[parties.counterparty] as string | null) : null;
    valid.push({ index, naturalKey, creditCode, counterpartyCode, record });
  });
  return { valid, rejected: { rows: rejectedRows, issues } };
}

function resultOf(batch: { id: string; rowCount: number; accepted: number; rejected: unknown }, replayed: boolean): IntakeResult {
  const rejected = batch.rejected as StoredRejections;
  const rejectedSet = new Set(rejected.rows);
  const acceptedRows: number[] = [];
  for (let i = 0; i < batch.rowCount; i += 1) if (!rejectedSet.has(i)) acceptedRows.push(i);
  return { batchId: batch.id, accepted: batch.accepted, acceptedRows, rejected: rejected.issues, rejectedRowCount: rejected.rows.length, replayed };
}

async function storedBatch(db: Kysely<Database>, tenantId: string, idempotencyKey: string, requestHash: string): Promise<IntakeResult | null> {
  const batch = await db.selectFrom('intakeBatches').select(['id', 'rowCount', 'accepted', 'rejected', 'requestHash'])
    .where('tenantId', '=', tenantId).where('idempotencyKey', '=', idempotencyKey).executeTakeFirst();
  if (!batch) return null;
  if (batch.requestHash !== requestHash) {
    throw new ConflictError(`idempotency key '${idempotencyKey}' was used for a different batch`);
  }
  return resultOf(batch, true);
}

export async function ingestBatch(store: Store, input: IntakeBatch): Promise<IntakeResult> {
  const spec = entitySpec(input.entity);
  if (!IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey)) {
    throw new InvalidRequestError('an idempotency key has 1..200 characters of A-Z a-z 0-9 . _ : -', 'invalid_idempotency_key');
  }
  if (!Array.isArray(input.rows)) throw new InvalidRequestError('rows must be an array', 'invalid_rows');
  if (input.rows.length === 0 || input.rows.length > INTAKE_ROWS_MAX) {
    throw new InvalidRequestError(`a batch has 1..${INTAKE_ROWS_MAX} rows, not ${input.rows.length}`, 'batch_too_large');
  }
  if (input.principal && input.principal.tenantId !== input.tenantId) throw new NotFoundError(`tenant '${input.tenantId}' not found`);
  const requestHash = sha256Hex(canonicalJson({ entity: spec.name, rows: input.rows }));
  const replay = await storedBatch(store.db, input.tenantId, input.idempotencyKey, requestHash);
  if (replay) return replay;

  const own = input.principal?.tenantKind === 'enterprise' ? input.principal.creditCode : undefined;
  const { valid, rejected } = validateRows(spec, input.rows, own);
  const batchId = randomUUID();
  const at = store.now();
  const written = await store.db.transaction().execute(async (tx) => {
    const inserted = await tx.insertInto('intakeBatches').values({
      id: batchId, tenantId: input.tenantId, idempotencyKey: input.idempotencyKey, entity: spec.name, requestHash,
      rowCount: input.rows.length, accepted: valid.length, rejected: JSON.stringify(rejected),
      createdBy: input.principal?.keyId ?? 'system', createdAt: at,
    }).onConflict((oc) => oc.columns(['tenantId', 'idempotencyKey']).doNothing()).returning('id').executeTakeFirst();
    // Another request with the same key committed first (we waited on its row lock): answer with its batch.
    if (!inserted) return false;
    for (let start = 0; start < valid.length; start += FACT_INSERT_CHUNK_ROWS) {
      const chunk = valid.slice(start, start + FACT_INSERT_CHUNK_ROWS);
      await tx.insertInto('facts').values(chunk.map((fact) => ({
        tenantId: input.tenantId, entity: spec.name, naturalKey: fact.naturalKey, creditCode: fact.creditCode,
        counterpartyCode: fact.counterpartyCode, row: JSON.stringify(fact.record), batchId, ingestedAt: at,
      }))).onConflict((oc) => oc.columns(['tenantId', 'entity', 'naturalKey']).doUpdateSet({
        creditCode: sql.ref('excluded.credit_code'), counterpartyCode: sql.ref('excluded.counterparty_code'),
        row: sql.ref('excluded.row'), batchId: sql.ref('excluded.batch_id'), ingestedAt: sql.ref('excluded.ingested_at'),
      })).execute();
      input.onProgress?.(start + chunk.length);
    }
    await appendAudit(tx, {
      at, tenantId: input.tenantId, actor: input.principal?.keyId ?? 'system', action: 'intake.batch', subjectType: 'intake_batch', subjectId: batchId,
      details: { entity: spec.name, idempotencyKey: input.idempotencyKey, rows: input.rows.length, accepted: valid.length, rejectedRows: rejected.rows.length },
    });
    return true;
  });
  if (!written) {
    const replayed = await storedBatch(store.db, input.tenantId, input.idempotencyKey, requestHash);
    if (!replayed) throw new Error('puhui store: an idempotent batch vanished between conflict and read');
    return replayed;
  }
  return resultOf({ id: batchId, rowCount: input.rows.length, accepted: valid.length, rejected }, false);
}

export interface FactRecord { entity: EntityName; creditCode: string; naturalKey: string; row: Record<string, Json>; tenantId: string; ingestedAt: string }

/**
 * Every fact about one enterprise (as the subject or the counterparty of an invoice), for the pipeline that refreshes
 * a snapshot entry. Internal: it checks no consent; reads on behalf of a tenant go through readFacts.
 */
export async function factsFor(store: Pick<Store, 'db'>, creditCode: string, options: { tenantId?: string; entities?: readonly EntityName[] } = {}): Promise<FactRecord[]> {
  let query = store.db.selectFrom('facts').select(['entity', 'creditCode', 'naturalKey', 'row', 'tenantId', 'ingestedAt'])
    .where((eb) => eb.or([eb('creditCode', '=', creditCode), eb('counterpartyCode', '=', creditCode)]));
  if (options.tenantId !== undefined) query = query.where('tenantId', '=', options.tenantId);
  if (options.entities !== undefined) {
    if (options.entities.length === 0) return [];
    query = query.where('entity', 'in', [...options.entities]);
  }
  const rows = await query.orderBy('entity').orderBy('naturalKey').limit(FACTS_READ_ROWS_MAX + 1).execute();
  if (rows.length > FACTS_READ_ROWS_MAX) throw new InvalidRequestError(`more than ${FACTS_READ_ROWS_MAX} facts; narrow the entities`, 'too_many_rows');
  return rows.map((r) => ({ ...r, entity: r.entity as EntityName, row: r.row as Record<string, Json> }));
}

/**
 * A tenant reads the facts it holds about an enterprise, one entity at a time: checked against an authorised,
 * unexpired consent for the entity's scope (unless the reader is that enterprise), and audited with the consent used.
 */
export async function readFacts(store: Store, principal: Principal, request: { creditCode: string; entity: string; purpose?: string }): Promise<{ consentId: string | null; facts: FactRecord[] }> {
  const spec = entitySpec(request.entity);
  const at = store.now();
  const self = principal.tenantKind === 'enterprise' && principal.creditCode === request.creditCode;
  const consent = self ? null : await requireConsent(store, {
    granteeTenantId: principal.tenantId, creditCode: request.creditCode, scopes: [ENTITY_SCOPES[spec.name]], at,
    ...(request.purpose !== undefined ? { purpose: request.purpose } : {}),
  });
  const facts = await factsFor(store, request.creditCode, { tenantId: principal.tenantId, entities: [spec.name] });
  await appendAudit(store.db, {
    at, tenantId: principal.tenantId, actor: principal.keyId, action: 'facts.read', subjectType: 'enterprise', subjectId: request.creditCode,
    details: { entity: spec.name, scope: ENTITY_SCOPES[spec.name], consentId: consent?.id ?? null, rows: facts.length },
  });
  return { consentId: consent?.id ?? null, facts };
}
