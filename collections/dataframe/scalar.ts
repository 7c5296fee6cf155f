/*
 * Scalar: a lazy single value, the result of a Series reduction. Its plan's root has one
 * partition whose value is a number (or a string for min/max of strings, null when undefined).
 */
import { optimizeDataFrame } from './optimize.js';
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../src/core/graph/task.js';
import { PlanCollection } from './plan/plan-collection.js';
import { computeAll, type ComputeOptions } from '../../src/core/compute.js';
import { DataNode } from '../../src/core/graph/task.js';
import { key } from '../../src/core/graph/keys.js';
import { PlanNode, type LowerContext } from './plan/plan-node.js';
import type { Meta } from './dtype.js';

const SCALAR = Symbol.for('dask-ts/Scalar');

export type ScalarValue = number | string | boolean | null;

class ScalarValueNode extends PlanNode {
  readonly kind = 'scalar';
  readonly inputs: readonly PlanNode[] = [];
  readonly meta: Meta = [];
  readonly npartitions = 1;
  constructor(readonly value: unknown) {
    super();
  }
  withInputs(): PlanNode {
    return this;
  }
  lower(ctx: LowerContext): void {
    ctx.graph.set(key(this.name, 0), new DataNode(key(this.name, 0), this.value));
  }
}

export class Scalar<T extends ScalarValue = number> extends PlanCollection<T> {
  get [SCALAR](): true {
    return true;
  }
  constructor(readonly plan: PlanNode) {
    super();
  }

  static isScalar(value: unknown): value is Scalar<ScalarValue> {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[SCALAR] === true;
  }

  async compute(options?: ComputeOptions): Promise<T> {
    const [v] = await computeAll([this], options);
    return v as T;
  }

  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDataFrame(graph, keys);
  }
  __daskPostcompute(values: unknown): T {
    return (values as unknown[])[0] as T;
  }
  __daskPostpersist(values: unknown): Scalar<T> {
    return new Scalar<T>(new ScalarValueNode((values as unknown[])[0]));
  }
}
