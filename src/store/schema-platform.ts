/**
 * The store's tables for the 信易贷 platform's marketplace (issue #13): enterprise registrations, bank products
 * (each carrying its pre-screen strategy), financing needs, claims (抢单) and offers. Kysely's view; the SQL is in
 * migrations-platform.ts. Every row carries the tenant that owns it (`tenantId`); money is integer fen, rates basis
 * points, timestamps ISO-8601 UTC strings from the store's clock.
 */
import type { ColumnType, Generated, Selectable } from 'kysely';

type JsonText<T> = ColumnType<T, string, string>;

export const NEED_STATUSES = ['open', 'matched', 'expired', 'withdrawn'] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];
export const NEED_URGENCIES = ['normal', 'urgent', 'very_urgent'] as const;
export type NeedUrgency = (typeof NEED_URGENCIES)[number];
export const CLAIM_STATUSES = ['active', 'offered', 'declined', 'expired', 'lapsed', 'accepted', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const OFFER_STATUSES = ['pending', 'accepted', 'lapsed', 'rejected'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const PRODUCT_STATUSES = ['active', 'withdrawn'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
export const RISK_LIGHTS = ['green', 'yellow', 'red'] as const;
export type RiskLight = (typeof RISK_LIGHTS)[number];
export const CLAIM_MODES = ['first_wins', 'multi_offer'] as const;
export type ClaimMode = (typeof CLAIM_MODES)[number];

export interface PlatformEnterpriseTable {
  id: string;
  /** The enterprise's own tenant. */
  tenantId: string;
  creditCode: string;
  name: string;
  /** The administrative division (GB/T 2260) of registration: characters 3..8 of the credit code. */
  regionCode: string;
  /** GB/T 4754 industry section letter A..T. */
  industrySection: string;
  sizeBand: string | null;
  /** The platform's public credit rating: filled by the rating module, null until then. */
  ratingGrade: string | null;
  ratingScore: number | null;
  ratedAt: string | null;
  registeredBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PlatformProductTable {
  id: string;
  /** The bank that offers the product. */
  tenantId: string;
  productLine: string;
  nameZh: string;
  nameEn: string;
  strategyId: string;
  strategyVersion: string;
  strategyHash: string;
  /** The pre-screen strategy (a JDM document with its `puhui` header), as published. */
  strategy: JsonText<Record<string, unknown>>;
  limitMinFen: number;
  limitMaxFen: number;
  rateMinBps: number;
  rateMaxBps: number;
  termMonthsMin: number;
  termMonthsMax: number;
  /** Industry sections served; empty: all. */
  segments: JsonText<string[]>;
  /** Division-code prefixes served (2, 4 or 6 digits); empty: all. */
  regions: JsonText<string[]>;
  status: ProductStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PlatformNeedTable {
  id: string;
  /** The enterprise that published the need. */
  tenantId: string;
  creditCode: string;
  regionCode: string;
  industrySection: string;
  productLine: string;
  amountFen: number;
  termMonths: number;
  purpose: string;
  urgency: NeedUrgency;
  status: NeedStatus;
  riskLight: RiskLight | null;
  riskReasons: JsonText<string[]>;
  policyVersion: string;
  claimMode: ClaimMode;
  /** Claims (or pending offers) allowed at once: 1 when the first claim wins. */
  claimSlots: number;
  claimsActive: Generated<number>;
  claimsTotal: Generated<number>;
  claimSlaHours: number;
  claimWindowEndsAt: string;
  expiresAt: string;
  firstClaimedAt: string | null;
  acceptedOfferId: string | null;
  closedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PlatformClaimTable {
  id: string;
  /** The bank that claimed. */
  tenantId: string;
  needId: string;
  productId: string;
  status: ClaimStatus;
  slaDueAt: string;
  actedAt: string | null;
  declineReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PlatformOfferTable {
  id: string;
  /** The bank that offers. */
  tenantId: string;
  needId: string;
  claimId: string;
  productId: string;
  creditCode: string;
  amountFen: number;
  rateBps: number;
  termMonths: number;
  decisionId: string | null;
  consentId: string;
  status: OfferStatus;
  decidedAt: string | null;
  /** When the loan that followed an accepted offer defaulted: fed later by the loan book or the simulation. */
  defaultedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PlatformTables {
  platformEnterprises: PlatformEnterpriseTable;
  platformProducts: PlatformProductTable;
  platformNeeds: PlatformNeedTable;
  platformClaims: PlatformClaimTable;
  platformOffers: PlatformOfferTable;
}

export type PlatformEnterprise = Selectable<PlatformEnterpriseTable>;
export type PlatformProduct = Selectable<PlatformProductTable>;
export type PlatformNeed = Selectable<PlatformNeedTable>;
export type PlatformClaim = Selectable<PlatformClaimTable>;
export type PlatformOffer = Selectable<PlatformOfferTable>;
