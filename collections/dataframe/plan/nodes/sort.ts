/*
 * SortNode: a globally sorted frame. Sampled quantiles of the first sort column pick nout - 1
 * boundaries; the shuffle layer moves each row to its range's partition; each partition is then
 * sorted locally by all sort columns (stable, missing last). With one output partition the input
 * is concatenated and sorted. Partition i holds keys between divisions[i] and divisions[i + 1].
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import { concatParts } from '../../kernels/concat.js';
import { rangeSplit, sortBoundaries, sortPartition, sortSample, type SortSpec } from '../../kernels/sort.js';
import { UnaryPlanNode, type Columns, type LowerContext, type PlanNode } from '../plan-node.js';
import { lowerShuffle } from '../shuffle.js';

export class SortNode extends UnaryPlanNode {
  readonly kind = 'sort';
  constructor(
    input: PlanNode,
    readonly spec: SortSpec,
    token?: string,
  ) {
    super(input, token);
  }
  get by(): readonly string[] {
    return this.spec.by;
  }
  get npartitions(): number {
    return this.spec.nout;
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [new Set([...required, ...this.spec.by])];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new SortNode(inputs[0]!, this.spec, this.token);
  }
  lower(ctx: LowerContext): void {
    const inKeys = ctx.keys(this.input);
    let parts: string[];
    if (this.spec.nout === 1) {
      const k = key(`${this.name}-all`, 0);
      ctx.graph.set(k, new Task(k, concatParts, [inKeys.map((p) => new TaskRef(p))]));
      parts = [k];
    } else {
      const samples = inKeys.map((p, i) => {
        const k = key(`${this.name}-sample`, i);
        ctx.graph.set(k, new Task(k, sortSample, [this.spec, new TaskRef(p)]));
        return new TaskRef(k);
      });
      const bk = key(`${this.name}-bounds`, 0);
      ctx.graph.set(bk, new Task(bk, sortBoundaries, [this.spec, samples]));
      parts = lowerShuffle(ctx.graph, {
        name: `${this.name}-shuffle`,
        inputs: inKeys,
        nout: this.spec.nout,
        split: rangeSplit,
        spec: this.spec,
        extra: [new TaskRef(bk)],
      });
    }
    parts.forEach((p, j) =>
      ctx.graph.set(key(this.name, j), new Task(key(this.name, j), sortPartition, [this.spec, new TaskRef(p)])),
    );
  }
}
