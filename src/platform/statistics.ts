/**
 * The regulator's statistics and the banks' league table.
 *
 * `platformStatistics` groups the marketplace by region (division-code prefix of 2, 4 or 6 digits), industry
 * section, bank or product, over needs published in [from, to):
 * - by region or industry, each row counts needs (and their amount), claims on them, needs claimed at least once,
 *   hours from publication to the first claim (mean, median), offers, approvals (needs matched to an accepted
 *   offer), the accepted amount, the amount-weighted mean rate and defaults (accepted offers whose loan defaulted,
 *   fed later by the loan book or the simulation);
 * - by bank or product, the same columns over that bank's (product's) claims: needs it claimed, hours from the
 *   need's publication to its claim, its offers, its accepted offers and their defaults.
 * `bankRanking` ranks banks by response time (claim to offer or decline) and approval rate (offers over offers and
 * declines). Both read aggregates only; they are for government departments and the operator (the ranking for all).
 */
import { sql, type RawBuilder } from 'kysely';
import { ForbiddenError, InvalidRequestError, type Principal, type Store } from '../store/index.ts';

export const STATISTICS_DIMENSIONS = ['region', 'industry', 'bank', 'product'] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];
export const STATISTICS_ROWS_MAX = 5_000;

export interface StatisticsRequest {
  by: StatisticsDimension;
  /** Needs published from this ISO date or timestamp on (inclusive) … */
  from?: string;
  /** … and before this one (exclusive). */
  to?: string;
  /** Region grouping: 2 (province), 4 (city) or 6 (county) digits of the division code; default 6. */
  regionDigits?: 2 | 4 | 6;
}

export interface StatisticsRow {
  key: string;
  label: string;
  needs: number;
  needAmountFen: number;
  claims: number;
  needsClaimed: number;
  timeToClaimHoursMean: number | null;
  timeToClaimHoursMedian: number | null;
  offers: number;
  approvals: number;
  approvedAmountFen: number;
  rateBpsMean: number | null;
  defaults: number;
  defaultedAmountFen: number;
}

export const STATISTICS_COLUMNS: readonly (keyof StatisticsRow)[] = [
  'key', 'label', 'needs', 'needAmountFen', 'claims', 'needsClaimed', 'timeToClaimHoursMean', 'timeToClaimHoursMedian',
  'offers', 'approvals', 'approvedAmountFen', 'rateBpsMean', 'defaults', 'defaultedAmountFen',
];

const READERS = new Set(['operator', 'government']);

function boundOf(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(Date.parse(iso))) throw new InvalidRequestError(`${field} '${value}' is not an ISO date or timestamp`, 'invalid_date');
  return new Date(Date.parse(iso)).toISOString();
}

const hoursBetween = (later: RawBuilder<unknown>, earlier: RawBuilder<unknown>) =>
  sql`extract(epoch from (${later}::timestamptz - ${earlier}::timestamptz)) / 3600.0`;

export async function platformStatistics(store: Pick<Store, 'db'>, principal: Principal, request: StatisticsRequest): Promise<StatisticsRow[]> {
  if (!READERS.has(principal.tenantKind)) throw new ForbiddenError('platform statistics are for government departments and the operator');
  if (!(STATISTICS_DIMENSIONS as readonly string[]).includes(request.by)) throw new InvalidRequestError(`by is one of ${STATISTICS_DIMENSIONS.join(', ')}`, 'invalid_dimension');
  const digits = request.regionDigits ?? 6;
  if (![2, 4, 6].includes(digits)) throw new InvalidRequestError('regionDigits is 2, 4 or 6', 'invalid_dimension');
  const from = boundOf(request.from, 'from') ?? '0000';
  const to = boundOf(request.to, 'to') ?? '9999';
  const result = request.by === 'region' || request.by === 'industry'
    ? await needStatistics(store, request.by === 'region' ? sql`substr(n.region_code, 1, ${sql.raw(String(digits))})` : sql`n.industry_section`, from, to)
    : await claimStatistics(store, request.by, from, to);
  return result.map((row) => ({
    ...row,
    timeToClaimHoursMean: roundOrNull(row.timeToClaimHoursMean, 2), timeToClaimHoursMedian: roundOrNull(row.timeToClaimHoursMedian, 2),
    rateBpsMean: roundOrNull(row.rateBpsMean, 1),
  }));
}

