/**
 * Dispatching a government whitelist to banks (issue #13 item 3), on plain arrays: an exact assignment model
 * solved by the HiGHS MIP solver (WebAssembly, the `highs` package) and a greedy baseline, both checked by the same
 * exact feasibility test and scored by the same objective. docs/platform-government.md gives the formulation:
 *
 *   maximise    Σ_(i,j) v_ij x_ij                               x_ij ∈ {0,1} for each eligible pair
 *   subject to  Σ_j x_ij ≤ 1                                    each firm goes to at most one bank
 *               Σ_i x_ij ≤ N_j                                  bank j's firm count
 *               Σ_i a_i x_ij ≤ A_j                              bank j's amount
 *               Σ_i (e_i − E_j) a_i x_ij ≤ 0                    bank j's expected-loss share (risk appetite)
 */
import { Worker } from 'node:worker_threads';
import highsModule from 'highs';
import { loadDispatchPolicy, type DispatchPolicy } from './dispatch-policy.ts';
import {
  assertAssignmentFeasible, assertProblem, dispatchFigures, eligiblePairs,
  type DispatchAssignment, type DispatchFigures, type DispatchPair, type DispatchProblem,
} from './dispatch-model.ts';

export * from './dispatch-model.ts';
export { loadDispatchPolicy, parseDispatchPolicy, DISPATCH_OBJECTIVES, type DispatchObjective, type DispatchPolicy } from './dispatch-policy.ts';

export type DispatchMethod = 'mip' | 'greedy';

export interface DispatchResult {
  method: DispatchMethod;
  /** HiGHS's model status for the MIP (Optimal unless the node budget stopped it); `heuristic` for greedy. */
  status: string;
  /** Σ of the matched pairs' values under the problem's objective, computed the same way for both methods. */
  objectiveValue: number;
  assignments: DispatchAssignment[];
  /** Credit codes of the firms not sent to any bank. */
  unmatched: string[];
  figures: DispatchFigures;
  pairs: number;
}

/** Amounts enter the model in units of 10,000 yuan; the risk row in fen × bps / 1e8 (see the policy's notes). */
const FEN_PER_MODEL_AMOUNT = 1_000_000;
const RISK_ROW_SCALE = 100_000_000;
const TERMS_PER_LINE = 8;

function resultOf(problem: DispatchProblem, method: DispatchMethod, status: string, pairs: readonly DispatchPair[], chosen: readonly DispatchPair[]): DispatchResult {
  const assignments = chosen.map((pair) => {
    const firm = problem.firms[pair.firm]!;
    const bank = problem.banks[pair.bank]!;
    return { creditCode: firm.creditCode, bankId: bank.bankId, productId: bank.products[pair.product]!.productId, amountFen: firm.amountFen };
  });
  assertAssignmentFeasible(problem, assignments);
  const matched = new Set(assignments.map((a) => a.creditCode));
  return {
    method, status, assignments, pairs: pairs.length,
    objectiveValue: chosen.reduce((sum, pair) => sum + pair.value, 0),
    unmatched: problem.firms.filter((f) => !matched.has(f.creditCode)).map((f) => f.creditCode),
    figures: dispatchFigures(problem, assignments),
  };
}

/**
 * The greedy baseline: firms by value (highest first), then by how few banks can take them, then by amount
 * (smallest first); each goes to the eligible bank with the lowest utilisation that still has room for it within
 * count, amount and risk appetite.
 */
