/*
 * PartitionsNode: partitions [start, end) of its input, as aliases, so that computing it culls
 * every other partition's tasks (df.head computes the partitions it needs this way).
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Alias } from '../../../../src/core/graph/task.js';
import { UnaryPlanNode, type Columns, type LowerContext, type PlanNode } from '../plan-node.js';

/** Partitions [start, end) of a frame. */
export class PartitionsNode extends UnaryPlanNode {
  readonly kind = 'partitions';
  constructor(
    input: PlanNode,
    readonly start: number,
    readonly end: number,
    token?: string,
  ) {
    super(input, token);
  }
  get npartitions(): number {
    return this.end - this.start;
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [required];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new PartitionsNode(inputs[0]!, this.start, this.end, this.token);
  }
  lower(ctx: LowerContext): void {
    const inKeys = ctx.keys(this.input);
    for (let j = 0; j < this.npartitions; j++)
      ctx.graph.set(key(this.name, j), new Alias(key(this.name, j), inKeys[this.start + j]!));
  }
}
