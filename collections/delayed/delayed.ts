/*
 * Delayed: a lazy value, the result of a function call that has not run yet. Each Delayed holds
 * its key, the graph node that computes it, and the Delayed values that node reads; the graph of
 * a Delayed is everything reachable through those links, gathered on demand by an iterative
 * walk. Building a Delayed therefore costs one node and never copies its ancestors' graphs, which
 * keeps a million-task graph at a few hundred bytes per task.
 */
import {
  COLLECTION,
  computeAll,
  persistAll,
  type ComputeOptions,
  type DaskCollection,
  type KeyTree,
} from '../../src/core/compute.js';
import { HighLevelGraph, MaterializedLayer } from '../../src/core/graph/high-level-graph.js';
import { keyPrefix, tokenKey } from '../../src/core/graph/keys.js';
import { tokenize } from '../../src/core/graph/tokenize.js';
import { DataNode, Task, TaskRef, type Graph, type GraphNode, type Key } from '../../src/core/graph/task.js';
import { visualize, type VisualizeOptions } from '../../src/core/graph/visualize.js';
import { getItem } from './kernels.js';
import { optimizeDelayed } from './optimize.js';

const DELAYED = Symbol.for('dask-ts/Delayed');
const NONE: readonly Delayed[] = Object.freeze([]);

export class Delayed<T = unknown> implements DaskCollection<T> {
  // Brands live on the prototype (getters), so they cost nothing per instance.
  /** Persisting stores chunk values in DataNodes unread, so a Client can keep them on the cluster. */
  readonly __daskPersistsOpaque = true;
  get [COLLECTION](): true {
    return true;
  }
  get [DELAYED](): true {
    return true;
  }
  readonly key: Key;
  /** The node computing this value. */
  readonly node: GraphNode;
  /** The Delayed values `node` reads. */
  readonly dependencies: readonly Delayed[];

  constructor(key: Key, node: GraphNode, dependencies: readonly Delayed[] = NONE) {
    this.key = key;
    this.node = node;
    this.dependencies = dependencies.length === 0 ? NONE : dependencies;
  }

  /** True for a Delayed from any copy of this package (realm-safe, no instanceof). */
  static isDelayed(value: unknown): value is Delayed {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[DELAYED] === true;
  }

  /** Item or property `k` of the value, as a new Delayed. */
  get<K extends keyof T & (string | number)>(k: K): Delayed<T[K]>;
  get(k: string | number): Delayed<unknown>;
  get(k: string | number): Delayed<unknown> {
    const key = tokenKey('getitem', tokenize(this.key, k));
    return new Delayed(key, new Task(key, getItem, [new TaskRef(this.key), k]), [this]);
  }

  async compute(options?: ComputeOptions): Promise<T> {
    const [value] = await computeAll([this], options);
    return value as T;
  }

  async persist(options?: ComputeOptions): Promise<Delayed<T>> {
    const [value] = await persistAll([this], options);
    return value as Delayed<T>;
  }

  /** The graph as DOT text (or Mermaid with { format: 'mermaid' }). */
  visualize(options?: VisualizeOptions): string {
    return visualize(this.__daskGraph().toGraph(), options);
  }

  toString(): string {
    return `Delayed('${this.key}')`;
  }

  __daskTokenize(): string {
    return this.key;
  }

  __daskGraph(): HighLevelGraph {
    // One Map operation per edge: a node already present leaves the size unchanged.
    const tasks: Graph = new Map();
    const stack: Delayed[] = [this];
    while (stack.length > 0) {
      const d = stack.pop()!;
      const before = tasks.size;
      tasks.set(d.key, d.node);
      if (tasks.size === before) continue;
      for (const dep of d.dependencies) stack.push(dep);
    }
    return new HighLevelGraph([new MaterializedLayer(this.key, tasks)]);
  }

  __daskKeys(): KeyTree {
    return this.key;
  }

  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDelayed(graph, keys);
  }

  __daskPostcompute(value: unknown): T {
    return value as T;
  }

  __daskPostpersist(value: unknown): Delayed<T> {
    return new Delayed<T>(this.key, new DataNode(this.key, value));
  }

  /** The function-name part of the key, for progress and pictures. */
  get prefix(): string {
    return keyPrefix(this.key);
  }
}
