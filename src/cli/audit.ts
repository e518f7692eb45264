/** `puhui audit verify`: walks the store's audit chain and names the first broken entry (exit code 1 if any). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, print, UsageError } from './args.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { DEFAULT_DATA_DIR, openStore, StoreUnavailableError, verifyAuditChain, type AuditVerification, type Store } from '../store/index.ts';

export const AUDIT_BROKEN_EXIT_CODE = 1;

class StoreUnreachableError extends PuhuiUserError {
  constructor(message: string) { super(message, 'store_unavailable'); }
}

export async function commandAudit(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { database: { type: 'string' }, data: { type: 'string' } });
  if (positionals[0] !== 'verify' || positionals.length !== 1) throw new UsageError('usage: puhui audit verify [--database URL | --data DIR] [--json]');
  if (typeof flags.database === 'string' && typeof flags.data === 'string') throw new UsageError('give --database or --data, not both');
  const store = await openForAudit(flags);
  let verdict: AuditVerification;
  try {
    verdict = await verifyAuditChain(store);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw new StoreUnreachableError(error.message);
    throw error;
  } finally {
    await store.close();
  }
  print(flags.json === true, verdict, () => renderVerdict(verdict));
  if (!verdict.ok) process.exitCode = AUDIT_BROKEN_EXIT_CODE;
}

async function openForAudit(flags: Record<string, string | boolean | undefined>): Promise<Store> {
  const databaseUrl = typeof flags.database === 'string' ? flags.database : undefined;
  const useDataDir = databaseUrl === undefined && (typeof flags.data === 'string' || !process.env.DATABASE_URL);
  const dataDir = resolve(typeof flags.data === 'string' ? flags.data : DEFAULT_DATA_DIR);
  // Verifying must not create an empty store where none was: that would report a clean, empty chain.
  if (useDataDir && !existsSync(dataDir)) throw new UsageError(`no store at ${dataDir}; give --data DIR or --database URL`);
  try {
    return await openStore(useDataDir ? { dataDir } : { ...(databaseUrl ? { databaseUrl } : {}) });
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw new StoreUnreachableError(error.message);
    throw error;
  }
}

function renderVerdict(verdict: AuditVerification): string {
  if (verdict.ok) return `audit chain intact: ${verdict.entries} entries verified. 审计链完整。`;
  const lines = [`audit chain BROKEN: ${verdict.broken.length} problem(s) in ${verdict.entries} entries. 审计链已被篡改。`];
  lines.push(`first broken entry: #${verdict.firstBroken!.id}: ${verdict.firstBroken!.reason}`);
  for (const broken of verdict.broken.slice(1)) lines.push(`  also #${broken.id}: ${broken.reason}`);
  return lines.join('\n');
}
