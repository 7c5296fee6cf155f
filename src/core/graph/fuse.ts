/*
 * fuse(): linear-chain fusion, a simplified dask.optimization.fuse.
 *
 * An edge a -> b (b reads a) is fusable when both are Tasks, a's only dependent in the whole graph
 * is b, a is b's only dependency, TaskRef(a) occurs exactly once in b's args (otherwise inlining
 * would run a twice) and a is not an output key (outputs keep their keys). Fusing replaces that
 * TaskRef by the Task a itself, an inline sub-task that callTask evaluates just before b, and
 * drops key a from the graph. Chains x1 -> x2 -> ... -> xn collapse into one task keyed xn.
 *
 * Algorithm, all O(nodes + edges), with no recursion on graph depth. Keys are numbered once (the
 * only Map built: one set per key, one get per edge); everything after indexes typed arrays:
 *   1. one pass over the edges records each key's single dependent (or "several"), and for each
 *      single-dependency task, that dependency;
 *   2. one pass finds the fusable edges: since every node has at most one fusable parent and at
 *      most one fusable child, they form disjoint paths (a cycle of them, in an invalid graph, has
 *      no head and is left alone);
 *   3. each path is walked from its head, wrapping the accumulated task into the next one;
 *   4. one pass in the input's order writes the new graph.
 *
 * The inline nesting depth of a fused task is capped at `maxChain` (default 64): callTask and
 * substitute evaluate inline tasks recursively, a few stack frames per level, and so would
 * serialisers walking the args; 64 keeps that far below Node's stack limit while cutting the
 * per-task scheduling cost of a chain by 64x. A longer chain is cut into several fused tasks.
 * Depths add up (a task already fused by an earlier pass counts as its own depth), so fusing a
 * fused graph again never exceeds the cap either.
 */
import { ValueError } from '../errors.js';
import { Task, TaskRef } from './task.js';
import { isPlainContainer } from './plain-container.js';
import type { Graph, GraphNode, Key } from './task.js';

export interface FuseOptions {
  /** The most tasks nested into one fused task (inline depth); 1 disables fusion. Default 64. */
  maxChain?: number;
}

/** The graph as parallel arrays, so the passes below index typed arrays instead of Maps. */
interface Indexed {
  readonly keys: Key[];
  readonly nodes: GraphNode[];
  readonly index: Map<Key, number>;
  /** dependent[i]: the index of i's only dependent; -1 when none, -2 when several. */
  readonly dependent: Int32Array;
  /** parent[i]: for a task with exactly one dependency in the graph, that dependency's index. */
  readonly parent: Int32Array;
}

/** Fuses linear chains of tasks; `keys` (the outputs) are never fused away. */
export function fuse(graph: Graph, keys: readonly Key[], options: FuseOptions = {}): Graph {
  const maxChain = options.maxChain ?? 64;
  if (!Number.isInteger(maxChain) || maxChain < 1) {
    throw new ValueError(`fuse: maxChain must be a positive integer, got ${String(maxChain)}`);
  }
  const g = indexGraph(graph);
  const n = g.nodes.length;
  const isOutput = new Uint8Array(n);
  for (const k of keys) {
    const i = g.index.get(k);
    if (i !== undefined) isOutput[i] = 1;
  }
  // child[a] = b for every fusable edge a -> b; each node has at most one fusable child and parent
  const child = new Int32Array(n).fill(-1);
  const hasParent = new Uint8Array(n);
  let edges = 0;
  for (let b = 0; b < n; b++) {
    const a = g.parent[b] as number;
    if (a < 0 || isOutput[a] === 1 || g.dependent[a] !== b || (g.nodes[a] as GraphNode).kind !== 'task') continue;
    child[a] = b;
    hasParent[b] = 1;
    edges += 1;
  }
  if (edges === 0) return new Map(graph);
  const absorbed = new Uint8Array(n);
  for (let head = 0; head < n; head++) {
    if (child[head] !== -1 && hasParent[head] === 0) fuseChain(g, head, child, maxChain, absorbed);
  }
  const out: Graph = new Map();
  for (let i = 0; i < n; i++) if (absorbed[i] === 0) out.set(g.keys[i] as Key, g.nodes[i] as GraphNode);
  return out;
}

