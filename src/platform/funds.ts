/**
 * Risk-compensation and guarantee funds on the store (issue #13 item 4): a fund (run by a guarantee_fund tenant) with
 * capital and a leverage limit; loans enter its cover by rating tier (policies/funds-default.json); a default files a
 * claim whose loss shares come from lossShares (funds-shares.ts, to the fen); recoveries are shared in the same
 * proportion. Every movement of the fund's balance is an append-only ledger entry, so the balance, the claims and
 * the entries reconcile to the fen (reconcileFund). Every write is audited in the same transaction.
 *
 * Leverage: the fund's liability — its share of the covered principal on active covers, rounded up to the fen — stays
 * within balance × leverage (balance: the capital left after claims paid and recoveries returned, the fund's net
 * assets). The per-enterprise cap bounds the covered principal of one enterprise's active covers in one fund.
 *
 * Who may do what: the fund's own tenant and the operator manage the fund and its covers; the bank a cover names
 * reads it and its claim and may file the default claim and record recoveries on it; nobody else sees any of it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { creditCodeProblem } from '../domain/credit-code.ts';
import type { Store } from '../store/db.ts';
import type { Principal } from '../store/tenants.ts';
import type { Database } from '../store/schema.ts';
import type { FundClaimTable, FundCoverTable, FundTable } from '../store/schema-funds.ts';
import { appendAudit } from '../store/audit.ts';
import { ConflictError, ForbiddenError, InvalidRequestError, isUniqueViolation, NotFoundError } from '../store/errors.ts';
import { listPage, type Page, type PageRequest } from '../store/pagination.ts';
import { BPS_WHOLE, FUND_TIERS, loadFundsPolicy, type FundTier, type FundsPolicy } from './funds-policy.ts';
import { lossShares, recoveryIncrement, type LossShares } from './funds-shares.ts';

export { lossShares, recoveryShares, recoveryIncrement, splitLargestRemainder, LOSS_PARTIES, type LossShares, type LossShareInput, type PartyLoss, type RecoveryShares } from './funds-shares.ts';
export { loadFundsPolicy, parseFundsPolicy, FUND_TIERS, DEFAULT_FUNDS_POLICY_FILE, FundsPolicyError, type FundTier, type FundsPolicy } from './funds-policy.ts';

export type Fund = Selectable<FundTable>;
export type FundCover = Selectable<FundCoverTable>;
export type FundClaim = Selectable<FundClaimTable>;

/** 1,000 亿 yuan: a fund's capital above this is a typing error, and balance × leverage stays below 2^53. */
export const FUND_CAPITAL_FEN_MAX = 10_000_000_000_000;
const NAME_LENGTH_MAX = 200;
const LOAN_REF_LENGTH_MAX = 100;

export interface NewFund { name: string; capitalFen: number; leverage?: number; /** The operator names the fund's tenant. */ tenantId?: string }
export interface NewCover { bankTenantId: string; loanRef: string; creditCode: string; tier: FundTier; loanPrincipalFen: number }
export interface DefaultLoss { principalLostFen: number; interestLostFen: number }

function assertWholeFen(name: string, value: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new InvalidRequestError(`${name} must be a whole number of fen in ${minimum}..${maximum}, got ${value}`, 'invalid_amount');
  }
}

async function audit(tx: Kysely<Database>, principal: Principal, tenantId: string, action: string, subjectType: string, subjectId: string, details: Record<string, unknown>, at: string): Promise<void> {
  await appendAudit(tx, { at, tenantId, actor: principal.keyId, action, subjectType, subjectId, details });
}

