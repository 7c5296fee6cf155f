/*
 * PlanCollection: the collection protocol for everything backed by a DataFrame plan (DataFrame,
 * Series, Scalar, the result of a write). The graph is one PlanLayer over the plan's root, the
 * keys are the root's partitions, and the optimiser is the DataFrame one (plan/optimize.ts:
 * filter pushdown, column pruning, then lowering, culling and fusion). compute() returns what
 * each subclass makes of the computed partitions (`__daskPostcompute`).
 */
import {
  COLLECTION,
  computeAll,
  type ComputeOptions,
  type DaskCollection,
  type KeyTree,
} from '../../src/core/compute.js';
import { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../src/core/graph/task.js';
import { optimizeDataFrame } from './plan/optimize.js';
import { PlanLayer, type PlanNode } from './plan/plan-node.js';

export abstract class PlanCollection<R> implements DaskCollection<R> {
  get [COLLECTION](): true {
    return true;
  }
  abstract readonly plan: PlanNode;

  async compute(options?: ComputeOptions): Promise<R> {
    const [v] = await computeAll([this], options);
    return v as R;
  }

  __daskGraph(): HighLevelGraph {
    return new HighLevelGraph([new PlanLayer(this.plan)]);
  }
  __daskKeys(): KeyTree {
    return this.plan.keys();
  }
  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDataFrame(graph, keys);
  }
  abstract __daskPostcompute(values: unknown): R;
  abstract __daskPostpersist(values: unknown): DaskCollection<R>;
}
