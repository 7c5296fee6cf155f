/*
 * planGraph: validation and ordering in one pass, producing the integer-indexed form schedulers run.
 *
 * Walk depth-first from the requested keys (iteratively, so chains of any length are fine),
 * visiting each task's dependencies in the order they appear in its args. A node gets its index
 * when the walk leaves it (post-order). Post-order is a topological order (every dependency comes
 * before its dependents), and it is also Dask's memory-friendly priority: running the ready task
 * with the smallest index finishes one branch, and frees its intermediates, before starting the
 * next. Only nodes reachable from the requested keys are visited, so the plan is also culled.
 *
 * During the walk a node is "open" (on the stack) or "closed" (numbered). Reaching an open node
 * again means a cycle; the stack from that node up is the cycle's path. A dependency absent from
 * the graph is reported with the task that needs it.
 *
 * The result keeps dependencies and dependents as CSR arrays (offsets + flat Int32Array), which
 * costs 8 bytes per edge instead of an array object per node: the loop in get-async.ts runs a
 * million tasks on it.
 */
import { GraphError } from '../errors.js';
import type { Graph, GraphNode, Key } from './task.js';

export interface Plan {
  /** Index → key, in priority order (a topological order). */
  readonly keys: readonly Key[];
  /** Index → node. */
  readonly nodes: readonly GraphNode[];
  /** Key → index. */
  readonly index: ReadonlyMap<Key, number>;
  /** Dependencies of node i are deps[depStart[i] .. depStart[i+1]). */
  readonly depStart: Int32Array;
  readonly deps: Int32Array;
  /** Dependents of node i are dependents[dependentStart[i] .. dependentStart[i+1]). */
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
  /** Indices of the requested keys, in the order requested. */
  readonly outputs: Int32Array;
}

const OPEN = -1;

export function planGraph(graph: Graph, outputs: readonly Key[]): Plan {
  const index = new Map<Key, number>();
  const keys: Key[] = [];
  const nodes: GraphNode[] = [];
  const stackNode: GraphNode[] = [];
  const stackPos: number[] = [];
  let edges = 0;
  for (const out of outputs) {
    if (index.has(out)) continue;
    const root = graph.get(out);
    if (root === undefined) throw new GraphError(`key ${out} is not in the graph; compute only keys the graph defines`, { key: out });
    index.set(out, OPEN);
    stackNode.push(root);
    stackPos.push(0);
    while (stackNode.length > 0) {
      const top = stackNode.length - 1;
      const node = stackNode[top] as GraphNode;
      const pos = stackPos[top] as number;
      if (pos < node.deps.length) {
        stackPos[top] = pos + 1;
        const dep = node.deps[pos] as Key;
        const mark = index.get(dep);
        if (mark === undefined) {
          const child = graph.get(dep);
          if (child === undefined) throw missingDependency(node.key, dep);
          index.set(dep, OPEN);
          stackNode.push(child);
          stackPos.push(0);
        } else if (mark === OPEN) {
          throw cycleError(stackNode, dep);
        }
      } else {
        stackNode.pop();
        stackPos.pop();
        index.set(node.key, keys.length);
        keys.push(node.key);
        nodes.push(node);
        edges += node.deps.length;
      }
    }
  }
  return buildEdges(keys, nodes, index, edges, outputs);
}

function buildEdges(keys: Key[], nodes: GraphNode[], index: Map<Key, number>, edges: number, outputs: readonly Key[]): Plan {
  const n = nodes.length;
  const depStart = new Int32Array(n + 1);
  const deps = new Int32Array(edges);
  const dependentCount = new Int32Array(n + 1);
  let e = 0;
  for (let i = 0; i < n; i++) {
    depStart[i] = e;
    for (const d of (nodes[i] as GraphNode).deps) {
      const j = index.get(d) as number;
      deps[e++] = j;
      dependentCount[j + 1]! += 1;
    }
  }
  depStart[n] = e;
  const dependentStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) dependentStart[i + 1] = dependentStart[i]! + dependentCount[i + 1]!;
  const fill = dependentStart.slice(0, n);
  const dependents = new Int32Array(edges);
  for (let i = 0; i < n; i++) {
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) {
      const j = deps[k]!;
      dependents[fill[j]!++] = i;
    }
  }
  const outIdx = new Int32Array(outputs.length);
  outputs.forEach((k, i) => (outIdx[i] = index.get(k) as number));
  return { keys, nodes, index, depStart, deps, dependentStart, dependents, outputs: outIdx };
}

function missingDependency(dependent: Key, missing: Key): GraphError {
  return new GraphError(
    `task ${dependent} depends on ${missing}, which is not in the graph; add a task for ${missing} or remove the reference`,
    { key: missing },
  );
}

function cycleError(stack: readonly GraphNode[], repeated: Key): GraphError {
  const start = stack.findIndex((n) => n.key === repeated);
  const path = [...stack.slice(start).map((n) => n.key), repeated];
  return new GraphError(`the graph has a cycle: ${path.join(' -> ')}`, { cycle: path });
}
