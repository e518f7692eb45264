/**
 * The registry of credit commitments (信用承诺书): an enterprise signs a commitment — a kind, the text it signed
 * and the date — and the operator or a government department records breaches against it (失信/违诺 records).
 * Both are append-only (the database refuses UPDATE and DELETE) and every write is audited. Reading follows the
 * one rule for credit records (checkCreditRecordAccess): the operator, the enterprise itself, and a grantee
 * holding the enterprise's consent. A government department records a breach only for an enterprise that has
 * authorised it, so one department cannot write into the records of an enterprise it has no relation with.
 */
import { randomUUID } from 'node:crypto';
import { PuhuiUserError } from '../domain/errors.ts';
import { isIsoDate } from '../domain/period.ts';
import {
  appendAudit, ForbiddenError, listPage, NotFoundError,
  type Page, type PageRequest, type Principal, type Store,
} from '../store/index.ts';
import type { CommitmentBreachTable, CreditCommitmentTable } from '../store/schema-rating.ts';
import type { Selectable } from 'kysely';
import { checkCreditRecordAccess } from './rating-store.ts';

export const COMMITMENT_KINDS = ['truthful_information', 'loan_purpose', 'timely_repayment', 'tax_compliance', 'general'] as const;
export type CommitmentKind = (typeof COMMITMENT_KINDS)[number];
export const COMMITMENT_KIND_LABELS: Record<CommitmentKind, { zh: string; en: string }> = {
  truthful_information: { zh: '信息真实承诺', en: 'Truthful information' },
  loan_purpose: { zh: '贷款用途承诺', en: 'Use of loan proceeds' },
  timely_repayment: { zh: '按期还款承诺', en: 'Timely repayment' },
  tax_compliance: { zh: '依法纳税承诺', en: 'Tax compliance' },
  general: { zh: '综合信用承诺', en: 'General credit commitment' },
};
export const BREACH_SEVERITIES = ['minor', 'serious'] as const;
export type BreachSeverity = (typeof BREACH_SEVERITIES)[number];
export const COMMITMENT_CONTENT_LENGTH_MAX = 4_000;
export const BREACH_DESCRIPTION_LENGTH_MAX = 2_000;
/** Breaches listed with one commitment at most (a report shows them all; more is a data problem). */
export const BREACHES_PER_COMMITMENT_MAX = 500;

export type CreditCommitment = Selectable<CreditCommitmentTable>;
export type CommitmentBreach = Selectable<CommitmentBreachTable>;

export class CommitmentError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'commitment_invalid');
  }
}

function checkDate(label: string, date: string, today: string): string {
  if (!isIsoDate(date)) throw new CommitmentError(`${label} '${date}' is not an ISO date YYYY-MM-DD`);
  if (date > today) throw new CommitmentError(`${label} ${date} is in the future (today is ${today})`);
  return date;
}

function checkText(label: string, text: string, lengthMax: number): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > lengthMax) throw new CommitmentError(`${label} must have 1..${lengthMax} characters`);
  return trimmed;
}

export interface NewCommitment { kind: CommitmentKind; content: string; signedOn: string }

/** The enterprise signs a commitment (its own key; the commitment is its record). */
export async function signCommitment(store: Store, principal: Principal, input: NewCommitment): Promise<CreditCommitment> {
  if (principal.role !== 'enterprise' || !principal.creditCode) throw new ForbiddenError('only an enterprise signs its own credit commitment');
  if (!(COMMITMENT_KINDS as readonly string[]).includes(input.kind)) throw new CommitmentError(`kind '${input.kind}' is not one of ${COMMITMENT_KINDS.join(', ')}`);
  const now = store.now();
  const row: CreditCommitment = {
    id: `cm_${randomUUID()}`, tenantId: principal.tenantId, creditCode: principal.creditCode, kind: input.kind,
    content: checkText('content', input.content, COMMITMENT_CONTENT_LENGTH_MAX), signedOn: checkDate('signedOn', input.signedOn, now.slice(0, 10)),
    createdBy: principal.keyId, createdAt: now,
  };
  return store.db.transaction().execute(async (tx) => {
    await tx.insertInto('creditCommitments').values(row).execute();
    await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'commitment.sign', subjectType: 'commitment', subjectId: row.id, details: { creditCode: row.creditCode, kind: row.kind, signedOn: row.signedOn } });
    return row;
  });
}

