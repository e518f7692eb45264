/**
 * Self-proof uploads (issue #15). An enterprise uploads a photo or a PDF of its own invoice, licence or contract;
 * a bank or guarantee fund may upload one for an enterprise that has authorised it (registration and invoices,
 * the scopes a verification reads).
 *
 *   POST /v1/enterprises/{creditCode}/selfproof[?fileName=…]   the file's bytes as the body (raw, not multipart),
 *        Content-Type image/jpeg, image/png, application/pdf or application/octet-stream; the format is taken from
 *        the bytes. → 202 with the upload (status `reading`), or 200 with this tenant's earlier upload of the same
 *        bytes for the same enterprise (`duplicate: true`).
 *   GET  /v1/selfproof/{id}   the upload and its reading: per page the fields, their checks and their verification.
 *
 * A raw body rather than multipart: one file per request needs no part parsing and no extra dependency, and the
 * body limit applies to the file itself. The file is checked before anything is stored — size, format by its
 * first bytes, pixels from the header before decoding, PDF pages — and a bad file is a problem document with a
 * stable code. It is stored once under its SHA-256. The reading runs in the background on the OCR worker pool
 * (a page never blocks the event loop; each page has a timeout), then is verified against the current
 * snapshot's dataset and stored; the client polls GET until the status is `read` or `failed`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PuhuiUserError } from '../../domain/errors.ts';
import {
  completeSelfproofReading, failSelfproofReading, getSelfproofUpload, readingOfFile, readingsForApplication, recordSelfproofUpload,
  requireSelfproofAccess, type Principal, type SelfproofUpload,
} from '../../store/index.ts';
import type { SelfProofSummary } from '../../decision/inputs.ts';
import { decodeDocument, sniffFormat, type DocumentFileCode, type PageImage } from '../../selfproof/page.ts';
import { OcrPool } from '../../selfproof/ocr-pool.ts';
import { readPages } from '../../selfproof/read.ts';
import { loadSelfproofPolicy, type SelfproofPolicy } from '../../selfproof/policy.ts';
import { storedPagesOf, summaryOfStoredReadings, uploadStrength, verifyPages, type StoredPage } from '../../selfproof/stored.ts';
import type { DocumentVerification } from '../../selfproof/verify.ts';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { withReader } from '../enterprise-data.ts';
import { HttpProblem } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { creditCode, idParams } from '../schemas.ts';

const UPLOAD_MEDIA_TYPES = ['image/jpeg', 'image/png', 'application/pdf', 'application/octet-stream'];
const UPLOADER_ROLES = ['enterprise', 'bank', 'guarantee_fund'] as const;
/** The environment variable naming another policy file (the default: policies/selfproof-default.json). */
export const SELFPROOF_POLICY_ENV = 'PUHUI_SELFPROOF_POLICY';

/** HTTP status of each refusal of a file: too big → 413, not a format we read → 415, unreadable content → 422. */
const FILE_STATUS: Record<DocumentFileCode, number> = {
  document_empty: 422, document_too_large: 413, document_format: 415, document_damaged: 422, document_pixels: 413, document_pages: 422,
};

