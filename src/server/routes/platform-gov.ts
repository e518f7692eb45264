/**
 * The platform's government middle office and its funds (issue #13 items 3 and 4) over the API.
 * Government: upload a whitelist (CSV text or rows), dispatch it to banks, follow its firms. Bank: the firms dispatched
 * to it, their progress, the covers on its loans, default claims and recoveries on them. Guarantee fund: its funds,
 * covers, claims and recoveries. Operator: everything. The store functions scope every read and audit every write.
 */
import { z } from 'zod';
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { pageOf, pageQuery, pageRequest } from '../pagination.ts';
import type { ServiceApp } from '../routes.ts';
import { creditCode, idParams, resourceId } from '../schemas.ts';
import { WHITELIST_FIRM_STATUSES } from '../../store/schema-funds.ts';
import {
  getDispatchRun, getWhitelist, listDispatchedFirms, listWhitelistFirms, listWhitelists, reportFirmStatus, runDispatch,
  uploadWhitelist, whitelistProgress, type DispatchRun, type FollowedFirm, type Whitelist, type WhitelistFirm,
} from '../../platform/whitelist.ts';
import { WHITELIST_CSV_BYTES_MAX } from '../../platform/whitelist-file.ts';
import {
  coverLoan, createFund, fileDefaultClaim, getClaim, getCover, getFund, listBankCovers, listClaims, listCovers, listFunds,
  reconcileFund, shareRecovery, FUND_CAPITAL_FEN_MAX, FUND_TIERS, type Fund, type FundClaim, type FundCover,
} from '../../platform/funds.ts';
import { DISPATCH_OBJECTIVES } from '../../platform/dispatch.ts';

const GOVERNMENT = ['government', 'operator'] as const;
const FUND_KEEPERS = ['guarantee_fund', 'operator'] as const;
const COVER_PARTIES = ['guarantee_fund', 'bank', 'operator'] as const;
const WHITELIST_JSON_ROWS_MAX = 5_000;
const BANKS_PER_DISPATCH_MAX = 50;
const PRODUCTS_PER_BANK_MAX = 20;
const FEN_MAX = 1e13;

const name = z.string().min(1).max(200);
const fen = (min: number) => z.number().int().min(min).max(FEN_MAX);
const code = z.string().min(1).max(8).regex(/^[A-Z0-9]+$/);

const uploadBody = z.object({
  name,
  csv: z.string().min(1).max(WHITELIST_CSV_BYTES_MAX).optional().describe('The whitelist as CSV text with a header row'),
  rows: z.array(z.record(z.string().max(64), z.unknown())).min(1).max(WHITELIST_JSON_ROWS_MAX).optional(),
  tenantId: resourceId.optional().describe('The operator only: the department it uploads for'),
}).strict();

