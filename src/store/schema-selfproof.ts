/** The store's tables for self-proof uploads and their readings (issue #15). Kysely's view; the SQL is in migrations-selfproof.ts. */
import type { ColumnType } from 'kysely';

export type SelfproofFormat = 'jpeg' | 'png' | 'pdf';
export type SelfproofUploadStatus = 'reading' | 'read' | 'failed';
/** A reading's strength: the verification's, or `unverified` when the service had no records to verify against. */
export type SelfproofStrength = 'strong' | 'partial' | 'none' | 'contradicted' | 'unverified';

/** JSON written as text, read back parsed. */
type JsonColumnNullable = ColumnType<unknown, string | null, string | null>;

export interface SelfproofFileTable {
  sha256: string;
  format: SelfproofFormat;
  sizeBytes: number;
  pageCount: number;
  content: Uint8Array;
  createdAt: string;
}

export interface SelfproofUploadTable {
  id: string;
  tenantId: string;
  uploaderKind: 'enterprise' | 'bank' | 'guarantee_fund';
  creditCode: string;
  sha256: string;
  fileName: string | null;
  status: SelfproofUploadStatus;
  /** The document kind of the first page read (invoice, licence, contract) or null. */
  kind: string | null;
  strength: SelfproofStrength | null;
  evidenceFen: number | null;
  /** Per page: kind, fields, problems and the rows of text read. */
  reading: JsonColumnNullable;
  /** Per page: the DocumentVerification against the records (null: not verified). */
  verification: JsonColumnNullable;
  /** The snapshot whose dataset the reading was verified against. */
  snapshotId: string | null;
  errorCode: string | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  readAt: string | null;
}

export interface SelfproofTables {
  selfproofFiles: SelfproofFileTable;
  selfproofUploads: SelfproofUploadTable;
}
