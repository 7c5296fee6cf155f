/*
 * Delayed's optimiser: keep only the tasks the requested keys need (cull), then collapse linear
 * chains into single tasks (fuse), which saves one scheduling round trip per link.
 */
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import { cull } from '../../src/core/graph/cull.js';
import { fuse } from '../../src/core/graph/fuse.js';
import type { Graph, Key } from '../../src/core/graph/task.js';

export function optimizeDelayed(graph: HighLevelGraph, keys: readonly Key[]): Graph {
  return fuse(cull(graph.toGraph(), keys), keys);
}
