/**
 * `puhui platform simulate`: the 信易贷 platform run month by month over a synthetic economy, on an in-memory
 * store, through the platform's own functions — the market's (registerEnterprise, publishNeed, publishProduct,
 * listNeedQueue, claimNeed, makeOffer, acceptOffer, releaseExpiredClaims, platformStatistics), the guarantee
 * fund's (createFund, coverLoan, fileDefaultClaim, shareRecovery, reconcileFund), the loan ledger's, the
 * online decision's and the rating's. Nothing here re-implements them: the simulation only plays the actors.
 *
 * A simulated day: needs are published at their hour; each bank works its queue at its hours (claims the needs
 * its appetite takes, asks the enterprise for consent, decides with its product's strategy on the snapshot, then
 * offers or declines); at 20:00 each enterprise accepts its cheapest offer, the loan is booked and disbursed and
 * enters the guarantee fund's cover at the tier of the enterprise's rating; at 23:30 the platform releases the
 * claims past their SLA. At each month's end, borrowers repay what fell due, and a borrower whose first month in
 * default (the economy's own outcome) is this month stops paying: the loan is written off, the bank records the
 * default, the fund's claim shares the loss; three months later a recovery is shared.
 *
 * Time is the simulation's clock, not the machine's: the store's clock reads it, and each reading advances it by
 * a millisecond, so every record has its own timestamp and the same seed gives the same records in the same
 * order. Figures (JSON) hold no ids the store drew at random and no wall-clock time: two runs are identical.
 */
import { addMonths, dayNumber, isoDateOfDay } from '../domain/period.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { decideOnline } from '../pipeline/online.ts';
import {
  authenticate, createApiKey, createTenant, grantConsent, openStore, type Principal, type Store,
} from '../store/index.ts';
import { LoanBook, loadLoanPolicy, type Offer } from '../loans/index.ts';
import { interestReceivableFen, principalOutstandingFen } from '../loans/ledger-state.ts';
import {
  acceptOffer, claimNeed, declineClaim, listNeedQueue, makeOffer, platformStatistics, publishNeed, publishProduct, recordOfferDefault,
  registerEnterprise, releaseExpiredClaims, bankRanking, type PlatformProduct,
} from './market.ts';
import { productStrategy } from './products.ts';
import { coverLoan, createFund, fileDefaultClaim, reconcileFund, shareRecovery, type FundTier } from './funds.ts';
import { defaultRatingModel } from './rating-policy.ts';
import { rateSnapshot, syncRegistryRatings } from './rating-store.ts';
import { bankProfiles, draw, needOf, productLineOfStrategy, type BankProfile, type NeedPlan } from './simulate-actors.ts';
import type { SimulationEconomy, SimulationFirm } from './simulate-economy.ts';

export const SIMULATION_MONTHS_MAX = 12;
const HOUR_MS = 3_600_000;
const YUAN = 100;
const RECOVERY_DELAY_MONTHS = 3;
const RECOVERY_SHARE = 0.3;
const FUND_CAPITAL_FEN = 200_000_000 * YUAN; // Weihai's credit guarantee fund started with 2亿 (weihai.gov.cn 2023-01-08)
const CONSENT_SCOPES = ['registration', 'tax', 'invoices', 'bureau', 'court'] as const;
const QUEUE_PAGES_MAX = 50;
/** Days the simulation follows an unmatched need: beyond the platform's open days (30), the platform has expired it. */
const NEED_FOLLOW_DAYS_MAX = 31;

/** The simulation's clock: moved forward by the simulation, advanced a millisecond by each reading. */
export class SimulationClock {
  private ms: number;
  constructor(startIso: string) {
    this.ms = Date.parse(startIso);
  }
  now = (): string => {
    this.ms += 1;
    return new Date(this.ms).toISOString();
  };
  /** Moves to an instant (never back: a later event may not precede one already recorded). */
  moveTo(iso: string): void {
    this.ms = Math.max(this.ms, Date.parse(iso));
  }
  get iso(): string {
    return new Date(this.ms).toISOString();
  }
}

export interface SimulationOptions {
  months: number;
  seed: number;
  banks: number;
  onMonth?: (month: string, index: number, months: number) => void;
}

