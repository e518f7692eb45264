/**
 * The bytes of a snapshot. Everything a decision reads about one enterprise is one fixed-width row of
 * doubles (its entry: features, then its profile), so a lookup is one positioned read of a file the
 * operating system caches for every process that opens the snapshot. Each enterprise's compact dossier
 * is one blob (a small JSON header, then its columns, each 8-byte aligned) read only when the enterprise
 * is refreshed. Credit codes are 18 ASCII characters (GB 32100), stored back to back in sorted order.
 */
import { SHARD_TABLES, type ShardTableName } from '../features/shard.ts';
import type { CompactDossier } from '../features/index.ts';
import type { ColumnKind } from '../data/columns-reader.ts';

export const SNAPSHOT_FORMAT = 'puhui-snapshot/1';
export const CREDIT_CODE_LENGTH = 18;

export const FILES = {
  manifest: 'snapshot.json',
  codes: 'codes.txt',
  entries: 'entries.f64',
  dossiers: 'dossiers.bin',
  dossierOffsets: 'dossiers.idx',
  fraud: 'fraud.json',
  fraudReport: 'fraud-report.json',
  counterparties: 'counterparties.txt',
} as const;

/** Profile fields kept after the features in each entry row, as dictionary codes (or a day number). */
export const PROFILE_FIELDS = ['status', 'taxpayerType', 'industrySection', 'regionCode', 'establishedDay'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** The compact dossier's tables (every shard table but `enterprises`) and their columns without `id`. */
export type DossierTable = Exclude<ShardTableName, 'enterprises'>;
export const DOSSIER_TABLES = (Object.keys(SHARD_TABLES) as ShardTableName[]).filter((n): n is DossierTable => n !== 'enterprises');

export function columnsOf(table: DossierTable): [string, ColumnKind][] {
  return Object.entries(SHARD_TABLES[table]).filter(([name]) => name !== 'id') as [string, ColumnKind][];
}

const BYTES: Record<Exclude<ColumnKind, 'str'>, number> = { i32: 4, f64: 8, u8: 1 };

function align8(n: number): number {
  return (n + 7) & ~7;
}

interface BlobHeader {
  establishedDay: number; industrySection: string; industryDivision: string; regionCode: string; general: boolean; individual: boolean;
  registeredCapitalFen: number; legalRepBirthYear: number; counts: Record<DossierTable, number>;
}

type AnyTable = Record<string, ArrayLike<number>> & { count: number };

/** One compact dossier as bytes. */
export function encodeDossier(dossier: CompactDossier): Buffer {
  const counts = {} as Record<DossierTable, number>;
  for (const table of DOSSIER_TABLES) counts[table] = (dossier[table] as unknown as AnyTable).count;
  const header: BlobHeader = {
    establishedDay: dossier.establishedDay, industrySection: dossier.industrySection, industryDivision: dossier.industryDivision, regionCode: dossier.regionCode,
    general: dossier.general, individual: dossier.individual, registeredCapitalFen: dossier.registeredCapitalFen, legalRepBirthYear: dossier.legalRepBirthYear, counts,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  let size = align8(4 + headerBytes.length);
  for (const table of DOSSIER_TABLES) for (const [, kind] of columnsOf(table)) size += align8(counts[table] * BYTES[kind as Exclude<ColumnKind, 'str'>]);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(out, 4);
  let offset = align8(4 + headerBytes.length);
  for (const table of DOSSIER_TABLES) {
    const source = dossier[table] as unknown as AnyTable;
    for (const [name, kind] of columnsOf(table)) {
      const column = source[name] as unknown as Int32Array | Float64Array | Uint8Array;
      const bytes = Buffer.from(column.buffer, column.byteOffset, counts[table] * BYTES[kind as Exclude<ColumnKind, 'str'>]);
      bytes.copy(out, offset);
      offset += align8(bytes.length);
    }
  }
  return out;
}

/** A compact dossier whose columns are views into `blob` (which must start on an 8-byte boundary). */
export function decodeDossier(blob: Buffer): CompactDossier {
  if (blob.byteOffset % 8 !== 0) throw new Error('a dossier blob must be 8-byte aligned');
  const headerLength = blob.readUInt32LE(0);
  const header = JSON.parse(blob.toString('utf8', 4, 4 + headerLength)) as BlobHeader;
  let offset = align8(4 + headerLength);
  const tables = {} as Record<DossierTable, AnyTable>;
  for (const table of DOSSIER_TABLES) {
    const count = header.counts[table];
    const out = { count } as AnyTable;
    for (const [name, kind] of columnsOf(table)) {
      const at = blob.byteOffset + offset;
      (out as Record<string, unknown>)[name] = kind === 'i32' ? new Int32Array(blob.buffer, at, count) : kind === 'f64' ? new Float64Array(blob.buffer, at, count) : new Uint8Array(blob.buffer, at, count);
      offset += align8(count * BYTES[kind as Exclude<ColumnKind, 'str'>]);
    }
    tables[table] = out;
  }
  if (offset !== blob.length) throw new Error(`a dossier blob of ${blob.length} bytes holds ${offset}`);
  return {
    establishedDay: header.establishedDay, industrySection: header.industrySection, industryDivision: header.industryDivision, regionCode: header.regionCode,
    general: header.general, individual: header.individual, registeredCapitalFen: header.registeredCapitalFen, legalRepBirthYear: header.legalRepBirthYear,
    ...(tables as unknown as Pick<CompactDossier, DossierTable>),
  };
}
