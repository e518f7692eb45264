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

export { BACKENDS, TestClock, type BackendName } from '../store/backends.ts';

export interface MarketStore { store: Store; clock: TestClock; close(): Promise<void> }

export async function openMarketStore(backend: BackendName, label: string, options: { poolSizeMax?: number } = {}): Promise<MarketStore> {
  const clock = new TestClock('2026-11-02T08:00:00.000Z');
  if (backend === 'pglite') {
    const store = await openStore({ dataDir: 'memory://', clock: clock.now });
    return { store, clock, close: () => store.close() };
  }
  const database = await createPostgresDatabase(label);
  const store = await openStore({ databaseUrl: database.url, clock: clock.now, ...options });
  return { store, clock, close: async () => { await store.close(); await database.drop(); } };
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
