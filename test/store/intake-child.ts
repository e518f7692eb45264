/**
 * Child process of the SIGKILL test: ingests one big batch into a PostgreSQL store and reports progress on stdout
 * (`progress N` after each chunk written inside the transaction, `done …` after the commit). The parent kills it.
 * Usage: node --import tsx test/store/intake-child.ts DATABASE_URL TENANT_ID IDEMPOTENCY_KEY ROWS
 */
import { openStore, ingestBatch } from '../../src/store/index.ts';
import { bigInvoiceBatch } from './backends.ts';

const [databaseUrl, tenantId, idempotencyKey, rowsText] = process.argv.slice(2);
if (!databaseUrl || !tenantId || !idempotencyKey || !rowsText) throw new Error('usage: intake-child URL TENANT KEY ROWS');
const store = await openStore({ databaseUrl });
process.stdout.write('ready\n');
const result = await ingestBatch(store, {
  tenantId, entity: 'invoices', rows: bigInvoiceBatch(Number(rowsText)), idempotencyKey,
  onProgress: (written) => process.stdout.write(`progress ${written}\n`),
});
process.stdout.write(`done ${result.batchId} ${result.accepted}\n`);
await store.close();
