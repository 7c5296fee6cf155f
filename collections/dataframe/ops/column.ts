/*
 * df.col(name): the Series of one column of a frame, the expression `col(name)` over its plan.
 */
import { ColumnNotFoundError } from '../errors.js';
import { col } from '../expr.js';
import type { PlanNode } from '../plan/plan-node.js';
import type { SeriesPlan } from '../plan/series-plan.js';

export function column(plan: PlanNode, name: string): SeriesPlan {
  if (!plan.columns.includes(name)) throw new ColumnNotFoundError(name, plan.columns);
  return { frame: plan, expr: col(name), name };
}
