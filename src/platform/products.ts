/**
 * Bank products on the marketplace (the bank's middle office): each product carries its pre-screen strategy — a
 * JDM document like strategies/*.json, published with the product and identified by its hash — a limit and rate
 * range, terms, the industry sections and regions it serves. The product line is the strategy's product
 * (`tax_loan`, `invoice_loan` …) and must be one the platform policy lists, because the line decides how needs are
 * claimed. Active products are the platform's public catalogue; only the bank that owns one changes it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { loadStrategy, parseStrategy, StrategyError, type Strategy } from '../decision/strategy.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { STRATEGIES_DIR } from '../pipeline/online.ts';
import {
  appendAudit, ForbiddenError, InvalidRequestError, listPage, NotFoundError,
  type Database, type Page, type PageRequest, type Principal, type Store,
} from '../store/index.ts';
import type { PlatformProduct, ProductStatus } from '../store/schema-platform.ts';
import { loadPlatformPolicy, recordIdOf, type PlatformPolicy } from './market-policy.ts';

export const PRODUCT_NAME_LENGTH_MAX = 100;
export const PRODUCT_SEGMENTS_MAX = 20;
export const PRODUCT_REGIONS_MAX = 50;
/** Four times a one-year LPR of 3 % is 1,200 bps; the strategy contract checks the exact cap on every decision. */
export const PRODUCT_RATE_BPS_MAX = 2_400;
export const PRODUCT_LIMIT_FEN_MAX = 100_000_000_000;
export const PRODUCT_TERM_MONTHS_MAX = 360;
const INDUSTRY_SECTION = /^[A-T]$/;
const REGION_PREFIX = /^([0-9]{2}|[0-9]{4}|[0-9]{6})$/;
const SHIPPED_STRATEGY_ID = /^[a-z][a-z0-9-]{0,63}$/;

export interface ProductTerms {
  limitMinFen: number;
  limitMaxFen: number;
  rateMinBps: number;
  rateMaxBps: number;
  termMonthsMin: number;
  termMonthsMax: number;
  /** Industry sections (A..T) served; empty or absent: all. */
  segments?: readonly string[];
  /** Division-code prefixes (2, 4 or 6 digits) served; empty or absent: all. */
  regions?: readonly string[];
}

export interface NewProduct extends ProductTerms {
  nameZh: string;
  nameEn: string;
  /** A shipped strategy by id (strategies/<id>.json) … */
  strategyId?: string;
  /** … or the bank's own pre-screen strategy document (JDM with a `puhui` header). */
  strategy?: Record<string, unknown>;
  /** Default: a new UUID (the simulation passes its own). */
  id?: string;
}

export type ProductPatch = Partial<ProductTerms> & { status?: ProductStatus };

function requireBank(principal: Principal): void {
  if (principal.tenantKind !== 'bank') throw new ForbiddenError('only a bank publishes and manages products');
}

function checkName(name: string, field: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > PRODUCT_NAME_LENGTH_MAX) {
    throw new InvalidRequestError(`${field} has 1..${PRODUCT_NAME_LENGTH_MAX} characters`, 'invalid_product');
  }
  return trimmed;
}

function wholeIn(value: number, min: number, max: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidRequestError(`${field} must be a whole number ${min}..${max}, got ${value}`, 'invalid_product');
  }
}

/** Checks a product's terms; every bound is explicit and each range must run from its minimum to its maximum. */
export function checkTerms(terms: ProductTerms): Required<ProductTerms> & { segments: string[]; regions: string[] } {
  wholeIn(terms.limitMinFen, 1, PRODUCT_LIMIT_FEN_MAX, 'limitMinFen');
  wholeIn(terms.limitMaxFen, terms.limitMinFen, PRODUCT_LIMIT_FEN_MAX, 'limitMaxFen (≥ limitMinFen)');
  wholeIn(terms.rateMinBps, 1, PRODUCT_RATE_BPS_MAX, 'rateMinBps');
  wholeIn(terms.rateMaxBps, terms.rateMinBps, PRODUCT_RATE_BPS_MAX, 'rateMaxBps (≥ rateMinBps)');
  wholeIn(terms.termMonthsMin, 1, PRODUCT_TERM_MONTHS_MAX, 'termMonthsMin');
  wholeIn(terms.termMonthsMax, terms.termMonthsMin, PRODUCT_TERM_MONTHS_MAX, 'termMonthsMax (≥ termMonthsMin)');
  const segments = [...new Set(terms.segments ?? [])].sort();
  const regions = [...new Set(terms.regions ?? [])].sort();
  if (segments.length > PRODUCT_SEGMENTS_MAX || segments.some((s) => !INDUSTRY_SECTION.test(s))) {
    throw new InvalidRequestError(`segments are up to ${PRODUCT_SEGMENTS_MAX} industry sections A..T`, 'invalid_product');
  }
  if (regions.length > PRODUCT_REGIONS_MAX || regions.some((r) => !REGION_PREFIX.test(r))) {
    throw new InvalidRequestError(`regions are up to ${PRODUCT_REGIONS_MAX} division-code prefixes of 2, 4 or 6 digits`, 'invalid_product');
  }
  return { ...terms, segments, regions };
}

