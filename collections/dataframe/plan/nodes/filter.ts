/*
 * FilterNode: the rows of its input where a boolean expression is true (missing counts as
 * false), partition by partition (df.filter). The optimiser pushes filters through select and
 * assign and into the readers (plan/optimize.ts).
 */
import { exprColumns, type Expr } from '../../expr.js';
import { filterRows } from '../../kernels/rowwise.js';
import { lowerPartitionwise } from '../partitionwise.js';
import { UnaryPlanNode, type Columns, type LowerContext, type PlanNode } from '../plan-node.js';

export class FilterNode extends UnaryPlanNode {
  readonly kind = 'filter';
  constructor(
    input: PlanNode,
    readonly predicate: Expr,
    token?: string,
  ) {
    super(input, token);
  }
  get npartitions(): number {
    return this.input.npartitions;
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    return [exprColumns(this.predicate, new Set(required))];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new FilterNode(inputs[0]!, this.predicate, this.token);
  }
  lower(ctx: LowerContext): void {
    lowerPartitionwise(ctx, this, this.input, filterRows, { predicate: this.predicate });
  }
}
