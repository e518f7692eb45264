/**
 * Randomised command sequences over several loans: after every operation (accepted or refused) the journal is
 * balanced and reconciles to the loan balances, a replayed command changes nothing, and the state survives a
 * JSON round trip.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoanBook, reconcile, type LedgerCommand } from '../../src/loans/ledger.ts';
import { LoanError } from '../../src/loans/errors.ts';
import { AMORTISATIONS } from '../../src/loans/schedule.ts';
import { DAY_COUNTS } from '../../src/loans/calendar.ts';
import { CATEGORIES } from '../../src/loans/policy.ts';
import { principalOutstandingFen } from '../../src/loans/ledger-state.ts';
import { daysPastDue } from '../../src/loans/classification.ts';
import { dayNumber, isoDateOfDay } from '../../src/domain/period.ts';
import { Rng } from '../../src/synth/random.ts';
import { offer, POLICY } from './fixtures.ts';

const OPERATIONS_PER_SEED = 250;
const SEEDS = [1, 2, 3, 4];
const OPEN_LOANS = 4;

/** A loan whose interest was just paid at maturity, to be renewed by the next command. */
const pendingRenewal: { loanId: string | null } = { loanId: null };

function renewal(book: LoanBook, loanId: string, key: string, step: number, rng: Rng): LedgerCommand {
  const loan = book.state.loans[loanId]!;
  return { kind: 'renew', key, date: loan.instalments.at(-1)!.dueDate, loanId, newLoanId: `${loanId}-R${step}`, offer: offer({ debtorId: loan.debtorId, rateBps: 300 + rng.int(900), termMonths: 6 + rng.int(12) }), enterpriseSize: rng.chance(0.8) ? 'small' : 'large' };
}

function randomCommand(rng: Rng, book: LoanBook, day: number, step: number, seed: number): LedgerCommand {
  const key = `s${seed}-op${step}`;
  const date = isoDateOfDay(day);
  if (pendingRenewal.loanId !== null) {
    const loanId = pendingRenewal.loanId;
    pendingRenewal.loanId = null;
    if (book.state.loans[loanId]?.status === 'active') return renewal(book, loanId, key, step, rng);
  }
  const booked = Object.values(book.state.loans).find((l) => l.status === 'booked');
  if (booked && dayNumber(booked.lastDate) <= day) return { kind: 'disburse', key, date, loanId: booked.id };
  const open = Object.values(book.state.loans).filter((l) => l.status === 'active' && dayNumber(l.lastDate) <= day);
  if (open.length < OPEN_LOANS || rng.chance(0.03)) {
    const loanId = `s${seed}-L${step}`;
    const decimals = rng.chance(0.2) ? 0 : 2;
    return { kind: 'book', key, date, loanId, offer: offer({ debtorId: `D${rng.int(12)}`, rateBps: 200 + rng.int(2_000), termMonths: 3 + rng.int(22) }), principalFen: 100 * (1_000 + rng.int(200_000)), method: AMORTISATIONS[rng.int(AMORTISATIONS.length)]!, dayCount: DAY_COUNTS[rng.int(DAY_COUNTS.length)]!, rounding: { decimals, instalmentMultipleFen: rng.chance(0.5) ? 100 : decimals === 0 ? 100 : 1 } };
  }
  const loan = open[rng.int(open.length)]!;
  const loanId = loan.id;
  // What is due by the date (the penalty accrued since the last command comes on top, so it may fall short).
  let owedFen = loan.penaltyReceivableFen + loan.feeReceivableFen;
  for (const i of loan.instalments) if (dayNumber(i.dueDate) <= day) owedFen += i.principalFen + i.interestFen - i.paidPrincipalFen - i.paidInterestFen;
  owedFen = Math.max(1, owedFen);
  const nearMaturity = dayNumber(loan.instalments.at(-1)!.dueDate) - day < 120 && rng.chance(0.3);
  const roll = nearMaturity ? 0.9 : rng.next();
  if (roll < 0.45) return { kind: 'repay', key, date, loanId, amountFen: rng.chance(0.7) ? owedFen + rng.int(200) : 1 + rng.int(owedFen * 2) };
  if (roll < 0.6) return { kind: 'accrue', key, date, loanId };
  if (roll < 0.68) return { kind: 'prepay', key, date, loanId, principalFen: 100 * (1 + rng.int(Math.max(1, Math.floor(principalOutstandingFen(loan) / 100)))), mode: rng.chance(0.5) ? 'shorten-term' : 'lower-instalment' };
  if (roll < 0.73) return { kind: 'charge-fee', key, date, loanId, amountFen: 1 + rng.int(5_000), reason: 'service fee' };
  if (roll < 0.77) return { kind: 'interest-pause', key, date, loanId, periods: 1 + rng.int(3), programme: 'relief' };
  if (roll < 0.81) return { kind: 'reschedule', key, date, loanId, annualRateBps: 100 + rng.int(1_500), programme: 'relief' };
  if (roll < 0.85) return { kind: 'override-classification', key, date, debtorId: loan.debtorId, category: rng.chance(0.3) ? null : CATEGORIES[rng.int(CATEGORIES.length)]!, reason: 'review' };
  if (roll < 0.87) return { kind: 'write-off', key, date, loanId, reason: 'unrecoverable' };
  const maturity = loan.instalments.at(-1)!.dueDate;
  // To renew, the borrower pays at maturity everything but the last principal (with a margin for penalty interest).
  let dueBeforeRenewalFen = loan.penaltyReceivableFen + loan.feeReceivableFen - loan.advanceFen;
  loan.instalments.forEach((i, n) => {
    dueBeforeRenewalFen += i.interestFen - i.paidInterestFen + (n === loan.instalments.length - 1 ? 0 : i.principalFen - i.paidPrincipalFen);
  });
  if (roll < 0.93 && maturity > loan.lastDate && dueBeforeRenewalFen > 0 && dayNumber(maturity) - day < 120) {
    dueBeforeRenewalFen = Math.ceil(dueBeforeRenewalFen * 1.1);
    pendingRenewal.loanId = loanId;
    return { kind: 'repay', key, date: maturity, loanId, amountFen: dueBeforeRenewalFen };
  }
  if (roll < 0.93 && maturity >= loan.lastDate) return renewal(book, loanId, key, step, rng);
  return { kind: 'repay', key, date, loanId, amountFen: owedFen };
}