function strategyOfInput(input: Pick<NewProduct, 'strategyId' | 'strategy'>): Strategy {
  if ((input.strategyId === undefined) === (input.strategy === undefined)) {
    throw new InvalidRequestError('name a shipped strategy (strategyId) or send a strategy document (strategy), not both', 'invalid_product');
  }
  if (input.strategyId !== undefined) {
    const file = join(STRATEGIES_DIR, `${input.strategyId}.json`);
    if (!SHIPPED_STRATEGY_ID.test(input.strategyId) || !existsSync(file)) {
      throw new InvalidRequestError(`no shipped strategy '${input.strategyId}' (strategies/<id>.json)`, 'invalid_product');
    }
    return loadStrategy(file);
  }
  try {
    return parseStrategy(input.strategy, 'the product strategy');
  } catch (error) {
    // The parser names the first problem of a document shaped like a strategy; a stranger shape can trip it.
    if (error instanceof PuhuiUserError) throw error;
    throw new StrategyError(`the product strategy is not a well-formed JDM document: ${(error as Error).message}`);
  }
}

const parsedByHash = new Map<string, Strategy>();
const PARSED_CACHE_MAX = 1_000;

/** A product's pre-screen strategy, parsed once per process (its identity is its hash, which is checked). */
export function productStrategy(product: Pick<PlatformProduct, 'id' | 'strategy' | 'strategyHash'>): Strategy {
  const cached = parsedByHash.get(product.strategyHash);
  if (cached) return cached;
  const strategy = parseStrategy(product.strategy, `product ${product.id}`);
  if (strategy.hash !== product.strategyHash) throw new Error(`puhui platform: product ${product.id}'s strategy does not match its stored hash`);
  if (parsedByHash.size >= PARSED_CACHE_MAX) parsedByHash.clear();
  parsedByHash.set(strategy.hash, strategy);
  return strategy;
}

export async function publishProduct(store: Store, principal: Principal, input: NewProduct, options: { policy?: PlatformPolicy } = {}): Promise<PlatformProduct> {
  requireBank(principal);
  const policy = options.policy ?? loadPlatformPolicy();
  const terms = checkTerms(input);
  const strategy = strategyOfInput(input);
  const productLine = strategy.header.product;
  if (!policy.productLines[productLine]) {
    throw new InvalidRequestError(`the strategy decides product line '${productLine}', which platform policy ${policy.version} does not list (${Object.keys(policy.productLines).join(', ')})`, 'invalid_product_line');
  }
  const now = store.now();
  const product: PlatformProduct = {
    id: recordIdOf(input.id), tenantId: principal.tenantId, productLine, nameZh: checkName(input.nameZh, 'nameZh'), nameEn: checkName(input.nameEn, 'nameEn'),
    strategyId: strategy.header.id, strategyVersion: strategy.header.version, strategyHash: strategy.hash, strategy: strategy.document as unknown as Record<string, unknown>,
    limitMinFen: terms.limitMinFen, limitMaxFen: terms.limitMaxFen, rateMinBps: terms.rateMinBps, rateMaxBps: terms.rateMaxBps,
    termMonthsMin: terms.termMonthsMin, termMonthsMax: terms.termMonthsMax, segments: terms.segments, regions: terms.regions,
    status: 'active', createdBy: principal.keyId, createdAt: now, updatedAt: now,
  };
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('platformProducts').values({
      ...product, strategy: JSON.stringify(product.strategy), segments: JSON.stringify(product.segments), regions: JSON.stringify(product.regions),
    }).execute();
    await auditProduct(tx, principal, product, 'platform.product.publish', now);
  });
  return product;
}

