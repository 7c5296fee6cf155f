/*
 * PlanCollection: the collection protocol for everything backed by a DataFrame plan (DataFrame,
 * Series, Scalar, the result of a write). The graph is one PlanLayer over the plan's root, the
 * keys are the root's partitions; subclasses say how computed partitions become their result and
 * name the DataFrame optimiser (projection and filter pushdown), which this module cannot import:
 * optimize.ts imports the plan nodes, whose modules import the subclasses.
 */
import { COLLECTION, type DaskCollection, type KeyTree } from '../../../src/core/compute.js';
import { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../../src/core/graph/task.js';
import { PlanLayer, type PlanNode } from './plan-node.js';

export abstract class PlanCollection<R> implements DaskCollection<R> {
  get [COLLECTION](): true {
    return true;
  }
  abstract readonly plan: PlanNode;
  __daskGraph(): HighLevelGraph {
    return new HighLevelGraph([new PlanLayer(this.plan)]);
  }
  __daskKeys(): KeyTree {
    return this.plan.keys();
  }
  /** optimizeDataFrame; declared by each subclass because optimize.ts imports the classes. */
  abstract __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph;
  abstract __daskPostcompute(values: unknown): R;
  abstract __daskPostpersist(values: unknown): DaskCollection<R>;
}
