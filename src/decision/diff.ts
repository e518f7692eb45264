/**
 * What changed between two versions of a strategy, in the words an approver reads: header fields, nodes added
 * or removed, table rules added, removed or changed cell by cell (rules are matched by their _id), expressions
 * added, removed or changed (matched by key), a node's type, node settings and the wiring. Positions in the editor are ignored.
 */
import type { JdmNode, Strategy } from './strategy.ts';

export interface StrategyChange {
  /** The node's name, or 'header' / 'edges'. */
  where: string;
  what: 'header' | 'node added' | 'node removed' | 'node type changed' | 'rule added' | 'rule removed' | 'rule changed' | 'rules reordered' | 'expression added' | 'expression removed' | 'expression changed' | 'setting changed' | 'edges changed';
  /** The rule id, expression key, column or setting concerned. */
  item: string | null;
  before: unknown;
  after: unknown;
}

type Row = Record<string, string>;

export function diffStrategies(before: Strategy, after: Strategy): StrategyChange[] {
  const changes: StrategyChange[] = [];
  const headerBefore = before.document.puhui as unknown as Record<string, unknown>;
  const headerAfter = after.document.puhui as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(headerBefore), ...Object.keys(headerAfter)])) {
    if (JSON.stringify(headerBefore[key]) !== JSON.stringify(headerAfter[key])) changes.push({ where: 'header', what: 'header', item: key, before: headerBefore[key] ?? null, after: headerAfter[key] ?? null });
  }
  const nodesAfter = new Map(after.document.nodes.map((n) => [n.id, n]));
  const nodesBefore = new Map(before.document.nodes.map((n) => [n.id, n]));
  for (const node of before.document.nodes) {
    const twin = nodesAfter.get(node.id);
    if (!twin) changes.push({ where: node.name, what: 'node removed', item: node.type, before: node.id, after: null });
    else diffNode(node, twin, changes);
  }
  for (const node of after.document.nodes) if (!nodesBefore.has(node.id)) changes.push({ where: node.name, what: 'node added', item: node.type, before: null, after: node.id });
  const wiring = (s: Strategy) => s.document.edges.map((e) => `${e.sourceId}${e.sourceHandle ? `[${e.sourceHandle}]` : ''}→${e.targetId}`).sort();
  if (JSON.stringify(wiring(before)) !== JSON.stringify(wiring(after))) changes.push({ where: 'edges', what: 'edges changed', item: null, before: wiring(before), after: wiring(after) });
  return changes;
}

function diffNode(before: JdmNode, after: JdmNode, changes: StrategyChange[]): void {
  const where = after.name;
  // A node that keeps its id but changes kind (a table becomes an expression, say) runs different logic.
  if (before.type !== after.type) changes.push({ where, what: 'node type changed', item: null, before: before.type, after: after.type });
  if (before.name !== after.name) changes.push({ where, what: 'setting changed', item: 'name', before: before.name, after: after.name });
  const a = before.content;
  const b = after.content;
  const listed = new Set(['rules', 'expressions']);
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (listed.has(key)) continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changes.push({ where, what: 'setting changed', item: key, before: a[key] ?? null, after: b[key] ?? null });
  }
  if (Array.isArray(a.rules) || Array.isArray(b.rules)) {
    // Cells are reported by column name, as the editor shows them.
    const columns = new Map<string, string>();
    for (const content of [a, b]) for (const c of [...((content.inputs ?? []) as { id: string; name: string }[]), ...((content.outputs ?? []) as { id: string; name: string }[])]) columns.set(c.id, c.name);
    const named = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k === '_id' ? k : k === '_description' ? 'description' : columns.get(k) ?? k, v])));
    diffRules(named((a.rules ?? []) as Row[]), named((b.rules ?? []) as Row[]), where, changes);
  }
  if (Array.isArray(a.expressions) || Array.isArray(b.expressions)) {
    const before = new Map(((a.expressions ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    const after = new Map(((b.expressions ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    for (const [key, value] of before) {
      if (!after.has(key)) changes.push({ where, what: 'expression removed', item: key, before: value, after: null });
      else if (after.get(key) !== value) changes.push({ where, what: 'expression changed', item: key, before: value, after: after.get(key) });
    }
    for (const [key, value] of after) if (!before.has(key)) changes.push({ where, what: 'expression added', item: key, before: null, after: value });
  }
}

function diffRules(before: Row[], after: Row[], where: string, changes: StrategyChange[]): void {
  const afterById = new Map(after.map((r) => [r._id, r]));
  const beforeById = new Map(before.map((r) => [r._id, r]));
  for (const rule of before) {
    const twin = afterById.get(rule._id!);
    if (!twin) { changes.push({ where, what: 'rule removed', item: rule._id!, before: cellsOf(rule), after: null }); continue; }
    const cells: Record<string, { before: string | null; after: string | null }> = {};
    for (const key of new Set([...Object.keys(rule), ...Object.keys(twin)])) {
      if (key !== '_id' && (rule[key] ?? null) !== (twin[key] ?? null)) cells[key] = { before: rule[key] ?? null, after: twin[key] ?? null };
    }
    if (Object.keys(cells).length > 0) changes.push({ where, what: 'rule changed', item: rule._id!, before: Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, v.before])), after: Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, v.after])) });
  }
  for (const rule of after) if (!beforeById.has(rule._id!)) changes.push({ where, what: 'rule added', item: rule._id!, before: null, after: cellsOf(rule) });
  // With a first-hit table the order decides; report a reordering of the rules both versions share.
  const shared = (rows: Row[], other: Map<string | undefined, Row>) => rows.map((r) => r._id).filter((id) => other.has(id));
  const orderBefore = shared(before, afterById);
  const orderAfter = shared(after, beforeById);
  if (JSON.stringify(orderBefore) !== JSON.stringify(orderAfter)) changes.push({ where, what: 'rules reordered', item: null, before: orderBefore, after: orderAfter });
}

/** A rule's non-empty cells. */
function cellsOf(rule: Row): Row {
  return Object.fromEntries(Object.entries(rule).filter(([k, v]) => k !== '_id' && v !== ''));
}
