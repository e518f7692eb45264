/**
 * The financial supermarket (金融超市): the products an enterprise is likely eligible for, ranked. Eligibility is
 * computed, not guessed: every active product that serves the enterprise's industry and region (and the amount
 * and term asked, if given) runs its own pre-screen strategy with the rules engine on the enterprise's entry in
 * the platform's snapshot (`decideOnline`, the same path as an online decision); a decline screens the product
 * out. The rest are ranked by a score the policy weighs:
 *   score = w_price · priceScore + w_chance · approvalChance
 * where priceScore is 1 for the cheapest expected rate among the eligible products and 0 for the dearest (the
 * expected rate is the strategy's, held within the product's range; the range's middle when it gives none), and
 * approvalChance is (1 for "approve", the policy's reviewApprovalChance for "review") × the product's record on
 * the platform, (offers + 1) / (offers + declines + 2) — Laplace's rule, so a new product starts at one half.
 */
import { sql } from 'kysely';
import { StrategyError } from '../decision/strategy.ts';
import { decideOnline } from '../pipeline/online.ts';
import type { Snapshot } from '../pipeline/snapshot.ts';
import { appendAudit, ForbiddenError, NotFoundError, type Principal, type Store } from '../store/index.ts';
import type { PlatformProduct } from '../store/schema-platform.ts';
import { loadPlatformPolicy, type PlatformPolicy } from './market-policy.ts';
import { productQuery, productServes, productStrategy } from './products.ts';

export interface SupermarketRequest {
  amountFen?: number | null;
  termMonths?: number | null;
  productLine?: string;
}

export interface SupermarketItem {
  rank: number;
  productId: string;
  productLine: string;
  bankName: string;
  nameZh: string;
  nameEn: string;
  prescreen: 'approve' | 'review';
  /** What the pre-screen would lend, within the product's range (fen). */
  limitFen: number;
  expectedRateBps: number;
  approvalChance: number;
  score: number;
  reasons: { code: string; en: string; zh: string }[];
  strategy: string;
}

export interface Supermarket {
  creditCode: string;
  snapshotId: string;
  asOf: string;
  items: SupermarketItem[];
  /** Products that serve the enterprise but whose pre-screen declined it (or could not run). */
  screenedOut: { productId: string; reasons: string[] }[];
  policyVersion: string;
}

/** Active products looked at per request before the targeting filter (the policy then caps those screened). */
export const SUPERMARKET_PRODUCTS_SCANNED_MAX = 5_000;

interface Candidate { product: PlatformProduct & { bankName: string }; prescreen: 'approve' | 'review'; limitFen: number; rateBps: number; reasons: SupermarketItem['reasons'] }

