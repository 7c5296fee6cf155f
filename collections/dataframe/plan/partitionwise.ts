/*
 * Lowering helper for nodes that map partitions one to one: partition i of the node is
 * fn(spec, partition i of the input). The core `fuse` pass later folds chains of these into one
 * task per partition, so a filter → assign → select pipeline never ships intermediate tables.
 */
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type TaskFunction } from '../../../src/core/graph/task.js';
import type { LowerContext, PlanNode } from './plan-node.js';

export function lowerPartitionwise(
  ctx: LowerContext,
  node: PlanNode,
  input: PlanNode,
  fn: TaskFunction,
  spec: unknown,
): void {
  const inKeys = ctx.keys(input);
  for (let i = 0; i < node.npartitions; i++) {
    const k = key(node.name, i);
    ctx.graph.set(k, new Task(k, fn, [spec, new TaskRef(inKeys[i]!)]));
  }
}
