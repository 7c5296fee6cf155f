/*
 * df.assign({ name: series | literal, ... }): new or replaced columns computed from expressions
 * over the frame's own columns. The optimiser drops assignments nobody reads, and the input then
 * needs only the columns the remaining expressions read.
 */
import { ValueError } from '../../../src/core/errors.js';
import { exprColumns, exprDType, lit, type Expr, type Literal } from '../expr.js';
import type { Meta } from '../dtype.js';
import { assignColumns } from '../kernels/rowwise.js';
import { derivedToken, PlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerPartitionwise } from '../plan/partitionwise.js';
import { DataFrame } from '../dataframe.js';
import { Series } from '../series.js';
import { sameRows } from './lineage.js';

export class AssignNode extends PlanNode {
  readonly kind = 'assign';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta;
  constructor(
    readonly input: PlanNode,
    readonly names: readonly string[],
    readonly exprs: readonly Expr[],
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
    const meta = [...input.meta];
    names.forEach((name, k) => {
      const col = { name, dtype: exprDType(exprs[k]!, input.meta) };
      const at = meta.findIndex((c) => c.name === name);
      if (at >= 0) meta[at] = col;
      else meta.push(col);
    });
    this.meta = meta;
  }
  get npartitions(): number {
    return this.input.npartitions;
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    const need = new Set([...required].filter((c) => !this.names.includes(c)));
    this.names.forEach((name, k) => {
      if (required.has(name)) exprColumns(this.exprs[k]!, need);
    });
    return [need];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new AssignNode(inputs[0]!, this.names, this.exprs, this.token);
  }
  override project(columns: ReadonlySet<string>): PlanNode | undefined {
    const keep = this.names.map((n, k) => [n, this.exprs[k]!] as const).filter(([n]) => columns.has(n));
    if (keep.length === this.names.length) return undefined;
    if (keep.length === 0) return this.input;
    return new AssignNode(
      this.input,
      keep.map(([n]) => n),
      keep.map(([, e]) => e),
      derivedToken(
        this.token,
        keep.map(([n]) => n),
      ),
    );
  }
  lower(ctx: LowerContext): void {
    lowerPartitionwise(ctx, this, this.input, assignColumns, { names: this.names, exprs: this.exprs });
  }
}

export function assign(df: DataFrame, columns: Readonly<Record<string, Series | Literal>>): DataFrame {
  const names = Object.keys(columns);
  if (names.length === 0) return df;
  const exprs = names.map((name) => {
    const v = columns[name]!;
    if (Series.isSeries(v)) {
      sameRows(v, df.plan, `assign '${name}'`);
      return v.expr;
    }
    if (typeof v === 'string')
      throw new ValueError(`assign '${name}': string literals cannot fill a column; assign a Series`);
    return lit(v);
  });
  return new DataFrame(new AssignNode(df.plan, names, exprs));
}
