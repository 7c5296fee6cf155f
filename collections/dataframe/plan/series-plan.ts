/*
 * SeriesPlan: a Series as the plan sees it, one column expression evaluated over the rows of a
 * frame's plan node, with the column's name. It is not a node: the expression joins a plan only
 * when it is used (an AssignNode for a one-column frame, a ReduceNode's spec, a FilterNode's
 * predicate). Ops that make a Series return one, and wrap.ts turns it into the collection.
 */
import type { Expr } from '../expr.js';
import type { PlanNode } from './plan-node.js';

export interface SeriesPlan {
  readonly frame: PlanNode;
  readonly expr: Expr;
  readonly name: string;
}
