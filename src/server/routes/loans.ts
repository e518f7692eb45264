/**
 * Loans over the API. A bank books a loan from one of its approved decisions, disburses it and posts repayments,
 * each under an Idempotency-Key: a retried request returns the first result and posts nothing (the key is unique
 * in the database, per bank). Every write commits with its journal lines and an audit entry (src/loans/store.ts).
 * A bank reads its own loans, their schedules and journals; another bank's loan is "not found". An enterprise
 * reads its own loans, at every bank.
 */
import { z } from 'zod';
import { appendAudit } from '../../store/index.ts';
import { FEN_MAX } from '../../domain/columns.ts';
import { AMORTISATIONS } from '../../loans/schedule.ts';
import { DAY_COUNTS } from '../../loans/calendar.ts';
import { daysPastDue } from '../../loans/classification.ts';
import { interestReceivableFen, principalOutstandingFen } from '../../loans/ledger-state.ts';
import { ACCOUNTS } from '../../loans/journal.ts';
import { dayNumber } from '../../domain/period.ts';
import {
  CLOSE_KEY_PREFIX, getLoan, journalOfLoan, JOURNAL_LINES_MAX, loansOfEnterprise, postLoanCommand, type LoanRequest, type Posted, type StoredLoan,
} from '../../loans/store.ts';
import { allow, enterpriseCodeOf } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { Forbidden } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { creditCode, idParams, isoDate, resourceId } from '../schemas.ts';

const LENDER_ROLES = ['bank'] as const;

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/)
    .refine((key) => !key.startsWith(CLOSE_KEY_PREFIX), { message: `keys starting '${CLOSE_KEY_PREFIX}' are the nightly close's own` })
    .describe('Unique per bank: a retried request with the same key returns the first result and posts nothing'),
});

const fen = z.number().int().min(1).max(FEN_MAX);

const bookBody = z.object({
  decisionId: resourceId.describe("One of this bank's approved decisions; it books one loan"),
  principalFen: fen.describe('At most the decision\'s limit'),
  method: z.enum(AMORTISATIONS),
  date: isoDate.describe('The booking date'),
  dayCount: z.enum(DAY_COUNTS).optional(),
  instalmentMultipleFen: z.number().int().min(1).max(1_000_000).optional(),
}).strict();
const disburseBody = z.object({ date: isoDate }).strict();
const repaymentBody = z.object({ date: isoDate, amountFen: fen }).strict();

const commandView = z.object({
  key: z.string(), kind: z.string(), date: z.string(), loanId: z.string().nullable(), loanIds: z.array(z.string()),
  postingKeys: z.array(z.string()), status: z.string().nullable(), replayed: z.boolean().describe('True: the key was applied before; this is that result'),
});

const loanView = z.object({
  id: z.string(), lenderTenantId: z.string(), debtorId: z.string(), status: z.string(),
  source: z.object({ kind: z.string(), id: z.string() }),
  principalFen: z.number().int(), annualRate: z.string().describe('Exact fraction of 1, e.g. 3/25 = 12 %'), termMonths: z.number().int(), method: z.string(),
  bookedOn: z.string(), disbursedOn: z.string().nullable(), closedOn: z.string().nullable(), lastDate: z.string(),
  principalOutstandingFen: z.number().int(), interestReceivableFen: z.number().int(), penaltyReceivableFen: z.number().int(),
  feeReceivableFen: z.number().int(), advanceFen: z.number().int(), daysPastDue: z.number().int().describe('As of the last date the loan was brought to'),
});
const scheduleView = z.object({
  loanId: z.string(),
  instalments: z.array(z.object({
    number: z.number().int(), dueDate: z.string(), principalFen: z.number().int(), interestFen: z.number().int(),
    paidPrincipalFen: z.number().int(), paidInterestFen: z.number().int(),
  })),
});
const journalView = z.object({
  loanId: z.string(),
  lines: z.array(z.object({
    postingKey: z.string(), lineNo: z.number().int(), postingDate: z.string(), event: z.string(), account: z.enum(ACCOUNTS),
    debitFen: z.number().int(), creditFen: z.number().int(),
  })),
  truncated: z.boolean(),
});

function loanViewOf(stored: StoredLoan) {
  const { loan } = stored;
  return {
    id: loan.id, lenderTenantId: stored.tenantId, debtorId: loan.debtorId, status: loan.status, source: stored.source,
    principalFen: loan.terms.principalFen, annualRate: loan.terms.rate, termMonths: loan.terms.termMonths, method: loan.terms.method,
    bookedOn: loan.bookedOn, disbursedOn: loan.disbursedOn, closedOn: loan.closedOn, lastDate: loan.lastDate,
    principalOutstandingFen: principalOutstandingFen(loan), interestReceivableFen: interestReceivableFen(loan), penaltyReceivableFen: loan.penaltyReceivableFen,
    feeReceivableFen: loan.feeReceivableFen, advanceFen: loan.advanceFen, daysPastDue: daysPastDue(loan, dayNumber(loan.lastDate)),
  };
}

