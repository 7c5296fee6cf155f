/*
 * df.filter(predicate): the rows where a boolean Series is true (missing counts as false). The
 * predicate must come from this frame or from one it derives from row for row (ops/lineage.ts). The optimiser
 * pushes filters through select and assign and into the readers.
 */
import { DTypeError } from '../errors.js';
import { ValueError } from '../../../src/core/errors.js';
import { exprColumns, exprDType, type Expr } from '../expr.js';
import { filterRows } from '../kernels/rowwise.js';
import type { PlanNode } from '../plan/plan-node.js';
import { UnaryPlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerPartitionwise } from '../plan/partitionwise.js';
import { DataFrame } from '../dataframe.js';
import { Series } from '../series.js';
import { sameRows } from './lineage.js';

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

export function filter(df: DataFrame, predicate: Series): DataFrame {
  if (!Series.isSeries(predicate))
    throw new ValueError('filter takes a boolean Series, e.g. df.filter(df.col("v").gt(0))');
  sameRows(predicate, df.plan, 'filter');
  const dtype = exprDType(predicate.expr, df.plan.meta);
  if (dtype !== 'bool')
    throw new DTypeError(`filter needs a boolean Series; '${predicate.name}' is ${dtype}`, predicate.name, dtype);
  return new DataFrame(new FilterNode(df.plan, predicate.expr));
}
