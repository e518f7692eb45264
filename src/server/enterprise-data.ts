/**
 * An enterprise's data for one consent scope: the rows of the current snapshot's dataset (the platform's
 * bulk facts, kept in the Parquet layout) and the rows taken in over the API since (the store's facts
 * table) by the platform operator, by the enterprise itself or by the reader's own tenant — never rows
 * another grantee took in, which are that grantee's. The
 * dataset readers are cached per dataset folder: its files are immutable once imported, so the cache
 * holds nothing a request could change. One DuckDB connection is not for concurrent use: reads queue.
 */
import { DatasetReader } from '../data/index.ts';
import type { Dossier } from '../domain/dossier.ts';
import { factsFor, type ConsentScope, type Principal, type Store } from '../store/index.ts';
import { entitiesOfScope } from './scopes.ts';

/** Rows one read returns at most; an enterprise with more gets the first ones and `truncated`. */
export const DATA_ROWS_MAX = 5_000;

export interface ScopedFact { entity: string; source: 'dataset' | 'intake'; row: Record<string, unknown> }

const readers = new Map<string, Promise<{ reader: DatasetReader; queue: Promise<unknown> }>>();

export async function withReader<T>(datasetDir: string, work: (reader: DatasetReader) => Promise<T>): Promise<T> {
  let entry = readers.get(datasetDir);
  if (!entry) {
    entry = DatasetReader.open(datasetDir).then((reader) => ({ reader, queue: Promise.resolve() as Promise<unknown> }));
    readers.set(datasetDir, entry);
    entry.catch(() => readers.delete(datasetDir));
  }
  const slot = await entry;
  const result = slot.queue.then(() => work(slot.reader));
  slot.queue = result.catch(() => undefined);
  return result;
}

/** Closes the cached dataset readers (at shutdown). */
export async function closeDatasetReaders(): Promise<void> {
  const all = [...readers.values()];
  readers.clear();
  for (const entry of all) {
    try {
      const slot = await entry;
      await slot.queue;
      slot.reader.close();
    } catch {
      // a reader that never opened has nothing to close
    }
  }
}

function plain(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
}

function dossierRows(dossier: Dossier, entity: string): object[] {
  switch (entity) {
    case 'enterprises': return [dossier.enterprise];
    case 'invoices': return [...dossier.salesInvoices, ...dossier.purchaseInvoices];
    default: return (dossier as unknown as Record<string, object[]>)[entity] ?? [];
  }
}

/** The tenants whose intake about an enterprise a reader may see: the operators, the enterprise, the reader. */
async function sharedTenants(store: Store, principal: Principal, creditCode: string): Promise<Set<string>> {
  const rows = await store.db.selectFrom('tenants').select('id')
    .where((eb) => eb.or([eb('kind', '=', 'operator'), eb.and([eb('kind', '=', 'enterprise'), eb('creditCode', '=', creditCode)])]))
    .execute();
  return new Set([principal.tenantId, ...rows.map((r) => r.id)]);
}

export async function enterpriseData(store: Store, principal: Principal, datasetDir: string | null, creditCode: string, scope: ConsentScope): Promise<{ facts: ScopedFact[]; truncated: boolean }> {
  const entities = new Set<string>(entitiesOfScope(scope));
  const facts: ScopedFact[] = [];
  if (datasetDir !== null) {
    const dossier = await withReader(datasetDir, async (reader) => {
      try {
        return await reader.dossier(creditCode);
      } catch {
        return null; // not in the dataset: the enterprise may exist only through intake
      }
    });
    if (dossier) for (const entity of entities) for (const row of dossierRows(dossier, entity)) facts.push({ entity, source: 'dataset', row: plain(row) });
  }
  const shared = await sharedTenants(store, principal, creditCode);
  for (const fact of await factsFor(store, creditCode, { entities: entitiesOfScope(scope) })) {
    if (entities.has(fact.entity) && shared.has(fact.tenantId)) facts.push({ entity: fact.entity, source: 'intake', row: fact.row as Record<string, unknown> });
  }
  return { facts: facts.slice(0, DATA_ROWS_MAX), truncated: facts.length > DATA_ROWS_MAX };
}
