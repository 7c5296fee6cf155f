/*
 * HighLevelGraph: a graph kept as one layer per collection operation, plus which layers each layer
 * reads. Optimisations that understand a layer kind (blockwise fusion of elementwise array ops,
 * column projection into readers) rewrite layers before anything is materialised, so a million
 * chunk tasks are only built once, at the end. `toGraph()` materialises the low-level Graph that
 * schedulers run.
 *
 * Merging two collections' graphs is a union of their layer maps: layers are immutable and shared,
 * so merging costs O(layers), never O(tasks).
 */
import type { Graph, GraphNode, Key } from './task.js';

/** One operation's tasks. Layers are immutable once built. */
export interface Layer {
  readonly name: string;
  /** Names of the layers whose keys this layer's tasks read. */
  readonly dependencies: readonly string[];
  /** The keys this layer defines (without materialising its tasks where the layer can). */
  outputKeys(): Iterable<Key>;
  /** Adds this layer's tasks to `into`. */
  materialize(into: Graph): void;
}

/** A layer whose tasks already exist. */
export class MaterializedLayer implements Layer {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly tasks: ReadonlyMap<Key, GraphNode>;
  constructor(
    name: string,
    tasks: ReadonlyMap<Key, GraphNode> | Iterable<GraphNode>,
    dependencies: readonly string[] = [],
  ) {
    this.name = name;
    this.dependencies = dependencies;
    this.tasks =
      tasks instanceof Map
        ? (tasks as ReadonlyMap<Key, GraphNode>)
        : new Map([...(tasks as Iterable<GraphNode>)].map((t) => [t.key, t]));
  }
  outputKeys(): Iterable<Key> {
    return this.tasks.keys();
  }
  materialize(into: Graph): void {
    for (const [k, node] of this.tasks) into.set(k, node);
  }
}

export class HighLevelGraph {
  readonly layers: ReadonlyMap<string, Layer>;
  constructor(layers: ReadonlyMap<string, Layer> | Iterable<Layer>) {
    this.layers =
      layers instanceof Map
        ? (layers as ReadonlyMap<string, Layer>)
        : new Map([...(layers as Iterable<Layer>)].map((l) => [l.name, l]));
  }

  /** A graph of `layer` on top of the graphs it reads. */
  static fromLayer(layer: Layer, inputs: readonly HighLevelGraph[] = []): HighLevelGraph {
    const layers = new Map<string, Layer>();
    for (const g of inputs) for (const [name, l] of g.layers) layers.set(name, l);
    layers.set(layer.name, layer);
    return new HighLevelGraph(layers);
  }

  /** The union of several graphs (shared layers appear once). */
  static merge(graphs: readonly HighLevelGraph[]): HighLevelGraph {
    if (graphs.length === 1 && graphs[0] !== undefined) return graphs[0];
    const layers = new Map<string, Layer>();
    for (const g of graphs) for (const [name, l] of g.layers) layers.set(name, l);
    return new HighLevelGraph(layers);
  }

  /** Layer name → names of the layers it reads (only those present in this graph). */
  dependencies(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [name, l] of this.layers)
      out.set(
        name,
        l.dependencies.filter((d) => this.layers.has(d)),
      );
    return out;
  }

  /** The materialised low-level graph. */
  toGraph(): Graph {
    const graph: Graph = new Map();
    for (const l of this.layers.values()) l.materialize(graph);
    return graph;
  }
}
