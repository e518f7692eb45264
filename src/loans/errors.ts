import { PuhuiUserError } from '../domain/errors.ts';

/**
 * A loan operation refused for what the caller gave: bad terms, a repayment on a closed loan, a renewal that
 * does not meet its conditions, an idempotency key reused for a different command. Stable codes:
 * `loan_terms`, `loan_state`, `loan_policy`, `loan_renewal`, `idempotency_conflict`.
 */
export class LoanError extends PuhuiUserError {
  constructor(message: string, code = 'loan_terms') {
    super(message, code);
  }
}