test('random sequences of loan operations keep the journal balanced and reconciled after every operation', () => {
  let accepted = 0;
  let refused = 0;
  let replayed = 0;
  const kinds = new Set<string>();
  for (const seed of SEEDS) {
    const rng = new Rng(seed, 'ledger-sequences');
    const book = new LoanBook(POLICY);
    pendingRenewal.loanId = null;
    const done: LedgerCommand[] = [];
    let day = dayNumber('2024-01-01');
    for (let step = 0; step < OPERATIONS_PER_SEED; step++) {
      day += rng.chance(0.5) ? 0 : rng.int(20);
      const command = randomCommand(rng, book, day, step, seed);
      const before = book.state;
      const journalLength = book.journal.length;
      try {
        book.apply(command);
        done.push(command);
        kinds.add(command.kind);
        accepted += 1;
      } catch (error) {
        if (!(error instanceof LoanError)) throw new Error(`seed ${seed} step ${step} ${JSON.stringify(command)}: ${(error as Error).stack}`);
        assert.equal(book.state, before, `a refused command changed the state (seed ${seed} step ${step})`);
        assert.equal(book.journal.length, journalLength);
        refused += 1;
      }
      if (done.length > 0 && rng.chance(0.1)) {
        const again = done[rng.int(done.length)]!;
        const state = book.state;
        const result = book.apply(again);
        assert.ok(result.duplicate && result.postings.length === 0 && book.state === state, `replay of ${again.key} changed something`);
        replayed += 1;
      }
      assert.deepEqual(reconcile(book.state, book.journal), [], `seed ${seed} step ${step} after ${JSON.stringify(command)}`);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(book.state)), book.state);
  }
  // The sequences really exercise the ledger: most commands are accepted, every kind happens, some are refused.
  assert.ok(accepted > OPERATIONS_PER_SEED * SEEDS.length * 0.7, `accepted ${accepted}`);
  assert.ok(refused > 0 && replayed > 50, `refused ${refused}, replayed ${replayed}`);
  for (const kind of ['book', 'disburse', 'repay', 'accrue', 'prepay', 'charge-fee', 'interest-pause', 'reschedule', 'override-classification', 'write-off', 'renew']) assert.ok(kinds.has(kind), `no ${kind} was accepted`);
});
