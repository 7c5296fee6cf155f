/*
 * df.describe(): statistics of every numeric column, as one small partition with a 'statistic'
 * column (plan/nodes/describe.ts). A frame without a numeric column is refused.
 */
import { ValueError } from '../../../src/core/errors.js';
import { isNumeric } from '../dtype.js';
import { DescribeNode } from '../plan/nodes/describe.js';
import type { PlanNode } from '../plan/plan-node.js';
import { splitEveryOf } from '../plan/tree-reduce.js';

export function describe(plan: PlanNode, options: { splitEvery?: number; maxSample?: number } = {}): DescribeNode {
  const columns = plan.meta.filter((c) => isNumeric(c.dtype)).map((c) => c.name);
  if (columns.length === 0) throw new ValueError('describe: the frame has no numeric column');
  return new DescribeNode(plan, { columns, maxSample: options.maxSample ?? 2048 }, splitEveryOf(options.splitEvery));
}
