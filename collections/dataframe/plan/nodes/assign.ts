/*
 * AssignNode: new or replaced columns computed from expressions over the input's own columns
 * (df.assign, and the one-column frame of a Series). The optimiser drops assignments nobody
 * reads, and the input then needs only the columns the remaining expressions read.
 */
import type { Meta } from '../../dtype.js';
import { exprColumns, exprDType, type Expr } from '../../expr.js';
import { assignColumns } from '../../kernels/rowwise.js';
import { lowerPartitionwise } from '../partitionwise.js';
import { derivedToken, PlanNode, type Columns, type LowerContext } from '../plan-node.js';

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