/** A guarantee fund creates its own fund; the operator creates one for a named guarantee_fund tenant. */
export async function createFund(store: Store, principal: Principal, input: NewFund, policy: FundsPolicy = loadFundsPolicy()): Promise<Fund> {
  let tenantId = principal.tenantId;
  if (principal.tenantKind === 'operator') {
    if (input.tenantId === undefined) throw new InvalidRequestError('the operator names the fund\'s tenant (tenantId)');
    const tenant = await store.db.selectFrom('tenants').select('kind').where('id', '=', input.tenantId).executeTakeFirst();
    if (tenant?.kind !== 'guarantee_fund') throw new NotFoundError(`guarantee fund tenant '${input.tenantId}' not found`);
    tenantId = input.tenantId;
  } else if (principal.tenantKind !== 'guarantee_fund') {
    throw new ForbiddenError('only a guarantee fund or the operator creates a fund');
  } else if (input.tenantId !== undefined && input.tenantId !== principal.tenantId) {
    throw new ForbiddenError('a guarantee fund creates funds for itself only');
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > NAME_LENGTH_MAX) throw new InvalidRequestError(`a fund name has 1..${NAME_LENGTH_MAX} characters`);
  assertWholeFen('capitalFen', input.capitalFen, 1, FUND_CAPITAL_FEN_MAX);
  const leverage = input.leverage ?? policy.leverageDefault;
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > policy.leverageMax) {
    throw new InvalidRequestError(`leverage must be a whole number 1..${policy.leverageMax} (policy ${policy.id} ${policy.version})`, 'invalid_leverage');
  }
  const now = store.now();
  const fund: Fund = {
    id: randomUUID(), tenantId, name, capitalFen: input.capitalFen, leverage, balanceFen: input.capitalFen, liabilityFen: 0,
    policyId: policy.id, policyVersion: policy.version, createdBy: principal.keyId, createdAt: now, updatedAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('funds').values(fund).execute();
    await tx.insertInto('fundEntries').values({
      id: randomUUID(), fundId: fund.id, tenantId, kind: 'capital', amountFen: fund.capitalFen, claimId: null, createdBy: principal.keyId, createdAt: now,
    }).execute();
    await audit(tx, principal, tenantId, 'fund.create', 'fund', fund.id, { name, capitalFen: fund.capitalFen, leverage, policy: `${policy.id}@${policy.version}` }, now);
  });
  return fund;
}

/** The fund, if the principal runs it (or is the operator). */
export async function getFund(store: Pick<Store, 'db'> | { db: Kysely<Database> }, principal: Principal, fundId: string): Promise<Fund> {
  let query = store.db.selectFrom('funds').selectAll().where('id', '=', fundId);
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  const fund = await query.executeTakeFirst();
  if (!fund) throw new NotFoundError(`fund '${fundId}' not found`);
  return fund;
}

