import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { furthest, marketStatusOf, marketStatuses, marketTablesPresent } from '../../src/platform/whitelist-market.ts';
import { createTenant } from '../../src/store/index.ts';
import { creditCode, openTestStore, type OpenedStore } from '../store/backends.ts';

test('the market\'s claim and offer states map onto the whitelist\'s, the furthest along counting', () => {
  assert.equal(marketStatusOf('active', null), 'claimed');
  assert.equal(marketStatusOf('offered', 'pending'), 'offered');
  assert.equal(marketStatusOf('accepted', 'accepted'), 'booked');
  assert.equal(marketStatusOf('offered', 'accepted'), 'booked');
  for (const claim of ['declined', 'expired', 'lapsed']) assert.equal(marketStatusOf(claim, null), 'declined');
  assert.equal(marketStatusOf('offered', 'lapsed'), 'offered');
  assert.equal(furthest('declined', 'claimed'), 'claimed');
  assert.equal(furthest('booked', 'offered'), 'booked');
});

let opened: OpenedStore;
before(async () => { opened = await openTestStore('pglite', 'gov-market'); });
after(() => opened.close());

test('without the market\'s tables there is no market status; with them, a dispatched firm\'s progress with its own bank is read', async (t) => {
  const db = opened.store.db;
  const bank = await createTenant(opened.store, { kind: 'bank', name: '银行甲' });
  const otherBank = await createTenant(opened.store, { kind: 'bank', name: '银行乙' });
  const firms = [{ creditCode: creditCode(1), bankTenantId: bank.id }, { creditCode: creditCode(2), bankTenantId: bank.id }, { creditCode: creditCode(3), bankTenantId: null }];
  if (await marketTablesPresent(db)) {
    // Merged with the market's migrations: its own tests fill these tables; here only the mapping above is checked.
    t.skip('the market\'s tables exist in this build; their rows are the market tests\' to make');
    return;
  }
  assert.equal((await marketStatuses(db, firms)).size, 0);
  // Only the columns this module reads, as the market's migration names them.
  for (const statement of [
    'CREATE TABLE platform_needs (id text PRIMARY KEY, credit_code text NOT NULL)',
    'CREATE TABLE platform_claims (id text PRIMARY KEY, tenant_id text NOT NULL, need_id text NOT NULL, status text NOT NULL)',
    'CREATE TABLE platform_offers (id text PRIMARY KEY, claim_id text NOT NULL, status text NOT NULL)',
  ]) await sql.raw(statement).execute(db);
  await sql.raw(`INSERT INTO platform_needs VALUES ('n1', '${creditCode(1)}'), ('n2', '${creditCode(1)}'), ('n3', '${creditCode(2)}'), ('n4', '${creditCode(3)}')`).execute(db);
  await sql.raw(`INSERT INTO platform_claims VALUES ('c1', '${bank.id}', 'n1', 'declined'), ('c2', '${bank.id}', 'n2', 'offered'),
    ('c3', '${otherBank.id}', 'n3', 'accepted'), ('c4', '${bank.id}', 'n4', 'active')`).execute(db);
  await sql.raw(`INSERT INTO platform_offers VALUES ('o2', 'c2', 'accepted')`).execute(db);
  const statuses = await marketStatuses(db, firms);
  // Firm 1: declined on one need, accepted on another → booked. Firm 2: only another bank's claim → none. Firm 3: not dispatched.
  assert.deepEqual([...statuses.entries()], [[`${creditCode(1)} ${bank.id}`, 'booked']]);
});
