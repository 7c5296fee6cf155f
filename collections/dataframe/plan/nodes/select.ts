/*
 * ProjectNode: a frame with only the selected columns, in that order (df.select). The optimiser
 * narrows a projection to the columns its consumers use, and the columns it keeps are all the
 * input must provide, which is how projections reach the readers.
 */
import type { Meta } from '../../dtype.js';
import { selectColumns } from '../../kernels/rowwise.js';
import { lowerPartitionwise } from '../partitionwise.js';
import { derivedToken, PlanNode, type Columns, type LowerContext } from '../plan-node.js';

export class ProjectNode extends PlanNode {
  readonly kind = 'select';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta;
  constructor(
    readonly input: PlanNode,
    readonly selected: readonly string[],
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
    this.meta = selected.map((name) => input.meta.find((c) => c.name === name)!);
  }
  get npartitions(): number {
    return this.input.npartitions;
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [new Set(this.selected.filter((c) => required.has(c)))];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new ProjectNode(inputs[0]!, this.selected, this.token);
  }
  override project(columns: ReadonlySet<string>): PlanNode | undefined {
    const kept = this.selected.filter((c) => columns.has(c));
    return new ProjectNode(this.input, kept, derivedToken(this.token, kept));
  }
  lower(ctx: LowerContext): void {
    lowerPartitionwise(ctx, this, this.input, selectColumns, { columns: this.selected });
  }
}