/** The owning bank changes a product's terms or withdraws it (a withdrawn product is claimed with no more). */
export async function updateProduct(store: Store, principal: Principal, productId: string, patch: ProductPatch): Promise<PlatformProduct> {
  requireBank(principal);
  return store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('platformProducts').selectAll().where('id', '=', productId).where('tenantId', '=', principal.tenantId).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`product '${productId}' not found`);
    const { status, ...termsPatch } = patch;
    const terms = checkTerms({ ...current, ...termsPatch });
    const now = store.now();
    const updated: PlatformProduct = { ...current, ...terms, status: status ?? current.status, updatedAt: now };
    await tx.updateTable('platformProducts').set({
      limitMinFen: updated.limitMinFen, limitMaxFen: updated.limitMaxFen, rateMinBps: updated.rateMinBps, rateMaxBps: updated.rateMaxBps,
      termMonthsMin: updated.termMonthsMin, termMonthsMax: updated.termMonthsMax, segments: JSON.stringify(updated.segments),
      regions: JSON.stringify(updated.regions), status: updated.status, updatedAt: now,
    }).where('id', '=', productId).execute();
    await auditProduct(tx, principal, updated, updated.status === 'withdrawn' && current.status !== 'withdrawn' ? 'platform.product.withdraw' : 'platform.product.update', now);
    return updated;
  });
}

/** A product: any active product (the public catalogue), or one of the principal's own in any status. */
export async function getProduct(store: Pick<Store, 'db'>, principal: Principal, productId: string): Promise<PlatformProduct & { bankName: string }> {
  const product = await productQuery(store.db).where('platformProducts.id', '=', productId)
    .where((eb) => eb.or([eb('platformProducts.status', '=', 'active'), eb('platformProducts.tenantId', '=', principal.tenantId)]))
    .executeTakeFirst();
  if (!product) throw new NotFoundError(`product '${productId}' not found`);
  return product;
}

export interface ProductListRequest extends PageRequest { mine?: boolean; productLine?: string }

/** The catalogue (active products, newest first), or with `mine` the bank's own products in every status. */
export async function listProducts(store: Pick<Store, 'db'>, principal: Principal, request: ProductListRequest = {}): Promise<Page<PlatformProduct & { bankName: string }>> {
  let query = productQuery(store.db);
  query = request.mine ? query.where('platformProducts.tenantId', '=', principal.tenantId) : query.where('platformProducts.status', '=', 'active');
  if (request.productLine) query = query.where('platformProducts.productLine', '=', request.productLine);
  return listPage(query, { ...request, createdAtColumn: 'platformProducts.createdAt', idColumn: 'platformProducts.id' });
}

export function productQuery(db: Kysely<Database>) {
  return db.selectFrom('platformProducts').innerJoin('tenants', 'tenants.id', 'platformProducts.tenantId')
    .selectAll('platformProducts').select('tenants.name as bankName');
}

/** Whether a product serves an enterprise of this region and industry, for this amount and term (null: not asked). */
export function productServes(
  product: Pick<PlatformProduct, 'segments' | 'regions' | 'limitMinFen' | 'limitMaxFen' | 'termMonthsMin' | 'termMonthsMax'>,
  target: { regionCode: string; industrySection: string; amountFen?: number | null; termMonths?: number | null },
): boolean {
  if (product.segments.length > 0 && !product.segments.includes(target.industrySection)) return false;
  if (product.regions.length > 0 && !product.regions.some((prefix) => target.regionCode.startsWith(prefix))) return false;
  if (target.amountFen != null && (target.amountFen < product.limitMinFen || target.amountFen > product.limitMaxFen)) return false;
  if (target.termMonths != null && (target.termMonths < product.termMonthsMin || target.termMonths > product.termMonthsMax)) return false;
  return true;
}

/** The same test as productServes, as SQL over platform_products `p` and platform_needs `n` (the queue's filter). */
export const PRODUCT_SERVES_NEED_SQL = sql`(
  p.product_line = n.product_line AND n.amount_fen BETWEEN p.limit_min_fen AND p.limit_max_fen
  AND n.term_months BETWEEN p.term_months_min AND p.term_months_max
  AND (jsonb_array_length(p.segments) = 0 OR p.segments ? n.industry_section)
  AND (jsonb_array_length(p.regions) = 0 OR EXISTS (
    SELECT 1 FROM jsonb_array_elements_text(p.regions) AS r(prefix) WHERE starts_with(n.region_code, r.prefix)))
)`;

async function auditProduct(tx: Kysely<Database>, principal: Principal, product: PlatformProduct, action: string, at: string): Promise<void> {
  await appendAudit(tx, {
    at, tenantId: principal.tenantId, actor: principal.keyId, action, subjectType: 'platform_product', subjectId: product.id,
    details: {
      productLine: product.productLine, strategy: `${product.strategyId}@${product.strategyVersion}#${product.strategyHash.slice(0, 12)}`,
      limitFen: [product.limitMinFen, product.limitMaxFen], rateBps: [product.rateMinBps, product.rateMaxBps],
      termMonths: [product.termMonthsMin, product.termMonthsMax], segments: product.segments, regions: product.regions, status: product.status,
    },
  });
}

export type { PlatformProduct };
