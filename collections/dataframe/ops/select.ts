/*
 * df.select(columns): a frame with only those columns, in that order (plan/nodes/select.ts).
 * checkColumns is the column check every op and reader shares: a missing name is a
 * ColumnNotFoundError naming the operation and the columns there are.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { Meta } from '../dtype.js';
import { ColumnNotFoundError } from '../errors.js';
import { ProjectNode } from '../plan/nodes/select.js';
import type { PlanNode } from '../plan/plan-node.js';

/** Checks that every name is a column of `meta`; `where` names the operation in the error. */
export function checkColumns(names: readonly string[], meta: Meta, where: string): void {
  for (const n of names) {
    if (!meta.some((c) => c.name === n))
      throw new ColumnNotFoundError(
        n,
        meta.map((c) => c.name),
        where,
      );
  }
}

export function select(plan: PlanNode, columns: readonly string[]): ProjectNode {
  if (!Array.isArray(columns)) throw new ValueError('select takes an array of column names');
  checkColumns(columns, plan.meta, 'select');
  if (new Set(columns).size !== columns.length)
    throw new ValueError(`select: duplicate column names in ${JSON.stringify(columns)}`);
  return new ProjectNode(plan, columns);
}
