/**
 * The store's tables for the platform's public credit rating, credit commitments and risk notices (issue #13
 * item 5). Kysely's view; the SQL is in migrations-rating.ts.
 */
import type { ColumnType } from 'kysely';

type JsonText<T> = ColumnType<T, string, string>;

/** One enterprise's rating as of a date by one model version: written once by the rating job, never updated. */
export interface RatingTable {
  id: string;
  creditCode: string;
  asOf: string;
  /** `<policy id>@<version>#<12 hex of the policy's hash>`: the model that rated. */
  modelVersion: string;
  snapshotId: string;
  /** 0..100, rounded to 0.01. */
  score: number;
  grade: string;
  /** Per indicator: dimension, feature, value, normalised 0..1, weight, contribution in points. */
  contributions: JsonText<unknown>;
  /** The job that computed it (null when computed outside a job, e.g. the simulation). */
  jobId: string | null;
  createdAt: string;
}

/** A credit commitment (信用承诺书) an enterprise signed: its content and date. */
export interface CreditCommitmentTable {
  id: string;
  /** The enterprise's tenant: the commitment is its record. */
  tenantId: string;
  creditCode: string;
  /** What the enterprise commits to (e.g. 'truthful_information'), and the text it signed. */
  kind: string;
  content: string;
  signedOn: string;
  createdBy: string;
  createdAt: string;
}

/** A breach of a commitment, recorded by the operator or a government department. */
export interface CommitmentBreachTable {
  id: string;
  commitmentId: string;
  creditCode: string;
  /** The recording tenant (operator or government department). */
  tenantId: string;
  occurredOn: string;
  description: string;
  severity: 'minor' | 'serious';
  createdBy: string;
  createdAt: string;
}

/** A risk notice (风险提示) the operator publishes to the public. */
export interface RiskNoticeTable {
  id: string;
  tenantId: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  level: 'info' | 'warning' | 'alert';
  publishedAt: string;
  withdrawnAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface RatingTables {
  ratings: RatingTable;
  creditCommitments: CreditCommitmentTable;
  commitmentBreaches: CommitmentBreachTable;
  riskNotices: RiskNoticeTable;
}
