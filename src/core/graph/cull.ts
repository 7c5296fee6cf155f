/*
 * cull(): the part of a graph that the requested keys need, after dask.optimization.cull.
 *
 * Algorithm: a depth-first walk from the requested keys over each node's precomputed `deps`,
 * with an explicit stack (chains of 100,000 tasks must not touch the call stack) and one Set of
 * keys already reached, so every node and every edge is visited once: O(nodes + edges). The
 * result keeps the graph's insertion order (one more pass over the input), so culling is
 * deterministic whatever order the keys were asked in. When every task is needed the input Map
 * itself is returned, so callers must treat graphs as immutable (they are, by convention).
 *
 * A requested key that is not in the graph is a user mistake and throws GraphError. A dependency
 * that is not in the graph is skipped here: reporting it, with the task that needs it, is
 * validate()'s job (the scheduler plans the culled graph and raises it there).
 */
import { GraphError } from '../errors.js';
import type { Graph, GraphNode, Key } from './task.js';

/** The tasks `keys` need (themselves included), in the graph's order. */
export function cull(graph: Graph, keys: readonly Key[]): Graph {
  const needed = new Set<Key>();
  const stack: GraphNode[] = [];
  for (const k of keys) {
    const node = graph.get(k);
    if (node === undefined) {
      throw new GraphError(`cull: key ${JSON.stringify(k)} is not in the graph`, { key: k });
    }
    if (!needed.has(k)) {
      needed.add(k);
      stack.push(node);
    }
  }
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const deps = node.deps;
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i] as Key;
      if (needed.has(d)) continue;
      const dep = graph.get(d);
      if (dep === undefined) continue; // missing: validate() reports it
      needed.add(d);
      stack.push(dep);
    }
  }
  if (needed.size === graph.size) return graph;
  const out: Graph = new Map();
  for (const [k, node] of graph) if (needed.has(k)) out.set(k, node);
  return out;
}
