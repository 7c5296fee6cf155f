/*
 * FromTablesNode: partitions already in memory (Arrow tables held by the graph as data nodes):
 * the frames of fromColumns / fromArrow / fromRecords, and of a persisted frame. Projected, it
 * keeps narrower tables over the same buffers, so unused columns are not even sent to workers.
 */
import type { Table } from 'apache-arrow';
import { key } from '../../../../src/core/graph/keys.js';
import { DataNode } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { selectColumns } from '../../kernels/rowwise.js';
import { derivedToken, PlanNode, type LowerContext } from '../plan-node.js';

export class FromTablesNode extends PlanNode {
  readonly kind = 'from-arrow';
  readonly inputs: readonly PlanNode[] = [];
  readonly npartitions: number;
  constructor(
    readonly tables: readonly Table[],
    readonly meta: Meta,
    token?: string,
  ) {
    super(token);
    this.npartitions = tables.length;
  }
  withInputs(): PlanNode {
    return this;
  }
  override project(columns: ReadonlySet<string>): PlanNode | undefined {
    const kept = this.meta.filter((c) => columns.has(c.name));
    if (kept.length === 0 || kept.length === this.meta.length) return undefined;
    const names = kept.map((c) => c.name);
    return new FromTablesNode(
      this.tables.map((t) => selectColumns({ columns: names }, t)),
      kept,
      derivedToken(this.token, names),
    );
  }
  lower(ctx: LowerContext): void {
    this.tables.forEach((t, i) => ctx.graph.set(key(this.name, i), new DataNode(key(this.name, i), t)));
  }
}