const rejectionView = z.object({ row: z.number(), line: z.number(), column: z.string().nullable(), message: z.string() });
const whitelistView = z.object({
  id: z.string(), tenantId: z.string(), name: z.string(), rowCount: z.number(), accepted: z.number(), createdAt: z.string(),
});
const progressView = z.record(z.enum(WHITELIST_FIRM_STATUSES), z.number());
const firmView = z.object({
  whitelistId: z.string(), creditCode: z.string(), firmName: z.string(), amountFen: z.number(), termMonths: z.number(), rating: z.string(),
  expectedLossBps: z.number(), industry: z.string(), region: z.string(), status: z.enum(WHITELIST_FIRM_STATUSES),
  bankTenantId: z.string().nullable(), productId: z.string().nullable(), dispatchRunId: z.string().nullable(), statusAt: z.string(),
  marketStatus: z.enum(['claimed', 'offered', 'booked', 'declined']).nullable().optional()
    .describe('The firm\'s progress with its bank on the market, when the market\'s tables are present'),
});
const productBody = z.object({
  productId: z.string().min(1).max(64),
  amountFenMin: fen(0), amountFenMax: fen(0),
  ratings: z.array(z.enum(['A', 'B', 'C'])).min(1).max(3),
  industries: z.array(code).max(30).default([]), regions: z.array(z.string().regex(/^\d{2}$/)).max(40).default([]),
  rateBps: z.number().int().min(0).max(10_000),
}).strict();
const dispatchBody = z.object({
  banks: z.array(z.object({
    bankTenantId: resourceId, firmCountMax: z.number().int().min(0).max(1_000_000), amountFenMax: fen(0),
    ratingMin: z.enum(['A', 'B', 'C']), expectedLossBpsMax: z.number().int().min(0).max(10_000),
    products: z.array(productBody).min(1).max(PRODUCTS_PER_BANK_MAX),
  }).strict()).min(1).max(BANKS_PER_DISPATCH_MAX),
  method: z.enum(['mip', 'greedy']).optional(),
  objective: z.enum(DISPATCH_OBJECTIVES).optional(),
}).strict();
const runView = z.object({
  id: z.string(), whitelistId: z.string(), method: z.string(), objective: z.string(), status: z.string(), gap: z.number(),
  objectiveValue: z.number(), matched: z.number(), figures: z.unknown(), baseline: z.unknown(), policyVersion: z.string(), createdAt: z.string(),
});
const firmStatusParams = z.object({ id: resourceId, creditCode });
const firmStatusBody = z.object({ status: z.enum(['claimed', 'offered', 'booked', 'declined']) }).strict();

const fundBody = z.object({
  name, capitalFen: fen(1).max(FUND_CAPITAL_FEN_MAX), leverage: z.number().int().min(1).max(100).optional(),
  tenantId: resourceId.optional().describe('The operator only: the guarantee fund it creates the fund for'),
}).strict();
const fundView = z.object({
  id: z.string(), tenantId: z.string(), name: z.string(), capitalFen: z.number(), leverage: z.number(), balanceFen: z.number(),
  liabilityFen: z.number(), policyId: z.string(), policyVersion: z.string(), createdAt: z.string(),
});
const reconciliationView = z.object({
  balanceFen: z.number(), ledgerFen: z.number(), capitalFen: z.number(), claimsPaidFen: z.number(), recoveredFen: z.number(),
  liabilityFen: z.number(), activeLiabilityFen: z.number(), differences: z.array(z.string()),
});
const coverBody = z.object({
  bankTenantId: resourceId, loanRef: z.string().min(1).max(100), creditCode, tier: z.enum(FUND_TIERS), loanPrincipalFen: fen(1),
}).strict();
const coverView = z.object({
  id: z.string(), fundId: z.string(), bankTenantId: z.string(), loanRef: z.string(), creditCode: z.string(), tier: z.string(),
  loanPrincipalFen: z.number(), coveredPrincipalFen: z.number(), fundShareBps: z.number(), liabilityFen: z.number(),
  interestCovered: z.boolean(), status: z.string(), createdAt: z.string(),
});
const claimBody = z.object({ principalLostFen: fen(0), interestLostFen: fen(0) }).strict();
const claimView = z.object({
  id: z.string(), fundId: z.string(), coverId: z.string(), bankTenantId: z.string(), principalLostFen: z.number(), interestLostFen: z.number(),
  fund: z.object({ principalFen: z.number(), interestFen: z.number(), recoveredFen: z.number() }),
  bank: z.object({ principalFen: z.number(), interestFen: z.number(), recoveredFen: z.number() }),
  recoveredFen: z.number(), recoveries: z.number(), createdAt: z.string(),
});
const recoveryBody = z.object({ amountFen: fen(1) }).strict();