interface Bank { profile: BankProfile; principal: Principal; product: PlatformProduct }
interface OpenNeed { needId: string; publishedOn: string; firm: SimulationFirm; plan: NeedPlan; offers: { offerId: string; rateBps: number; bank: number }[] }
interface BookedLoan {
  loanId: string; offerId: string; bank: number; firm: SimulationFirm; principalFen: number; rateBps: number; coverId: string | null;
  grade: string | null; bookedOn: string; defaulted: boolean; claimId: string | null; defaultMonth: string | null;
}

export interface MonthFigures {
  month: string;
  needs: number;
  claims: number;
  declines: number;
  offers: number;
  loans: number;
  loanAmountFen: number;
  covered: number;
  coverRefused: number;
  defaults: number;
  principalLostFen: number;
  fundClaims: number;
  fundPaidFen: number;
  recoveredFen: number;
  repaidFen: number;
}

export interface SimulationFigures {
  schema: 'puhui-platform-simulation/1';
  seed: number;
  enterprises: number;
  banks: { id: string; nameZh: string; nameEn: string; productLine: string; strategyId: string; grades: readonly string[] }[];
  startMonth: string;
  months: number;
  ratingModel: string;
  ratingsByGrade: Record<string, number>;
  monthly: MonthFigures[];
  totals: Omit<MonthFigures, 'month'>;
  byRegion: unknown[];
  byIndustry: unknown[];
  byBank: unknown[];
  byProduct: unknown[];
  bankRanking: unknown[];
  loansByGrade: Record<string, { loans: number; amountFen: number; defaults: number }>;
  fund: { capitalFen: number; balanceFen: number; claimsPaidFen: number; recoveredFen: number; liabilityFen: number; reconciled: boolean; differences: string[] };
}

export interface SimulationResult { figures: SimulationFigures; monthMs: number[] }

function emptyMonth(month: string): MonthFigures {
  return { month, needs: 0, claims: 0, declines: 0, offers: 0, loans: 0, loanAmountFen: 0, covered: 0, coverRefused: 0, defaults: 0, principalLostFen: 0, fundClaims: 0, fundPaidFen: 0, recoveredFen: 0, repaidFen: 0 };
}

const at = (day: string, hour: number, minute = 0) => `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const lastDayOf = (month: string) => isoDateOfDay(dayNumber(`${addMonths(month, 1)}-01`) - 1);

/** Runs the platform over the economy; the economy's snapshot is the platform's knowledge at the start. */
export async function simulatePlatform(economy: SimulationEconomy, options: SimulationOptions): Promise<SimulationResult> {
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > SIMULATION_MONTHS_MAX) {
    throw new PuhuiUserError(`--months must be 1..${SIMULATION_MONTHS_MAX} (the economy's outcomes cover the ${SIMULATION_MONTHS_MAX} months after its observation date)`, 'usage');
  }
  const startMonth = economy.snapshot.info.asOf.slice(0, 7);
  const clock = new SimulationClock(at(economy.snapshot.info.asOf, 0));
  const store = await openStore({ dataDir: 'memory://', clock: clock.now });
  try {
    const run = new Simulation(store, clock, economy, options, startMonth);
    await run.setUp();
    const monthMs: number[] = [];
    for (let index = 0; index < options.months; index++) {
      const month = addMonths(startMonth, index);
      const started = performance.now();
      await run.month(month);
      monthMs.push(performance.now() - started);
      options.onMonth?.(month, index, options.months);
    }
    return { figures: await run.figures(), monthMs };
  } finally {
    await store.close();
  }
}

class Simulation {
  private operator!: Principal;
  private banks: Bank[] = [];
  private fundId = '';
  private readonly enterprises = new Map<string, Principal>();
  private readonly consents = new Set<string>();
  private readonly open = new Map<string, OpenNeed>();
  private readonly loans: BookedLoan[] = [];
  private readonly book = new LoanBook(loadLoanPolicy());
  private readonly monthly: MonthFigures[] = [];
  private ratingsByGrade: Record<string, number> = {};
  private readonly grades = new Map<string, string>();
  private current: MonthFigures = emptyMonth('');
  private readonly firmsByCode: Map<string, SimulationFirm>;
  /**
   * Bumped whenever a bank's queue may have changed in a way that offers it something new (a need published, a
   * claim declined or released). A bank whose last sweep saw this version finds nothing new: its sweep is skipped,
   * which changes no outcome and saves the queries.
   */
  private marketVersion = 0;
  private readonly sweptAt = new Map<number, number>();

