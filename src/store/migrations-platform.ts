/**
 * Migrations for the 信易贷 platform's marketplace (issue #13): registrations, products, needs, claims, offers; run
 * after 001_schema on both backends. The claim race is settled by the database: a claim takes a slot with one
 * conditional UPDATE of the need row (claims_active < claim_slots), the CHECK below makes an overfull need
 * impossible whatever the code does, a bank claims a need at most once, and a need has at most one accepted offer.
 */
import type { Migration } from 'kysely';
import { statements } from './migration-statements.ts';

const M002_PLATFORM: readonly string[] = [
  `CREATE TABLE platform_enterprises (
    id text PRIMARY KEY,
    tenant_id text NOT NULL UNIQUE REFERENCES tenants(id),
    credit_code text NOT NULL UNIQUE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    region_code text NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    industry_section text NOT NULL CHECK (industry_section ~ '^[A-T]$'),
    size_band text CHECK (size_band IS NULL OR size_band IN ('micro','small','medium','large')),
    rating_grade text,
    rating_score double precision,
    rated_at text,
    registered_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL
  )`,
  `CREATE INDEX platform_enterprises_created ON platform_enterprises (created_at, id)`,

  `CREATE TABLE platform_products (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    product_line text NOT NULL,
    name_zh text NOT NULL,
    name_en text NOT NULL,
    strategy_id text NOT NULL,
    strategy_version text NOT NULL,
    strategy_hash text NOT NULL,
    strategy jsonb NOT NULL,
    limit_min_fen bigint NOT NULL CHECK (limit_min_fen > 0),
    limit_max_fen bigint NOT NULL,
    rate_min_bps integer NOT NULL CHECK (rate_min_bps > 0),
    rate_max_bps integer NOT NULL,
    term_months_min integer NOT NULL CHECK (term_months_min >= 1),
    term_months_max integer NOT NULL CHECK (term_months_max <= 360),
    segments jsonb NOT NULL,
    regions jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('active','withdrawn')),
    created_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    CHECK (limit_min_fen <= limit_max_fen AND rate_min_bps <= rate_max_bps AND term_months_min <= term_months_max)
  )`,
  `CREATE INDEX platform_products_tenant ON platform_products (tenant_id, created_at, id)`,
  `CREATE INDEX platform_products_line ON platform_products (product_line, status)`,

  `CREATE TABLE platform_needs (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    credit_code text NOT NULL,
    region_code text NOT NULL,
    industry_section text NOT NULL,
    product_line text NOT NULL,
    amount_fen bigint NOT NULL CHECK (amount_fen > 0),
    term_months integer NOT NULL CHECK (term_months BETWEEN 1 AND 360),
    purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 200),
    urgency text NOT NULL CHECK (urgency IN ('normal','urgent','very_urgent')),
    status text NOT NULL CHECK (status IN ('open','matched','expired','withdrawn')),
    risk_light text CHECK (risk_light IS NULL OR risk_light IN ('green','yellow','red')),
    risk_reasons jsonb NOT NULL,
    policy_version text NOT NULL,
    claim_mode text NOT NULL CHECK (claim_mode IN ('first_wins','multi_offer')),
    claim_slots integer NOT NULL CHECK (claim_slots >= 1),
    claims_active integer NOT NULL DEFAULT 0,
    claims_total integer NOT NULL DEFAULT 0,
    claim_sla_hours integer NOT NULL CHECK (claim_sla_hours >= 1),
    claim_window_ends_at text NOT NULL,
    expires_at text NOT NULL,
    first_claimed_at text,
    accepted_offer_id text,
    closed_at text,
    created_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    CHECK (claims_active BETWEEN 0 AND claim_slots),
    CHECK (claim_mode = 'multi_offer' OR claim_slots = 1)
  )`,
  `CREATE INDEX platform_needs_tenant ON platform_needs (tenant_id, created_at, id)`,
  `CREATE INDEX platform_needs_pool ON platform_needs (status, product_line, created_at, id)`,
  `CREATE INDEX platform_needs_expiry ON platform_needs (status, expires_at)`,

  `CREATE TABLE platform_claims (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    need_id text NOT NULL REFERENCES platform_needs(id),
    product_id text NOT NULL REFERENCES platform_products(id),
    status text NOT NULL CHECK (status IN ('active','offered','declined','expired','lapsed','accepted','rejected')),
    sla_due_at text NOT NULL,
    acted_at text,
    decline_reason text,
    created_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    UNIQUE (need_id, tenant_id)
  )`,
  `CREATE INDEX platform_claims_tenant ON platform_claims (tenant_id, created_at, id)`,
  `CREATE INDEX platform_claims_sla ON platform_claims (status, sla_due_at)`,

  `CREATE TABLE platform_offers (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id),
    need_id text NOT NULL REFERENCES platform_needs(id),
    claim_id text NOT NULL UNIQUE REFERENCES platform_claims(id),
    product_id text NOT NULL REFERENCES platform_products(id),
    credit_code text NOT NULL,
    amount_fen bigint NOT NULL CHECK (amount_fen > 0),
    rate_bps integer NOT NULL CHECK (rate_bps > 0),
    term_months integer NOT NULL CHECK (term_months BETWEEN 1 AND 360),
    decision_id text REFERENCES decisions(id),
    consent_id text NOT NULL REFERENCES consents(id),
    status text NOT NULL CHECK (status IN ('pending','accepted','lapsed','rejected')),
    decided_at text,
    defaulted_at text,
    created_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL
  )`,
  `CREATE INDEX platform_offers_need ON platform_offers (need_id)`,
  `CREATE INDEX platform_offers_tenant ON platform_offers (tenant_id, created_at, id)`,
  // 货比三家 ends with one choice: a need has at most one accepted offer, whatever races the code loses.
  `CREATE UNIQUE INDEX platform_offers_one_accepted ON platform_offers (need_id) WHERE status = 'accepted'`,
];

export const PLATFORM_MIGRATIONS: Record<string, Migration> = {
  '002_platform': statements(M002_PLATFORM),
};
