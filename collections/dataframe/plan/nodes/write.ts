/*
 * WriteNode: one task per partition writes it to its own file (in parallel, on the workers) with
 * the given kernel (kernels/csv-write.ts, kernels/parquet.ts) and returns the path. The
 * optimiser sees a node that needs every column; its partitions are paths (written.ts).
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef, type TaskFunction } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { PlanNode, type LowerContext } from '../plan-node.js';

export class WriteNode extends PlanNode {
  readonly kind = 'write';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta = [];
  override readonly output = 'files';
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