function roundOrNull(value: number | null, places: number): number | null {
  if (value === null) return null;
  const scale = 10 ** places;
  return Math.round(Number(value) * scale) / scale;
}

async function needStatistics(store: Pick<Store, 'db'>, key: RawBuilder<unknown>, from: string, to: string): Promise<StatisticsRow[]> {
  const toClaim = hoursBetween(sql`n.first_claimed_at`, sql`n.created_at`);
  const { rows } = await sql<StatisticsRow>`
    SELECT ${key} AS key, ${key} AS label,
      count(*)::bigint AS needs, coalesce(sum(n.amount_fen), 0)::bigint AS need_amount_fen,
      coalesce(sum(n.claims_total), 0)::bigint AS claims, count(n.first_claimed_at)::bigint AS needs_claimed,
      avg(${toClaim})::double precision AS time_to_claim_hours_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${toClaim})::double precision AS time_to_claim_hours_median,
      coalesce(sum((SELECT count(*) FROM platform_offers x WHERE x.need_id = n.id)), 0)::bigint AS offers,
      count(o.id)::bigint AS approvals, coalesce(sum(o.amount_fen), 0)::bigint AS approved_amount_fen,
      (sum(o.amount_fen::double precision * o.rate_bps) / nullif(sum(o.amount_fen), 0))::double precision AS rate_bps_mean,
      count(o.defaulted_at)::bigint AS defaults,
      coalesce(sum(o.amount_fen) FILTER (WHERE o.defaulted_at IS NOT NULL), 0)::bigint AS defaulted_amount_fen
    FROM platform_needs n LEFT JOIN platform_offers o ON o.id = n.accepted_offer_id AND o.status = 'accepted'
    WHERE n.created_at >= ${from} AND n.created_at < ${to}
    GROUP BY 1 ORDER BY 1 LIMIT ${STATISTICS_ROWS_MAX}`.execute(store.db);
  return rows;
}

async function claimStatistics(store: Pick<Store, 'db'>, by: 'bank' | 'product', from: string, to: string): Promise<StatisticsRow[]> {
  const key = by === 'bank' ? sql`t.name` : sql`p.id`;
  const label = by === 'bank' ? sql`t.name` : sql`p.name_en || ' / ' || p.name_zh || ' (' || t.name || ')'`;
  const toClaim = hoursBetween(sql`c.created_at`, sql`n.created_at`);
  const accepted = sql`o.status = 'accepted'`;
  const { rows } = await sql<StatisticsRow>`
    SELECT ${key} AS key, min(${label}) AS label,
      count(DISTINCT c.need_id)::bigint AS needs,
      coalesce(sum(n.amount_fen), 0)::bigint AS need_amount_fen,
      count(*)::bigint AS claims, count(DISTINCT c.need_id)::bigint AS needs_claimed,
      avg(${toClaim})::double precision AS time_to_claim_hours_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${toClaim})::double precision AS time_to_claim_hours_median,
      count(o.id)::bigint AS offers,
      count(o.id) FILTER (WHERE ${accepted})::bigint AS approvals,
      coalesce(sum(o.amount_fen) FILTER (WHERE ${accepted}), 0)::bigint AS approved_amount_fen,
      (sum(o.amount_fen::double precision * o.rate_bps) FILTER (WHERE ${accepted})
        / nullif(sum(o.amount_fen) FILTER (WHERE ${accepted}), 0))::double precision AS rate_bps_mean,
      count(o.defaulted_at) FILTER (WHERE ${accepted})::bigint AS defaults,
      coalesce(sum(o.amount_fen) FILTER (WHERE ${accepted} AND o.defaulted_at IS NOT NULL), 0)::bigint AS defaulted_amount_fen
    FROM platform_claims c
      JOIN platform_needs n ON n.id = c.need_id
      JOIN platform_products p ON p.id = c.product_id
      JOIN tenants t ON t.id = c.tenant_id
      LEFT JOIN platform_offers o ON o.claim_id = c.id
    WHERE n.created_at >= ${from} AND n.created_at < ${to}
    GROUP BY 1 ORDER BY 1 LIMIT ${STATISTICS_ROWS_MAX}`.execute(store.db);
  return rows;
}

