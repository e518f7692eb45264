/** An extra close step for the tests, loaded by worker processes as a step module: per enterprise, its worst category. */
import type { CloseStep } from '../../src/loans/close.ts';
import { CATEGORIES } from '../../src/loans/policy.ts';

export const closeSteps: CloseStep[] = [
  async ({ date, enterpriseId, loans }) => {
    const worst = loans.reduce((w, l) => Math.max(w, CATEGORIES.indexOf(l.classification.category)), 0);
    return { step: 'worst-category', version: '1', result: { date, enterpriseId, loans: loans.length, worst: CATEGORIES[worst]! } };
  },
];
