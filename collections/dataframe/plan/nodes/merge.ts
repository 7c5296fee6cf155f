/*
 * MergeNode: a database-style join on equal key values, by one of two strategies (chosen by
 * ops/merge.ts):
 *   broadcast  one side is concatenated once and joined with every partition of the other,
 *              which is never moved;
 *   hash       both sides go through the shuffle layer, hash-partitioned on the keys into
 *              max(n_left, n_right) partitions, and partition j of the left is joined with
 *              partition j of the right: equal keys meet whatever partition they started in.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef, type Key } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { concatParts } from '../../kernels/concat.js';
import { mergePartitions, type MergeSpec } from '../../kernels/merge.js';
import { hashSplit } from '../../kernels/shuffle.js';
import { PlanNode, type Columns, type LowerContext } from '../plan-node.js';
import { lowerShuffle } from '../shuffle.js';

export type Strategy = 'broadcast-left' | 'broadcast-right' | 'hash';

export class MergeNode extends PlanNode {
  readonly kind = 'merge';
  readonly inputs: readonly PlanNode[];
  readonly npartitions: number;
  constructor(
    readonly left: PlanNode,
    readonly right: PlanNode,
    readonly spec: MergeSpec,
    readonly strategy: Strategy,
    readonly meta: Meta,
    token?: string,
  ) {
    super(token);
    this.inputs = [left, right];
    this.npartitions =
      strategy === 'broadcast-right'
        ? left.npartitions
        : strategy === 'broadcast-left'
          ? right.npartitions
          : Math.max(left.npartitions, right.npartitions);
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    const side = (cols: MergeSpec['left']): Set<string> =>
      new Set([...this.spec.on, ...cols.filter(([, out]) => required.has(out)).map(([c]) => c)]);
    return [side(this.spec.left), side(this.spec.right)];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new MergeNode(inputs[0]!, inputs[1]!, this.spec, this.strategy, this.meta, this.token);
  }
  private whole(ctx: LowerContext, side: PlanNode, tag: string): TaskRef {
    const k = key(`${this.name}-${tag}`, 0);
    ctx.graph.set(k, new Task(k, concatParts, [ctx.keys(side).map((p) => new TaskRef(p))]));
    return new TaskRef(k);
  }
  lower(ctx: LowerContext): void {
    let pairs: [TaskRef, TaskRef][];
    if (this.strategy === 'broadcast-right') {
      const all = this.whole(ctx, this.right, 'right');
      pairs = ctx.keys(this.left).map((k) => [new TaskRef(k), all]);
    } else if (this.strategy === 'broadcast-left') {
      const all = this.whole(ctx, this.left, 'left');
      pairs = ctx.keys(this.right).map((k) => [all, new TaskRef(k)]);
    } else {
      const shuffle = (side: PlanNode, tag: string): Key[] =>
        lowerShuffle(ctx.graph, {
          name: `${this.name}-${tag}`,
          inputs: ctx.keys(side),
          nout: this.npartitions,
          split: hashSplit,
          spec: { keys: this.spec.on, nout: this.npartitions },
        });
      const l = shuffle(this.left, 'left');
      const r = shuffle(this.right, 'right');
      pairs = l.map((k, j) => [new TaskRef(k), new TaskRef(r[j]!)]);
    }
    pairs.forEach(([a, b], i) =>
      ctx.graph.set(key(this.name, i), new Task(key(this.name, i), mergePartitions, [this.spec, a, b])),
    );
  }
}