/** A commitment the principal may see, or not_found (an existence the principal may not know about is not revealed). */
export async function getCommitment(store: Store, principal: Principal, id: string): Promise<CreditCommitment> {
  const row = await store.db.selectFrom('creditCommitments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('commitment not found');
  try {
    await checkCreditRecordAccess(store, principal, row.creditCode);
  } catch (error) {
    if (error instanceof PuhuiUserError) throw new NotFoundError('commitment not found');
    throw error;
  }
  return row;
}

/**
 * Commitments, newest first: of one enterprise (access checked), or — without `creditCode` — those the principal
 * may see without a consent: the enterprise's own, or every one for the operator. A grantee names the enterprise.
 */
export async function listCommitments(store: Store, principal: Principal, request: PageRequest & { creditCode?: string }): Promise<Page<CreditCommitment>> {
  let query = store.db.selectFrom('creditCommitments').selectAll();
  if (request.creditCode !== undefined) {
    await checkCreditRecordAccess(store, principal, request.creditCode);
    query = query.where('creditCode', '=', request.creditCode);
  } else if (principal.role === 'enterprise') {
    query = query.where('tenantId', '=', principal.tenantId);
  } else if (principal.role !== 'operator') {
    throw new CommitmentError('name the enterprise: ?creditCode= (its consent is checked)');
  }
  return listPage(query, request);
}

export interface NewBreach { occurredOn: string; description: string; severity: BreachSeverity }

/** The operator, or a government department the enterprise has authorised, records a breach of a commitment. */
export async function recordBreach(store: Store, principal: Principal, commitmentId: string, input: NewBreach): Promise<CommitmentBreach> {
  if (principal.role !== 'operator' && principal.role !== 'government') throw new ForbiddenError('breaches are recorded by the platform operator or a government department');
  const commitment = await getCommitment(store, principal, commitmentId);
  if (!(BREACH_SEVERITIES as readonly string[]).includes(input.severity)) throw new CommitmentError(`severity '${input.severity}' is not one of ${BREACH_SEVERITIES.join(', ')}`);
  const now = store.now();
  const occurredOn = checkDate('occurredOn', input.occurredOn, now.slice(0, 10));
  if (occurredOn < commitment.signedOn) throw new CommitmentError(`occurredOn ${occurredOn} is before the commitment was signed (${commitment.signedOn})`);
  const row: CommitmentBreach = {
    id: `br_${randomUUID()}`, commitmentId, creditCode: commitment.creditCode, tenantId: principal.tenantId, occurredOn,
    description: checkText('description', input.description, BREACH_DESCRIPTION_LENGTH_MAX), severity: input.severity,
    createdBy: principal.keyId, createdAt: now,
  };
  return store.db.transaction().execute(async (tx) => {
    const count = await tx.selectFrom('commitmentBreaches').select((eb) => eb.fn.countAll<string>().as('n')).where('commitmentId', '=', commitmentId).executeTakeFirstOrThrow();
    if (Number(count.n) >= BREACHES_PER_COMMITMENT_MAX) throw new CommitmentError(`commitment ${commitmentId} already has ${BREACHES_PER_COMMITMENT_MAX} breaches recorded`);
    await tx.insertInto('commitmentBreaches').values(row).execute();
    await appendAudit(tx, { at: now, tenantId: principal.tenantId, actor: principal.keyId, action: 'commitment.breach', subjectType: 'commitment', subjectId: commitmentId, details: { creditCode: row.creditCode, breachId: row.id, occurredOn, severity: row.severity } });
    return row;
  });
}

/** The breaches of commitments, oldest first (the caller has checked access to the commitments). */
export async function breachesOf(store: Store, commitmentIds: readonly string[]): Promise<CommitmentBreach[]> {
  if (commitmentIds.length === 0) return [];
  return store.db.selectFrom('commitmentBreaches').selectAll().where('commitmentId', 'in', [...commitmentIds])
    .orderBy('occurredOn').orderBy('createdAt').orderBy('id').limit(BREACHES_PER_COMMITMENT_MAX * commitmentIds.length).execute();
}

/** Every commitment of an enterprise with its breaches (for the credit report; the caller has checked access). */
export async function commitmentsWithBreaches(store: Store, creditCode: string, commitmentsMax = 100): Promise<{ commitment: CreditCommitment; breaches: CommitmentBreach[] }[]> {
  const commitments = await store.db.selectFrom('creditCommitments').selectAll().where('creditCode', '=', creditCode)
    .orderBy('signedOn', 'desc').orderBy('id').limit(commitmentsMax).execute();
  const breaches = await breachesOf(store, commitments.map((c) => c.id));
  return commitments.map((commitment) => ({ commitment, breaches: breaches.filter((b) => b.commitmentId === commitment.id) }));
}
