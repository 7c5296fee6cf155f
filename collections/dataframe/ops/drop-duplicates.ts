/*
 * df.dropDuplicates(subset?): the first row of every distinct value of the subset columns (all
 * columns by default), in order of first appearance, as pandas keeps them. A tree reduction:
 * each partition is deduplicated, then concatenated neighbours splitEvery at a time, again, into
 * one partition; combining in partition order keeps the first occurrence overall.
 */
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { dedupeCombine, dedupeRows } from '../kernels/partitions.js';
import type { PlanNode } from '../plan/plan-node.js';
import { UnaryPlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerTree, splitEveryOf } from '../plan/tree-reduce.js';
import { DataFrame } from '../dataframe.js';
import { checkColumns } from './select.js';

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

export function dropDuplicates(
  df: DataFrame,
  subset?: string | readonly string[],
  options: { splitEvery?: number } = {},
): DataFrame {
  const cols = subset === undefined ? df.columns : typeof subset === 'string' ? [subset] : [...subset];
  checkColumns(cols, df.plan.meta, 'dropDuplicates');
  return new DataFrame(new DropDuplicatesNode(df.plan, cols, splitEveryOf(options.splitEvery)));
}
