/**
 * The ledger on the store, on PostgreSQL and PGlite: loans booked from stored decisions, every command in a
 * transaction under an idempotency key unique in the database (a repeat returns the first result and posts
 * nothing), the journal balanced against the loan rows (checkLedger), and command for command the same state
 * and journal as the in-process ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkLedger, getLoan, journalOfLoan, loanIdOf, loansOfEnterprise, postLoanCommand, type LoanActor, type LoanRequest } from '../../src/loans/store.ts';
import { LoanBook } from '../../src/loans/ledger.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { verifyAuditChain, type Store } from '../../src/store/index.ts';
import { AMORTISATIONS } from '../../src/loans/schedule.ts';
import { dayNumber, isoDateOfDay } from '../../src/domain/period.ts';
import { Rng } from '../../src/synth/random.ts';
import { POLICY } from './fixtures.ts';
import { bank, DEBTOR_A, DEBTOR_B, decision, ledgerCommandOf, LOAN_BACKENDS, offerFor, openLoanStore, type LoanStore } from './store-fixtures.ts';

const RANDOM_COMMANDS = 160;

for (const backend of LOAN_BACKENDS) {
  describe(`the store-backed ledger (${backend})`, () => {
    let opened: LoanStore;
    let store: Store;
    let actor: LoanActor;
    let otherBank: LoanActor;
    before(async () => {
      opened = await openLoanStore(backend, 'loanstore');
      store = opened.store;
      actor = { tenantId: await bank(store, '测试银行'), actor: 'teller-1' };
      otherBank = { tenantId: await bank(store, '另一家银行'), actor: 'teller-9' };
    });
    after(async () => opened?.close());

    test('books a loan from an approved decision, disburses and repays it, and the journal balances against the loan', async () => {
      const decisionId = await decision(store, actor.tenantId, DEBTOR_A, { limitFen: 20_000_000, rateBps: 1_200, termMonths: 12 });
      const booked = await postLoanCommand(store, actor, { kind: 'book', key: 'book-1', date: '2026-02-01', source: { kind: 'decision', id: decisionId }, principalFen: 10_000_000, method: 'equal-instalment' });
      assert.equal(booked.loanId, loanIdOf(actor.tenantId, 'book-1'));
      assert.equal(booked.status, 'booked');
      const loanId = booked.loanId!;
      await postLoanCommand(store, actor, { kind: 'disburse', key: 'disburse-1', date: '2026-02-01', loanId });
      const { loan } = await getLoan(store, actor.tenantId, loanId);
      assert.equal(loan.instalments.length, 12);
      assert.equal(loan.offer.rateBps, 1_200);
      for (const instalment of loan.instalments.slice(0, 3)) {
        await postLoanCommand(store, actor, { kind: 'repay', key: `pay-${instalment.number}`, date: instalment.dueDate, loanId, amountFen: instalment.principalFen + instalment.interestFen });
      }
      const after3 = (await getLoan(store, actor.tenantId, loanId)).loan;
      assert.deepEqual(after3.instalments.slice(0, 3).map((i) => i.paidPrincipalFen === i.principalFen && i.paidInterestFen === i.interestFen), [true, true, true]);
      const journal = await journalOfLoan(store, actor.tenantId, loanId);
      const principalFen = journal.filter((l) => l.account === 'loan_principal').reduce((sum, l) => sum + l.debitFen - l.creditFen, 0);
      assert.equal(principalFen, 10_000_000 - after3.instalments.slice(0, 3).reduce((sum, i) => sum + i.principalFen, 0));
      assert.deepEqual((await checkLedger(store)).problems, []);
      assert.equal((await loansOfEnterprise(store, DEBTOR_A)).length, 1);
      assert.equal((await verifyAuditChain(store)).ok, true);
    });

    test('a repeated key returns the first result and posts nothing; the same key for another command is refused', async () => {
      const decisionId = await decision(store, actor.tenantId, DEBTOR_B);
      const first = await postLoanCommand(store, actor, { kind: 'book', key: 'book-2', date: '2026-03-01', source: { kind: 'decision', id: decisionId }, principalFen: 3_000_000, method: 'equal-principal' });
      const loanId = first.loanId!;
      const disbursed = await postLoanCommand(store, actor, { kind: 'disburse', key: 'disburse-2', date: '2026-03-01', loanId });
      const linesBefore = (await journalOfLoan(store, actor.tenantId, loanId)).length;
      const again = await postLoanCommand(store, actor, { kind: 'disburse', key: 'disburse-2', date: '2026-03-01', loanId });
      assert.equal(again.replayed, true);
      assert.deepEqual({ ...again, replayed: false }, disbursed);
      assert.equal((await journalOfLoan(store, actor.tenantId, loanId)).length, linesBefore);
      const rebook = await postLoanCommand(store, actor, { kind: 'book', key: 'book-2', date: '2026-03-01', source: { kind: 'decision', id: decisionId }, principalFen: 3_000_000, method: 'equal-principal' });
      assert.equal(rebook.replayed, true);
      assert.equal(rebook.loanId, loanId);
      await assert.rejects(postLoanCommand(store, actor, { kind: 'repay', key: 'disburse-2', date: '2026-03-05', loanId, amountFen: 100 }), (e: LoanError) => e.code === 'idempotency_conflict');
      // The same decision under a new key is not a second loan.
      await assert.rejects(postLoanCommand(store, actor, { kind: 'book', key: 'book-2b', date: '2026-03-01', source: { kind: 'decision', id: decisionId }, principalFen: 3_000_000, method: 'equal-principal' }), (e: LoanError) => e.code === 'conflict');
      // Concurrent requests with one key: one posts, the others get its result.
      const racing = await Promise.all(Array.from({ length: 4 }, () => postLoanCommand(store, actor, { kind: 'repay', key: 'race-1', date: '2026-04-01', loanId, amountFen: 500_000 })));
      assert.equal(racing.filter((r) => !r.replayed).length, 1);
      assert.equal(new Set(racing.map((r) => JSON.stringify(r.postingKeys))).size, 1);
      const received = (await journalOfLoan(store, actor.tenantId, loanId)).filter((l) => l.event === 'repayment-received' && l.account === 'cash');
      assert.equal(received.length, 1);
      assert.deepEqual((await checkLedger(store)).problems, []);
    });

    test("refuses a declined decision, another bank's decision and another bank's loan", async () => {
      const declined = await decision(store, actor.tenantId, DEBTOR_A, { outcome: 'decline', limitFen: 0 });
      await assert.rejects(postLoanCommand(store, actor, { kind: 'book', key: 'book-declined', date: '2026-03-01', source: { kind: 'decision', id: declined }, principalFen: 100_000, method: 'flat' }), (e: LoanError) => e.code === 'loan_terms');
      const theirs = await decision(store, otherBank.tenantId, DEBTOR_A);
      await assert.rejects(postLoanCommand(store, actor, { kind: 'book', key: 'book-theirs', date: '2026-03-01', source: { kind: 'decision', id: theirs }, principalFen: 100_000, method: 'flat' }), (e: LoanError) => e.code === 'not_found');
      const ours = (await loansOfEnterprise(store, DEBTOR_A))[0]!.loan.id;
      await assert.rejects(postLoanCommand(store, otherBank, { kind: 'repay', key: 'steal', date: '2026-06-01', loanId: ours, amountFen: 100 }), (e: LoanError) => e.code === 'not_found');
      await assert.rejects(getLoan(store, otherBank.tenantId, ours), (e: LoanError) => e.code === 'not_found');
      // Nothing of the refusals was written.
      assert.equal(await store.db.selectFrom('loanCommands').select('idempotencyKey').where('idempotencyKey', 'in', ['book-declined', 'book-theirs', 'steal']).execute().then((r) => r.length), 0);
    });

    test('checkLedger finds a journal line written twice: the posting unbalanced and the loan off its journal', async () => {
      const tenantId = await bank(store, '篡改银行');
      const mirror: LoanActor = { tenantId, actor: 'tamper' };
      const booked = await postLoanCommand(store, mirror, { kind: 'book', key: 'tamper-book', date: '2026-02-01', source: { kind: 'offer', id: 'tamper-offer', offer: offerFor(DEBTOR_A) }, principalFen: 1_000_000, method: 'flat' });
      const disbursed = await postLoanCommand(store, mirror, { kind: 'disburse', key: 'tamper-disburse', date: '2026-02-01', loanId: booked.loanId! });
      assert.deepEqual((await checkLedger(store, { tenantId })).problems, []);
      const line = await store.db.selectFrom('loanJournal').selectAll().where('tenantId', '=', tenantId).where('postingKey', '=', disbursed.postingKeys[0]!).where('account', '=', 'loan_principal').executeTakeFirstOrThrow();
      const { entrySeq, ...copy } = line;
      await store.db.insertInto('loanJournal').values({ ...copy, lineNo: 99 }).execute();
      const problems = (await checkLedger(store, { tenantId })).problems;
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.match(problems[0]!, /unbalanced/);
      assert.match(problems[1]!, /journal loan_principal 2000000 ≠ loan 1000000/);
    });

    test('command for command, the stored ledger holds the same loans and journal as the in-process ledger', async () => {
      const tenantId = await bank(store, '对照银行');
      const mirror: LoanActor = { tenantId, actor: 'mirror' };
      const book = new LoanBook(POLICY);
      const rng = new Rng(backend === 'postgres' ? 7 : 8, 'store-mirror');
      let day = dayNumber('2026-01-05');
      let stored = 0;
      let refused = 0;
      for (let step = 0; step < RANDOM_COMMANDS; step += 1) {
        day += rng.int(9);
        const request = randomRequest(rng, book, isoDateOfDay(day), step, tenantId);
        let inProcess: unknown = null;
        try {
          book.apply(ledgerCommandOf(request, tenantId));
        } catch (error) {
          if (!(error instanceof LoanError)) throw error;
          inProcess = error.code;
        }
        const onStore = await postLoanCommand(store, mirror, request).then(() => null, (error: LoanError) => {
          if (!(error instanceof LoanError)) throw error;
          return error.code;
        });
        assert.equal(onStore, inProcess, `step ${step} ${request.kind}: store ${onStore}, in process ${inProcess}`);
        if (onStore === null) stored += 1;
        else refused += 1;
      }
      for (const loan of Object.values(book.state.loans)) {
        const { loan: storedLoan } = await getLoan(store, tenantId, loan.id);
        assert.deepEqual(storedLoan, { ...loan, appliedKeys: {} }, `loan ${loan.id}`);
        const journal = await journalOfLoan(store, tenantId, loan.id);
        const expected = book.journal.flatMap((p) => p.lines.filter((l) => l.loanId === loan.id).map((l) => `${p.key} ${p.event} ${l.account} ${l.debitFen} ${l.creditFen}`));
        assert.deepEqual(journal.map((l) => `${l.postingKey} ${l.event} ${l.account} ${l.debitFen} ${l.creditFen}`), expected, `journal of ${loan.id}`);
      }
      const check = await checkLedger(store, { tenantId });
      assert.deepEqual(check.problems, []);
      assert.ok(stored > RANDOM_COMMANDS / 2 && refused > 0, `${stored} applied, ${refused} refused`);
    });
  });
}

/** A random command over a handful of loans booked from offers (some refused: too early, too much, closed). */
function randomRequest(rng: Rng, book: LoanBook, date: string, step: number, tenantId: string): LoanRequest {
  const key = `m-${step}`;
  const loans = Object.values(book.state.loans);
  const booked = loans.find((l) => l.status === 'booked');
  if (booked) return { kind: 'disburse', key, date, loanId: booked.id };
  const open = loans.filter((l) => l.status === 'active');
  if (open.length < 3) {
    const method = AMORTISATIONS[rng.int(AMORTISATIONS.length)]!;
    return { kind: 'book', key, date, source: { kind: 'offer', id: `offer-${step}`, offer: offerFor(rng.chance(0.5) ? DEBTOR_A : DEBTOR_B, { termMonths: 3 + rng.int(9), rateBps: 400 + rng.int(1_400) }) }, principalFen: 100 * (5_000 + rng.int(50_000)), method };
  }
  const loan = open[rng.int(open.length)]!;
  const loanId = loan.id;
  const roll = rng.next();
  if (roll < 0.5) {
    let owedFen = loan.penaltyReceivableFen + loan.feeReceivableFen;
    for (const i of loan.instalments) if (i.dueDate <= date) owedFen += i.principalFen + i.interestFen - i.paidPrincipalFen - i.paidInterestFen;
    return { kind: 'repay', key, date, loanId, amountFen: Math.max(1, owedFen + rng.int(30_000) - 10_000) };
  }
  if (roll < 0.6) return { kind: 'accrue', key, date, loanId };
  if (roll < 0.7) return { kind: 'prepay', key, date, loanId, principalFen: 100 * (1 + rng.int(2_000)), mode: rng.chance(0.5) ? 'shorten-term' : 'lower-instalment' };
  if (roll < 0.78) return { kind: 'charge-fee', key, date, loanId, amountFen: 1 + rng.int(3_000), reason: 'late notice' };
  if (roll < 0.84) return { kind: 'interest-pause', key, date, loanId, periods: 1 + rng.int(3), programme: '火神山' };
  if (roll < 0.9) return { kind: 'reschedule', key, date, loanId, annualRateBps: 300 + rng.int(900), programme: 'rate cut' };
  if (roll < 0.95) return { kind: 'override-classification', key, date, debtorId: loan.debtorId, category: rng.chance(0.5) ? 'special_mention' : null, reason: 'site visit' };
  return { kind: 'write-off', key, date, loanId, reason: 'court ruling' };
}
