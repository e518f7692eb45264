/**
 * The audit trail: an append-only hash chain. Entry n stores hash_n = SHA-256(hash_{n-1} ‖ canonical entry n),
 * so altering any stored field, deleting an entry or truncating the tail breaks the chain where it happened.
 * Appends are serialised by locking the one-row chain head (FOR UPDATE) inside the caller's transaction:
 * concurrent appends queue instead of forking the chain, and a rolled-back transaction leaves no gap.
 * Triggers refuse UPDATE, DELETE and TRUNCATE; verifyAuditChain catches what a superuser does around them.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, AuditEntry } from './schema.ts';
import type { Store } from './db.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { CHAIN_GENESIS_HASH } from './migrations.ts';
import { systemClock } from './db.ts';

export interface AuditInput {
  tenantId: string | null;
  /** Who acted: an API key id, `system`, `retention`, … */
  actor: string;
  /** What happened, `noun.verb`: consent.authorise, facts.read, decision.create … */
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
  /** ISO timestamp; pass the store's clock (store.now()). Defaults to the system clock. */
  at?: string;
}

const VERIFY_PAGE_ROWS = 2_000;
const BROKEN_LISTED_MAX = 100;

/**
 * What an entry's hash covers: the previous hash, the sequence number and the canonical JSON of every other stored
 * field. The database computes the same bytes with its built-in sha256() when it appends (see appendAudit).
 */
export function auditEntryContent(entry: Pick<AuditEntry, 'at' | 'tenantId' | 'actor' | 'action' | 'subjectType' | 'subjectId' | 'details'>): string {
  return canonicalJson({
    at: entry.at, tenantId: entry.tenantId, actor: entry.actor, action: entry.action,
    subjectType: entry.subjectType, subjectId: entry.subjectId, details: entry.details,
  });
}

export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(`${entry.prevHash}\n${entry.seq}\n${auditEntryContent(entry)}`);
}

/**
 * Appends one entry. Given a transaction, the entry commits or rolls back with the caller's work (the usual case:
 * a decision and its audit entry are one unit). Given the database, it runs in a transaction of its own.
 * One statement locks the chain head, links and hashes the entry and moves the head, so the lock is held from
 * here to the caller's commit: append audit entries LAST in a transaction, to keep that window short.
 */
export async function appendAudit(dbOrTx: Kysely<Database>, input: AuditInput): Promise<AuditEntry> {
  if (!dbOrTx.isTransaction) return dbOrTx.transaction().execute((tx) => appendAudit(tx, input));
  const fields = {
    at: input.at ?? systemClock(), tenantId: input.tenantId, actor: input.actor, action: input.action,
    subjectType: input.subjectType, subjectId: input.subjectId, details: canonicalJson(input.details),
  };
  const content = auditEntryContent(fields);
  const result = await sql<{ seq: number; prevHash: string; hash: string }>`
    WITH head AS (
      SELECT last_seq + 1 AS seq, last_hash AS prev_hash FROM audit_head WHERE id = 1 FOR UPDATE
    ), linked AS (
      SELECT seq, prev_hash,
        encode(sha256(convert_to(prev_hash || E'\n' || seq::text || E'\n' || ${content}, 'UTF8')), 'hex') AS hash
      FROM head
    ), appended AS (
      INSERT INTO audit_log (seq, at, tenant_id, actor, action, subject_type, subject_id, details, prev_hash, hash)
      SELECT seq, ${fields.at}, ${fields.tenantId}, ${fields.actor}, ${fields.action}, ${fields.subjectType},
        ${fields.subjectId}, ${fields.details}, prev_hash, hash FROM linked
      RETURNING seq, prev_hash, hash
    )
    UPDATE audit_head SET last_seq = appended.seq, last_hash = appended.hash FROM appended WHERE audit_head.id = 1
    RETURNING appended.seq, appended.prev_hash, appended.hash`.execute(dbOrTx);
  const row = result.rows[0];
  if (!row) throw new Error('puhui store: the audit chain head is missing');
  return { ...fields, seq: row.seq, prevHash: row.prevHash, hash: row.hash };
}

export interface BrokenEntry { id: number; reason: string }
export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  entries: number;
  firstBroken?: BrokenEntry;
  /** Every break found, in chain order (at most 100). */
  broken: BrokenEntry[];
}

/** Walks the whole chain in order and names every entry that is altered, missing or out of place. */
export async function verifyAuditChain(store: Pick<Store, 'db'>): Promise<AuditVerification> {
  const broken: BrokenEntry[] = [];
  const report = (id: number, reason: string) => { if (broken.length < BROKEN_LISTED_MAX) broken.push({ id, reason }); };
  let expectedSeq = 1;
  let previousHash = CHAIN_GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const page = await store.db.selectFrom('auditLog').selectAll().where('seq', '>=', expectedSeq)
      .orderBy('seq').limit(VERIFY_PAGE_ROWS).execute();
    for (const entry of page) {
      entries += 1;
      if (entry.seq !== expectedSeq) {
        const gap = entry.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq}..${entry.seq - 1}`;
        report(expectedSeq, `entry ${gap} is missing (deleted)`);
      } else if (entry.prevHash !== previousHash) {
        report(entry.seq, 'its previous hash does not match the entry before it');
      }
      if (auditEntryHash(entry) !== entry.hash) report(entry.seq, 'its content does not match its hash (altered)');
      previousHash = entry.hash;
      expectedSeq = entry.seq + 1;
    }
    if (page.length < VERIFY_PAGE_ROWS) break;
  }
  const head = await store.db.selectFrom('auditHead').select(['lastSeq', 'lastHash']).where('id', '=', 1).executeTakeFirst();
  if (!head) report(0, 'the chain head is missing');
  else if (head.lastSeq >= expectedSeq) {
    report(expectedSeq, `entries ${expectedSeq}..${head.lastSeq} at the end of the chain are missing (deleted)`);
  } else if (head.lastSeq !== expectedSeq - 1 || head.lastHash !== previousHash) {
    report(head.lastSeq, 'the chain head does not match the last entry');
  }
  broken.sort((a, b) => a.id - b.id);
  return { ok: broken.length === 0, entries, ...(broken[0] ? { firstBroken: broken[0] } : {}), broken };
}
