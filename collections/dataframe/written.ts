/*
 * Written: the collection of a write (df.toCsv, df.toParquet), a WriteNode whose partitions are
 * the paths written; compute() writes the files in parallel and returns the paths in partition
 * order. Persisting a write is the write itself.
 */
import type { DaskCollection } from '../../src/core/compute.js';
import type { WriteNode } from './plan/nodes/write.js';
import { PlanCollection } from './plan-collection.js';
import { registerCollection } from './wrap.js';

export class Written extends PlanCollection<string[]> {
  constructor(readonly plan: WriteNode) {
    super();
  }
  __daskPostcompute(values: unknown): string[] {
    return values as string[];
  }
  __daskPostpersist(): DaskCollection<string[]> {
    return this;
  }
}

registerCollection('files', (plan) => new Written(plan as WriteNode));
