/*
 * Writing a frame: one task per partition writes it to its own file (in parallel, on the workers)
 * and returns the path. WriteNode is that plan node; `writeFiles` computes it and returns the
 * paths in partition order. The optimiser sees a node that needs every column.
 */
import { optimizeDataFrame } from '../optimize.js';
import type { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../../src/core/graph/task.js';
import { PlanCollection } from '../plan/plan-collection.js';
import { computeAll, type ComputeOptions, type DaskCollection } from '../../../src/core/compute.js';
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type TaskFunction } from '../../../src/core/graph/task.js';
import type { Meta } from '../dtype.js';
import { PlanNode, type LowerContext } from '../plan/plan-node.js';

export class WriteNode extends PlanNode {
  readonly kind = 'write';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta = [];
  constructor(
    readonly input: PlanNode,
    readonly fn: TaskFunction,
    readonly specs: readonly unknown[],
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
  }
  get npartitions(): number {
    return this.input.npartitions;
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new WriteNode(inputs[0]!, this.fn, this.specs, this.token);
  }
  lower(ctx: LowerContext): void {
    ctx
      .keys(this.input)
      .forEach((p, i) =>
        ctx.graph.set(key(this.name, i), new Task(key(this.name, i), this.fn, [this.specs[i], new TaskRef(p)])),
      );
  }
}

class Written extends PlanCollection<string[]> {
  constructor(readonly plan: WriteNode) {
    super();
  }
  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDataFrame(graph, keys);
  }
  __daskPostcompute(values: unknown): string[] {
    return values as string[];
  }
  __daskPostpersist(): DaskCollection<string[]> {
    return this;
  }
}

export async function writeFiles(node: WriteNode, options?: ComputeOptions): Promise<string[]> {
  const [paths] = await computeAll([new Written(node)], options);
  return paths as string[];
}
