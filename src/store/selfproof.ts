/**
 * Self-proof uploads (issue #15): files stored once under the SHA-256 of their bytes, uploads naming them, and
 * the reading each upload gets (OCR → fields → checks → verification). Who may see an upload:
 *   - the tenant that uploaded it;
 *   - the enterprise it is about (its own documents, whoever uploaded them);
 *   - a bank or guarantee fund, an upload the enterprise itself made, while it holds an authorised consent of
 *     that enterprise for the scopes a verification reads (registration, invoices).
 * Anything else is "not found", never "forbidden". Every upload and every read appends an audit entry in the
 * transaction of the work, like every repository function that takes a Principal.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Store } from './db.ts';
import { appendAudit } from './audit.ts';
import { requireConsent } from './consent.ts';
import { ConflictError, ConsentRequiredError, ForbiddenError, InvalidRequestError, NotFoundError } from './errors.ts';
import type { ConsentScope } from './schema.ts';
import type { Principal } from './tenants.ts';
import type { SelfproofFormat, SelfproofStrength, SelfproofUploadTable } from './schema-selfproof.ts';

export type SelfproofUpload = Selectable<SelfproofUploadTable>;

/** The scopes a verification reads: the registration (licences, names) and the invoices. */
export const SELFPROOF_SCOPES: readonly ConsentScope[] = ['registration', 'invoices'];
/** Readings one application may name at most. */
export const SELFPROOF_READINGS_PER_APPLICATION_MAX = 20;
/** A reading left `reading` this long was lost with its process; an upload of the same bytes starts it again. */
export const READING_STALE_MS = 10 * 60_000;

const UPLOADER_KINDS = ['enterprise', 'bank', 'guarantee_fund'] as const;
type UploaderKind = (typeof UPLOADER_KINDS)[number];

export interface NewSelfproofUpload {
  creditCode: string;
  sha256: string;
  format: SelfproofFormat;
  bytes: Uint8Array;
  pageCount: number;
  fileName: string | null;
}

/** What an upload did: a new upload (`created`), or the tenant's earlier upload of the same bytes (`duplicate`). */
export interface UploadOutcome { upload: SelfproofUpload; created: boolean; restarted: boolean }

function uploaderKind(principal: Principal): UploaderKind {
  const kind = UPLOADER_KINDS.find((k) => k === principal.role);
  if (!kind) throw new ForbiddenError(`a ${principal.role} key may not upload documents; it needs one of: ${UPLOADER_KINDS.join(', ')}`);
  return kind;
}

/** Checks that the principal may act for this enterprise's documents now: itself, or a grantee with consent. */
export async function requireSelfproofAccess(store: Store, principal: Principal, creditCode: string): Promise<void> {
  const kind = uploaderKind(principal);
  if (kind === 'enterprise') {
    if (principal.creditCode !== creditCode) throw new ForbiddenError('an enterprise uploads and reads its own documents only');
    return;
  }
  await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode, scopes: SELFPROOF_SCOPES, at: store.now() });
}

/**
 * Stores the file (once: a file already stored under its hash is not written again) and the upload. The same
 * tenant sending the same bytes for the same enterprise again gets its first upload back; if that one failed or
 * its reading was lost, it is set to be read again (`restarted`).
 */
