/**
 * Risk notices (风险提示) the platform operator publishes to the public: warnings about fraud schemes, illegal
 * intermediaries charging "loan fees", policy changes. They are public by design — the public reads them
 * without an account (GET /public/risk-notices) — so a notice carries no tenant's data: title and body in
 * zh-CN and en, a level, the publication time. The operator may withdraw one (it leaves the public list; the
 * row and its audit entries stay). Every publication and withdrawal is audited.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { PuhuiUserError } from '../domain/errors.ts';
import { appendAudit, ForbiddenError, NotFoundError, listPage, type Page, type PageRequest, type Principal, type Store } from '../store/index.ts';
import type { RiskNoticeTable } from '../store/schema-rating.ts';

export const NOTICE_LEVELS = ['info', 'warning', 'alert'] as const;
export type NoticeLevel = (typeof NOTICE_LEVELS)[number];
export const NOTICE_TITLE_LENGTH_MAX = 200;
export const NOTICE_BODY_LENGTH_MAX = 4_000;

export type RiskNotice = Selectable<RiskNoticeTable>;

export class NoticeError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'notice_invalid');
  }
}

export interface NewNotice { titleZh: string; titleEn: string; bodyZh: string; bodyEn: string; level: NoticeLevel }

function text(label: string, value: string, lengthMax: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > lengthMax) throw new NoticeError(`${label} must have 1..${lengthMax} characters`);
  return trimmed;
}

function requireOperator(principal: Principal): void {
  if (principal.role !== 'operator') throw new ForbiddenError('only the platform operator publishes or withdraws risk notices');
}

export async function publishNotice(store: Store, principal: Principal, input: NewNotice): Promise<RiskNotice> {
  requireOperator(principal);
  if (!(NOTICE_LEVELS as readonly string[]).includes(input.level)) throw new NoticeError(`level '${input.level}' is not one of ${NOTICE_LEVELS.join(', ')}`);
  const now = store.now();
  const row: RiskNotice = {
    id: `rn_${randomUUID()}`, tenantId: principal.tenantId,
    titleZh: text('titleZh', input.titleZh, NOTICE_TITLE_LENGTH_MAX), titleEn: text('titleEn', input.titleEn, NOTICE_TITLE_LENGTH_MAX),
    bodyZh: text('bodyZh', input.bodyZh, NOTICE_BODY_LENGTH_MAX), bodyEn: text('bodyEn', input.bodyEn, NOTICE_BODY_LENGTH_MAX),
    level: input.level, publishedAt: now, withdrawnAt: null, createdBy: principal.keyId, createdAt: now,
  };
  return store.db.transaction().execute(async (tx) => {
    await tx.insertInto('riskNotices').values(row).execute();
    await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'notice.publish', subjectType: 'risk_notice', subjectId: row.id, details: { level: row.level, titleEn: row.titleEn } });
    return row;
  });
}

export async function withdrawNotice(store: Store, principal: Principal, id: string): Promise<RiskNotice> {
  requireOperator(principal);
  const now = store.now();
  return store.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('riskNotices').set({ withdrawnAt: now }).where('id', '=', id).where('tenantId', '=', principal.tenantId)
      .where('withdrawnAt', 'is', null).returningAll().executeTakeFirst();
    if (!updated) {
      const exists = await tx.selectFrom('riskNotices').select('id').where('id', '=', id).where('tenantId', '=', principal.tenantId).executeTakeFirst();
      throw exists ? new NoticeError(`risk notice ${id} is already withdrawn`) : new NotFoundError('risk notice not found');
    }
    await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'notice.withdraw', subjectType: 'risk_notice', subjectId: id, details: {} });
    return updated;
  });
}

/** The public list: published, not withdrawn, newest first, paged. */
export function listPublicNotices(store: Store, request: PageRequest): Promise<Page<RiskNotice>> {
  const query = store.db.selectFrom('riskNotices').selectAll().where('withdrawnAt', 'is', null);
  return listPage(query, request); // published at its creation: createdAt is the publication time
}

/** One public notice (a withdrawn one is not found). */
export async function getPublicNotice(store: Store, id: string): Promise<RiskNotice> {
  const row = await store.db.selectFrom('riskNotices').selectAll().where('id', '=', id).where('withdrawnAt', 'is', null).executeTakeFirst();
  if (!row) throw new NotFoundError('risk notice not found');
  return row;
}