export async function listFunds(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<Fund>> {
  if (principal.tenantKind !== 'operator' && principal.tenantKind !== 'guarantee_fund') throw new ForbiddenError('only a guarantee fund or the operator lists funds');
  let query = store.db.selectFrom('funds').selectAll();
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  return listPage(query, page);
}

async function lockFund(tx: Transaction<Database>, principal: Principal, fundId: string): Promise<Fund> {
  let query = tx.selectFrom('funds').selectAll().where('id', '=', fundId).forUpdate();
  if (principal.tenantKind !== 'operator') query = query.where('tenantId', '=', principal.tenantId);
  const fund = await query.executeTakeFirst();
  if (!fund) throw new NotFoundError(`fund '${fundId}' not found`);
  return fund;
}

/**
 * A loan enters the fund's cover at its tier's share. The covered principal is the loan's principal up to what is
 * left of the enterprise's cap in this fund; the fund's liability on it is its share, rounded up to the fen.
 */
export async function coverLoan(store: Store, principal: Principal, fundId: string, input: NewCover, policy: FundsPolicy = loadFundsPolicy()): Promise<FundCover> {
  if (principal.tenantKind !== 'operator' && principal.tenantKind !== 'guarantee_fund') throw new ForbiddenError('only the fund or the operator covers a loan');
  if (!(FUND_TIERS as readonly string[]).includes(input.tier)) throw new InvalidRequestError(`tier must be one of ${FUND_TIERS.join(', ')} (D is excluded)`, 'invalid_tier');
  if (creditCodeProblem(input.creditCode) !== null) throw new InvalidRequestError(`'${input.creditCode}' is not a valid unified social credit code`, 'invalid_credit_code');
  assertWholeFen('loanPrincipalFen', input.loanPrincipalFen, 1);
  const loanRef = input.loanRef.trim();
  if (loanRef.length === 0 || loanRef.length > LOAN_REF_LENGTH_MAX) throw new InvalidRequestError(`loanRef has 1..${LOAN_REF_LENGTH_MAX} characters`);
  const bank = await store.db.selectFrom('tenants').select('kind').where('id', '=', input.bankTenantId).executeTakeFirst();
  if (bank?.kind !== 'bank') throw new NotFoundError(`bank '${input.bankTenantId}' not found`);
  const fundShareBps = policy.tiers[input.tier].fundShareBps;
  try {
    return await store.db.transaction().execute(async (tx) => {
      const fund = await lockFund(tx, principal, fundId);
      const covers = await tx.selectFrom('fundCovers').select((eb) => eb.fn.countAll<number>().as('count')).where('fundId', '=', fund.id).executeTakeFirstOrThrow();
      if (Number(covers.count) >= policy.coversPerFundMax) throw new ConflictError(`a fund holds at most ${policy.coversPerFundMax} covers (policy ${policy.id})`);
      const covered = await tx.selectFrom('fundCovers').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('coveredPrincipalFen'), eb.lit(0)).as('fen'))
        .where('fundId', '=', fund.id).where('creditCode', '=', input.creditCode).where('status', '=', 'active').executeTakeFirstOrThrow();
      const capLeftFen = policy.coverCapPerEnterpriseFen - Number(covered.fen);
      if (capLeftFen <= 0) {
        throw new ConflictError(`enterprise ${input.creditCode} already has ${Number(covered.fen)} fen covered in this fund, the cap of ${policy.coverCapPerEnterpriseFen}`);
      }
      const coveredPrincipalFen = Math.min(input.loanPrincipalFen, capLeftFen);
      const liabilityFen = Number((BigInt(coveredPrincipalFen) * BigInt(fundShareBps) + BigInt(BPS_WHOLE - 1)) / BigInt(BPS_WHOLE));
      const liabilityMaxFen = Math.max(0, fund.balanceFen) * fund.leverage;
      if (fund.liabilityFen + liabilityFen > liabilityMaxFen) {
        throw new ConflictError(`the cover would bring the fund's liability to ${fund.liabilityFen + liabilityFen} fen, over balance × leverage = ${liabilityMaxFen} fen`);
      }
      const now = store.now();
      const cover: FundCover = {
        id: randomUUID(), fundId: fund.id, tenantId: fund.tenantId, bankTenantId: input.bankTenantId, loanRef, creditCode: input.creditCode,
        tier: input.tier, loanPrincipalFen: input.loanPrincipalFen, coveredPrincipalFen, fundShareBps, liabilityFen,
        interestCovered: policy.interestCovered, status: 'active', createdBy: principal.keyId, createdAt: now, updatedAt: now,
      };
      await tx.insertInto('fundCovers').values(cover).execute();
      await tx.updateTable('funds').set({ liabilityFen: fund.liabilityFen + liabilityFen, updatedAt: now }).where('id', '=', fund.id).execute();
      await audit(tx, principal, fund.tenantId, 'fund.cover', 'fund_cover', cover.id, {
        fundId: fund.id, bankTenantId: cover.bankTenantId, loanRef, creditCode: cover.creditCode, tier: cover.tier,
        loanPrincipalFen: cover.loanPrincipalFen, coveredPrincipalFen, fundShareBps, liabilityFen,
      }, now);
      return cover;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`loan '${loanRef}' of this bank is already covered by this fund`);
    throw error;
  }
}