function whitelistViewOf(w: Whitelist) {
  return { id: w.id, tenantId: w.tenantId, name: w.name, rowCount: w.rowCount, accepted: w.accepted, createdAt: w.createdAt };
}
function firmViewOf(f: WhitelistFirm | FollowedFirm) {
  return {
    ...('marketStatus' in f ? { marketStatus: f.marketStatus } : {}),
    whitelistId: f.whitelistId, creditCode: f.creditCode, firmName: f.firmName, amountFen: f.amountFen, termMonths: f.termMonths, rating: f.rating,
    expectedLossBps: f.expectedLossBps, industry: f.industry, region: f.region, status: f.status, bankTenantId: f.bankTenantId,
    productId: f.productId, dispatchRunId: f.dispatchRunId, statusAt: f.statusAt,
  };
}
function runViewOf(r: DispatchRun) {
  return {
    id: r.id, whitelistId: r.whitelistId, method: r.method, objective: r.objective, status: r.status, gap: r.gap, objectiveValue: r.objectiveValue,
    matched: r.matched, figures: r.figures, baseline: r.baseline, policyVersion: r.policyVersion, createdAt: r.createdAt,
  };
}
function fundViewOf(f: Fund) {
  return {
    id: f.id, tenantId: f.tenantId, name: f.name, capitalFen: f.capitalFen, leverage: f.leverage, balanceFen: f.balanceFen,
    liabilityFen: f.liabilityFen, policyId: f.policyId, policyVersion: f.policyVersion, createdAt: f.createdAt,
  };
}
function coverViewOf(c: FundCover) {
  return {
    id: c.id, fundId: c.fundId, bankTenantId: c.bankTenantId, loanRef: c.loanRef, creditCode: c.creditCode, tier: c.tier,
    loanPrincipalFen: c.loanPrincipalFen, coveredPrincipalFen: c.coveredPrincipalFen, fundShareBps: c.fundShareBps, liabilityFen: c.liabilityFen,
    interestCovered: c.interestCovered, status: c.status, createdAt: c.createdAt,
  };
}
function claimViewOf(c: FundClaim) {
  return {
    id: c.id, fundId: c.fundId, coverId: c.coverId, bankTenantId: c.bankTenantId, principalLostFen: c.principalLostFen, interestLostFen: c.interestLostFen,
    fund: { principalFen: c.fundPrincipalFen, interestFen: c.fundInterestFen, recoveredFen: c.fundRecoveredFen },
    bank: { principalFen: c.bankPrincipalFen, interestFen: c.bankInterestFen, recoveredFen: c.bankRecoveredFen },
    recoveredFen: c.recoveredFen, recoveries: c.recoveries, createdAt: c.createdAt,
  };
}

