/**
 * The engine's trace, condensed to what a reviewer reads: each node in the order it ran, and for a table
 * the rules that fired, with their conditions and the input values they saw.
 */
import type { JdmNode } from './strategy.ts';

export interface FiredRule {
  /** The rule's _id in the strategy file. */
  id: string;
  /** Row number in the table, from 1. */
  row: number;
  /** Column name → cell text, for the cells that are not "any". */
  cells: Record<string, string>;
  /** Input field → the value the rule saw. */
  inputs: Record<string, unknown>;
}

export interface TraceStep {
  order: number;
  node: string;
  type: string;
  /** Tables: the rules that fired (none when no rule matched). */
  rules?: FiredRule[];
  /** Expressions: each key and its value. */
  values?: Record<string, unknown>;
  /** Switches: the branches taken, with their conditions ('' is the else branch). */
  branches?: { id: string; condition: string }[];
}

interface EngineTraceEntry { id: string; name: string; order?: number; traceData?: unknown; output?: unknown }
interface EngineRuleTrace { index: number; rule: Record<string, string>; reference_map?: Record<string, unknown> }

export function condenseTrace(trace: Record<string, EngineTraceEntry>, nodes: readonly JdmNode[]): TraceStep[] {
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  const keysOf = new Map(nodes.map((n) => [n.id, ((n.content.expressions ?? []) as { key: string }[]).map((e) => e.key)]));
  const conditionsOf = new Map(nodes.map((n) => [n.id, new Map(((n.content.statements ?? []) as { id: string; condition?: string }[]).map((st) => [st.id, st.condition ?? '']))]));
  const steps: TraceStep[] = [];
  for (const entry of Object.values(trace)) {
    const type = typeOf.get(entry.id) ?? 'unknown';
    if (type === 'inputNode' || type === 'outputNode') continue;
    const step: TraceStep = { order: entry.order ?? 0, node: entry.name, type };
    if (type === 'decisionTableNode') {
      const data = entry.traceData;
      const fired = (Array.isArray(data) ? data : data ? [data] : []) as EngineRuleTrace[];
      step.rules = fired.map(firedRule);
    } else if (type === 'switchNode') {
      const taken = ((entry.traceData as { statements?: { id: string }[] } | null)?.statements ?? []);
      step.branches = taken.map((st) => ({ id: st.id, condition: conditionsOf.get(entry.id)?.get(st.id) ?? '' }));
    } else if (type === 'expressionNode' && entry.traceData && typeof entry.traceData === 'object') {
      const data = entry.traceData as Record<string, { result?: unknown }>;
      step.values = Object.fromEntries((keysOf.get(entry.id) ?? Object.keys(data)).map((key) => [key, withoutFloatNoise(data[key]?.result ?? null)])); // in the strategy's order
    }
    steps.push(step);
  }
  return steps.sort((a, b) => a.order - b.order);
}

function firedRule(trace: EngineRuleTrace): FiredRule {
  const cells: Record<string, string> = {};
  let id = '';
  for (const [key, text] of Object.entries(trace.rule)) {
    if (key === '_id') id = text;
    else if (key !== '_description' && text !== '') cells[key.replace(/\[[^\]]*\]$/, '')] = text;
  }
  return { id, row: trace.index + 1, cells, inputs: withoutFloatNoise(trace.reference_map ?? {}) as Record<string, unknown> };
}

/** Significant digits kept in a traced number: binary floating point leaves noise past about the 15th. */
const TRACE_SIGNIFICANT_DIGITS = 12;

/**
 * A traced value with its numbers rounded to 12 significant digits: an expression such as `taxPaid * 3 / 2` shows
 * 1497214 fen, not 1497213.9999999998. The trace is for reading; the decision's own figures (limit, rate) are
 * whole numbers checked by the engine's contract and never pass through here.
 */
export function withoutFloatNoise(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(TRACE_SIGNIFICANT_DIGITS)) : value;
  if (Array.isArray(value)) return value.map(withoutFloatNoise);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutFloatNoise(v)]));
  return value;
}
