/** Revolving lines (随借随还): daily interest on the drawn balance, the available limit, expiry and renewal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyLineCommand, availableFen, lineDaysPastDue, openCreditLine, reconcileLines, type CreditLine, type LineCommand } from '../../src/loans/revolving.ts';
import { LoanError } from '../../src/loans/errors.ts';
import type { Posting } from '../../src/loans/journal.ts';
import { dayNumber, isoDateOfDay } from '../../src/domain/period.ts';
import { Rng } from '../../src/synth/random.ts';
import { offer } from './fixtures.ts';

/** A line of 100,000 yuan at 3.65 %/yr, actual/365, open for a year from 2025-03-01. */
function line(change: { dayCount?: 'actual/365' | 'actual/360' | '30/360'; rateBps?: number } = {}): CreditLine {
  return openCreditLine({ lineId: 'LINE1', offer: offer({ limitFen: 10_000_000, rateBps: change.rateBps ?? 365 }), openedOn: '2025-03-01', expiresOn: '2026-02-28', dayCount: change.dayCount ?? 'actual/365' });
}

/** A line command without its key: the run makes one up. */
type Unkeyed = LineCommand extends infer C ? (C extends LineCommand ? Omit<C, 'key'> : never) : never;

class Run {
  journal: Posting[] = [];
  constructor(public line: CreditLine) {}
  apply(command: Unkeyed): void {
    const applied = applyLineCommand(this.line, { key: `${command.kind}-${command.date}-${this.journal.length}`, ...command } as LineCommand);
    this.line = applied.line;
    this.journal.push(...applied.postings);
  }
}

test('10,000 yuan drawn for 10 days at 3.65 % actual/365 costs exactly 10.00 yuan; same-day draw and repay costs nothing', () => {
  const run = new Run(line());
  run.apply({ kind: 'draw', date: '2025-03-01', amountFen: 1_000_000 });
  assert.equal(availableFen(run.line, '2025-03-01'), 9_000_000);
  run.apply({ kind: 'accrue', date: '2025-03-11' });
  assert.equal(run.line.interestReceivableFen, 1_000);
  run.apply({ kind: 'repay', date: '2025-03-11', amountFen: 1_001_000 });
  assert.equal(run.line.drawnFen, 0);
  assert.equal(run.line.interestReceivableFen, 0);
  run.apply({ kind: 'draw', date: '2025-03-12', amountFen: 5_000_000 });
  run.apply({ kind: 'repay', date: '2025-03-12', amountFen: 5_000_000 });
  run.apply({ kind: 'accrue', date: '2025-04-01' });
  assert.equal(run.line.interestReceivableFen, 0);
  assert.deepEqual(reconcileLines([run.line], run.journal), []);
});

test('daily accrual carries fractions of a fen: accruing every day gives what one accrual over the month gives', () => {
  const daily = new Run(line({ dayCount: 'actual/360', rateBps: 437 }));
  const once = new Run(line({ dayCount: 'actual/360', rateBps: 437 }));
  for (const run of [daily, once]) run.apply({ kind: 'draw', date: '2025-03-01', amountFen: 1_234_567 });
  for (let day = dayNumber('2025-03-02'); day <= dayNumber('2025-03-31'); day++) daily.apply({ kind: 'accrue', date: isoDateOfDay(day) });
  once.apply({ kind: 'accrue', date: '2025-03-31' });
  // 12,345.67 yuan × 4.37 % × 30 / 360 = 44.958815… yuan: 4,495 fen either way.
  assert.equal(once.line.interestReceivableFen, 4_495);
  assert.equal(daily.line.interestReceivableFen, 4_495);
  assert.equal(daily.line.interestCarryNumerator, once.line.interestCarryNumerator);
});

