/*
 * df.head(n): the first n rows, computing only the partitions it needs: partition 0 first, then
 * the next 1, 2, 4, ... while fewer than n rows were found. Each round computes a frame of just
 * those partitions (aliases to them), so culling drops every other partition's tasks.
 */
import type { Table } from 'apache-arrow';
import { computeAll, type ComputeOptions } from '../../../src/core/compute.js';
import { ValueError } from '../../../src/core/errors.js';
import { key } from '../../../src/core/graph/keys.js';
import { Alias } from '../../../src/core/graph/task.js';
import { concatTables, singleBatch } from '../kernels/concat.js';
import type { PlanNode } from '../plan/plan-node.js';
import { UnaryPlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { DataFrame } from '../dataframe.js';

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

export async function head(df: DataFrame, n: number, options?: ComputeOptions): Promise<Table> {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`head: n must be a non-negative integer, got ${String(n)}`);
  const parts: Table[] = [];
  let rows = 0;
  let start = 0;
  let step = 1;
  while (start < df.npartitions && (rows < n || parts.length === 0)) {
    const end = Math.min(df.npartitions, start + step);
    const [t] = await computeAll([new DataFrame(new PartitionsNode(df.plan, start, end))], options);
    parts.push(t as Table);
    rows += (t as Table).numRows;
    start = end;
    step *= 2;
  }
  const all = singleBatch(concatTables(parts));
  return all.numRows <= n ? all : singleBatch(all.slice(0, n));
}
