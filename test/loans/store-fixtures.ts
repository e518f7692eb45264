/**
 * Stores for the store-backed ledger tests: a fresh PostgreSQL database (dropped afterwards) or PGlite — in memory,
 * or in a data folder of its own. (Not test/store's shared PGlite template: it is keyed by migrations.ts alone, so a
 * template migrated by another area's branch would not match this one's migrations.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTenant, insertDecision, openStore, type Store } from '../../src/store/index.ts';
import { createPostgresDatabase, creditCode } from '../store/backends.ts';
import type { Offer } from '../../src/loans/ledger-state.ts';
import type { LedgerCommand } from '../../src/loans/ledger.ts';
import { loanIdOf, type LoanRequest } from '../../src/loans/store.ts';

export type LoanBackend = 'postgres' | 'pglite';
export const LOAN_BACKENDS: readonly LoanBackend[] = ['postgres', 'pglite'];

export interface LoanStore { store: Store; url: string | null; dataDir: string | null; close(): Promise<void> }

export async function openLoanStore(backend: LoanBackend, label: string, options: { folder?: boolean } = {}): Promise<LoanStore> {
  if (backend === 'postgres') {
    const database = await createPostgresDatabase(label);
    const store = await openStore({ databaseUrl: database.url });
    return { store, url: database.url, dataDir: null, close: async () => { await store.close(); await database.drop(); } };
  }
  if (options.folder) {
    const root = mkdtempSync(join(tmpdir(), 'puhui-loans-'));
    const dataDir = join(root, 'data');
    const store = await openStore({ dataDir });
    return { store, url: null, dataDir, close: async () => { await store.close(); rmSync(root, { recursive: true, force: true }); } };
  }
  const store = await openStore({ dataDir: 'memory://' });
  return { store, url: null, dataDir: null, close: () => store.close() };
}

export const DEBTOR_A = creditCode(31_001);
export const DEBTOR_B = creditCode(31_002);

/** A bank tenant. */
export async function bank(store: Store, name: string): Promise<string> {
  return (await createTenant(store, { kind: 'bank', name })).id;
}

/** A stored decision of a bank for a debtor, as the online path records it. */
export async function decision(store: Store, tenantId: string, debtorId: string, change: { outcome?: string; limitFen?: number; rateBps?: number; termMonths?: number } = {}): Promise<string> {
  const outcome = change.outcome ?? 'approve';
  const strategy = { id: 'tax-loan', version: '1.0.0', hash: 'f00dfeed1234' };
  const row = await insertDecision(store, {
    tenantId, applicationId: null, creditCode: debtorId, consentId: null, outcome,
    limitFen: change.limitFen ?? 50_000_000, rateBps: outcome === 'decline' ? null : change.rateBps ?? 1_200, termMonths: outcome === 'decline' ? null : change.termMonths ?? 12,
    strategy: `${strategy.id}@${strategy.version}#${strategy.hash}`, record: { asOf: '2026-01-31', decision: { strategy } }, actor: 'test',
  });
  return row.id;
}

export function offerFor(debtorId: string, change: Partial<Offer> = {}): Offer {
  return { debtorId, decidedOn: '2026-01-31', outcome: 'approve', limitFen: 100_000_000, rateBps: 1_200, termMonths: 12, strategy: { id: 'tax-loan', version: '1.0.0', hash: 'f00dfeed1234' }, ...change };
}

/** The in-process command a store request becomes (booking: the derived loan id and the source's offer). */
export function ledgerCommandOf(request: LoanRequest, tenantId: string): LedgerCommand {
  if (request.kind === 'book') {
    if (request.source.kind !== 'offer') throw new Error('the mirror books from offers');
    const { source, ...rest } = request;
    return { ...rest, loanId: loanIdOf(tenantId, request.key), offer: source.offer };
  }
  if (request.kind === 'renew') throw new Error('the mirror does not renew');
  return request;
}
