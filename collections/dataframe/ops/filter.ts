/*
 * df.filter(predicate): the rows where a boolean Series is true (plan/nodes/filter.ts). The
 * predicate must come from this frame or from one it derives from row for row (plan/lineage.ts).
 */
import { ValueError } from '../../../src/core/errors.js';
import { isSeries } from '../brands.js';
import { DTypeError } from '../errors.js';
import { exprDType } from '../expr.js';
import { sameRows } from '../plan/lineage.js';
import { FilterNode } from '../plan/nodes/filter.js';
import type { PlanNode } from '../plan/plan-node.js';
import type { Series } from '../series.js';

export function filter(plan: PlanNode, predicate: Series): FilterNode {
  if (!isSeries(predicate)) throw new ValueError('filter takes a boolean Series, e.g. df.filter(df.col("v").gt(0))');
  sameRows(predicate, plan, 'filter');
  const dtype = exprDType(predicate.expr, plan.meta);
  if (dtype !== 'bool')
    throw new DTypeError(`filter needs a boolean Series; '${predicate.name}' is ${dtype}`, predicate.name, dtype);
  return new FilterNode(plan, predicate.expr);
}