export async function recordSelfproofUpload(store: Store, principal: Principal, input: NewSelfproofUpload): Promise<UploadOutcome> {
  const kind = uploaderKind(principal);
  if (!/^[0-9a-f]{64}$/.test(input.sha256)) throw new InvalidRequestError('sha256 must be 64 lowercase hex digits');
  const at = store.now();
  return store.db.transaction().execute(async (tx) => {
    await tx.insertInto('selfproofFiles').values({
      sha256: input.sha256, format: input.format, sizeBytes: input.bytes.length, pageCount: input.pageCount, content: input.bytes, createdAt: at,
    }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
    const earlier = await tx.selectFrom('selfproofUploads').selectAll()
      .where('tenantId', '=', principal.tenantId).where('creditCode', '=', input.creditCode).where('sha256', '=', input.sha256)
      .forUpdate().executeTakeFirst();
    let outcome: UploadOutcome;
    if (earlier) {
      const lost = earlier.status === 'reading' && Date.parse(at) - Date.parse(earlier.createdAt) > READING_STALE_MS;
      const restart = earlier.status === 'failed' || lost;
      if (restart) {
        await tx.updateTable('selfproofUploads').set({ status: 'reading', errorCode: null, error: null, readAt: null }).where('id', '=', earlier.id).execute();
      }
      outcome = { upload: restart ? { ...earlier, status: 'reading', errorCode: null, error: null, readAt: null } : earlier, created: false, restarted: restart };
    } else {
      const upload: SelfproofUpload = {
        id: randomUUID(), tenantId: principal.tenantId, uploaderKind: kind, creditCode: input.creditCode, sha256: input.sha256,
        fileName: input.fileName, status: 'reading', kind: null, strength: null, evidenceFen: null, reading: null, verification: null,
        snapshotId: null, errorCode: null, error: null, createdBy: principal.keyId, createdAt: at, readAt: null,
      };
      await tx.insertInto('selfproofUploads').values({ ...upload, reading: null, verification: null }).execute();
      outcome = { upload, created: true, restarted: false };
    }
    await appendAudit(tx, {
      at, tenantId: principal.tenantId, actor: principal.keyId, action: 'selfproof.upload', subjectType: 'selfproof_upload', subjectId: outcome.upload.id,
      details: { creditCode: input.creditCode, sha256: input.sha256, sizeBytes: input.bytes.length, format: input.format, duplicate: !outcome.created, restarted: outcome.restarted },
    });
    return outcome;
  });
}

/** The pages an earlier upload of the same bytes read (OCR depends on the bytes alone), or null. */
export async function readingOfFile(store: Store, sha256: string): Promise<unknown | null> {
  const row = await store.db.selectFrom('selfproofUploads').select('reading')
    .where('sha256', '=', sha256).where('status', '=', 'read').where('reading', 'is not', null)
    .orderBy('readAt').limit(1).executeTakeFirst();
  return row?.reading ?? null;
}

/** The stored bytes of a file. */
export async function selfproofFileBytes(store: Store, sha256: string): Promise<Uint8Array> {
  const row = await store.db.selectFrom('selfproofFiles').select('content').where('sha256', '=', sha256).executeTakeFirst();
  if (!row) throw new NotFoundError(`file ${sha256}`);
  return row.content;
}

export interface CompletedReading {
  kind: string | null;
  strength: SelfproofStrength;
  evidenceFen: number;
  reading: unknown;
  verification: unknown;
  snapshotId: string | null;
}

/** Stores a finished reading (the system's act, audited under the upload's tenant). */
export async function completeSelfproofReading(store: Store, uploadId: string, result: CompletedReading): Promise<void> {
  const at = store.now();
  await store.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('selfproofUploads').set({
      status: 'read', kind: result.kind, strength: result.strength, evidenceFen: result.evidenceFen,
      reading: JSON.stringify(result.reading), verification: JSON.stringify(result.verification), snapshotId: result.snapshotId, readAt: at,
    }).where('id', '=', uploadId).where('status', '=', 'reading').returning(['tenantId', 'creditCode']).executeTakeFirst();
    if (!updated) return; // read by another process meanwhile, or restarted: nothing of this run is kept
    await appendAudit(tx, {
      at, tenantId: updated.tenantId, actor: 'system', action: 'selfproof.reading', subjectType: 'selfproof_upload', subjectId: uploadId,
      details: { creditCode: updated.creditCode, kind: result.kind, strength: result.strength, evidenceFen: result.evidenceFen, snapshotId: result.snapshotId },
    });
  });
}

