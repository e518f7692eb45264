/**
 * Runs strategies on GoRules' ZEN engine and reads what they decide. The engine is asynchronous (each call
 * crosses into its native worker), so batches are evaluated concurrently. What a strategy returns is checked
 * against the decision contract before anyone sees it: a strategy that prices above 4 × LPR or approves
 * with a decline reason is a broken strategy, reported as such, never a decision.
 */
import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import { engineSafe, type StrategyInput } from './inputs.ts';
import { isReasonCode, reasonOf, type Reason } from './reasons.ts';
import { StrategyError, strategyLabel, type Strategy } from './strategy.ts';
import { condenseTrace, type TraceStep } from './trace.ts';

export const OUTCOMES = ['approve', 'review', 'decline'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface StrategyRef { id: string; version: string; hash: string; product: string }

export interface StrategyResult {
  strategy: StrategyRef;
  outcome: Outcome;
  riskGrade: string | null;
  /** The credit line offered, fen; 0 on a decline. */
  limitFen: number;
  /** Annual rate in basis points; null on a decline. */
  rateBps: number | null;
  termMonths: number | null;
  reasons: Reason[];
  trace?: TraceStep[];
}

/** Evaluations in flight at once in a batch: enough to keep the native worker busy, bounded for memory. */
export const BATCH_CONCURRENCY_MAX = 256;

/** ZEN decisions compiled once per strategy hash: the credit engine's and the warning engine's (src/monitoring). */
export class CompiledStrategies {
  private readonly engine = new ZenEngine();
  private readonly compiled = new Map<string, ZenDecision>();

  decisionOf(strategy: Strategy): ZenDecision {
    let decision = this.compiled.get(strategy.hash);
    if (!decision) {
      try {
        decision = this.engine.createDecision(strategy.document);
        decision.validate();
      } catch (error) {
        throw new StrategyError(`${strategy.source}: the engine rejects the graph: ${engineMessage(error)}`);
      }
      this.compiled.set(strategy.hash, decision);
    }
    return decision;
  }

  dispose(): void {
    this.compiled.clear();
    this.engine.dispose();
  }
}

export class StrategyEngine {
  private readonly strategies = new CompiledStrategies();

  private decisionOf(strategy: Strategy): ZenDecision {
    return this.strategies.decisionOf(strategy);
  }

  async evaluate(strategy: Strategy, input: StrategyInput, options: { trace?: boolean } = {}): Promise<StrategyResult> {
    const decision = this.decisionOf(strategy);
    let response: Awaited<ReturnType<ZenDecision['evaluate']>>;
    try {
      response = await decision.evaluate(engineSafe(strategy.featuresRead ? { ...input, features: pick(input.features, strategy.featuresRead) } : input), { trace: options.trace === true });
    } catch (error) {
      throw new StrategyError(`strategy ${strategyLabel(strategy)} failed on ${input.enterprise.creditCode}: ${engineMessage(error)}`);
    }
    const result = readResult(strategy, input, response.result as Record<string, unknown>);
    if (options.trace && response.trace) result.trace = condenseTrace(response.trace as Parameters<typeof condenseTrace>[0], strategy.document.nodes);
    return result;
  }

  /** Evaluates many inputs, at most BATCH_CONCURRENCY_MAX at a time; results in input order. */
  async evaluateMany(strategy: Strategy, inputs: readonly StrategyInput[], options: { trace?: boolean } = {}): Promise<StrategyResult[]> {
    const results: StrategyResult[] = new Array(inputs.length);
    for (let start = 0; start < inputs.length; start += BATCH_CONCURRENCY_MAX) {
      const end = Math.min(inputs.length, start + BATCH_CONCURRENCY_MAX);
      const batch: Promise<void>[] = [];
      for (let k = start; k < end; k++) batch.push(this.evaluate(strategy, inputs[k]!, options).then((r) => { results[k] = r; }));
      await Promise.all(batch);
    }
    return results;
  }

  dispose(): void {
    this.strategies.dispose();
  }
}

function pick(features: StrategyInput['features'], ids: readonly string[]): StrategyInput['features'] {
  const out: StrategyInput['features'] = {};
  for (const id of ids) out[id] = features[id] ?? null;
  return out;
}

/** The engine reports errors as JSON text followed by a native stack; people get the message only. */
export function engineMessage(error: unknown): string {
  const text = String((error as Error)?.message ?? error).split(/\n\s*\n|\nStack backtrace:|\n\s+0:/)[0]!.trim();
  try {
    const parsed = JSON.parse(text) as { type?: string; source?: unknown; nodeId?: string };
    const source = typeof parsed.source === 'string' ? parsed.source : JSON.stringify(parsed.source ?? parsed);
    return `${parsed.type ?? 'error'}${parsed.nodeId ? ` in node ${parsed.nodeId}` : ''}: ${source}`;
  } catch {
    return text;
  }
}

/** Checks the strategy's output against the decision contract. */
export function readResult(strategy: Strategy, input: StrategyInput, output: Record<string, unknown> | null): StrategyResult {
  const fail = (what: string): never => { throw new StrategyError(`strategy ${strategyLabel(strategy)} broke the decision contract on ${input.enterprise.creditCode}: ${what}`); };
  if (!output || typeof output !== 'object') fail('it returned nothing');
  const o = output!;
  const outcome = o.outcome as Outcome;
  if (!OUTCOMES.includes(outcome)) fail(`outcome must be one of ${OUTCOMES.join('/')}, got ${JSON.stringify(o.outcome)}`);
  if (!Array.isArray(o.reasons)) fail('reasons must be an array of reason codes');
  const reasons: Reason[] = [];
  for (const code of o.reasons as unknown[]) {
    if (typeof code !== 'string' || !isReasonCode(code)) fail(`unknown reason code ${JSON.stringify(code)}`);
    if (!reasons.some((r) => r.code === code)) reasons.push(reasonOf(code as Parameters<typeof reasonOf>[0]));
  }
  const has = (kind: Reason['kind']) => reasons.some((r) => r.kind === kind);
  if (outcome === 'decline' && !has('decline')) fail('a decline must carry a decline reason');
  if (outcome === 'review' && (has('decline') || !has('review'))) fail('a review must carry a review reason and no decline reason');
  if (outcome === 'approve' && (has('decline') || has('review'))) fail('an approval cannot carry decline or review reasons');
  const limitFen = o.limitFen;
  if (typeof limitFen !== 'number' || !Number.isSafeInteger(limitFen) || limitFen < 0) fail(`limitFen must be a whole number of fen ≥ 0, got ${JSON.stringify(limitFen)}`);
  if (outcome === 'decline' && limitFen !== 0) fail('a decline offers no limit (limitFen 0)');
  if (outcome !== 'decline' && limitFen === 0) fail(`${outcome} with a zero limit`);
  const rateBps = o.rateBps ?? null;
  if (outcome === 'decline' ? rateBps !== null : typeof rateBps !== 'number' || !Number.isInteger(rateBps) || rateBps <= 0) fail(`rateBps must be a whole number of basis points > 0 (null on a decline), got ${JSON.stringify(rateBps)}`);
  if (typeof rateBps === 'number' && rateBps > input.market.lprCeilingBps) fail(`rate ${rateBps} bps is above 4 × LPR (${input.market.lprCeilingBps} bps)`);
  const termMonths = o.termMonths ?? null;
  if (outcome === 'decline' ? termMonths !== null : typeof termMonths !== 'number' || !Number.isInteger(termMonths) || termMonths < 1 || termMonths > 360) fail(`termMonths must be 1..360 (null on a decline), got ${JSON.stringify(termMonths)}`);
  const riskGrade = o.riskGrade ?? null;
  if (riskGrade !== null && typeof riskGrade !== 'string') fail('riskGrade must be a string or null');
  const h = strategy.header;
  return { strategy: { id: h.id, version: h.version, hash: strategy.hash, product: h.product }, outcome, riskGrade: riskGrade as string | null, limitFen: limitFen as number, rateBps: rateBps as number | null, termMonths: termMonths as number | null, reasons };
}
