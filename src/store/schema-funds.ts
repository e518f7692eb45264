/** The store's tables for government whitelists and dispatch, risk-compensation and guarantee funds (issue #13). Kysely's view; the SQL is in migrations-funds.ts. */
import type { ColumnType } from 'kysely';
import type { Json } from './schema.ts';

type JsonColumn<T = Json> = ColumnType<T, string, string>;

export const WHITELIST_FIRM_STATUSES = ['listed', 'unmatched', 'dispatched', 'claimed', 'offered', 'booked', 'declined'] as const;
export type WhitelistFirmStatus = (typeof WHITELIST_FIRM_STATUSES)[number];

export interface WhitelistTable {
  id: string;
  /** The government department that uploaded it. */
  tenantId: string;
  name: string;
  rowCount: number;
  accepted: number;
  rejected: JsonColumn;
  createdBy: string;
  createdAt: string;
}

export interface WhitelistFirmTable {
  whitelistId: string;
  tenantId: string;
  creditCode: string;
  firmName: string;
  amountFen: number;
  termMonths: number;
  rating: 'A' | 'B' | 'C' | 'D';
  expectedLossBps: number;
  industry: string;
  region: string;
  status: WhitelistFirmStatus;
  /** The bank the firm was dispatched to (it may read and follow the firm). */
  bankTenantId: string | null;
  productId: string | null;
  dispatchRunId: string | null;
  statusAt: string;
}

export interface DispatchRunTable {
  id: string;
  tenantId: string;
  whitelistId: string;
  method: 'mip' | 'greedy';
  objective: string;
  status: string;
  gap: number;
  objectiveValue: number;
  matched: number;
  banks: JsonColumn;
  figures: JsonColumn;
  /** The greedy baseline's figures on the same problem, for comparison. */
  baseline: JsonColumn;
  policyVersion: string;
  createdBy: string;
  createdAt: string;
}

export interface DispatchAssignmentTable {
  runId: string;
  tenantId: string;
  creditCode: string;
  bankTenantId: string;
  productId: string;
  amountFen: number;
}

export interface FundTable {
  id: string;
  /** The guarantee_fund tenant that runs it. */
  tenantId: string;
  name: string;
  capitalFen: number;
  leverage: number;
  balanceFen: number;
  /** The fund's share of the covered principal on active covers. */
  liabilityFen: number;
  policyId: string;
  policyVersion: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface FundCoverTable {
  id: string;
  fundId: string;
  tenantId: string;
  bankTenantId: string;
  loanRef: string;
  creditCode: string;
  tier: 'A' | 'B' | 'C';
  loanPrincipalFen: number;
  coveredPrincipalFen: number;
  fundShareBps: number;
  liabilityFen: number;
  interestCovered: boolean;
  status: 'active' | 'claimed' | 'released';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface FundClaimTable {
  id: string;
  fundId: string;
  tenantId: string;
  coverId: string;
  bankTenantId: string;
  principalLostFen: number;
  interestLostFen: number;
  fundPrincipalFen: number;
  fundInterestFen: number;
  bankPrincipalFen: number;
  bankInterestFen: number;
  recoveredFen: number;
  fundRecoveredFen: number;
  bankRecoveredFen: number;
  recoveries: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface FundEntryTable {
  id: string;
  fundId: string;
  tenantId: string;
  kind: 'capital' | 'claim_payout' | 'recovery';
  amountFen: number;
  claimId: string | null;
  createdBy: string;
  createdAt: string;
}

export interface FundTables {
  whitelists: WhitelistTable;
  whitelistFirms: WhitelistFirmTable;
  dispatchRuns: DispatchRunTable;
  dispatchAssignments: DispatchAssignmentTable;
  funds: FundTable;
  fundCovers: FundCoverTable;
  fundClaims: FundClaimTable;
  fundEntries: FundEntryTable;
}
