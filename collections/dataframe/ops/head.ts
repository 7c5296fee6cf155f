/*
 * df.head(n): the first n rows, computing only the partitions it needs: partition 0 first, then
 * the next 1, 2, 4, ... while fewer than n rows were found. Each round computes the plan of just
 * those partitions (plan/nodes/partitions.ts: aliases to them), so culling drops every other
 * partition's tasks. The caller says how a plan is computed (as a DataFrame, with its options).
 */
import type { Table } from 'apache-arrow';
import { ValueError } from '../../../src/core/errors.js';
import { concatTables, singleBatch } from '../kernels/concat.js';
import { PartitionsNode } from '../plan/nodes/partitions.js';
import type { PlanNode } from '../plan/plan-node.js';

export async function head(plan: PlanNode, n: number, compute: (part: PlanNode) => Promise<Table>): Promise<Table> {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`head: n must be a non-negative integer, got ${String(n)}`);
  const parts: Table[] = [];
  let rows = 0;
  let start = 0;
  let step = 1;
  while (start < plan.npartitions && (rows < n || parts.length === 0)) {
    const end = Math.min(plan.npartitions, start + step);
    const t = await compute(new PartitionsNode(plan, start, end));
    parts.push(t);
    rows += t.numRows;
    start = end;
    step *= 2;
  }
  const all = singleBatch(concatTables(parts));
  return all.numRows <= n ? all : singleBatch(all.slice(0, n));
}
