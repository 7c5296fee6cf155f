/*
 * df.assign({ name: series | literal, ... }): new or replaced columns computed from expressions
 * over the frame's own columns (plan/nodes/assign.ts). A Series must line up with the frame row
 * for row (plan/lineage.ts); a number, boolean or null fills the column.
 */
import { ValueError } from '../../../src/core/errors.js';
import { isSeries } from '../brands.js';
import { lit, type Literal } from '../expr.js';
import { sameRows } from '../plan/lineage.js';
import { AssignNode } from '../plan/nodes/assign.js';
import type { PlanNode } from '../plan/plan-node.js';
import type { Series } from '../series.js';

export function assign(plan: PlanNode, columns: Readonly<Record<string, Series | Literal>>): PlanNode {
  const names = Object.keys(columns);
  if (names.length === 0) return plan;
  const exprs = names.map((name) => {
    const v = columns[name]!;
    if (isSeries(v)) {
      sameRows(v, plan, `assign '${name}'`);
      return v.expr;
    }
    if (typeof v === 'string')
      throw new ValueError(`assign '${name}': string literals cannot fill a column; assign a Series`);
    return lit(v);
  });
  return new AssignNode(plan, names, exprs);
}