/** The enterprise's own supermarket (it reads its own data; the read is audited). */
export async function financialSupermarket(
  store: Store, principal: Principal, snapshot: Snapshot, request: SupermarketRequest = {}, options: { policy?: PlatformPolicy } = {},
): Promise<Supermarket> {
  if (principal.tenantKind !== 'enterprise') throw new ForbiddenError('the financial supermarket is an enterprise\'s view');
  const policy = options.policy ?? loadPlatformPolicy();
  const registration = await store.db.selectFrom('platformEnterprises').selectAll().where('tenantId', '=', principal.tenantId).executeTakeFirst();
  if (!registration) throw new NotFoundError('this enterprise is not registered on the platform');
  let query = productQuery(store.db).where('platformProducts.status', '=', 'active');
  if (request.productLine) query = query.where('platformProducts.productLine', '=', request.productLine);
  const products = (await query.orderBy('platformProducts.createdAt').orderBy('platformProducts.id').limit(SUPERMARKET_PRODUCTS_SCANNED_MAX).execute())
    .filter((p) => productServes(p, { ...registration, amountFen: request.amountFen ?? null, termMonths: request.termMonths ?? null }))
    .slice(0, policy.supermarket.productsMax);
  const candidates: Candidate[] = [];
  const screenedOut: Supermarket['screenedOut'] = [];
  for (const product of products) {
    try {
      const record = await decideOnline(snapshot, { creditCode: registration.creditCode, amountFen: request.amountFen ?? null, termMonths: request.termMonths ?? null }, { strategy: productStrategy(product) });
      const result = record.decision;
      if (result.outcome === 'decline') {
        screenedOut.push({ productId: product.id, reasons: result.reasons.map((r) => r.code) });
        continue;
      }
      const middle = Math.round((product.rateMinBps + product.rateMaxBps) / 2);
      candidates.push({
        product, prescreen: result.outcome,
        limitFen: Math.min(product.limitMaxFen, Math.max(product.limitMinFen, result.limitFen)),
        rateBps: Math.min(product.rateMaxBps, Math.max(product.rateMinBps, result.rateBps ?? middle)),
        reasons: result.reasons.map((r) => ({ code: r.code, en: r.en, zh: r.zh })),
      });
    } catch (error) {
      if (!(error instanceof StrategyError)) throw error;
      screenedOut.push({ productId: product.id, reasons: ['strategy_failed'] });
    }
  }
  const records = await productRecords(store, candidates.map((c) => c.product.id));
  const items = rank(candidates, records, policy);
  await appendAudit(store.db, {
    at: store.now(), tenantId: principal.tenantId, actor: principal.keyId, action: 'platform.supermarket.read', subjectType: 'platform_enterprise', subjectId: registration.id,
    details: { snapshotId: snapshot.info.id, eligible: items.length, screenedOut: screenedOut.length, amountFen: request.amountFen ?? null },
  });
  return { creditCode: registration.creditCode, snapshotId: snapshot.info.id, asOf: snapshot.info.asOf, items, screenedOut, policyVersion: policy.version };
}

/** Offers and declines per product so far (the product's approval record on the platform). */
async function productRecords(store: Store, productIds: string[]): Promise<Map<string, { offers: number; declines: number }>> {
  const records = new Map<string, { offers: number; declines: number }>();
  if (productIds.length === 0) return records;
  const rows = await store.db.selectFrom('platformClaims').select(['productId'])
    .select(sql<number>`count(*) FILTER (WHERE acted_at IS NOT NULL AND status <> 'declined')::bigint`.as('offers'))
    .select(sql<number>`count(*) FILTER (WHERE status = 'declined')::bigint`.as('declines'))
    .where('productId', 'in', productIds).groupBy('productId').execute();
  for (const row of rows) records.set(row.productId, { offers: row.offers, declines: row.declines });
  return records;
}

/** Scores and orders the eligible products (pure: the ranking rule in one place, tested alone). */
export function rank(candidates: readonly Candidate[], records: ReadonlyMap<string, { offers: number; declines: number }>, policy: PlatformPolicy): SupermarketItem[] {
  if (candidates.length === 0) return [];
  const rates = candidates.map((c) => c.rateBps);
  const cheapest = Math.min(...rates);
  const dearest = Math.max(...rates);
  const { weights, reviewApprovalChance } = policy.supermarket;
  const scored = candidates.map((c) => {
    const record = records.get(c.product.id) ?? { offers: 0, declines: 0 };
    const history = (record.offers + 1) / (record.offers + record.declines + 2);
    const approvalChance = (c.prescreen === 'approve' ? 1 : reviewApprovalChance) * history;
    const priceScore = dearest === cheapest ? 1 : (dearest - c.rateBps) / (dearest - cheapest);
    const score = weights.price * priceScore + weights.approvalChance * approvalChance;
    return { c, approvalChance, score };
  });
  scored.sort((a, b) => b.score - a.score || a.c.rateBps - b.c.rateBps || a.c.product.id.localeCompare(b.c.product.id));
  return scored.map(({ c, approvalChance, score }, k) => ({
    rank: k + 1, productId: c.product.id, productLine: c.product.productLine, bankName: c.product.bankName, nameZh: c.product.nameZh, nameEn: c.product.nameEn,
    prescreen: c.prescreen, limitFen: c.limitFen, expectedRateBps: c.rateBps, approvalChance: Math.round(approvalChance * 10_000) / 10_000,
    score: Math.round(score * 10_000) / 10_000, reasons: c.reasons, strategy: `${c.product.strategyId}@${c.product.strategyVersion}#${c.product.strategyHash.slice(0, 12)}`,
  }));
}
