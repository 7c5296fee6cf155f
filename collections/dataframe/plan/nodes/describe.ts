/*
 * DescribeNode: count, mean, std, min, quartiles and max of the given numeric columns, as one
 * small partition with a 'statistic' column (kernels/describe.ts), by a tree reduction over the
 * partitions that reads only those columns.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { describeCombine, describeFinalize, describePartial, type DescribeSpec } from '../../kernels/describe.js';
import { PlanNode, type Columns, type LowerContext } from '../plan-node.js';
import { lowerTree } from '../tree-reduce.js';

export class DescribeNode extends PlanNode {
  readonly kind = 'describe';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta;
  readonly npartitions = 1;
  constructor(
    readonly input: PlanNode,
    readonly spec: DescribeSpec,
    readonly splitEvery: number,
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
    this.meta = [
      { name: 'statistic', dtype: 'string' },
      ...spec.columns.map((name) => ({ name, dtype: 'float64' as const })),
    ];
  }
  override inputColumns(): Columns[] {
    return [new Set(this.spec.columns)];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new DescribeNode(inputs[0]!, this.spec, this.splitEvery, this.token);
  }
  lower(ctx: LowerContext): void {
    const leaves = ctx.keys(this.input).map((k, i) => {
      const pk = key(`${this.name}-partial`, i);
      ctx.graph.set(pk, new Task(pk, describePartial, [this.spec, new TaskRef(k)]));
      return pk;
    });
    lowerTree(ctx.graph, {
      name: this.name,
      out: key(this.name, 0),
      leaves,
      combine: describeCombine,
      finalize: describeFinalize,
      spec: this.spec,
      splitEvery: this.splitEvery,
    });
  }
}