/** A cover the principal may see: its fund's tenant, the bank it names, or the operator. */
export async function getCover(store: Pick<Store, 'db'>, principal: Principal, coverId: string): Promise<FundCover> {
  let query = store.db.selectFrom('fundCovers').selectAll().where('id', '=', coverId);
  if (principal.tenantKind !== 'operator') {
    query = query.where((eb) => eb.or([eb('tenantId', '=', principal.tenantId), eb('bankTenantId', '=', principal.tenantId)]));
  }
  const cover = await query.executeTakeFirst();
  if (!cover) throw new NotFoundError(`cover '${coverId}' not found`);
  return cover;
}

export async function listCovers(store: Store, principal: Principal, fundId: string, page: PageRequest = {}): Promise<Page<FundCover>> {
  await getFund(store, principal, fundId);
  return listPage(store.db.selectFrom('fundCovers').selectAll().where('fundId', '=', fundId), page);
}

/** The covers and claims a bank holds with any fund. */
export async function listBankCovers(store: Store, principal: Principal, page: PageRequest = {}): Promise<Page<FundCover>> {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('only a bank lists the covers on its loans');
  return listPage(store.db.selectFrom('fundCovers').selectAll().where('bankTenantId', '=', principal.tenantId), page);
}

export function claimShares(claim: FundClaim): LossShares {
  return {
    bank: { principalFen: claim.bankPrincipalFen, interestFen: claim.bankInterestFen, totalFen: claim.bankPrincipalFen + claim.bankInterestFen },
    fund: { principalFen: claim.fundPrincipalFen, interestFen: claim.fundInterestFen, totalFen: claim.fundPrincipalFen + claim.fundInterestFen },
  };
}

/**
 * A covered loan defaulted: the claim shares the principal and interest lost between fund and bank (lossShares), the
 * fund pays its share out of its balance (a claim_payout entry) and its liability on the cover ends.
 */
