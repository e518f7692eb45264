/**
 * What the marketplace tests share: a store on either backend with a settable clock (PGlite in memory, not the
 * shared migrated template of test/store/backends.ts, whose key does not cover the area migration files), and a
 * small market: the platform operator, a government department, banks and registered enterprises.
 */
import { composeCreditCode } from '../../src/domain/credit-code.ts';
import {
  authenticate, createApiKey, createTenant, grantConsent, openStore, type Principal, type Store, type TenantKind,
} from '../../src/store/index.ts';
import { registerEnterprise } from '../../src/platform/market.ts';
import { createPostgresDatabase, TestClock, type BackendName } from '../store/backends.ts';
import { call, type ServiceFixture, type Side } from '../server/fixture.ts';

export { BACKENDS, TestClock, type BackendName } from '../store/backends.ts';

export interface MarketStore { store: Store; clock: TestClock; close(): Promise<void>; /** PostgreSQL only. */ url?: string }

export async function openMarketStore(backend: BackendName, label: string, options: { poolSizeMax?: number } = {}): Promise<MarketStore> {
  const clock = new TestClock('2026-11-02T08:00:00.000Z');
  if (backend === 'pglite') {
    const store = await openStore({ dataDir: 'memory://', clock: clock.now });
    return { store, clock, close: () => store.close() };
  }
  const database = await createPostgresDatabase(label);
  const store = await openStore({ databaseUrl: database.url, clock: clock.now, ...options });
  return { store, clock, url: database.url, close: async () => { await store.close(); await database.drop(); } };
}

/** A tenant of a kind and a principal acting for it (through a real key, as the service authenticates one). */
export async function party(store: Store, kind: TenantKind, name: string, creditCode?: string): Promise<Principal> {
  const tenant = await createTenant(store, { kind, name, ...(creditCode ? { creditCode } : {}) });
  const { key } = await createApiKey(store, tenant.id, kind);
  const principal = await authenticate(store, key);
  if (!principal) throw new Error('the key just issued does not authenticate');
  return principal;
}

/** A valid credit code numbered n in a division (default Xiamen's Siming district, 350203). */
export function code(n: number, division = '350203'): string {
  return composeCreditCode('91', division, n.toString().padStart(8, '0'));
}

/** An enterprise registered on the platform (by itself), in a division and an industry section. */
export async function registeredEnterprise(store: Store, n: number, options: { division?: string; industrySection?: string } = {}): Promise<Principal> {
  const principal = await party(store, 'enterprise', `企业 ${n}`, code(n, options.division));
  await registerEnterprise(store, principal, { name: `企业 ${n}`, industrySection: options.industrySection ?? 'F', sizeBand: 'small' });
  return principal;
}

/** The enterprise authorises a bank for the scopes an offer needs (registration and tax). */
export async function authoriseBank(store: Store, enterprise: Principal, bank: Principal): Promise<void> {
  await grantConsent(store, enterprise, { granteeTenantId: bank.tenantId, purpose: '信易贷 financing need', scopes: ['registration', 'tax'], expiresAt: '2027-10-31' });
}

/** Terms of a working-capital tax loan: 100k..3M yuan, 3.1 %..8 %, 3..12 months. */
export const TAX_LOAN_TERMS = {
  nameZh: '纳税信用贷', nameEn: 'Tax credit loan', strategyId: 'tax-loan',
  limitMinFen: 10_000_000, limitMaxFen: 300_000_000, rateMinBps: 310, rateMaxBps: 800, termMonthsMin: 3, termMonthsMax: 12,
} as const;

export const INVOICE_LOAN_TERMS = {
  nameZh: '发票贷', nameEn: 'Invoice loan', strategyId: 'invoice-loan',
  limitMinFen: 5_000_000, limitMaxFen: 200_000_000, rateMinBps: 350, rateMaxBps: 900, termMonthsMin: 1, termMonthsMax: 12,
} as const;

/** A side's marketplace records, made over the API: its enterprise registered with a need its bank claimed and offered on. */
export interface MarketSide { productId: string; needId: string; claimId: string; offerId: string }

/**
 * Gives a side of the service fixture (test/server/fixture.ts) marketplace records for the tenancy matrix: the
 * side's bank publishes an invoice-loan product, its enterprise registers and publishes a need, the bank claims it
 * and offers (the fixture's consents cover the offer). The other side's bank has no product, so its queue is empty.
 */
export async function seedMarketSide(fixture: ServiceFixture, side: Side): Promise<MarketSide> {
  const send = async (key: string, url: string, body: unknown): Promise<{ id: string }> => {
    const response = await call(fixture.app, key, 'POST', url, body);
    if (response.statusCode !== 201) throw new Error(`${url} → ${response.statusCode} ${response.body}`);
    return response.json() as { id: string };
  };
  const product = await send(side.keys.bank, '/v1/platform/products', INVOICE_LOAN_TERMS);
  await send(side.keys.enterprise, '/v1/platform/enterprises', { name: 'side enterprise', industrySection: 'F' });
  const need = await send(side.keys.enterprise, '/v1/platform/needs', { amountFen: 20_000_000, termMonths: 6, purpose: '备货', productLine: 'invoice_loan' });
  const claim = await send(side.keys.bank, '/v1/platform/claims', { needId: need.id, productId: product.id });
  const offer = await send(side.keys.bank, `/v1/platform/claims/${claim.id}/offer`, { amountFen: 20_000_000, rateBps: 480, termMonths: 6 });
  return { productId: product.id, needId: need.id, claimId: claim.id, offerId: offer.id };
}
