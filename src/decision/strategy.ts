/**
 * A strategy is a JSON decision graph in GoRules' JDM format (nodes and edges, edited with the JDM editor
 * or by hand) plus a `puhui` header: what it is (id, version, product), and the tests it must pass.
 * Its identity is the version an analyst gives it and the SHA-256 of its canonical JSON, so a decision can
 * always name exactly the rules that made it.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isReasonCode } from './reasons.ts';

export const STRATEGY_SCHEMA = 'puhui-strategy/1';

export interface StrategyHeader {
  schema: typeof STRATEGY_SCHEMA;
  id: string;
  version: string;
  product: string;
  titleEn: string;
  titleZh: string;
  /** Loss given default assumed for expected loss in the lab (fraction of the limit). */
  lossGivenDefault: number;
}

export interface JdmNode { id: string; name: string; type: string; content: Record<string, unknown> }
export interface JdmEdge { id: string; sourceId: string; targetId: string; sourceHandle?: string }
export interface StrategyTest { name: string; input: Record<string, unknown>; expect: Record<string, unknown> }

export interface StrategyDocument { puhui: StrategyHeader; contentType?: string; nodes: JdmNode[]; edges: JdmEdge[]; tests?: StrategyTest[] }

export interface Strategy {
  header: StrategyHeader;
  /** Hex SHA-256 of the canonical JSON of the whole document. */
  hash: string;
  /** The features the graph reads (`features.x`), or null when it reads the features object as a whole. */
  featuresRead: string[] | null;
  document: StrategyDocument;
  source: string;
}

export class StrategyError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'strategy');
  }
}

/** Canonical JSON: keys sorted at every level, no whitespace; equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function loadStrategy(path: string): Strategy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StrategyError(`cannot read strategy ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StrategyError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseStrategy(document, path);
}

/** Checks a strategy document and names the first problem with its node and rule. */
export function parseStrategy(document: unknown, source: string): Strategy {
  const fail = (what: string): never => { throw new StrategyError(`${source}: ${what}`); };
  if (document === null || typeof document !== 'object') fail('a strategy is a JSON object');
  const doc = document as StrategyDocument;
  const h = doc.puhui;
  if (!h || h.schema !== STRATEGY_SCHEMA) fail(`missing header: "puhui": {"schema": "${STRATEGY_SCHEMA}", "id", "version", "product", ...}`);
  for (const key of ['id', 'version', 'product', 'titleEn', 'titleZh'] as const) if (typeof h[key] !== 'string' || h[key] === '') fail(`header field puhui.${key} must be a non-empty string`);
  if (!(typeof h.lossGivenDefault === 'number' && h.lossGivenDefault > 0 && h.lossGivenDefault <= 1)) fail('puhui.lossGivenDefault must be a fraction in (0, 1]');
  if (!Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) fail('a JDM graph needs "nodes" and "edges" arrays');
  const ids = new Set<string>();
  for (const [k, node] of doc.nodes.entries()) {
    if (!node || typeof node.id !== 'string' || typeof node.type !== 'string') fail(`node ${k} needs an id and a type`);
    if (ids.has(node.id)) fail(`two nodes have the id '${node.id}'`);
    ids.add(node.id);
    if (node.type === 'decisionTableNode') checkTable(node, fail);
    if (node.type === 'functionNode') fail(`node '${node.name}': function nodes (JavaScript) are not allowed in strategies; use tables and expressions`);
    if (node.type === 'decisionNode' || node.type === 'customNode') fail(`node '${node.name}': ${node.type} is not supported; a strategy is one self-contained graph`);
  }
  if (doc.nodes.filter((n) => n.type === 'inputNode').length !== 1) fail('a strategy has exactly one input node');
  if (doc.nodes.filter((n) => n.type === 'outputNode').length !== 1) fail('a strategy has exactly one output node');
  for (const edge of doc.edges) if (!ids.has(edge.sourceId) || !ids.has(edge.targetId)) fail(`edge '${edge.id}' joins a node that does not exist`);
  for (const code of quotedCodes(doc)) if (!isReasonCode(code)) fail(`unknown reason code "${code}" (see src/decision/reasons.ts)`);
  return { header: h, hash: createHash('sha256').update(canonicalJson(doc)).digest('hex'), featuresRead: featuresRead(doc), document: doc, source };
}

/** Every row must give every column (the engine silently skips a row that omits one); '' means "any". */
function checkTable(node: JdmNode, fail: (what: string) => never): void {
  const content = node.content as { hitPolicy?: string; inputs?: { id: string }[]; outputs?: { id: string }[]; rules?: Record<string, unknown>[] };
  if (content.hitPolicy !== 'first' && content.hitPolicy !== 'collect') fail(`table '${node.name}': hitPolicy must be "first" or "collect"`);
  const columns = [...(content.inputs ?? []), ...(content.outputs ?? [])].map((c) => c.id);
  for (const [k, rule] of (content.rules ?? []).entries()) {
    if (typeof rule._id !== 'string') fail(`table '${node.name}' row ${k + 1} has no _id`);
    for (const column of columns) {
      if (typeof rule[column] !== 'string') fail(`table '${node.name}' rule '${String(rule._id)}' has no cell for column '${column}' (write "" for any)`);
    }
  }
}

/** Reason codes are written as quoted upper-case literals like "D_TAX_GRADE" in table cells and expressions. */
function quotedCodes(doc: StrategyDocument): Set<string> {
  const codes = new Set<string>();
  const text = JSON.stringify(doc.nodes);
  for (const match of text.matchAll(/\\"([DRLP]_[A-Z0-9_]+)\\"/g)) codes.add(match[1]!);
  return codes;
}

/**
 * Which features a graph reads. The engine's cost grows with the size of its input (each call converts it to
 * the engine's own values), so only these are passed; a graph that uses `features` other than as
 * `features.<id>` gets them all.
 */
function featuresRead(doc: StrategyDocument): string[] | null {
  const text = JSON.stringify(doc.nodes);
  const uses = [...text.matchAll(/\bfeatures\b(\.[a-z0-9_]+)?/g)];
  if (uses.some((m) => m[1] === undefined)) return null;
  return [...new Set(uses.map((m) => m[1]!.slice(1)))].sort();
}

/** The short form people read: id@version#hash12. */
export function strategyLabel(strategy: Strategy): string {
  return `${strategy.header.id}@${strategy.header.version}#${strategy.hash.slice(0, 12)}`;
}