export function dispatchGreedy(problem: DispatchProblem, policy: DispatchPolicy = loadDispatchPolicy()): DispatchResult {
  assertProblem(problem, policy);
  const pairs = eligiblePairs(problem, policy.pairsMax);
  const pairsByFirm = new Map<number, DispatchPair[]>();
  for (const pair of pairs) pairsByFirm.set(pair.firm, [...(pairsByFirm.get(pair.firm) ?? []), pair]);
  const order = [...pairsByFirm.keys()].sort((i, j) => {
    const pi = pairsByFirm.get(i)!;
    const pj = pairsByFirm.get(j)!;
    const valueI = Math.max(...pi.map((p) => p.value));
    const valueJ = Math.max(...pj.map((p) => p.value));
    return valueJ - valueI || pi.length - pj.length || problem.firms[i]!.amountFen - problem.firms[j]!.amountFen || i - j;
  });
  const firms = problem.banks.map(() => 0);
  const amountFen = problem.banks.map(() => 0);
  const risk = problem.banks.map(() => 0n);
  const chosen: DispatchPair[] = [];
  for (const firmIndex of order) {
    const firm = problem.firms[firmIndex]!;
    let best: DispatchPair | undefined;
    let bestUtilisation = Infinity;
    for (const pair of pairsByFirm.get(firmIndex)!) {
      const bank = problem.banks[pair.bank]!;
      const riskAfter = risk[pair.bank]! + BigInt(firm.expectedLossBps - bank.expectedLossBpsMax) * BigInt(firm.amountFen);
      if (firms[pair.bank]! + 1 > bank.firmCountMax || amountFen[pair.bank]! + firm.amountFen > bank.amountFenMax || riskAfter > 0n) continue;
      const utilisation = firms[pair.bank]! / bank.firmCountMax;
      if (utilisation < bestUtilisation || (utilisation === bestUtilisation && best !== undefined && pair.value > best.value)) {
        best = pair;
        bestUtilisation = utilisation;
      }
    }
    if (best === undefined) continue;
    const bank = problem.banks[best.bank]!;
    firms[best.bank]! += 1;
    amountFen[best.bank]! += firm.amountFen;
    risk[best.bank]! += BigInt(firm.expectedLossBps - bank.expectedLossBpsMax) * BigInt(firm.amountFen);
    chosen.push(best);
  }
  return resultOf(problem, 'greedy', 'heuristic', pairs, chosen);
}

function linearSum(terms: readonly string[]): string {
  const lines: string[] = [];
  for (let start = 0; start < terms.length; start += TERMS_PER_LINE) lines.push(terms.slice(start, start + TERMS_PER_LINE).join(' + '));
  return lines.join('\n   + ');
}

/** The model in CPLEX LP text, one binary column x<k> per eligible pair k. */
export function dispatchLpText(problem: DispatchProblem, pairs: readonly DispatchPair[]): string {
  const rows: string[] = [];
  const pairsByFirm = new Map<number, number[]>();
  const pairsByBank = new Map<number, number[]>();
  pairs.forEach((pair, k) => {
    pairsByFirm.set(pair.firm, [...(pairsByFirm.get(pair.firm) ?? []), k]);
    pairsByBank.set(pair.bank, [...(pairsByBank.get(pair.bank) ?? []), k]);
  });
  for (const [firm, ks] of pairsByFirm) if (ks.length > 1) rows.push(` firm${firm}: ${linearSum(ks.map((k) => `x${k}`))} <= 1`);
  for (const [bankIndex, ks] of pairsByBank) {
    const bank = problem.banks[bankIndex]!;
    if (ks.length > bank.firmCountMax) rows.push(` count${bankIndex}: ${linearSum(ks.map((k) => `x${k}`))} <= ${bank.firmCountMax}`);
    const amounts = ks.map((k) => problem.firms[pairs[k]!.firm]!.amountFen);
    if (amounts.reduce((s, a) => s + a, 0) > bank.amountFenMax) {
      rows.push(` amount${bankIndex}: ${linearSum(ks.map((k, n) => `${amounts[n]! / FEN_PER_MODEL_AMOUNT} x${k}`))} <= ${bank.amountFenMax / FEN_PER_MODEL_AMOUNT}`);
    }
    const riskTerms = ks.map((k) => {
      const firm = problem.firms[pairs[k]!.firm]!;
      return { k, coefficient: ((firm.expectedLossBps - bank.expectedLossBpsMax) * firm.amountFen) / RISK_ROW_SCALE };
    });
    if (riskTerms.some((t) => t.coefficient > 0)) {
      rows.push(` risk${bankIndex}: ${linearSum(riskTerms.map((t) => `${t.coefficient} x${t.k}`)).replace(/\+ -/g, '- ')} <= 0`);
    }
  }
  const objective = linearSum(pairs.map((pair, k) => `${pair.value} x${k}`));
  const columns = pairs.map((_, k) => `x${k}`);
  const binaries: string[] = [];
  for (let start = 0; start < columns.length; start += 16) binaries.push(` ${columns.slice(start, start + 16).join(' ')}`);
  // A model with no rows is still a valid LP file once it has one trivially true row.
  if (rows.length === 0 && pairs.length > 0) rows.push(` none: x0 >= 0`);
  return ['Maximize', ` value: ${objective}`, 'Subject To', ...rows, 'Binary', ...binaries, 'End'].join('\n');
}

