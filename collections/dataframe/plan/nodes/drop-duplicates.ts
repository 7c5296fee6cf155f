/*
 * DropDuplicatesNode: the first row of every distinct value of the subset columns, in order of
 * first appearance, as pandas keeps them. A tree reduction: each partition is deduplicated, then
 * concatenated neighbours splitEvery at a time, again, into one partition; combining in partition
 * order keeps the first occurrence overall.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import { dedupeCombine, dedupeRows } from '../../kernels/partitions.js';
import { UnaryPlanNode, type Columns, type LowerContext, type PlanNode } from '../plan-node.js';
import { lowerTree } from '../tree-reduce.js';

export class DropDuplicatesNode extends UnaryPlanNode {
  readonly kind = 'drop-duplicates';
  readonly npartitions = 1;
  constructor(
    input: PlanNode,
    readonly subset: readonly string[],
    readonly splitEvery: number,
    token?: string,
  ) {
    super(input, token);
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [new Set([...required, ...this.subset])];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new DropDuplicatesNode(inputs[0]!, this.subset, this.splitEvery, this.token);
  }
  lower(ctx: LowerContext): void {
    const spec = { subset: this.subset };
    const leaves = ctx.keys(this.input).map((k, i) => {
      const pk = key(`${this.name}-partial`, i);
      ctx.graph.set(pk, new Task(pk, dedupeRows, [spec, new TaskRef(k)]));
      return pk;
    });
    lowerTree(ctx.graph, {
      name: this.name,
      out: key(this.name, 0),
      leaves,
      combine: dedupeCombine,
      finalize: dedupeRows,
      spec,
      splitEvery: this.splitEvery,
    });
  }
}
