/**
 * A small deterministic portfolio for the close tests: two banks (fixed tenant ids), 24 enterprises, 34 loans
 * booked from offers in January 2026, and repayment behaviour by enterprise — most pay on schedule, every fifth
 * never pays, the next one stops after two instalments — so a close in June sees every bucket from M0 to M5.
 */
import { createTenant, type Store } from '../../src/store/index.ts';
import { getLoan, loanIdOf, postLoanCommands, type LoanActor } from '../../src/loans/store.ts';
import { creditCode } from '../store/backends.ts';
import { offerFor } from './store-fixtures.ts';

export const CLOSE_BANKS = ['tn_close_bank_1', 'tn_close_bank_2'] as const;
export const CLOSE_DEBTORS = Array.from({ length: 24 }, (_, i) => creditCode(32_000 + i));
/** Repayments are made up to this date (exclusive of later due dates). */
export const PAID_THROUGH = '2026-05-31';

export type Behaviour = 'pays' | 'never' | 'stops';
export function behaviourOf(debtorIndex: number): Behaviour {
  return debtorIndex % 5 === 0 ? 'never' : debtorIndex % 5 === 1 ? 'stops' : 'pays';
}

export async function seedClosePortfolio(store: Store): Promise<void> {
  for (const [index, id] of CLOSE_BANKS.entries()) await createTenant(store, { id, kind: 'bank', name: `关账测试银行${index + 1}` });
  for (const [index, debtorId] of CLOSE_DEBTORS.entries()) {
    const loans: { bank: string; key: string }[] = [{ bank: CLOSE_BANKS[0], key: `d${index}-a` }];
    if (index % 3 === 0) loans.push({ bank: CLOSE_BANKS[0], key: `d${index}-b` });
    if (index % 4 === 0) loans.push({ bank: CLOSE_BANKS[1], key: `d${index}-c` });
    for (const [n, { bank, key }] of loans.entries()) {
      const actor: LoanActor = { tenantId: bank, actor: 'seed' };
      const date = `2026-01-${String(10 + ((index + n) % 10)).padStart(2, '0')}`;
      await postLoanCommands(store, actor, [
        { kind: 'book', key, date, source: { kind: 'offer', id: `offer-${key}`, offer: offerFor(debtorId, { rateBps: 600 + 50 * (index % 9), termMonths: 12 }) }, principalFen: 100_000 * (10 + 7 * ((index * 3 + n) % 11)), method: n === 1 ? 'equal-principal' : 'equal-instalment' },
        { kind: 'disburse', key: `${key}-disburse`, date, loanId: loanIdOf(bank, key) },
      ]);
      await repayments(store, actor, key, behaviourOf(index));
    }
  }
}

async function repayments(store: Store, actor: LoanActor, key: string, behaviour: Behaviour): Promise<void> {
  if (behaviour === 'never') return;
  const loanId = loanIdOf(actor.tenantId, key);
  const { loan } = await getLoan(store, actor.tenantId, loanId);
  const due = loan.instalments.filter((i) => i.dueDate <= PAID_THROUGH).slice(0, behaviour === 'stops' ? 2 : undefined);
  await postLoanCommands(store, actor, due.map((i) => ({ kind: 'repay', key: `${key}-pay-${i.number}`, date: i.dueDate, loanId, amountFen: i.principalFen + i.interestFen })));
}
