/*
 * df.select(columns): a frame with only those columns, in that order. The optimiser narrows a
 * projection to the columns its consumers use, and the columns it keeps are all the input must
 * provide, which is how projections reach the readers.
 */
import { ColumnNotFoundError } from '../errors.js';
import { ValueError } from '../../../src/core/errors.js';
import type { Meta } from '../dtype.js';
import { selectColumns } from '../kernels/rowwise.js';
import { derivedToken, PlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerPartitionwise } from '../plan/partitionwise.js';
import { DataFrame } from '../dataframe.js';

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

/** Checks that every name is a column of `meta`; `where` names the operation in the error. */
export function checkColumns(names: readonly string[], meta: Meta, where: string): void {
  for (const n of names) {
    if (!meta.some((c) => c.name === n))
      throw new ColumnNotFoundError(
        n,
        meta.map((c) => c.name),
        where,
      );
  }
}

export function select(df: DataFrame, columns: readonly string[]): DataFrame {
  if (!Array.isArray(columns)) throw new ValueError('select takes an array of column names');
  checkColumns(columns, df.plan.meta, 'select');
  if (new Set(columns).size !== columns.length)
    throw new ValueError(`select: duplicate column names in ${JSON.stringify(columns)}`);
  return new DataFrame(new ProjectNode(df.plan, columns));
}