test('draws above the available limit, after expiry or on a closed line are refused; repayment above what is owed too', () => {
  const run = new Run(line());
  run.apply({ kind: 'draw', date: '2025-03-01', amountFen: 8_000_000 });
  assert.throws(() => run.apply({ kind: 'draw', date: '2025-03-02', amountFen: 2_000_001 }), /available/);
  run.apply({ kind: 'draw', date: '2025-03-02', amountFen: 2_000_000 });
  assert.equal(availableFen(run.line, '2025-03-02'), 0);
  assert.throws(() => run.apply({ kind: 'repay', date: '2025-03-03', amountFen: 20_000_000 }), /above what line/);
  run.apply({ kind: 'repay', date: '2025-03-03', amountFen: 5_000_000 });
  // Interest first: a day on 80,000 yuan and a day on 100,000 yuan at 0.01 % a day is 18.00 yuan.
  assert.equal(run.line.drawnFen, 10_000_000 - (5_000_000 - 1_800));
  assert.equal(availableFen(run.line, '2026-02-28'), 5_000_000 - 1_800);
  assert.equal(availableFen(run.line, '2026-03-01'), 0);
  assert.throws(() => run.apply({ kind: 'draw', date: '2026-03-01', amountFen: 100 }), LoanError);
  assert.equal(lineDaysPastDue(run.line, '2026-03-10'), 10);
  assert.throws(() => run.apply({ kind: 'renew', date: '2026-03-10', expiresOn: '2027-02-28' }), /renewed on or before expiry/);
  assert.deepEqual(reconcileLines([run.line], run.journal), []);
});

test('renewal before expiry moves the expiry, changes limit and rate, and the line draws again', () => {
  const run = new Run(line());
  run.apply({ kind: 'draw', date: '2025-03-01', amountFen: 6_000_000 });
  run.apply({ kind: 'renew', date: '2026-02-20', expiresOn: '2027-02-28', limitFen: 5_000_000, annualRateBps: 300 });
  assert.equal(run.line.expiresOn, '2027-02-28');
  assert.equal(availableFen(run.line, '2026-03-05'), 0);
  assert.equal(run.line.renewals.length, 1);
  // 356 days on 60,000 yuan at 3.65 % up to the renewal: 2,136.00 yuan.
  assert.equal(run.line.interestReceivableFen, 213_600);
  run.apply({ kind: 'repay', date: '2026-03-22', amountFen: 2_000_000 });
  // Then 30 days at the new 3 %: 147.9452… yuan, 14,794 fen posted and the rest carried.
  assert.equal(run.line.interestReceivableFen, 0);
  assert.equal(run.line.drawnFen, 6_000_000 - (2_000_000 - 213_600 - 14_794));
  run.apply({ kind: 'draw', date: '2026-03-23', amountFen: run.line.limitFen - run.line.drawnFen });
  assert.equal(availableFen(run.line, '2026-03-23'), 0);
  assert.deepEqual(reconcileLines([run.line], run.journal), []);
});

test('the same key twice changes nothing, and random draws and repayments keep the journal reconciled', () => {
  const start = line();
  const first = applyLineCommand(start, { kind: 'draw', key: 'txn-1', date: '2025-03-05', amountFen: 100_000 });
  const again = applyLineCommand(first.line, { kind: 'draw', key: 'txn-1', date: '2025-03-05', amountFen: 100_000 });
  assert.equal(again.duplicate, true);
  assert.equal(again.line, first.line);
  assert.throws(() => applyLineCommand(first.line, { kind: 'draw', key: 'txn-1', date: '2025-03-05', amountFen: 5 }), /different command/);
  const rng = new Rng(2, 'credit-line');
  const run = new Run(start);
  let day = dayNumber('2025-03-01');
  for (let step = 0; step < 600; step++) {
    day += rng.int(3);
    const date = isoDateOfDay(day);
    const owed = run.line.drawnFen + run.line.interestReceivableFen;
    const roll = rng.next();
    try {
      if (roll < 0.45) run.apply({ kind: 'draw', date, amountFen: 1 + rng.int(3_000_000) });
      else if (roll < 0.9) run.apply({ kind: 'repay', date, amountFen: 1 + rng.int(Math.max(1, owed)) });
      else if (roll < 0.97) run.apply({ kind: 'accrue', date });
      else run.apply({ kind: 'renew', date, expiresOn: isoDateOfDay(dayNumber(run.line.expiresOn) + 90), limitFen: 5_000_000 + rng.int(10_000_000) });
    } catch (error) {
      if (!(error instanceof LoanError)) throw error;
    }
    assert.ok(run.line.drawnFen >= 0 && availableFen(run.line, date) >= 0);
    assert.deepEqual(reconcileLines([run.line], run.journal), [], `step ${step}`);
  }
  assert.ok(run.line.renewals.length > 0);
});