/** Statistics as CSV (RFC 4180): a header of the column names, one line per row, CRLF line ends. */
export function statisticsCsv(rows: readonly StatisticsRow[]): string {
  const cell = (value: unknown): string => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [STATISTICS_COLUMNS.join(','), ...rows.map((row) => STATISTICS_COLUMNS.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}

export interface BankRank {
  bankName: string;
  claims: number;
  offers: number;
  declines: number;
  /** Claims released because the bank did not act within the SLA. */
  slaMissed: number;
  accepted: number;
  responseHoursMean: number | null;
  responseHoursMedian: number | null;
  /** Offers over offers and declines: the share of claims the bank decided to lend on; null before any. */
  approvalRate: number | null;
  /** 1 = fastest mean response; banks that never acted rank last. */
  responseRank: number;
  /** 1 = highest approval rate. */
  approvalRank: number;
}

/** Every bank that has claimed a need, with its response time and approval rate and its rank on each. */
export async function bankRanking(store: Pick<Store, 'db'>): Promise<BankRank[]> {
  const response = hoursBetween(sql`c.acted_at`, sql`c.created_at`);
  const { rows } = await sql<Omit<BankRank, 'approvalRate' | 'responseRank' | 'approvalRank'>>`
    SELECT t.name AS bank_name, count(*)::bigint AS claims,
      count(*) FILTER (WHERE c.status IN ('offered','accepted','rejected') OR (c.status = 'lapsed' AND c.acted_at IS NOT NULL))::bigint AS offers,
      count(*) FILTER (WHERE c.status = 'declined')::bigint AS declines,
      count(*) FILTER (WHERE c.status = 'expired')::bigint AS sla_missed,
      count(*) FILTER (WHERE c.status = 'accepted')::bigint AS accepted,
      avg(${response}) FILTER (WHERE c.acted_at IS NOT NULL)::double precision AS response_hours_mean,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${response}) FILTER (WHERE c.acted_at IS NOT NULL))::double precision AS response_hours_median
    FROM platform_claims c JOIN tenants t ON t.id = c.tenant_id
    GROUP BY t.id, t.name ORDER BY t.name LIMIT ${STATISTICS_ROWS_MAX}`.execute(store.db);
  const ranks = rows.map((row) => ({
    ...row,
    responseHoursMean: roundOrNull(row.responseHoursMean, 2), responseHoursMedian: roundOrNull(row.responseHoursMedian, 2),
    approvalRate: row.offers + row.declines > 0 ? Math.round((row.offers / (row.offers + row.declines)) * 10_000) / 10_000 : null,
    responseRank: 0, approvalRank: 0,
  }));
  const byResponse = [...ranks].sort((a, b) => (a.responseHoursMean ?? Infinity) - (b.responseHoursMean ?? Infinity) || a.bankName.localeCompare(b.bankName));
  byResponse.forEach((rank, k) => { rank.responseRank = k + 1; });
  const byApproval = [...ranks].sort((a, b) => (b.approvalRate ?? -1) - (a.approvalRate ?? -1) || a.bankName.localeCompare(b.bankName));
  byApproval.forEach((rank, k) => { rank.approvalRank = k + 1; });
  return ranks.sort((a, b) => a.responseRank - b.responseRank);
}
