/**
 * Following a whitelisted firm through the market (issue #13 items 2–3): when the platform's market tables are in
 * the store (platform_needs, platform_claims, platform_offers, built on the platform-market branch), the progress a
 * dispatched firm has made with its bank there is read from them; without those tables there is no market status
 * and the bank's own reports (reportFirmStatus) are the only source. Read-only: nothing here writes.
 *
 * The market's states map onto the whitelist's: a claim the bank holds → claimed; an offer pending (or a claim
 * marked offered) → offered; an offer or claim the enterprise accepted → booked (the market's last step; the loan
 * ledger books the loan); a claim declined, expired or lapsed, or a lapsed offer, → declined. Of several claims by
 * the same bank on the firm's needs, the furthest along counts.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { WhitelistFirmStatus } from '../store/schema-funds.ts';

export type MarketStatus = Extract<WhitelistFirmStatus, 'claimed' | 'offered' | 'booked' | 'declined'>;

const RANK: Record<MarketStatus, number> = { declined: 0, claimed: 1, offered: 2, booked: 3 };
const CODES_PER_QUERY_MAX = 500;

/** One claim (and its offer, if any) as the market holds it → the whitelist status it means. */
export function marketStatusOf(claimStatus: string, offerStatus: string | null): MarketStatus {
  if (offerStatus === 'accepted' || claimStatus === 'accepted') return 'booked';
  if (offerStatus === 'pending' || claimStatus === 'offered') return 'offered';
  if (claimStatus === 'active') return 'claimed';
  return 'declined';
}

/** The furthest of two statuses. */
export function furthest(a: MarketStatus | undefined, b: MarketStatus): MarketStatus {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

export async function marketTablesPresent(db: Kysely<Database>): Promise<boolean> {
  const result = await sql<{ present: boolean }>`SELECT to_regclass('platform_claims') IS NOT NULL AND to_regclass('platform_needs') IS NOT NULL
    AND to_regclass('platform_offers') IS NOT NULL AS present`.execute(db);
  return result.rows[0]?.present === true;
}

/** For each firm dispatched to a bank, its progress with that bank on the market, keyed `creditCode bankTenantId`. */
export async function marketStatuses(db: Kysely<Database>, firms: readonly { creditCode: string; bankTenantId: string | null }[]): Promise<Map<string, MarketStatus>> {
  const statuses = new Map<string, MarketStatus>();
  const dispatched = firms.filter((f) => f.bankTenantId !== null);
  if (dispatched.length === 0 || !(await marketTablesPresent(db))) return statuses;
  const wanted = new Set(dispatched.map((f) => `${f.creditCode} ${f.bankTenantId}`));
  const codes = [...new Set(dispatched.map((f) => f.creditCode))];
  for (let start = 0; start < codes.length; start += CODES_PER_QUERY_MAX) {
    const chunk = codes.slice(start, start + CODES_PER_QUERY_MAX);
    const rows = await sql<{ creditCode: string; bankTenantId: string; claimStatus: string; offerStatus: string | null }>`
      SELECT n.credit_code, c.tenant_id AS bank_tenant_id, c.status AS claim_status, o.status AS offer_status
      FROM platform_claims c JOIN platform_needs n ON n.id = c.need_id LEFT JOIN platform_offers o ON o.claim_id = c.id
      WHERE n.credit_code IN (${sql.join(chunk)})`.execute(db);
    for (const row of rows.rows) {
      const key = `${row.creditCode} ${row.bankTenantId}`;
      if (wanted.has(key)) statuses.set(key, furthest(statuses.get(key), marketStatusOf(row.claimStatus, row.offerStatus)));
    }
  }
  return statuses;
}
