/*
 * The DataFrame optimiser: HighLevelGraph of PlanLayers → optimised low-level graph.
 *
 *  1. Filter pushdown (per node, memoised, inputs first): filter(filter(x)) becomes one filter on
 *     the conjunction; a filter moves below select, and below assign when it reads no assigned
 *     column; a filter directly over a reader becomes the reader's own filter (`withFilter`).
 *  2. Column pruning over all plans together: walking consumers before producers (reverse
 *     post-order), each node says which input columns it needs for the columns required of it
 *     (`inputColumns`); roots need all their columns. Then, producers first, every node is rebuilt
 *     over its rebuilt inputs and asked to `project` to its required columns: readers then read
 *     only those, assignments nobody reads disappear. Nodes that cannot project pass their columns
 *     through, and kernels look columns up by name, so extra columns are harmless.
 *  3. Lowering to tasks, aliases for roots whose name changed (a root filter absorbed by its
 *     reader), any non-plan layers materialised, then cull and linear-chain fusion (core), which
 *     leaves the tasks of async nodes (Parquet reads) unfused so that schedulers await them.
 */
import { cull } from '../../../src/core/graph/cull.js';
import { fuse } from '../../../src/core/graph/fuse.js';
import type { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import { key } from '../../../src/core/graph/keys.js';
import { Alias, type Graph, type Key } from '../../../src/core/graph/task.js';
import { exprColumns, type Expr } from '../expr.js';
import { AssignNode } from './nodes/assign.js';
import { FilterNode } from './nodes/filter.js';
import { ProjectNode } from './nodes/select.js';
import { derivedToken, lowerPlans, PlanLayer, type PlanNode } from './plan-node.js';

/** A node that can apply a row filter itself (the readers). */
interface Filterable {
  withFilter(predicate: Expr): PlanNode;
}

function isFilterable(node: PlanNode): node is PlanNode & Filterable {
  return typeof (node as Partial<Filterable>).withFilter === 'function';
}

function pushFilter(f: FilterNode, memo: Map<PlanNode, PlanNode>): PlanNode {
  const inp = f.input;
  const pred = f.predicate;
  if (inp instanceof FilterNode) {
    const both: Expr = { op: 'and', a: inp.predicate, b: pred };
    return pushFilter(new FilterNode(inp.input, both, derivedToken(f.token, 'merged')), memo);
  }
  if (inp instanceof ProjectNode) {
    const below = pushFilter(new FilterNode(inp.input, pred, derivedToken(f.token, 'below-select')), memo);
    return new ProjectNode(below, inp.selected, derivedToken(inp.token, ['filtered', f.token]));
  }
  if (inp instanceof AssignNode && ![...exprColumns(pred)].some((c) => inp.names.includes(c))) {
    const below = pushFilter(new FilterNode(inp.input, pred, derivedToken(f.token, 'below-assign')), memo);
    return new AssignNode(below, inp.names, inp.exprs, derivedToken(inp.token, ['filtered', f.token]));
  }
  if (isFilterable(inp)) return inp.withFilter(pred);
  return f;
}

function pushFilters(node: PlanNode, memo: Map<PlanNode, PlanNode>): PlanNode {
  const hit = memo.get(node);
  if (hit !== undefined) return hit;
  const inputs = node.inputs.map((i) => pushFilters(i, memo));
  const rebuilt = inputs.some((i, k) => i !== node.inputs[k]) ? node.withInputs(inputs) : node;
  const out = rebuilt instanceof FilterNode ? pushFilter(rebuilt, memo) : rebuilt;
  memo.set(node, out);
  return out;
}

function postOrder(roots: readonly PlanNode[]): PlanNode[] {
  const seen = new Set<PlanNode>();
  const order: PlanNode[] = [];
  const visit = (n: PlanNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const i of n.inputs) visit(i);
    order.push(n);
  };
  for (const r of roots) visit(r);
  return order;
}

/** Rebuilds the plans so every node reads only the columns its consumers need. */
export function pruneColumns(roots: readonly PlanNode[]): PlanNode[] {
  const order = postOrder(roots);
  const required = new Map<PlanNode, Set<string> | undefined>();
  for (const r of roots) required.set(r, undefined);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    const req = required.has(n) ? required.get(n) : new Set<string>();
    const needs = n.inputColumns(req ?? new Set(n.columns));
    n.inputs.forEach((input, i) => {
      const want = needs[i];
      if (required.has(input) && required.get(input) === undefined) return;
      if (want === undefined) required.set(input, undefined);
      else required.set(input, new Set([...(required.get(input) ?? []), ...want]));
    });
  }
  const rebuilt = new Map<PlanNode, PlanNode>();
  for (const n of order) {
    const inputs = n.inputs.map((i) => rebuilt.get(i)!);
    let m = inputs.some((i, k) => i !== n.inputs[k]) ? n.withInputs(inputs) : n;
    const req = required.get(n);
    if (req !== undefined && n.columns.some((c) => !req.has(c))) m = m.project(req) ?? m;
    rebuilt.set(n, m);
  }
  return roots.map((r) => rebuilt.get(r)!);
}

/** Optimised plans of `roots`. */
export function optimizePlans(roots: readonly PlanNode[]): PlanNode[] {
  const memo = new Map<PlanNode, PlanNode>();
  return pruneColumns(roots.map((r) => pushFilters(r, memo)));
}

export function optimizeDataFrame(graph: HighLevelGraph, keys: readonly Key[]): Graph {
  const roots: PlanNode[] = [];
  const out: Graph = new Map();
  for (const layer of graph.layers.values()) {
    if (layer instanceof PlanLayer) roots.push(layer.root);
    else layer.materialize(out);
  }
  const optimized = optimizePlans(roots);
  lowerPlans(optimized, out);
  roots.forEach((r, i) => {
    const o = optimized[i]!;
    if (o.name === r.name) return;
    for (let p = 0; p < r.npartitions; p++) out.set(key(r.name, p), new Alias(key(r.name, p), key(o.name, p)));
  });
  return fuse(cull(out, keys), keys);
}