/** Numbers the keys in graph order and finds each key's single dependent and single dependency. */
function indexGraph(graph: Graph): Indexed {
  const n = graph.size;
  const keys = new Array<Key>(n);
  const nodes = new Array<GraphNode>(n);
  const index = new Map<Key, number>();
  let i = 0;
  for (const [k, node] of graph) {
    index.set(k, i);
    keys[i] = k;
    nodes[i] = node;
    i += 1;
  }
  const dependent = new Int32Array(n).fill(-1);
  const parent = new Int32Array(n).fill(-1);
  for (let b = 0; b < n; b++) {
    const node = nodes[b] as GraphNode;
    const deps = node.deps; // without repeats, so b is counted once per dependency
    for (let k = 0; k < deps.length; k++) {
      const a = index.get(deps[k] as Key);
      if (a === undefined) continue; // missing: validate() reports it
      dependent[a] = dependent[a] === -1 ? b : -2;
      if (deps.length === 1 && node.kind === 'task') parent[b] = a;
    }
  }
  return { keys, nodes, index, dependent, parent };
}

/**
 * Walks one path of fusable edges from `head`, cutting it into segments of inline depth at most
 * maxChain. Each segment's fused task replaces its last node in `nodes`; the others are absorbed.
 */
function fuseChain(g: Indexed, head: number, child: Int32Array, maxChain: number, absorbed: Uint8Array): void {
  const nodes = g.nodes;
  let acc = nodes[head] as Task;
  let depth = inlineDepth(acc);
  let cur = head;
  for (let next = child[cur] as number; next !== -1; next = child[cur] as number) {
    const b = nodes[next] as Task;
    const bDepth = inlineDepth(b);
    const args = depth + bDepth <= maxChain ? replaceRefOnce(b.args, g.keys[cur] as Key, acc) : undefined;
    if (args !== undefined) {
      absorbed[cur] = 1;
      acc = new Task(b.key, b.fn, args);
      nodes[next] = acc;
      depth += bDepth;
    } else {
      acc = b;
      depth = bDepth;
    }
    cur = next;
  }
}

/**
 * How deeply inline tasks nest in `task`: 1 for a task without inline sub-tasks. Walks the args
 * with an explicit stack, so a long nesting made by hand cannot overflow the call stack here.
 */
function inlineDepth(task: Task): number {
  if (task.literalArgs) return 1;
  let flat = true; // the common case: args are TaskRefs and scalars
  for (const a of task.args) if (a !== null && typeof a === 'object' && !(a instanceof TaskRef)) flat = false;
  if (flat) return 1;
  let max = 1;
  const values: unknown[] = [task.args];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const d = depths.pop() as number;
    if (v === null || typeof v !== 'object') continue;
    if (v instanceof Task) {
      if (d + 1 > max) max = d + 1;
      if (!v.literalArgs) {
        values.push(v.args);
        depths.push(d + 1);
      }
    } else if (Array.isArray(v)) {
      for (const item of v as unknown[]) {
        values.push(item);
        depths.push(d);
      }
    } else if (isPlainContainer(v)) {
      for (const k in v) {
        values.push(v[k]);
        depths.push(d);
      }
    }
  }
  return max;
}

/**
 * `args` with the one TaskRef to `key` replaced by `task`, or undefined when the reference does not
 * occur exactly once. Walks arrays, plain objects and inline tasks (rebuilding what changed); the
 * recursion follows the args' own nesting, never the chain's length.
 */
function replaceRefOnce(args: readonly unknown[], key: Key, task: Task): unknown[] | undefined {
  const counter = { n: 0 };
  const out = replaceIn(args, key, task, counter) as unknown[];
  return counter.n === 1 ? out : undefined;
}

function replaceIn(value: unknown, key: Key, task: Task, counter: { n: number }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof TaskRef) {
    if (value.key !== key) return value;
    counter.n += 1;
    return task;
  }
  if (value instanceof Task) {
    if (value.literalArgs || !value.deps.includes(key)) return value;
    const args = replaceIn(value.args, key, task, counter) as unknown[];
    return args === value.args ? value : new Task(value.key, value.fn, args);
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = replaceIn(v, key, task, counter);
      if (r !== v && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(r);
    }
    return out ?? value;
  }
  if (isPlainContainer(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = value[k];
      const r = replaceIn(v, key, task, counter);
      if (r !== v)
        out ??= Object.assign(
          Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>,
          value,
        );
      if (out !== undefined) out[k] = r;
    }
    return out ?? value;
  }
  return value;
}
