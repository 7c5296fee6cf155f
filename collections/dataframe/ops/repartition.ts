/*
 * df.repartition({ npartitions }): the same rows, in the same order, in a new number of
 * partitions (plan/nodes/repartition.ts); the frame itself when the count does not change.
 */
import { ValueError } from '../../../src/core/errors.js';
import { RepartitionNode } from '../plan/nodes/repartition.js';
import type { PlanNode } from '../plan/plan-node.js';

export function repartition(plan: PlanNode, npartitions: number): PlanNode {
  if (!Number.isInteger(npartitions) || npartitions < 1)
    throw new ValueError(`repartition: npartitions must be a positive integer, got ${String(npartitions)}`);
  if (npartitions === plan.npartitions) return plan;
  return new RepartitionNode(plan, npartitions);
}
