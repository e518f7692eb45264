/**
 * Child process of the loan SIGKILL test: first re-posts some operations already acknowledged (they must come back
 * `replayed`), then posts operations FROM.. in order, printing `ack INDEX applied|replayed|refused` after each one
 * has committed (or been refused). The parent kills it with SIGKILL at random moments.
 * Usage: node --import tsx test/loans/sigkill-child.ts (postgres://URL | DATA_DIR) FROM [REPLAY,REPLAY,...]
 */
import { createTenant, getTenant, openStore } from '../../src/store/index.ts';
import { PuhuiUserError } from '../../src/domain/errors.ts';
import { postLoanCommand } from '../../src/loans/store.ts';
import { SIGKILL_OPERATIONS, SIGKILL_TENANT, sigkillOperation } from './sigkill-plan.ts';

const [target, fromText, replayText = '', countText = String(SIGKILL_OPERATIONS)] = process.argv.slice(2);
if (!target || !fromText) throw new Error('usage: sigkill-child TARGET FROM [REPLAYS] [OPERATIONS]');
const operations = Number(countText);
const store = await openStore(target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target });
if (!(await getTenant(store, SIGKILL_TENANT))) await createTenant(store, { id: SIGKILL_TENANT, kind: 'bank', name: 'SIGKILL 测试银行' });
const actor = { tenantId: SIGKILL_TENANT, actor: 'sigkill-child' };
process.stdout.write('ready\n');

async function post(index: number): Promise<string> {
  try {
    const posted = await postLoanCommand(store, actor, sigkillOperation(index));
    return posted.replayed ? 'replayed' : 'applied';
  } catch (error) {
    if (!(error instanceof PuhuiUserError)) throw error;
    return `refused ${error.code}`;
  }
}

for (const index of replayText.split(',').filter((t) => t !== '').map(Number)) process.stdout.write(`replay ${index} ${await post(index)}\n`);
for (let index = Number(fromText); index < operations; index += 1) process.stdout.write(`ack ${index} ${await post(index)}\n`);
process.stdout.write('done\n');
await store.close();
