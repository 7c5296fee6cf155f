/*
 * MapPartitionsNode: a function applied to every partition, its result (a Table or a
 * {column: values} record) made a table of the declared columns (`meta`) by kernels/partitions.ts.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef, type TaskFunction } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { asTable } from '../../kernels/partitions.js';
import { PlanNode, type LowerContext } from '../plan-node.js';

export class MapPartitionsNode extends PlanNode {
  readonly kind: string;
  readonly inputs: readonly PlanNode[];
  constructor(
    readonly input: PlanNode,
    readonly fn: TaskFunction,
    readonly meta: Meta,
    token?: string,
  ) {
    super(token);
    this.kind = fn.name === '' ? 'map-partitions' : fn.name;
    this.inputs = [input];
  }
  get npartitions(): number {
    return this.input.npartitions;
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new MapPartitionsNode(inputs[0]!, this.fn, this.meta, this.token);
  }
  lower(ctx: LowerContext): void {
    ctx.keys(this.input).forEach((p, i) => {
      const k = key(this.name, i);
      ctx.graph.set(k, new Task(k, asTable, [new Task(k, this.fn, [new TaskRef(p)]), this.meta]));
    });
  }
}