const fieldVerificationView = z.object({
  field: z.string(), status: z.enum(['verified', 'contradicted', 'unverifiable']), read: z.string().nullable(), recorded: z.string().nullable(), note: z.string(),
});
const pageView = z.object({
  page: z.number().int(),
  kind: z.string().nullable(),
  fields: z.record(z.string(), z.string().nullable()),
  problems: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })),
  text: z.array(z.string()).describe('The rows of text read, in reading order'),
  verification: z.object({
    strength: z.enum(['strong', 'partial', 'none', 'contradicted']), subjectCode: z.string().nullable(), evidenceFen: z.number().int(),
    fields: z.array(fieldVerificationView), notes: z.array(z.string()),
  }).nullable(),
});
export const selfproofUploadView = z.object({
  id: z.string(),
  creditCode: z.string(),
  sha256: z.string().describe('SHA-256 of the file: the file is stored once under it'),
  fileName: z.string().nullable(),
  status: z.enum(['reading', 'read', 'failed']),
  duplicate: z.boolean().describe("true: this tenant had uploaded the same bytes for this enterprise; this is that upload"),
  kind: z.string().nullable(),
  strength: z.enum(['strong', 'partial', 'none', 'contradicted', 'unverified']).nullable(),
  evidenceFen: z.number().int().nullable().describe('Sales the document evidences for its subject, fen'),
  pages: z.array(pageView),
  snapshotId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
const uploadParams = z.object({ creditCode });
const uploadQuery = z.object({ fileName: z.string().trim().min(1).max(200).optional().describe('The original file name, kept for people') });

function uploadViewOf(upload: SelfproofUpload, duplicate: boolean): z.infer<typeof selfproofUploadView> {
  const pages = (upload.reading ?? []) as StoredPage[];
  const verification = (upload.verification ?? null) as DocumentVerification[] | null;
  return {
    id: upload.id, creditCode: upload.creditCode, sha256: upload.sha256, fileName: upload.fileName, status: upload.status, duplicate,
    kind: upload.kind, strength: upload.strength, evidenceFen: upload.evidenceFen,
    pages: pages.map((p, i) => {
      const v = verification?.[i] ?? null;
      return {
        page: p.page, kind: p.kind, fields: p.fields, problems: p.problems, text: p.rows,
        verification: v ? { strength: v.strength, subjectCode: v.subjectCode, evidenceFen: v.evidenceFen, fields: v.fields, notes: v.notes } : null,
      };
    }),
    snapshotId: upload.snapshotId, error: upload.errorCode ? { code: upload.errorCode, message: upload.error ?? '' } : null,
    createdAt: upload.createdAt, readAt: upload.readAt,
  };
}

/** The request's body as bytes: a raw upload; anything else (a JSON body) is the wrong media type. */
function bodyBytes(request: FastifyRequest): Buffer {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (UPLOAD_MEDIA_TYPES.includes(type) && (request.body === undefined || request.body === null)) return Buffer.alloc(0);
  if (Buffer.isBuffer(request.body)) return request.body;
  throw new HttpProblem(415, 'unsupported_media_type', `send the file's bytes as the body with Content-Type ${UPLOAD_MEDIA_TYPES.join(', ')}`);
}

/** Decodes the file, or a problem document naming what is wrong with it. */
async function decodeUpload(bytes: Buffer, name: string, policy: SelfproofPolicy): Promise<PageImage[]> {
  try {
    return await decodeDocument(bytes, name, policy);
  } catch (error) {
    if (error instanceof PuhuiUserError && error.code in FILE_STATUS) throw new HttpProblem(FILE_STATUS[error.code as DocumentFileCode], error.code, error.message);
    throw error;
  }
}

/** The background readings of one service: the OCR pool (started on the first upload) and what is in flight. */
class SelfproofReadings {
  private pool: OcrPool | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly context: ServiceContext, readonly policy: SelfproofPolicy) {}

  /** Refuses an upload the process cannot take on now (too many readings in flight, or shutting down). */
  checkCapacity(): void {
    if (this.closing) throw new HttpProblem(503, 'shutting_down', 'the service is shutting down; upload again shortly');
    if (this.inFlight.size >= this.policy.readingsInFlightMax) {
      throw new HttpProblem(503, 'ocr_busy', `${this.inFlight.size} documents are being read; upload again shortly`);
    }
  }

  start(upload: SelfproofUpload, pages: readonly PageImage[]): void {
    const task: Promise<void> = this.read(upload, pages).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Lets the readings in flight finish (each page is bounded by its timeout), then ends the OCR workers. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    await this.pool?.close();
  }

  private ocr(): OcrPool {
    return (this.pool ??= new OcrPool({ workers: this.policy.ocrWorkers, threadsPerWorker: this.policy.ocrThreadsPerWorker, pageTimeoutMs: this.policy.pageTimeoutMs }));
  }

  private async read(upload: SelfproofUpload, pages: readonly PageImage[]): Promise<void> {
    const { store, snapshots } = this.context;
    try {
      // OCR depends on the bytes alone: a file another upload has read is not read again.
      const reused = (await readingOfFile(store, upload.sha256)) as StoredPage[] | null;
      const read = reused ?? storedPagesOf(await readPages(pages, this.ocr()));
      const snapshot = await snapshots.currentInfo();
      const verification = snapshot ? await withReader(snapshot.datasetDir, (reader) => verifyPages(read, reader)) : null;
      const { strength, evidenceFen } = uploadStrength(verification);
      await completeSelfproofReading(store, upload.id, {
        kind: read.find((p) => p.kind !== null)?.kind ?? null, strength, evidenceFen, reading: read, verification, snapshotId: snapshot?.id ?? null,
      });
    } catch (error) {
      const code = error instanceof PuhuiUserError ? error.code : 'reading_failed';
      const message = error instanceof PuhuiUserError ? error.message : 'the document could not be read; upload it again';
      await failSelfproofReading(store, upload.id, code, message).catch(() => undefined);
    }
  }
}

/** The strategy's self-proof input from the readings an application names (each checked and audited by the store). */
export async function selfProofForApplication(context: ServiceContext, principal: Principal, applicantCode: string, ids: readonly string[]): Promise<SelfProofSummary> {
  const uploads = await readingsForApplication(context.store, principal, applicantCode, ids);
  return summaryOfStoredReadings(uploads.map((u) => ({ pages: (u.reading ?? []) as StoredPage[], verification: (u.verification ?? null) as DocumentVerification[] | null })), applicantCode);
}

export function registerSelfproofRoutes(app: ServiceApp, context: ServiceContext): void {
  const policy = loadSelfproofPolicy(process.env[SELFPROOF_POLICY_ENV] || undefined);
  const readings = new SelfproofReadings(context, policy);
  app.addHook('onClose', async () => readings.close());

  app.get('/v1/selfproof/:id', {
    schema: { tags: ['self-proof'], summary: 'A self-proof upload and its reading: fields, checks and verification per page; audited', params: idParams, response: { 200: selfproofUploadView } },
  }, async (request) => {
    const principal = allow(request.principal, UPLOADER_ROLES);
    return uploadViewOf(await getSelfproofUpload(context.store, principal, request.params.id), false);
  });

  // Raw bodies are parsed in this scope only: every other route keeps refusing them.
  void app.register(async (scope) => {
    scope.addContentTypeParser(UPLOAD_MEDIA_TYPES, { parseAs: 'buffer', bodyLimit: policy.fileBytesMax }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/v1/enterprises/:creditCode/selfproof', {
      bodyLimit: policy.fileBytesMax,
      schema: {
        tags: ['self-proof'],
        summary: `Upload a photo or PDF of an invoice, licence or contract (raw body: ${UPLOAD_MEDIA_TYPES.join(', ')}; at most ${policy.fileBytesMax} bytes); read in the background`,
        params: uploadParams, querystring: uploadQuery, response: { 200: selfproofUploadView, 202: selfproofUploadView },
      },
    }, async (request, reply) => {
      const principal = allow(request.principal, UPLOADER_ROLES);
      const code = request.params.creditCode;
      await requireSelfproofAccess(context.store, principal, code);
      const bytes = bodyBytes(request);
      const fileName = request.query.fileName ?? null;
      const pages = await decodeUpload(bytes, fileName ?? 'the upload', policy);
      readings.checkCapacity();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const outcome = await recordSelfproofUpload(context.store, principal, { creditCode: code, sha256, format: sniffFormat(bytes)!, bytes, pageCount: pages.length, fileName });
      if (outcome.created || outcome.restarted) readings.start(outcome.upload, pages);
      return reply.code(outcome.created ? 202 : 200).send(uploadViewOf(outcome.upload, !outcome.created));
    });
  });
}
