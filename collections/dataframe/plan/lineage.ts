/*
 * Which frames a Series may be used with. Expressions name columns, and each row carries its own
 * values, so a Series made from frame A can be evaluated on frame B when B's rows are rows of A
 * with the expression's columns unchanged: B is A, or derives from A through select, filter,
 * assign (not overwriting a column the expression reads), sortValues or repartition. That is what
 * Dask's index alignment gives in those cases; anything else (another source, a join, a group-by)
 * has no row correspondence and is refused.
 */
import { ValueError } from '../../../src/core/errors.js';
import { exprColumns, type Expr } from '../expr.js';
import { AssignNode } from './nodes/assign.js';
import { FilterNode } from './nodes/filter.js';
import { RepartitionNode } from './nodes/repartition.js';
import { ProjectNode } from './nodes/select.js';
import { SortNode } from './nodes/sort.js';
import type { PlanNode } from './plan-node.js';
import type { SeriesPlan } from './series-plan.js';

/** True when `frame` is `ancestor` or derives from it row for row without changing `expr`'s columns. */
export function derivesRowwise(frame: PlanNode, ancestor: PlanNode, expr: Expr): boolean {
  const used = exprColumns(expr);
  for (let n: PlanNode | undefined = frame; n !== undefined;) {
    if (n === ancestor) return true;
    if (n instanceof AssignNode) {
      if (n.names.some((c) => used.has(c))) return false;
      n = n.input;
    } else if (
      n instanceof ProjectNode ||
      n instanceof FilterNode ||
      n instanceof SortNode ||
      n instanceof RepartitionNode
    )
      n = n.input;
    else n = undefined;
  }
  return false;
}

export function sameRows(series: SeriesPlan, frame: PlanNode, where: string): void {
  if (!derivesRowwise(frame, series.frame, series.expr)) {
    throw new ValueError(
      `${where}: the Series '${series.name}' comes from a DataFrame whose rows do not line up with this one; use a Series made from this DataFrame`,
    );
  }
}
