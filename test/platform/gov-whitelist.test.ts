import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, Store } from '../../src/store/index.ts';
import {
  listDispatchedFirms, listWhitelistFirms, reportFirmStatus, runDispatch, uploadWhitelist, whitelistProgress, getWhitelist,
} from '../../src/platform/whitelist.ts';
import { readWhitelistCsv } from '../../src/platform/whitelist-file.ts';
import { BACKENDS, creditCode, openTestStore, principalOf, type OpenedStore } from '../store/backends.ts';

const HEADER = 'creditCode,name,amountFen,termMonths,rating,expectedLossBps,industrySection,regionCode';
function line(n: number, amountFen: number, rating: string, el: number): string {
  return `${creditCode(n)},威海企业${n},${amountFen},12,${rating},${el},C,371000`;
}

test('a whitelist CSV keeps its valid rows and names each bad row by line and field', async () => {
  const csv = [HEADER, line(1, 100_000_000, 'A', 100), `${creditCode(2)},坏金额,12.5,12,A,100,C,371000`, line(3, 50_000_000, 'E', 100),
    `91350100M000100Y4Z,坏代码,100,12,A,100,C,371000`, line(1, 1, 'A', 1), line(6, 50_000_000, 'B', 300)].join('\n');
  const result = await readWhitelistCsv(csv);
  assert.deepEqual(result.rows.map((r) => r.creditCode), [creditCode(1), creditCode(6)]);
  assert.equal(result.rowCount, 6);
  assert.equal(result.rejectedRows, 4);
  const byLine = new Map(result.rejected.map((r) => [r.line, r.column]));
  assert.deepEqual([...byLine.entries()], [[3, 'amountFen'], [4, 'rating'], [5, 'creditCode'], [6, 'creditCode']]);
  assert.match(result.rejected.find((r) => r.line === 6)!.message, /repeats the key/);
});

test('an incomplete whitelist file is refused whole: a missing column, a ragged row, no rows', async () => {
  await assert.rejects(readWhitelistCsv([HEADER.replace(',rating', ''), `${creditCode(1)},甲,100,12,100,C,371000`].join('\n')), { code: 'whitelist_incomplete', message: /rating/ });
  await assert.rejects(readWhitelistCsv([HEADER, line(1, 100, 'A', 1), `${creditCode(2)},乙,100,12`].join('\n')), { code: 'whitelist_incomplete' });
  await assert.rejects(readWhitelistCsv(HEADER), { code: 'whitelist_incomplete' });
});

for (const backend of BACKENDS) {
  describe(`whitelist dispatch on ${backend}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let government: Principal;
    let otherGovernment: Principal;
    let bankA: Principal;
    let bankB: Principal;
    before(async () => {
      opened = await openTestStore(backend, 'whitelist');
      store = opened.store;
      government = await principalOf(store, 'government', '威海市地方金融监督管理局');
      otherGovernment = await principalOf(store, 'government', '另一个部门');
      bankA = await principalOf(store, 'bank', '威海市商业银行');
      bankB = await principalOf(store, 'bank', '农商银行');
    });
    after(() => opened.close());

    test('a department uploads, dispatches within capacities, and follows each firm as its bank reports progress', async () => {
      const csv = [HEADER, ...Array.from({ length: 8 }, (_, i) => line(100 + i, (i + 1) * 10_000_000, i === 7 ? 'D' : 'A', 50 + 20 * i))].join('\n');
      const { whitelist, rejectedRows } = await uploadWhitelist(store, government, { name: '2026年第四季度白名单', csv });
      assert.equal(rejectedRows, 0);
      await assert.rejects(uploadWhitelist(store, bankA, { name: 'x', csv }), { code: 'forbidden' });
      await assert.rejects(getWhitelist(store, otherGovernment, whitelist.id), { code: 'not_found' });
      const product = { productId: 'tax-loan', amountFenMin: 1, amountFenMax: 1_000_000_000, ratings: ['A', 'B', 'C'] as ('A' | 'B' | 'C')[], industries: [], regions: ['37'], rateBps: 400 };
      const run = await runDispatch(store, government, whitelist.id, {
        banks: [
          { bankTenantId: bankA.tenantId, firmCountMax: 3, amountFenMax: 200_000_000, ratingMin: 'B', expectedLossBpsMax: 150, products: [product] },
          { bankTenantId: bankB.tenantId, firmCountMax: 3, amountFenMax: 1_000_000_000, ratingMin: 'C', expectedLossBpsMax: 150, products: [product] },
        ],
      });
      assert.equal(run.method, 'mip');
      assert.equal(run.status, 'Optimal');
      const baseline = run.baseline as { objectiveValue: number };
      assert.ok(run.objectiveValue >= baseline.objectiveValue);
      const firms = await listWhitelistFirms(store, government, whitelist.id, { limit: 100 });
      const dispatched = firms.items.filter((f) => f.status === 'dispatched');
      assert.equal(dispatched.length, run.matched);
      assert.equal(firms.items.find((f) => f.creditCode === creditCode(107))!.status, 'unmatched');
      for (const bank of [bankA, bankB]) {
        const mine = dispatched.filter((f) => f.bankTenantId === bank.tenantId);
        assert.ok(mine.length <= 3);
        const queue = await listDispatchedFirms(store, bank, { limit: 100 });
        assert.deepEqual(queue.items.map((f) => f.creditCode).sort(), mine.map((f) => f.creditCode).sort());
      }
      const followed = dispatched[0]!;
      const owner = followed.bankTenantId === bankA.tenantId ? bankA : bankB;
      const stranger = owner === bankA ? bankB : bankA;
      await assert.rejects(reportFirmStatus(store, stranger, whitelist.id, followed.creditCode, 'claimed'), { code: 'not_found' });
      await assert.rejects(reportFirmStatus(store, owner, whitelist.id, followed.creditCode, 'booked'), { code: 'conflict' });
      for (const status of ['claimed', 'offered', 'booked'] as const) await reportFirmStatus(store, owner, whitelist.id, followed.creditCode, status);
      const progress = await whitelistProgress(store, government, whitelist.id);
      assert.equal(progress.booked, 1);
      assert.equal(progress.dispatched, run.matched - 1);
      assert.equal(progress.unmatched, 8 - run.matched);
      // A second run leaves the booked firm with its bank.
      await runDispatch(store, government, whitelist.id, { method: 'greedy', banks: [{ bankTenantId: stranger.tenantId, firmCountMax: 10, amountFenMax: 1e10, ratingMin: 'C', expectedLossBpsMax: 10_000, products: [product] }] });
      const after = await listWhitelistFirms(store, government, whitelist.id, { limit: 100, status: 'booked' });
      assert.deepEqual(after.items.map((f) => [f.creditCode, f.bankTenantId]), [[followed.creditCode, owner.tenantId]]);
    });
  });
}
