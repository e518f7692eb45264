/**
 * The warning strategy: a JDM graph (strategies/early-warning.json) loaded, identified and checked by the
 * credit strategies' own loader (src/decision/strategy.ts: header, SHA-256 identity, every table row giving
 * every column, no function nodes), evaluated on the same ZEN engine. Its result is checked against the
 * warning contract before anyone sees it: a level of green/yellow/red that matches the codes' severities,
 * known codes and known actions, actions for every warning and none for green.
 */
import type { ZenDecision } from '@gorules/zen-engine';
import { CompiledStrategies, engineMessage } from '../decision/engine.ts';
import { engineSafe } from '../decision/inputs.ts';
import { loadStrategy, parseStrategy, StrategyError, strategyLabel, type Strategy } from '../decision/strategy.ts';
import type { StrategyRef } from '../decision/engine.ts';
import {
  isWarningAction, isWarningCode, warningReasonOf, WARNING_LEVELS, type WarningAction, type WarningLevel, type WarningReason,
} from './reasons.ts';
import type { WarningSignals } from './signals.ts';

export const WARNING_PRODUCT = 'post_loan_warning';
export const DEFAULT_WARNING_STRATEGY = new URL('../../strategies/early-warning.json', import.meta.url).pathname;

/** What the warning strategy reads. 0/1 flags; null means unknown (no fraud run, no model) and raises nothing. */
export interface WarningInput {
  asOf: string;
  enterprise: { creditCode: string; industrySection: string; regionCode: string; taxpayerType: string };
  signals: WarningSignals;
  fraud: { ringNow: number | null; ringAtBooking: number | null };
  model: { pdNow: number | null; pdAtBooking: number | null };
}

export interface WarningOutcome { strategy: StrategyRef; level: WarningLevel; reasons: WarningReason[]; actions: WarningAction[] }

/** Loads a warning strategy: the credit loader's checks, plus its product and every W_/A_ code it names. */
export function loadWarningStrategy(path: string = DEFAULT_WARNING_STRATEGY): Strategy {
  return checkWarningStrategy(loadStrategy(path));
}

export function parseWarningStrategy(document: unknown, source: string): Strategy {
  return checkWarningStrategy(parseStrategy(document, source));
}

function checkWarningStrategy(strategy: Strategy): Strategy {
  if (strategy.header.product !== WARNING_PRODUCT) throw new StrategyError(`${strategy.source}: a warning strategy has product "${WARNING_PRODUCT}", not "${strategy.header.product}"`);
  const text = JSON.stringify(strategy.document.nodes);
  for (const match of text.matchAll(/\\"([WA]_[A-Z0-9_]+)\\"/g)) {
    const code = match[1]!;
    if (!(code.startsWith('W_') ? isWarningCode(code) : isWarningAction(code))) throw new StrategyError(`${strategy.source}: unknown warning code or action "${code}" (see src/monitoring/reasons.ts)`);
  }
  return strategy;
}

export class WarningEngine {
  private readonly strategies = new CompiledStrategies();

  async evaluate(strategy: Strategy, input: WarningInput): Promise<WarningOutcome> {
    let response: Awaited<ReturnType<ZenDecision['evaluate']>>;
    try {
      response = await this.strategies.decisionOf(strategy).evaluate(engineSafe(input));
    } catch (error) {
      throw new StrategyError(`strategy ${strategyLabel(strategy)} failed on ${input.enterprise.creditCode}: ${engineMessage(error)}`);
    }
    return readWarning(strategy, input, response.result as Record<string, unknown> | null);
  }

  dispose(): void {
    this.strategies.dispose();
  }
}

/** The warning contract. */
export function readWarning(strategy: Strategy, input: WarningInput, output: Record<string, unknown> | null): WarningOutcome {
  const fail = (what: string): never => { throw new StrategyError(`strategy ${strategyLabel(strategy)} broke the warning contract on ${input.enterprise.creditCode}: ${what}`); };
  const warning = (output?.warning ?? null) as { level?: unknown; codes?: unknown } | null;
  const handling = (output?.handling ?? null) as { actions?: unknown } | null;
  if (!warning || !handling) return fail('it must give warning.level, warning.codes and handling.actions');
  const level = warning.level as WarningLevel;
  if (!WARNING_LEVELS.includes(level)) fail(`level must be one of ${WARNING_LEVELS.join('/')}, got ${JSON.stringify(warning.level)}`);
  if (!Array.isArray(warning.codes) || !Array.isArray(handling.actions)) return fail('codes and actions must be arrays');
  const reasons: WarningReason[] = [];
  for (const code of warning.codes as unknown[]) {
    if (typeof code !== 'string' || !isWarningCode(code)) fail(`unknown warning code ${JSON.stringify(code)}`);
    if (!reasons.some((r) => r.code === code)) reasons.push(warningReasonOf(code as Parameters<typeof warningReasonOf>[0]));
  }
  const actions: WarningAction[] = [];
  for (const action of handling.actions as unknown[]) {
    if (typeof action !== 'string' || !isWarningAction(action)) fail(`unknown action ${JSON.stringify(action)}`);
    if (!actions.includes(action as WarningAction)) actions.push(action as WarningAction);
  }
  const hasRed = reasons.some((r) => r.severity === 'red');
  if (level === 'red' && !hasRed) fail('a red warning needs a red signal');
  if (level !== 'red' && hasRed) fail(`a red signal cannot give ${level}`);
  if (level === 'yellow' && reasons.length === 0) fail('a yellow warning needs a signal');
  if (level === 'green' ? actions.length > 0 : actions.length === 0) fail(level === 'green' ? 'green asks for no action' : `a ${level} warning needs actions`);
  const h = strategy.header;
  return { strategy: { id: h.id, version: h.version, hash: strategy.hash, product: h.product }, level, reasons, actions };
}

export interface WarningTestOutcome { name: string; passed: boolean; problems: string[] }

/** Runs the tests a warning strategy carries: `expect` lists level, codes (in order) and actions that must match. */
export async function runWarningStrategyTests(engine: WarningEngine, strategy: Strategy): Promise<WarningTestOutcome[]> {
  const outcomes: WarningTestOutcome[] = [];
  for (const test of strategy.document.tests ?? []) {
    const problems: string[] = [];
    try {
      const result = await engine.evaluate(strategy, test.input as unknown as WarningInput);
      const actual: Record<string, unknown> = { level: result.level, codes: result.reasons.map((r) => r.code), actions: result.actions };
      for (const [field, expected] of Object.entries(test.expect)) {
        if (JSON.stringify(actual[field]) !== JSON.stringify(expected)) problems.push(`${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual[field])}`);
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
    outcomes.push({ name: test.name, passed: problems.length === 0, problems });
  }
  return outcomes;
}