export function registerLoanRoutes(app: ServiceApp, context: ServiceContext): void {
  const { store } = context;
  const post = async (principal: { tenantId: string; keyId: string }, request: LoanRequest): Promise<Posted> =>
    postLoanCommand(store, { tenantId: principal.tenantId, actor: principal.keyId }, request);

  app.post('/v1/loans', {
    schema: { tags: ['loans'], summary: 'Book a loan from an approved decision of this bank (idempotent by key)', headers: idempotencyHeaders, body: bookBody, response: { 200: commandView, 201: commandView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, LENDER_ROLES);
    const { decisionId, principalFen, method, date, dayCount, instalmentMultipleFen } = request.body;
    const posted = await post(principal, {
      kind: 'book', key: request.headers['idempotency-key'], date, source: { kind: 'decision', id: decisionId }, principalFen, method,
      ...(dayCount ? { dayCount } : {}), ...(instalmentMultipleFen ? { rounding: { instalmentMultipleFen } } : {}),
    });
    return reply.code(posted.replayed ? 200 : 201).send(posted);
  });

  app.post('/v1/loans/:id/disbursement', {
    schema: { tags: ['loans'], summary: 'Disburse a booked loan: its schedule starts on the date (idempotent by key)', params: idParams, headers: idempotencyHeaders, body: disburseBody, response: { 200: commandView } },
  }, async (request) => {
    const principal = allow(request.principal, LENDER_ROLES);
    return post(principal, { kind: 'disburse', key: request.headers['idempotency-key'], date: request.body.date, loanId: request.params.id });
  });

  app.post('/v1/loans/:id/repayments', {
    schema: { tags: ['loans'], summary: 'Post a repayment, allocated past-due first in the policy order (idempotent by key)', params: idParams, headers: idempotencyHeaders, body: repaymentBody, response: { 200: commandView } },
  }, async (request) => {
    const principal = allow(request.principal, LENDER_ROLES);
    return post(principal, { kind: 'repay', key: request.headers['idempotency-key'], date: request.body.date, loanId: request.params.id, amountFen: request.body.amountFen });
  });

  app.get('/v1/loans/:id', {
    schema: { tags: ['loans'], summary: "One of this bank's loans: status and balances; audited", params: idParams, response: { 200: loanView } },
  }, async (request) => {
    const principal = allow(request.principal, LENDER_ROLES);
    const stored = await getLoan(store, principal.tenantId, request.params.id);
    await appendAudit(store.db, { at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'loan.read', subjectType: 'loan', subjectId: stored.loan.id, details: { debtorId: stored.loan.debtorId } });
    return loanViewOf(stored);
  });

  app.get('/v1/loans/:id/schedule', {
    schema: { tags: ['loans'], summary: 'The schedule now in force, with what each instalment has been paid', params: idParams, response: { 200: scheduleView } },
  }, async (request) => {
    const principal = allow(request.principal, LENDER_ROLES);
    const { loan } = await getLoan(store, principal.tenantId, request.params.id);
    return { loanId: loan.id, instalments: loan.instalments.map(({ interestPosted, ...instalment }) => instalment) };
  });

  app.get('/v1/loans/:id/journal', {
    schema: { tags: ['loans'], summary: `The loan's journal lines in posting order (at most ${JOURNAL_LINES_MAX})`, params: idParams, response: { 200: journalView } },
  }, async (request) => {
    const principal = allow(request.principal, LENDER_ROLES);
    const { loan } = await getLoan(store, principal.tenantId, request.params.id);
    const lines = await journalOfLoan(store, principal.tenantId, loan.id);
    return { loanId: loan.id, lines, truncated: lines.length >= JOURNAL_LINES_MAX };
  });

  app.get('/v1/enterprises/:creditCode/loans', {
    schema: { tags: ['loans'], summary: "An enterprise's own loans at every bank (the enterprise only)", params: z.object({ creditCode }), response: { 200: z.object({ items: z.array(loanView) }) } },
  }, async (request) => {
    const principal = allow(request.principal, ['enterprise']);
    if (enterpriseCodeOf(principal) !== request.params.creditCode) throw new Forbidden('an enterprise reads its own loans only');
    return { items: (await loansOfEnterprise(store, request.params.creditCode)).map(loanViewOf) };
  });
}
