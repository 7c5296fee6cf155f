/*
 * df.sortValues(by, { ascending, npartitions }): a globally sorted frame (plan/nodes/sort.ts), in
 * the input's number of partitions unless told. Partition i holds keys between divisions[i] and
 * divisions[i + 1]: compute() and persist() record them.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { SortSpec } from '../kernels/sort.js';
import { SortNode } from '../plan/nodes/sort.js';
import type { PlanNode } from '../plan/plan-node.js';
import { checkColumns } from './select.js';

export interface SortOptions {
  ascending?: boolean | readonly boolean[];
  /** Output partitions; the input's count by default. */
  npartitions?: number;
  /** Values sampled per input partition to choose boundaries; 256 by default. */
  samples?: number;
}

export function sortValues(plan: PlanNode, by: string | readonly string[], options: SortOptions = {}): SortNode {
  const cols = typeof by === 'string' ? [by] : [...by];
  if (cols.length === 0) throw new ValueError('sortValues needs at least one column');
  checkColumns(cols, plan.meta, 'sortValues');
  const asc = options.ascending ?? true;
  const ascending = typeof asc === 'boolean' ? cols.map(() => asc) : [...asc];
  if (ascending.length !== cols.length)
    throw new ValueError(`sortValues: ${cols.length} columns but ${ascending.length} ascending flags`);
  const nout = options.npartitions ?? plan.npartitions;
  if (!Number.isInteger(nout) || nout < 1)
    throw new ValueError(`sortValues: npartitions must be a positive integer, got ${String(nout)}`);
  const spec: SortSpec = { by: cols, ascending, nout, samples: options.samples ?? 256 };
  return new SortNode(plan, spec);
}
