/*
 * Delayed's optimiser. A Delayed graph holds exactly the ancestors of its keys (it is gathered by
 * walking dependencies from them), so it is already culled, and like Dask we do not fuse Delayed
 * graphs by default: fusion pays off for long chains, while for the wide graphs Delayed usually
 * builds it would cost a full pass per compute. A single materialised layer is used as it is,
 * without a copy. `fuse` (src/core/graph/fuse.ts) remains available to apply by hand.
 */
import { MaterializedLayer, type HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../src/core/graph/task.js';

export function optimizeDelayed(graph: HighLevelGraph, _keys: readonly Key[]): Graph {
  if (graph.layers.size === 1) {
    const only = graph.layers.values().next().value;
    if (only instanceof MaterializedLayer) return only.tasks as Graph;
  }
  return graph.toGraph();
}
