/*
 * GroupByNode: aggregations per group of key values. Lowered as a tree reduction: a partial per
 * partition (kernels/groupby-agg.ts), combined splitEvery at a time, finalised (sorted by key)
 * into one partition. With splitOut M > 1, each partial is split by key hash into M pieces (the
 * shuffle layer's split) and output j is the tree reduction of piece j of every partial: each
 * output holds the groups whose keys hash to it, sorted by key. The input must provide only the
 * keys and the aggregated columns, which the optimiser passes down to the readers.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import type { DType, Meta } from '../../dtype.js';
import { groupbyCombine, groupbyPartial } from '../../kernels/groupby-agg.js';
import { groupbyFinalize } from '../../kernels/groupby-finalize.js';
import type { AggSpec, GroupBySpec } from '../../kernels/groupby-state.js';
import { splitState, statePiece } from '../../kernels/shuffle.js';
import { PlanNode, type Columns, type LowerContext } from '../plan-node.js';
import { lowerSplits } from '../shuffle.js';
import { lowerTree } from '../tree-reduce.js';

function outDType(a: AggSpec, input: Meta): DType {
  switch (a.kind) {
    case 'count':
    case 'size':
    case 'nunique':
      return 'int32';
    case 'sum':
    case 'mean':
    case 'std':
    case 'var':
      return 'float64';
    default:
      return input.find((c) => c.name === a.column)!.dtype;
  }
}

export class GroupByNode extends PlanNode {
  readonly kind = 'groupby';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta;
  constructor(
    readonly input: PlanNode,
    readonly spec: GroupBySpec,
    readonly splitEvery: number,
    readonly npartitions: number,
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
    this.meta = [
      ...spec.keys.map((k) => input.meta.find((c) => c.name === k)!),
      ...spec.aggs.map((a) => ({ name: a.out, dtype: outDType(a, input.meta) })),
    ];
  }
  override inputColumns(): Columns[] {
    return [new Set([...this.spec.keys, ...this.spec.aggs.flatMap((a) => (a.column === null ? [] : [a.column]))])];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new GroupByNode(inputs[0]!, this.spec, this.splitEvery, this.npartitions, this.token);
  }
  lower(ctx: LowerContext): void {
    const partials = ctx.keys(this.input).map((k, i) => {
      const pk = key(`${this.name}-partial`, i);
      ctx.graph.set(pk, new Task(pk, groupbyPartial, [this.spec, new TaskRef(k)]));
      return pk;
    });
    const tree = { combine: groupbyCombine, finalize: groupbyFinalize, spec: this.spec, splitEvery: this.splitEvery };
    if (this.npartitions === 1) {
      lowerTree(ctx.graph, { ...tree, name: this.name, out: key(this.name, 0), leaves: partials });
      return;
    }
    const splits = lowerSplits(ctx.graph, {
      name: this.name,
      inputs: partials,
      nout: this.npartitions,
      split: splitState,
      spec: { keys: this.spec.keys, nout: this.npartitions },
    });
    for (let j = 0; j < this.npartitions; j++) {
      const leaves = splits.map((s, i) => {
        const pk = key(`${this.name}-piece${j}`, i);
        ctx.graph.set(pk, new Task(pk, statePiece, [new TaskRef(s), j]));
        return pk;
      });
      lowerTree(ctx.graph, { ...tree, name: `${this.name}-out${j}`, out: key(this.name, j), leaves });
    }
  }
}