/** Marks a reading failed (OCR timeout, a full queue …) with a stable code; an upload of the same bytes retries it. */
export async function failSelfproofReading(store: Store, uploadId: string, code: string, message: string): Promise<void> {
  const at = store.now();
  await store.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('selfproofUploads').set({ status: 'failed', errorCode: code, error: message.slice(0, 500), readAt: at })
      .where('id', '=', uploadId).where('status', '=', 'reading').returning(['tenantId', 'creditCode']).executeTakeFirst();
    if (!updated) return;
    await appendAudit(tx, {
      at, tenantId: updated.tenantId, actor: 'system', action: 'selfproof.reading', subjectType: 'selfproof_upload', subjectId: uploadId,
      details: { creditCode: updated.creditCode, failed: code },
    });
  });
}

/** An upload the principal may see (rules at the top), or not_found. */
async function visibleUpload(store: Store, principal: Principal, id: string): Promise<SelfproofUpload> {
  const notFound = () => new NotFoundError(`self-proof upload ${id}`);
  const kind = uploaderKind(principal);
  const upload = await store.db.selectFrom('selfproofUploads').selectAll().where('id', '=', id).executeTakeFirst();
  if (!upload) throw notFound();
  if (kind === 'enterprise') {
    if (upload.tenantId !== principal.tenantId && upload.creditCode !== principal.creditCode) throw notFound();
    return upload;
  }
  const own = upload.tenantId === principal.tenantId;
  if (!own && upload.uploaderKind !== 'enterprise') throw notFound();
  try {
    await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode: upload.creditCode, scopes: SELFPROOF_SCOPES, at: store.now() });
  } catch (error) {
    // Without consent, another tenant's upload does not exist for this reader; its own upload needs consent again.
    if (error instanceof ConsentRequiredError && !own) throw notFound();
    throw error;
  }
  return upload;
}

/** One upload with its reading, audited as a read (`selfproof.read`). */
export async function getSelfproofUpload(store: Store, principal: Principal, id: string): Promise<SelfproofUpload> {
  const upload = await visibleUpload(store, principal, id);
  await appendAudit(store.db, {
    at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'selfproof.read', subjectType: 'selfproof_upload', subjectId: id,
    details: { creditCode: upload.creditCode, status: upload.status },
  });
  return upload;
}

/**
 * The readings an application names, each visible to the applicant, about the applicant's enterprise and read.
 * Audited as reads with the application's purpose. A reading still in progress or failed is a conflict.
 */
export async function readingsForApplication(store: Store, principal: Principal, creditCode: string, ids: readonly string[]): Promise<SelfproofUpload[]> {
  if (ids.length > SELFPROOF_READINGS_PER_APPLICATION_MAX) {
    throw new InvalidRequestError(`an application names at most ${SELFPROOF_READINGS_PER_APPLICATION_MAX} self-proof readings, got ${ids.length}`, 'selfproof_readings');
  }
  if (new Set(ids).size !== ids.length) throw new InvalidRequestError('an application names each self-proof reading once', 'selfproof_readings');
  const uploads: SelfproofUpload[] = [];
  for (const id of ids) {
    const upload = await visibleUpload(store, principal, id);
    if (upload.creditCode !== creditCode) throw new InvalidRequestError(`self-proof reading ${id} is about another enterprise, not ${creditCode}`, 'selfproof_readings');
    if (upload.status !== 'read') throw new ConflictError(`self-proof reading ${id} is ${upload.status === 'reading' ? 'still being read; try again shortly' : `failed (${upload.errorCode}); upload the file again`}`);
    uploads.push(upload);
  }
  if (uploads.length > 0) {
    await appendAudit(store.db, {
      at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'selfproof.read', subjectType: 'enterprise', subjectId: creditCode,
      details: { purpose: 'application', readings: [...ids] },
    });
  }
  return uploads;
}
