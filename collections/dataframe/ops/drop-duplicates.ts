/*
 * df.dropDuplicates(subset?): the first row of every distinct value of the subset columns (all
 * columns by default), in order of first appearance (plan/nodes/drop-duplicates.ts).
 */
import { DropDuplicatesNode } from '../plan/nodes/drop-duplicates.js';
import type { PlanNode } from '../plan/plan-node.js';
import { splitEveryOf } from '../plan/tree-reduce.js';
import { checkColumns } from './select.js';

export function dropDuplicates(
  plan: PlanNode,
  subset?: string | readonly string[],
  options: { splitEvery?: number } = {},
): DropDuplicatesNode {
  const cols = subset === undefined ? plan.columns : typeof subset === 'string' ? [subset] : [...subset];
  checkColumns(cols, plan.meta, 'dropDuplicates');
  return new DropDuplicatesNode(plan, cols, splitEveryOf(options.splitEvery));
}