  constructor(
    private readonly store: Store, private readonly clock: SimulationClock, private readonly economy: SimulationEconomy,
    private readonly options: SimulationOptions, private readonly startMonth: string,
  ) {
    this.firmsByCode = new Map(economy.firms.map((f) => [f.creditCode, f]));
  }

  private async principalOf(kind: 'operator' | 'bank' | 'guarantee_fund', id: string, name: string): Promise<Principal> {
    await createTenant(this.store, { kind, name, id });
    const { key } = await createApiKey(this.store, id, kind);
    return (await authenticate(this.store, key))!;
  }

  /** The operator, the banks with their products, the guarantee fund; every enterprise rated. */
  async setUp(): Promise<void> {
    this.operator = await this.principalOf('operator', 'sim-operator', '普惠信用服务平台 Puhui platform');
    for (const profile of bankProfiles(this.options.banks)) {
      const principal = await this.principalOf('bank', profile.id, `${profile.nameZh} ${profile.nameEn}`);
      const product = await publishProduct(this.store, principal, {
        strategyId: profile.strategyId, nameZh: `${profile.nameZh}·${profile.strategyId === 'invoice-loan' ? '发票贷' : '银税贷'}`,
        nameEn: `${profile.nameEn} ${profile.strategyId === 'invoice-loan' ? 'invoice loan' : 'tax loan'}`,
        limitMinFen: profile.limitMinFen, limitMaxFen: profile.limitMaxFen, rateMinBps: profile.rateMinBps, rateMaxBps: profile.rateMaxBps,
        termMonthsMin: profile.termMonthsMin, termMonthsMax: profile.termMonthsMax, segments: [], regions: [],
      });
      this.banks.push({ profile, principal, product });
    }
    await this.principalOf('guarantee_fund', 'sim-fund', '企业信用保证基金 Credit guarantee fund');
    const fund = await createFund(this.store, this.operator, { name: '企业信用保证基金 Credit guarantee fund', capitalFen: FUND_CAPITAL_FEN, tenantId: 'sim-fund' });
    this.fundId = fund.id;
    const model = defaultRatingModel();
    const summary = await rateSnapshot(this.store, this.economy.snapshot, model, { creditCodes: this.economy.firms.map((f) => f.creditCode) });
    this.ratingsByGrade = summary.byGrade;
    const rows = await this.store.db.selectFrom('ratings').select(['creditCode', 'grade']).where('modelVersion', '=', model.version).execute();
    for (const row of rows) this.grades.set(row.creditCode, row.grade);
  }

  /** The enterprise's principal, registering it on the platform the first time it needs financing. */
  private async enterprise(firm: SimulationFirm): Promise<Principal> {
    let principal = this.enterprises.get(firm.creditCode);
    if (principal) return principal;
    const { key } = await registerEnterprise(this.store, this.operator, { creditCode: firm.creditCode, name: firm.name, industrySection: firm.industrySection, issueKey: true });
    principal = (await authenticate(this.store, key!))!;
    this.enterprises.set(firm.creditCode, principal);
    await syncRegistryRatings(this.store, defaultRatingModel().version, [firm.creditCode]);
    return principal;
  }

  async month(month: string): Promise<void> {
    this.current = emptyMonth(month);
    const lastDay = lastDayOf(month);
    const days = dayNumber(lastDay) - dayNumber(`${month}-01`) + 1;
    const plans: NeedPlan[] = [];
    for (const firm of this.economy.firms) {
      if (firm.defaultMonth !== null && firm.defaultMonth < month) continue; // in default: not looking for credit
      const sales = this.economy.snapshot.entry(firm.creditCode).features.inv_sales_12m;
      const plan = needOf(this.options.seed, month, firm.creditCode, typeof sales === 'number' ? sales : null, days);
      if (plan) plans.push(plan);
    }
    plans.sort((a, b) => a.day - b.day || a.hour - b.hour || (a.creditCode < b.creditCode ? -1 : 1));
    for (let day = 1; day <= days; day++) {
      const date = `${month}-${String(day).padStart(2, '0')}`;
      await this.day(date, plans.filter((p) => p.day === day));
    }
    await this.monthEnd(month, lastDay);
    this.monthly.push(this.current);
  }

