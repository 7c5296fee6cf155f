/*
 * RepartitionNode: the same rows, in the same order, in a new number of partitions. Fewer:
 * output j concatenates the consecutive inputs floor(j*n/m) .. floor((j+1)*n/m). More: each input
 * is cut into near-equal row ranges, input i giving as many outputs as map to it.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import { concatParts } from '../../kernels/concat.js';
import { slicePiece } from '../../kernels/partitions.js';
import { UnaryPlanNode, type Columns, type LowerContext, type PlanNode } from '../plan-node.js';

export class RepartitionNode extends UnaryPlanNode {
  readonly kind = 'repartition';
  constructor(
    input: PlanNode,
    readonly npartitions: number,
    token?: string,
  ) {
    super(input, token);
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [required];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new RepartitionNode(inputs[0]!, this.npartitions, this.token);
  }
  lower(ctx: LowerContext): void {
    const inKeys = ctx.keys(this.input);
    const n = inKeys.length;
    const m = this.npartitions;
    for (let j = 0; j < m; j++) {
      const k = key(this.name, j);
      if (m <= n) {
        const refs = inKeys.slice(Math.floor((j * n) / m), Math.floor(((j + 1) * n) / m)).map((p) => new TaskRef(p));
        ctx.graph.set(k, new Task(k, concatParts, [refs]));
      } else {
        const i = Math.floor((j * n) / m);
        const firstOut = Math.ceil((i * m) / n);
        const pieces = Math.ceil(((i + 1) * m) / n) - firstOut;
        ctx.graph.set(k, new Task(k, slicePiece, [j - firstOut, pieces, new TaskRef(inKeys[i]!)]));
      }
    }
  }
}
