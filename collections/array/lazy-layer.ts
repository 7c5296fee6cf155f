/*
 * A layer that builds its tasks only when the graph is materialised. Array operations describe
 * their output blocks up front (keys are cheap) and defer the Task objects, so an elementwise
 * chain that gets fused away never builds the intermediate arrays' tasks at all.
 */
import type { Layer } from '../../src/core/graph/high-level-graph.js';
import type { Graph, GraphNode, Key } from '../../src/core/graph/task.js';

export class LazyLayer implements Layer {
  constructor(
    readonly name: string,
    readonly dependencies: readonly string[],
    private readonly keys: () => Iterable<Key>,
    private readonly build: () => Iterable<GraphNode>,
  ) {}
  outputKeys(): Iterable<Key> {
    return this.keys();
  }
  materialize(into: Graph): void {
    for (const node of this.build()) into.set(node.key, node);
  }
}
