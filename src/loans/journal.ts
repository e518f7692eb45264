/**
 * The double-entry journal under every loan and credit line, in whole fen. A posting is a set of lines whose
 * debits equal its credits; it carries an idempotency key (unique in the journal) and the loan it belongs to.
 * Balances are debit-positive: assets (principal, receivables, cash) are positive, the borrower's advance and
 * income are negative. `reconcile` (ledger.ts, revolving.ts) holds the journal to the loan balances.
 */
export const ACCOUNTS = [
  'cash',
  'loan_principal',
  'interest_receivable',
  'penalty_receivable',
  'fee_receivable',
  'borrower_advance',
  'interest_income',
  'penalty_income',
  'fee_income',
  'write_off_expense',
] as const;
export type Account = (typeof ACCOUNTS)[number];

export interface PostingLine {
  account: Account;
  /** The loan or credit line the line belongs to. */
  loanId: string;
  debitFen: number;
  creditFen: number;
}

export interface Posting {
  /** Unique in the journal: the command's idempotency key and the posting's place in it. */
  key: string;
  date: string;
  /** What happened, e.g. 'disbursement', 'repayment', 'interest-due'. */
  event: string;
  lines: PostingLine[];
}

export function debit(account: Account, loanId: string, amountFen: number): PostingLine {
  return { account, loanId, debitFen: amountFen, creditFen: 0 };
}

export function credit(account: Account, loanId: string, amountFen: number): PostingLine {
  return { account, loanId, debitFen: 0, creditFen: amountFen };
}

/** A posting from its lines, dropping zero lines; null when nothing moves. Refuses an unbalanced posting. */
export function posting(key: string, date: string, event: string, lines: PostingLine[]): Posting | null {
  const moving = lines.filter((line) => line.debitFen !== 0 || line.creditFen !== 0);
  if (moving.length === 0) return null;
  const result = { key, date, event, lines: moving };
  const problem = postingProblem(result);
  if (problem) throw new Error(`internal: ${problem}`);
  return result;
}

/** Why a posting is not sound (unbalanced, negative or fractional amounts), or null. */
export function postingProblem(entry: Posting): string | null {
  let debitFen = 0;
  let creditFen = 0;
  for (const line of entry.lines) {
    if (!Number.isSafeInteger(line.debitFen) || !Number.isSafeInteger(line.creditFen) || line.debitFen < 0 || line.creditFen < 0) return `posting ${entry.key}: amounts must be whole fen ≥ 0`;
    debitFen += line.debitFen;
    creditFen += line.creditFen;
  }
  return debitFen === creditFen ? null : `posting ${entry.key} (${entry.event}) is unbalanced: debits ${debitFen} ≠ credits ${creditFen}`;
}

/** Debit-positive balance of every (loan, account) pair. Key: `${loanId}|${account}`. */
export function accountBalances(journal: readonly Posting[]): Map<string, number> {
  const balances = new Map<string, number>();
  for (const entry of journal) {
    for (const line of entry.lines) {
      const key = `${line.loanId}|${line.account}`;
      balances.set(key, (balances.get(key) ?? 0) + line.debitFen - line.creditFen);
    }
  }
  return balances;
}

export function balanceOf(balances: Map<string, number>, loanId: string, account: Account): number {
  return balances.get(`${loanId}|${account}`) ?? 0;
}

/** Problems with the journal as a whole: unbalanced postings and reused keys. */
export function journalProblems(journal: readonly Posting[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const entry of journal) {
    const problem = postingProblem(entry);
    if (problem) problems.push(problem);
    if (keys.has(entry.key)) problems.push(`posting key ${entry.key} appears twice`);
    keys.add(entry.key);
  }
  return problems;
}