  private async day(date: string, plans: NeedPlan[]): Promise<void> {
    const events: { hour: number; order: number; run: () => Promise<void> }[] = [];
    plans.forEach((plan, k) => events.push({ hour: plan.hour, order: k, run: () => this.publish(date, plan) }));
    this.banks.forEach((bank, b) => {
      for (const hour of bank.profile.sweepHours) events.push({ hour, order: 1_000 + b, run: () => this.sweep(date, b) });
    });
    events.push({ hour: 20, order: 0, run: () => this.acceptOffers(date) });
    events.push({ hour: 23, order: 0, run: () => this.release(date) });
    events.sort((a, b) => a.hour - b.hour || a.order - b.order);
    for (const event of events) {
      this.clock.moveTo(at(date, event.hour));
      await event.run();
    }
    // A need the platform has expired (nobody offered within its open days) is no longer the simulation's to follow.
    for (const [id, need] of this.open) if (dayNumber(date) - dayNumber(need.publishedOn) > NEED_FOLLOW_DAYS_MAX) this.open.delete(id);
  }

  private async release(date: string): Promise<void> {
    this.clock.moveTo(at(date, 23, 30));
    const released = await releaseExpiredClaims(this.store, this.clock.iso);
    if (released.claimsReleased > 0) this.marketVersion += 1;
  }

  private async publish(date: string, plan: NeedPlan): Promise<void> {
    const firm = this.firmsByCode.get(plan.creditCode)!;
    const principal = await this.enterprise(firm);
    const need = await publishNeed(this.store, principal, {
      productLine: plan.productLine, amountFen: plan.amountFen, termMonths: plan.termMonths, purpose: plan.purpose, urgency: plan.urgency,
    }, { snapshot: this.economy.snapshot });
    this.open.set(need.id, { needId: need.id, publishedOn: date, firm, plan, offers: [] });
    this.current.needs += 1;
    this.marketVersion += 1;
  }

