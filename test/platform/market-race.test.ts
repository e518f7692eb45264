/**
 * The claim race (抢单): 50 banks claim one need at the same instant. On a first-wins product line exactly one
 * claim is taken and 49 are refused; on a multi-offer line exactly k. PostgreSQL runs it over 50 concurrent
 * connections (one per bank, all in flight at once); PGlite, one connection, runs the same race serialised.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { claimNeed, loadPlatformPolicy, publishNeed, publishProduct } from '../../src/platform/market.ts';
import type { Principal } from '../../src/store/index.ts';
import { BACKENDS, INVOICE_LOAN_TERMS, openMarketStore, party, registeredEnterprise, TAX_LOAN_TERMS, type MarketStore } from './market-fixture.ts';

const BANKS = 50;
const policy = loadPlatformPolicy();

for (const backend of BACKENDS) {
  describe(`the claim race on ${backend}`, () => {
    let market: MarketStore;
    let firm: Principal;
    const banks: { principal: Principal; taxProductId: string; invoiceProductId: string }[] = [];

    before(async () => {
      market = await openMarketStore(backend, 'market_race', { poolSizeMax: BANKS });
      firm = await registeredEnterprise(market.store, 1);
      for (let k = 0; k < BANKS; k++) {
        const principal = await party(market.store, 'bank', `银行${k + 1}`);
        const taxProductId = (await publishProduct(market.store, principal, TAX_LOAN_TERMS)).id;
        const invoiceProductId = (await publishProduct(market.store, principal, INVOICE_LOAN_TERMS)).id;
        banks.push({ principal, taxProductId, invoiceProductId });
      }
    });
    after(async () => market?.close());

    async function race(productLine: 'tax_loan' | 'invoice_loan'): Promise<{ won: number; refusals: Set<string>; claimsActive: number; rows: number }> {
      const need = await publishNeed(market.store, firm, { amountFen: 50_000_000, termMonths: 12, purpose: '流动资金', productLine });
      const results = await Promise.allSettled(banks.map((bank) => claimNeed(market.store, bank.principal, {
        needId: need.id, productId: productLine === 'tax_loan' ? bank.taxProductId : bank.invoiceProductId,
      })));
      const refusals = new Set(results.filter((r) => r.status === 'rejected').map((r) => String((r.reason as { code?: string }).code)));
      const stored = await market.store.db.selectFrom('platformNeeds').select('claimsActive').where('id', '=', need.id).executeTakeFirstOrThrow();
      const rows = await market.store.db.selectFrom('platformClaims').select('id').where('needId', '=', need.id).execute();
      return { won: results.filter((r) => r.status === 'fulfilled').length, refusals, claimsActive: stored.claimsActive, rows: rows.length };
    }

    test('50 banks claim one first-wins need at the same instant: exactly one winner, 49 conflicts', async () => {
      const outcome = await race('tax_loan');
      assert.deepEqual(outcome, { won: 1, refusals: new Set(['conflict']), claimsActive: 1, rows: 1 });
    });

    test('50 banks claim one multi-offer need at once: exactly k claims', async () => {
      const k = policy.productLines.invoice_loan!.offersMax;
      const outcome = await race('invoice_loan');
      assert.deepEqual(outcome, { won: k, refusals: new Set(['conflict']), claimsActive: k, rows: k });
    });

    test('the database itself refuses an overfull need, whatever the code does', async () => {
      const need = await publishNeed(market.store, firm, { amountFen: 50_000_000, termMonths: 12, purpose: '流动资金', productLine: 'tax_loan' });
      await assert.rejects(sql`UPDATE platform_needs SET claims_active = 2 WHERE id = ${need.id}`.execute(market.store.db), /check constraint/);
    });

    if (backend === 'postgres') {
      test('the race really ran over 50 connections at once', async () => {
        const need = await publishNeed(market.store, firm, { amountFen: 50_000_000, termMonths: 12, purpose: '流动资金', productLine: 'tax_loan' });
        // Hold the need's row lock so every claimer is blocked inside its own transaction, then count the waiters.
        let release!: () => void;
        const held = new Promise<void>((resolve) => { release = resolve; });
        const locker = market.store.db.transaction().execute(async (tx) => {
          await tx.selectFrom('platformNeeds').select('id').where('id', '=', need.id).forUpdate().execute();
          await held;
        });
        const claims = Promise.allSettled(banks.slice(1).map((bank) => claimNeed(market.store, bank.principal, { needId: need.id, productId: bank.taxProductId })));
        // The store's pool is all taken (the lock holder and 49 claimers): watch from a connection of our own.
        const observer = new pg.Client({ connectionString: market.url });
        await observer.connect();
        let observed = 0;
        try {
          for (let attempt = 0; attempt < 400 && observed < BANKS - 1; attempt++) {
            const { rows } = await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
            observed = Math.max(observed, rows[0]!.n);
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        } finally {
          await observer.end();
        }
        release();
        await locker;
        const results = await claims;
        assert.equal(observed, BANKS - 1, `${observed} claim transactions were waiting on the need's lock at once`);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      });
    }
  });
}

