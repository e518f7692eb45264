/**
 * A shard of enterprises in columns, as the batch path moves it between DuckDB, the main thread and the
 * workers: every table sorted by enterprise id, numbers in typed arrays (transferable without copying),
 * and a function that turns it into compact dossiers whose arrays are views into the shard's columns.
 */
import type { CompactDossier, CompactInvoices } from './compact.ts';

import type { ColumnKind, TypedColumn } from '../data/columns-reader.ts';

export type { ColumnKind };
export type Column = TypedColumn;
export type Table = Record<string, Column>;

/** Each shard table: its columns with their kinds; `id` (the enterprise id) comes first in every table. */
export const SHARD_TABLES = {
  enterprises: { id: 'i32', code: 'str', establishedDay: 'i32', section: 'str', division: 'str', region: 'str', general: 'u8', individual: 'u8', capitalFen: 'f64', birthYear: 'i32' },
  vat: { id: 'i32', periodStart: 'i32', periodEnd: 'i32', revision: 'i32', taxableFen: 'f64', uninvoicedFen: 'f64', exemptFen: 'f64', payableFen: 'f64', paidFen: 'f64', filedDay: 'i32', late: 'u8' },
  cit: { id: 'i32', year: 'i32', revision: 'i32', revenueFen: 'f64', filedDay: 'i32' },
  grades: { id: 'i32', year: 'i32', grade: 'u8', publishedDay: 'i32' },
  sales: { id: 'i32', day: 'i32', counterparty: 'i32', amountFen: 'f64', status: 'u8', special: 'u8' },
  purchases: { id: 'i32', day: 'i32', counterparty: 'i32', amountFen: 'f64', status: 'u8', special: 'u8' },
  bank: { id: 'i32', month: 'i32', inflowFen: 'f64', outflowFen: 'f64', balanceFen: 'f64', topSharePermille: 'i32' },
  bureau: { id: 'i32', day: 'i32', overdueFen: 'f64', worstDpd: 'i32', inquiries3m: 'i32', inquiries6m: 'i32', lenders: 'i32', outstandingFen: 'f64', guaranteesFen: 'f64' },
  court: { id: 'i32', filedDay: 'i32', closedDay: 'i32', defendant: 'u8', amountFen: 'f64', dishonest: 'u8' },
} as const satisfies Record<string, Record<string, ColumnKind>>;

export type ShardTableName = keyof typeof SHARD_TABLES;

export interface Shard {
  index: number;
  tables: Record<ShardTableName, Table>;
}

/** Typed arrays of the shard, for postMessage's transfer list. */
export function transferablesOf(shard: Shard): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const table of Object.values(shard.tables)) {
    for (const column of Object.values(table)) if (!Array.isArray(column)) buffers.push(column.buffer as ArrayBuffer);
  }
  return buffers;
}

/** Where each enterprise's rows begin and end in a table sorted by id: rows starts[k] … ends[k]-1. */
function ranges(ids: Int32Array, enterpriseIds: Int32Array): { starts: Int32Array; ends: Int32Array } {
  for (let k = 1; k < ids.length; k++) if (ids[k]! < ids[k - 1]!) throw new Error(`shard table rows are not in enterprise order at row ${k}`);
  for (let k = 1; k < enterpriseIds.length; k++) if (enterpriseIds[k]! <= enterpriseIds[k - 1]!) throw new Error(`shard enterprises are not in id order at ${k}`);
  const starts = new Int32Array(enterpriseIds.length);
  const ends = new Int32Array(enterpriseIds.length);
  let row = 0;
  for (let k = 0; k < enterpriseIds.length; k++) {
    while (row < ids.length && ids[row]! < enterpriseIds[k]!) row++;
    starts[k] = row;
    while (row < ids.length && ids[row] === enterpriseIds[k]) row++;
    ends[k] = row;
  }
  return { starts, ends };
}

function slice<T extends Table>(table: T, from: number, to: number): T {
  const out: Record<string, Column> = {};
  for (const [name, column] of Object.entries(table)) out[name] = Array.isArray(column) ? column.slice(from, to) : column.subarray(from, to);
  return out as T;
}

export function dossiersOfShard(shard: Shard): CompactDossier[] {
  const t = shard.tables;
  const e = t.enterprises as Record<string, Column>;
  const enterpriseIds = e.id as Int32Array;
  const names = Object.keys(SHARD_TABLES).filter((n) => n !== 'enterprises') as Exclude<ShardTableName, 'enterprises'>[];
  const bounds = Object.fromEntries(names.map((n) => [n, ranges(t[n].id as Int32Array, enterpriseIds)])) as Record<typeof names[number], ReturnType<typeof ranges>>;
  const dossiers: CompactDossier[] = [];
  for (let k = 0; k < enterpriseIds.length; k++) {
    const part = <N extends typeof names[number]>(name: N) => {
      const table = t[name];
      const from = bounds[name].starts[k]!;
      const to = bounds[name].ends[k]!;
      return { ...slice(table, from, to), count: to - from } as Record<string, Column> & { count: number };
    };
    dossiers.push({
      establishedDay: (e.establishedDay as Int32Array)[k]!, industrySection: (e.section as string[])[k]!, industryDivision: (e.division as string[])[k]!,
      regionCode: (e.region as string[])[k]!, general: (e.general as Uint8Array)[k] === 1, individual: (e.individual as Uint8Array)[k] === 1,
      registeredCapitalFen: (e.capitalFen as Float64Array)[k]!, legalRepBirthYear: (e.birthYear as Int32Array)[k]!,
      vat: part('vat') as unknown as CompactDossier['vat'], cit: part('cit') as unknown as CompactDossier['cit'],
      grades: part('grades') as unknown as CompactDossier['grades'], sales: part('sales') as unknown as CompactInvoices,
      purchases: part('purchases') as unknown as CompactInvoices, bank: part('bank') as unknown as CompactDossier['bank'],
      bureau: part('bureau') as unknown as CompactDossier['bureau'], court: part('court') as unknown as CompactDossier['court'],
    });
  }
  return dossiers;
}