  /** A bank works its queue: claims what its appetite takes, decides with its strategy, offers or declines. */
  private async sweep(date: string, b: number): Promise<void> {
    const bank = this.banks[b]!;
    if (this.sweptAt.get(b) === this.marketVersion) return;
    this.sweptAt.set(b, this.marketVersion);
    const lineOfBank = productLineOfStrategy(bank.profile.strategyId);
    const items = [];
    let cursor: string | null = null;
    for (let page = 0; page < QUEUE_PAGES_MAX; page++) {
      const result = await listNeedQueue(this.store, bank.principal, { productLine: lineOfBank, limit: 100, cursor });
      items.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    items.sort((x, y) => (x.createdAt < y.createdAt ? -1 : x.createdAt > y.createdAt ? 1 : 0)); // oldest first
    for (const item of items) {
      const open = this.open.get(item.id);
      if (!open) continue;
      if (!bank.profile.lights.includes(item.riskLight ?? 'green') || !bank.profile.grades.includes(item.ratingGrade ?? 'D')) continue;
      let claimId: string;
      try {
        claimId = (await claimNeed(this.store, bank.principal, { needId: item.id, productId: bank.product.id })).id;
      } catch (error) {
        if (error instanceof PuhuiUserError) continue; // another bank was first, or the slots are full
        throw error;
      }
      this.current.claims += 1;
      await this.decide(date, b, open, claimId);
    }
  }

  private async decide(date: string, b: number, open: OpenNeed, claimId: string): Promise<void> {
    const bank = this.banks[b]!;
    const enterprise = await this.enterprise(open.firm);
    const consentKey = `${open.firm.creditCode}:${bank.profile.id}`;
    if (!this.consents.has(consentKey)) {
      const expiresAt = new Date(Date.parse(this.clock.iso) + 365 * 24 * HOUR_MS).toISOString();
      await grantConsent(this.store, enterprise, { granteeTenantId: bank.profile.id, purpose: 'platform financing need / 平台融资需求', scopes: [...CONSENT_SCOPES], expiresAt });
      this.consents.add(consentKey);
    }
    const record = await decideOnline(this.economy.snapshot, { creditCode: open.firm.creditCode, product: productLineOfStrategy(bank.profile.strategyId), amountFen: open.plan.amountFen, termMonths: open.plan.termMonths }, { strategy: productStrategy(bank.product), modelFile: this.economy.modelFile });
    const decision = record.decision;
    const approved = decision.outcome === 'approve'
      || (decision.outcome === 'review' && draw(this.options.seed, 'review', open.firm.creditCode, bank.profile.id, date) < bank.profile.reviewApprovalShare);
    const limitFen = Math.min(decision.limitFen || open.plan.amountFen, open.plan.amountFen, bank.profile.limitMaxFen);
    if (!approved || limitFen < bank.profile.limitMinFen) {
      await declineClaim(this.store, bank.principal, claimId, `strategy ${decision.strategy.id}@${decision.strategy.version}: ${decision.outcome}`);
      this.current.declines += 1;
      this.marketVersion += 1;
      return;
    }
    const rateBps = Math.min(bank.profile.rateMaxBps, Math.max(bank.profile.rateMinBps, decision.rateBps ?? bank.profile.rateMaxBps));
    const termMonths = Math.min(bank.profile.termMonthsMax, Math.max(bank.profile.termMonthsMin, open.plan.termMonths));
    const offer = await makeOffer(this.store, bank.principal, { claimId, amountFen: Math.floor(limitFen / (10_000 * YUAN)) * 10_000 * YUAN, rateBps, termMonths });
    open.offers.push({ offerId: offer.id, rateBps: offer.rateBps, bank: b });
    this.current.offers += 1;
  }

  /** Each enterprise with offers takes the cheapest (货比三家); the loan is booked, disbursed and covered. */
  private async acceptOffers(date: string): Promise<void> {
    for (const [needId, open] of [...this.open]) {
      if (open.offers.length === 0) continue;
      const best = [...open.offers].sort((x, y) => x.rateBps - y.rateBps || x.bank - y.bank)[0]!;
      const enterprise = await this.enterprise(open.firm);
      const offer = await acceptOffer(this.store, enterprise, best.offerId);
      this.open.delete(needId);
      await this.bookLoan(date, best.bank, open.firm, offer.id, offer.amountFen, offer.rateBps, offer.termMonths);
    }
  }

  private async bookLoan(date: string, b: number, firm: SimulationFirm, offerId: string, principalFen: number, rateBps: number, termMonths: number): Promise<void> {
    const bank = this.banks[b]!;
    const loanId = `L${String(this.loans.length + 1).padStart(6, '0')}`;
    const strategy = productStrategy(bank.product);
    const offer: Offer = { debtorId: firm.creditCode, decidedOn: date, outcome: 'approve', limitFen: principalFen, rateBps, termMonths, strategy: { id: strategy.header.id, version: strategy.header.version, hash: strategy.hash } };
    this.book.apply({ kind: 'book', key: `book-${loanId}`, date, loanId, offer, principalFen, method: 'equal-instalment' });
    this.book.apply({ kind: 'disburse', key: `disburse-${loanId}`, date, loanId });
    const grade = this.grades.get(firm.creditCode) ?? null;
    let coverId: string | null = null;
    if (grade === 'A' || grade === 'B' || grade === 'C') {
      try {
        coverId = (await coverLoan(this.store, this.operator, this.fundId, { bankTenantId: bank.profile.id, loanRef: loanId, creditCode: firm.creditCode, tier: grade as FundTier, loanPrincipalFen: principalFen })).id;
        this.current.covered += 1;
      } catch (error) {
        if (!(error instanceof PuhuiUserError)) throw error;
        this.current.coverRefused += 1; // the enterprise's cap or the fund's leverage is used up
      }
    }
    this.loans.push({ loanId, offerId, bank: b, firm, principalFen, rateBps, coverId, grade, bookedOn: date, defaulted: false, claimId: null, defaultMonth: null });
    this.current.loans += 1;
    this.current.loanAmountFen += principalFen;
  }

  /** Month end: repayments of what fell due, defaults of this month, recoveries of defaults three months ago. */
  private async monthEnd(month: string, lastDay: string): Promise<void> {
    this.clock.moveTo(at(lastDay, 23, 45));
    for (const loan of this.loans) {
      const record = this.book.state.loans[loan.loanId]!;
      if (loan.defaulted || record.status === 'closed') continue;
      if (loan.firm.defaultMonth === month) {
        await this.defaultLoan(month, lastDay, loan);
        continue;
      }
      const due = record.instalments.filter((i) => i.dueDate <= lastDay).reduce((sum, i) => sum + i.principalFen + i.interestFen - i.paidPrincipalFen - i.paidInterestFen, 0);
      if (due > 0) {
        this.book.apply({ kind: 'repay', key: `repay-${loan.loanId}-${month}`, date: lastDay, loanId: loan.loanId, amountFen: due });
        this.current.repaidFen += due;
      }
    }
    for (const loan of this.loans) {
      if (loan.claimId === null || loan.defaultMonth !== addMonths(month, -RECOVERY_DELAY_MONTHS)) continue;
      const claim = await this.store.db.selectFrom('fundClaims').select(['principalLostFen']).where('id', '=', loan.claimId).executeTakeFirstOrThrow();
      const amountFen = Math.floor(Number(claim.principalLostFen) * RECOVERY_SHARE);
      if (amountFen > 0) {
        await shareRecovery(this.store, this.operator, loan.claimId, amountFen);
        this.current.recoveredFen += amountFen;
      }
    }
  }

  private async defaultLoan(month: string, lastDay: string, loan: BookedLoan): Promise<void> {
    this.book.apply({ kind: 'accrue', key: `accrue-${loan.loanId}-${month}`, date: lastDay, loanId: loan.loanId });
    const record = this.book.state.loans[loan.loanId]!;
    const principalLostFen = principalOutstandingFen(record);
    const interestLostFen = interestReceivableFen(record);
    this.book.apply({ kind: 'write-off', key: `write-off-${loan.loanId}`, date: lastDay, loanId: loan.loanId, reason: 'default (simulated outcome)' });
    await recordOfferDefault(this.store, this.banks[loan.bank]!.principal, loan.offerId, lastDay);
    loan.defaulted = true;
    loan.defaultMonth = month;
    this.current.defaults += 1;
    this.current.principalLostFen += principalLostFen;
    if (loan.coverId !== null) {
      const claim = await fileDefaultClaim(this.store, this.operator, loan.coverId, { principalLostFen, interestLostFen });
      loan.claimId = claim.id;
      this.current.fundClaims += 1;
      this.current.fundPaidFen += Number(claim.fundPrincipalFen) + Number(claim.fundInterestFen);
    }
  }

  async figures(): Promise<SimulationFigures> {
    const productLabels = new Map(this.banks.map((bank) => [bank.product.id, `${bank.profile.id}:${productLineOfStrategy(bank.profile.strategyId)}`]));
    // Rows in key order (the market's ties may fall on a product id the store drew at random), products by their bank.
    const byKey = <T extends { key: string }>(rows: T[]) => rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const statistics = async (by: 'region' | 'industry' | 'bank' | 'product') => byKey((await platformStatistics(this.store, this.operator, { by, regionDigits: 2 }))
      .map((row) => ({ ...row, key: by === 'product' ? productLabels.get(row.key) ?? row.key : row.key })));
    const reconciliation = await reconcileFund(this.store, this.operator, this.fundId);
    const totals = emptyMonth('');
    for (const m of this.monthly) for (const key of Object.keys(totals) as (keyof MonthFigures)[]) if (key !== 'month') (totals[key] as number) += m[key] as number;
    const { month: _month, ...totalsWithoutMonth } = totals;
    const loansByGrade: SimulationFigures['loansByGrade'] = {};
    for (const loan of this.loans) {
      const grade = loan.grade ?? 'unrated';
      const entry = (loansByGrade[grade] ??= { loans: 0, amountFen: 0, defaults: 0 });
      entry.loans += 1;
      entry.amountFen += loan.principalFen;
      entry.defaults += loan.defaulted ? 1 : 0;
    }
    const ranking = (await bankRanking(this.store)).sort((x, y) => (x.bankName < y.bankName ? -1 : x.bankName > y.bankName ? 1 : 0));
    return {
      schema: 'puhui-platform-simulation/1', seed: this.options.seed, enterprises: this.economy.firms.length,
      banks: this.banks.map((b) => ({ id: b.profile.id, nameZh: b.profile.nameZh, nameEn: b.profile.nameEn, productLine: productLineOfStrategy(b.profile.strategyId), strategyId: b.profile.strategyId, grades: b.profile.grades })),
      startMonth: this.startMonth, months: this.monthly.length, ratingModel: defaultRatingModel().version, ratingsByGrade: this.ratingsByGrade,
      monthly: this.monthly, totals: totalsWithoutMonth,
      byRegion: await statistics('region'), byIndustry: await statistics('industry'), byBank: await statistics('bank'), byProduct: await statistics('product'),
      bankRanking: ranking, loansByGrade,
      fund: {
        capitalFen: reconciliation.capitalFen, balanceFen: reconciliation.balanceFen, claimsPaidFen: reconciliation.claimsPaidFen, recoveredFen: reconciliation.recoveredFen,
        liabilityFen: reconciliation.liabilityFen, reconciled: reconciliation.differences.length === 0, differences: reconciliation.differences,
      },
    };
  }
}