function registerWhitelistRoutes(app: ServiceApp, { store }: ServiceContext): void {
  app.post('/v1/whitelists', {
    schema: { tags: ['government'], summary: 'Upload a whitelist (CSV text or rows): valid rows kept, bad rows named by line and field', body: uploadBody,
      response: { 201: z.object({ whitelist: whitelistView, rejectedRows: z.number(), rejected: z.array(rejectionView) }) } },
  }, async (request, reply) => {
    const principal = allow(request.principal, GOVERNMENT);
    const { csv, rows, tenantId } = request.body;
    const result = await uploadWhitelist(store, principal, { name: request.body.name, ...(csv !== undefined ? { csv } : {}), ...(rows !== undefined ? { rows } : {}), ...(tenantId !== undefined ? { tenantId } : {}) });
    return reply.code(201).send({ whitelist: whitelistViewOf(result.whitelist), rejectedRows: result.rejectedRows, rejected: result.rejected });
  });

  app.get('/v1/whitelists', {
    schema: { tags: ['government'], summary: 'The department\'s whitelists (the operator: all), newest first', querystring: pageQuery, response: { 200: pageOf(whitelistView) } },
  }, async (request) => {
    const page = await listWhitelists(store, allow(request.principal, GOVERNMENT), pageRequest(request.query));
    return { items: page.items.map(whitelistViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/whitelists/:id', {
    schema: { tags: ['government'], summary: 'One whitelist with its firms counted by financing status', params: idParams,
      response: { 200: whitelistView.extend({ progress: progressView }) } },
  }, async (request) => {
    const principal = allow(request.principal, GOVERNMENT);
    const whitelist = await getWhitelist(store, principal, request.params.id);
    return { ...whitelistViewOf(whitelist), progress: await whitelistProgress(store, principal, whitelist.id) };
  });

  app.get('/v1/whitelists/:id/firms', {
    schema: { tags: ['government'], summary: 'Follow a whitelist\'s firms: each with its bank and financing status', params: idParams,
      querystring: pageQuery.extend({ status: z.enum(WHITELIST_FIRM_STATUSES).optional() }), response: { 200: pageOf(firmView) } },
  }, async (request) => {
    const principal = allow(request.principal, GOVERNMENT);
    const page = await listWhitelistFirms(store, principal, request.params.id, { ...pageRequest(request.query), ...(request.query.status ? { status: request.query.status } : {}) });
    return { items: page.items.map(firmViewOf), nextCursor: page.nextCursor };
  });

  app.post('/v1/whitelists/:id/dispatch', {
    schema: { tags: ['government'], summary: 'Dispatch the whitelist\'s firms to banks (HiGHS MIP by default; the greedy baseline is stored beside it)',
      params: idParams, body: dispatchBody, response: { 201: runView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, GOVERNMENT);
    const { banks, method, objective } = request.body;
    const run = await runDispatch(store, principal, request.params.id, { banks, ...(method ? { method } : {}), ...(objective ? { objective } : {}) });
    return reply.code(201).send(runViewOf(run));
  });

  app.get('/v1/dispatch-runs/:id', {
    schema: { tags: ['government'], summary: 'One dispatch run with its figures and the greedy baseline\'s', params: idParams, response: { 200: runView } },
  }, async (request) => runViewOf(await getDispatchRun(store, allow(request.principal, GOVERNMENT), request.params.id)));

  app.get('/v1/dispatched-firms', {
    schema: { tags: ['bank'], summary: 'The whitelisted firms dispatched to this bank', querystring: pageQuery, response: { 200: pageOf(firmView) } },
  }, async (request) => {
    const page = await listDispatchedFirms(store, allow(request.principal, ['bank']), pageRequest(request.query));
    return { items: page.items.map(firmViewOf), nextCursor: page.nextCursor };
  });

  app.post('/v1/whitelists/:id/firms/:creditCode/status', {
    schema: { tags: ['bank'], summary: 'The bank a firm was dispatched to reports its progress (claimed, offered, booked, declined)',
      params: firmStatusParams, body: firmStatusBody, response: { 200: firmView } },
  }, async (request) => firmViewOf(await reportFirmStatus(store, allow(request.principal, ['bank']), request.params.id, request.params.creditCode, request.body.status)));
}

function registerFundRoutes(app: ServiceApp, { store }: ServiceContext): void {
  app.post('/v1/funds', {
    schema: { tags: ['funds'], summary: 'Create a risk-compensation or guarantee fund with its capital and leverage', body: fundBody, response: { 201: fundView } },
  }, async (request, reply) => {
    const { tenantId, leverage, ...rest } = request.body;
    const fund = await createFund(store, allow(request.principal, FUND_KEEPERS), { ...rest, ...(tenantId ? { tenantId } : {}), ...(leverage ? { leverage } : {}) });
    return reply.code(201).send(fundViewOf(fund));
  });

  app.get('/v1/funds', {
    schema: { tags: ['funds'], summary: 'The fund keeper\'s funds (the operator: all)', querystring: pageQuery, response: { 200: pageOf(fundView) } },
  }, async (request) => {
    const page = await listFunds(store, allow(request.principal, FUND_KEEPERS), pageRequest(request.query));
    return { items: page.items.map(fundViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/funds/:id', {
    schema: { tags: ['funds'], summary: 'One fund with its reconciliation (balance, ledger, claims and liability, to the fen)', params: idParams,
      response: { 200: fundView.extend({ reconciliation: reconciliationView }) } },
  }, async (request) => {
    const principal = allow(request.principal, FUND_KEEPERS);
    const fund = await getFund(store, principal, request.params.id);
    const { fundId: _fundId, ...reconciliation } = await reconcileFund(store, principal, fund.id);
    return { ...fundViewOf(fund), reconciliation };
  });

  app.post('/v1/funds/:id/covers', {
    schema: { tags: ['funds'], summary: 'A loan enters the fund\'s cover at its tier, within the per-enterprise cap and the leverage limit', params: idParams,
      body: coverBody, response: { 201: coverView } },
  }, async (request, reply) => reply.code(201).send(coverViewOf(await coverLoan(store, allow(request.principal, FUND_KEEPERS), request.params.id, request.body))));

  app.get('/v1/funds/:id/covers', {
    schema: { tags: ['funds'], summary: 'The fund\'s covers, newest first', params: idParams, querystring: pageQuery, response: { 200: pageOf(coverView) } },
  }, async (request) => {
    const page = await listCovers(store, allow(request.principal, FUND_KEEPERS), request.params.id, pageRequest(request.query));
    return { items: page.items.map(coverViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/funds/:id/claims', {
    schema: { tags: ['funds'], summary: 'The fund\'s claims, newest first', params: idParams, querystring: pageQuery, response: { 200: pageOf(claimView) } },
  }, async (request) => {
    const page = await listClaims(store, allow(request.principal, FUND_KEEPERS), request.params.id, pageRequest(request.query));
    return { items: page.items.map(claimViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/fund-covers', {
    schema: { tags: ['bank'], summary: 'The covers on this bank\'s loans, with any fund', querystring: pageQuery, response: { 200: pageOf(coverView) } },
  }, async (request) => {
    const page = await listBankCovers(store, allow(request.principal, ['bank']), pageRequest(request.query));
    return { items: page.items.map(coverViewOf), nextCursor: page.nextCursor };
  });

  app.get('/v1/fund-covers/:id', {
    schema: { tags: ['funds'], summary: 'One cover (its fund, its bank or the operator)', params: idParams, response: { 200: coverView } },
  }, async (request) => coverViewOf(await getCover(store, allow(request.principal, COVER_PARTIES), request.params.id)));

  app.post('/v1/fund-covers/:id/claim', {
    schema: { tags: ['funds'], summary: 'A covered loan defaulted: share the principal and interest lost between fund and bank, to the fen', params: idParams,
      body: claimBody, response: { 201: claimView } },
  }, async (request, reply) => reply.code(201).send(claimViewOf(await fileDefaultClaim(store, allow(request.principal, COVER_PARTIES), request.params.id, request.body))));

  app.get('/v1/fund-claims/:id', {
    schema: { tags: ['funds'], summary: 'One claim (its fund, its bank or the operator)', params: idParams, response: { 200: claimView } },
  }, async (request) => claimViewOf(await getClaim(store, allow(request.principal, COVER_PARTIES), request.params.id)));

  app.post('/v1/fund-claims/:id/recoveries', {
    schema: { tags: ['funds'], summary: 'Money recovered on a defaulted loan, shared like the loss', params: idParams, body: recoveryBody,
      response: { 200: z.object({ claim: claimView, fundFen: z.number(), bankFen: z.number() }) } },
  }, async (request) => {
    const result = await shareRecovery(store, allow(request.principal, COVER_PARTIES), request.params.id, request.body.amountFen);
    return { claim: claimViewOf(result.claim), fundFen: result.fundFen, bankFen: result.bankFen };
  });
}

export function registerPlatformGovRoutes(app: ServiceApp, context: ServiceContext): void {
  registerWhitelistRoutes(app, context);
  registerFundRoutes(app, context);
}