// The package's types.d.ts sits in a CommonJS package, so TypeScript (NodeNext) types the ESM default import as the
// whole module; at run time the ESM build's default export is the loader itself.
const loadHighs = highsModule as unknown as typeof highsModule.default;
type Highs = Awaited<ReturnType<typeof loadHighs>>;
let highsLoading: Promise<Highs> | undefined;

/** The WebAssembly solver, loaded once per process. */
function highs(): Promise<Highs> {
  highsLoading ??= loadHighs();
  return highsLoading;
}

const MODEL_STATUS_NAMES: Record<number, string> = {
  7: 'Optimal', 11: 'Bound on objective reached', 12: 'Target for objective reached', 13: 'Time limit reached',
  14: 'Iteration limit reached', 15: 'Unknown', 16: 'Node budget reached', 17: 'Interrupted',
};

/**
 * The assignment model solved by HiGHS: to proven optimality, or to the policy's node budget. The greedy solution is
 * handed to the solver as its starting incumbent (a MIP start), so the MIP is never worse than the baseline even
 * when the budget stops it; the result's status and gap say whether optimality was proved.
 */
export async function dispatchMip(problem: DispatchProblem, policy: DispatchPolicy = loadDispatchPolicy()): Promise<DispatchResult & { gap: number }> {
  const greedy = dispatchGreedy(problem, policy);
  const pairs = eligiblePairs(problem, policy.pairsMax);
  if (pairs.length === 0) return { ...resultOf(problem, 'mip', 'Empty', pairs, []), gap: 0 };
  const solver = await highs();
  const model = solver.createModel({ format: 'lp', data: dispatchLpText(problem, pairs) });
  try {
    model.options.set({
      output_flag: false,
      mip_max_nodes: policy.mipNodesMax,
      mip_rel_gap: policy.mipRelativeGap,
      primal_feasibility_tolerance: policy.feasibilityTolerance,
      mip_feasibility_tolerance: policy.feasibilityTolerance,
      random_seed: 0,
    });
    const columnOf = pairs.map((_, k) => model.getColByName(`x${k}`));
    const chosenByGreedy = new Set(greedy.assignments.map((a) => `${a.creditCode}\u0000${a.bankId}`));
    const start = new Float64Array(pairs.length);
    pairs.forEach((pair, k) => {
      const key = `${problem.firms[pair.firm]!.creditCode}\u0000${problem.banks[pair.bank]!.bankId}`;
      if (chosenByGreedy.has(key)) start[columnOf[k]!] = 1;
    });
    model.setSolution({ colValue: start });
    model.run();
    const status = MODEL_STATUS_NAMES[model.getModelStatus()];
    if (status === undefined) throw new Error(`puhui dispatch: HiGHS ended with model status ${model.getModelStatus()} and no solution`);
    const values = model.getSolution().colValue;
    const chosen = pairs.filter((_, k) => values[columnOf[k]!]! > 0.5);
    const gap = Number(model.info.get('mip_gap'));
    return { ...resultOf(problem, 'mip', status, pairs, chosen), gap: Number.isFinite(gap) ? gap : 0 };
  } finally {
    model.dispose();
  }
}

export interface DispatchWorkerRequest { problem: DispatchProblem; policy: DispatchPolicy }
export type DispatchWorkerReply =
  | { ok: true; result: DispatchResult & { gap: number } }
  | { ok: false; rangeError: boolean; message: string };

/**
 * dispatchMip in a worker thread of its own, so a long solve does not block the caller's event loop (the service).
 * The same result; a refused problem is a RangeError here as there.
 */
export function dispatchMipOffThread(problem: DispatchProblem, policy: DispatchPolicy = loadDispatchPolicy()): Promise<DispatchResult & { gap: number }> {
  const request: DispatchWorkerRequest = { problem, policy };
  const worker = new Worker(new URL('./dispatch-worker-entry.js', import.meta.url), { workerData: request });
  return new Promise<DispatchResult & { gap: number }>((resolve, reject) => {
    worker.once('message', (reply: DispatchWorkerReply) => {
      if (reply.ok) resolve(reply.result);
      else reject(reply.rangeError ? new RangeError(reply.message) : new Error(`puhui dispatch worker: ${reply.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`puhui dispatch worker exited with code ${code} before answering`)));
  }).finally(() => { void worker.terminate(); });
}