export async function fileDefaultClaim(store: Store, principal: Principal, coverId: string, loss: DefaultLoss): Promise<FundClaim> {
  assertWholeFen('principalLostFen', loss.principalLostFen, 0);
  assertWholeFen('interestLostFen', loss.interestLostFen, 0);
  const visible = await getCover(store, principal, coverId);
  try {
    return await store.db.transaction().execute(async (tx) => {
      const fund = await tx.selectFrom('funds').selectAll().where('id', '=', visible.fundId).forUpdate().executeTakeFirstOrThrow();
      const cover = await tx.selectFrom('fundCovers').selectAll().where('id', '=', coverId).forUpdate().executeTakeFirstOrThrow();
      if (cover.status !== 'active') throw new ConflictError(`cover '${coverId}' is ${cover.status}, not active`);
      if (loss.principalLostFen > cover.loanPrincipalFen) {
        throw new InvalidRequestError(`principalLostFen ${loss.principalLostFen} exceeds the loan's principal ${cover.loanPrincipalFen}`, 'invalid_amount');
      }
      const shares = lossShares({
        loanPrincipalFen: cover.loanPrincipalFen, coveredPrincipalFen: cover.coveredPrincipalFen, fundShareBps: cover.fundShareBps,
        principalLostFen: loss.principalLostFen, interestLostFen: loss.interestLostFen, interestCovered: cover.interestCovered,
      });
      if (shares.fund.totalFen > fund.balanceFen) {
        throw new ConflictError(`the fund's share ${shares.fund.totalFen} fen exceeds its balance ${fund.balanceFen} fen`);
      }
      const now = store.now();
      const claim: FundClaim = {
        id: randomUUID(), fundId: fund.id, tenantId: fund.tenantId, coverId, bankTenantId: cover.bankTenantId,
        principalLostFen: loss.principalLostFen, interestLostFen: loss.interestLostFen,
        fundPrincipalFen: shares.fund.principalFen, fundInterestFen: shares.fund.interestFen,
        bankPrincipalFen: shares.bank.principalFen, bankInterestFen: shares.bank.interestFen,
        recoveredFen: 0, fundRecoveredFen: 0, bankRecoveredFen: 0, recoveries: 0, createdBy: principal.keyId, createdAt: now, updatedAt: now,
      };
      await tx.insertInto('fundClaims').values(claim).execute();
      await tx.insertInto('fundEntries').values({
        id: randomUUID(), fundId: fund.id, tenantId: fund.tenantId, kind: 'claim_payout', amountFen: -shares.fund.totalFen, claimId: claim.id,
        createdBy: principal.keyId, createdAt: now,
      }).execute();
      await tx.updateTable('fundCovers').set({ status: 'claimed', updatedAt: now }).where('id', '=', coverId).execute();
      await tx.updateTable('funds').set({
        balanceFen: fund.balanceFen - shares.fund.totalFen, liabilityFen: fund.liabilityFen - cover.liabilityFen, updatedAt: now,
      }).where('id', '=', fund.id).execute();
      await audit(tx, principal, fund.tenantId, 'fund.claim', 'fund_claim', claim.id, { coverId, ...loss, shares: { ...shares } }, now);
      return claim;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`cover '${coverId}' already has a claim`);
    throw error;
  }
}

export async function getClaim(store: Pick<Store, 'db'>, principal: Principal, claimId: string): Promise<FundClaim> {
  let query = store.db.selectFrom('fundClaims').selectAll().where('id', '=', claimId);
  if (principal.tenantKind !== 'operator') {
    query = query.where((eb) => eb.or([eb('tenantId', '=', principal.tenantId), eb('bankTenantId', '=', principal.tenantId)]));
  }
  const claim = await query.executeTakeFirst();
  if (!claim) throw new NotFoundError(`claim '${claimId}' not found`);
  return claim;
}

export async function listClaims(store: Store, principal: Principal, fundId: string, page: PageRequest = {}): Promise<Page<FundClaim>> {
  await getFund(store, principal, fundId);
  return listPage(store.db.selectFrom('fundClaims').selectAll().where('fundId', '=', fundId), page);
}

/**
 * Money recovered on a defaulted loan, shared between fund and bank in the proportion of their losses (cumulative
 * largest remainder, see funds-shares.ts); the fund's part returns to its balance as a recovery entry.
 */
export async function shareRecovery(store: Store, principal: Principal, claimId: string, amountFen: number, policy: FundsPolicy = loadFundsPolicy()): Promise<{ claim: FundClaim; fundFen: number; bankFen: number }> {
  assertWholeFen('amountFen', amountFen, 1);
  const visible = await getClaim(store, principal, claimId);
  return store.db.transaction().execute(async (tx) => {
    const fund = await tx.selectFrom('funds').selectAll().where('id', '=', visible.fundId).forUpdate().executeTakeFirstOrThrow();
    const claim = await tx.selectFrom('fundClaims').selectAll().where('id', '=', claimId).forUpdate().executeTakeFirstOrThrow();
    const lossFen = claim.principalLostFen + claim.interestLostFen;
    if (claim.recoveredFen + amountFen > lossFen) {
      throw new InvalidRequestError(`a recovery of ${amountFen} fen would bring the recovered total above the loss of ${lossFen} fen`, 'invalid_amount');
    }
    if (claim.recoveries >= policy.recoveriesPerClaimMax) throw new ConflictError(`a claim takes at most ${policy.recoveriesPerClaimMax} recoveries`);
    const increment = recoveryIncrement(claimShares(claim), claim.recoveredFen, amountFen);
    const now = store.now();
    const updated: FundClaim = {
      ...claim, recoveredFen: claim.recoveredFen + amountFen, fundRecoveredFen: claim.fundRecoveredFen + increment.fund,
      bankRecoveredFen: claim.bankRecoveredFen + increment.bank, recoveries: claim.recoveries + 1, updatedAt: now,
    };
    await tx.updateTable('fundClaims').set({
      recoveredFen: updated.recoveredFen, fundRecoveredFen: updated.fundRecoveredFen, bankRecoveredFen: updated.bankRecoveredFen,
      recoveries: updated.recoveries, updatedAt: now,
    }).where('id', '=', claimId).execute();
    if (increment.fund > 0) {
      await tx.insertInto('fundEntries').values({
        id: randomUUID(), fundId: fund.id, tenantId: fund.tenantId, kind: 'recovery', amountFen: increment.fund, claimId, createdBy: principal.keyId, createdAt: now,
      }).execute();
      await tx.updateTable('funds').set({ balanceFen: fund.balanceFen + increment.fund, updatedAt: now }).where('id', '=', fund.id).execute();
    }
    await audit(tx, principal, fund.tenantId, 'fund.recovery', 'fund_claim', claimId, { amountFen, fundFen: increment.fund, bankFen: increment.bank }, now);
    return { claim: updated, fundFen: increment.fund, bankFen: increment.bank };
  });
}

export interface FundReconciliation {
  fundId: string;
  balanceFen: number;
  /** Σ of the fund's ledger entries. */
  ledgerFen: number;
  capitalFen: number;
  claimsPaidFen: number;
  recoveredFen: number;
  liabilityFen: number;
  /** Σ of the liability on the fund's active covers. */
  activeLiabilityFen: number;
  /** Empty when everything agrees to the fen. */
  differences: string[];
}

/** Checks, to the fen: balance = Σ ledger = capital − claims paid + recoveries; the ledger agrees with the claims; liability = Σ active covers. */
export async function reconcileFund(store: Pick<Store, 'db'>, principal: Principal, fundId: string): Promise<FundReconciliation> {
  const fund = await getFund(store, principal, fundId);
  const entries = await store.db.selectFrom('fundEntries').select(['kind', 'amountFen']).where('fundId', '=', fundId).execute();
  const claims = await store.db.selectFrom('fundClaims').select(['fundPrincipalFen', 'fundInterestFen', 'fundRecoveredFen']).where('fundId', '=', fundId).execute();
  const covers = await store.db.selectFrom('fundCovers').select('liabilityFen').where('fundId', '=', fundId).where('status', '=', 'active').execute();
  const sumOf = (kind: string): number => entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.amountFen, 0);
  const ledgerFen = entries.reduce((s, e) => s + e.amountFen, 0);
  const claimsPaidFen = -sumOf('claim_payout');
  const recoveredFen = sumOf('recovery');
  const activeLiabilityFen = covers.reduce((s, c) => s + c.liabilityFen, 0);
  const differences: string[] = [];
  if (ledgerFen !== fund.balanceFen) differences.push(`balance ${fund.balanceFen} ≠ ledger ${ledgerFen}`);
  if (sumOf('capital') !== fund.capitalFen) differences.push(`capital ${fund.capitalFen} ≠ capital entries ${sumOf('capital')}`);
  const claimsFundFen = claims.reduce((s, c) => s + c.fundPrincipalFen + c.fundInterestFen, 0);
  if (claimsFundFen !== claimsPaidFen) differences.push(`claims' fund shares ${claimsFundFen} ≠ paid ${claimsPaidFen}`);
  const claimsRecoveredFen = claims.reduce((s, c) => s + c.fundRecoveredFen, 0);
  if (claimsRecoveredFen !== recoveredFen) differences.push(`claims' fund recoveries ${claimsRecoveredFen} ≠ recovery entries ${recoveredFen}`);
  if (activeLiabilityFen !== fund.liabilityFen) differences.push(`liability ${fund.liabilityFen} ≠ active covers ${activeLiabilityFen}`);
  return { fundId, balanceFen: fund.balanceFen, ledgerFen, capitalFen: fund.capitalFen, claimsPaidFen, recoveredFen, liabilityFen: fund.liabilityFen, activeLiabilityFen, differences };
}
