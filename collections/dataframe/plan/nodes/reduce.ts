/*
 * ReduceNode: one value from a column expression (sum, mean, min, max, count, std, var,
 * nunique) by a tree reduction (kernels/reduce.ts): one partial per partition, combined
 * `splitEvery` at a time. Only the columns the expression reads are needed from the input, which
 * the optimiser passes down to the readers. Its one partition is a value: a Scalar's plan.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { exprColumns } from '../../expr.js';
import { reduceCombine, reduceFinalize, reducePartial, type ReduceSpec } from '../../kernels/reduce.js';
import { PlanNode, type Columns, type LowerContext } from '../plan-node.js';
import { lowerTree } from '../tree-reduce.js';

export class ReduceNode extends PlanNode {
  readonly kind = 'reduce';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta = [];
  readonly npartitions = 1;
  override readonly output = 'scalar';
  constructor(
    readonly input: PlanNode,
    readonly spec: ReduceSpec,
    readonly splitEvery: number,
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
  }
  override inputColumns(): Columns[] {
    return [exprColumns(this.spec.expr)];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new ReduceNode(inputs[0]!, this.spec, this.splitEvery, this.token);
  }
  lower(ctx: LowerContext): void {
    const inKeys = ctx.keys(this.input);
    const leaves = inKeys.map((k, i) => {
      const pk = key(`${this.name}-partial`, i);
      ctx.graph.set(pk, new Task(pk, reducePartial, [this.spec, new TaskRef(k)]));
      return pk;
    });
    lowerTree(ctx.graph, {
      name: this.name,
      out: key(this.name, 0),
      leaves,
      combine: reduceCombine,
      finalize: reduceFinalize,
      spec: this.spec,
      splitEvery: this.splitEvery,
    });
  }
}
