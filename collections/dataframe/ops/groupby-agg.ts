/*
 * df.groupby(keys).agg / .aggregate / .sum() ...: the group-by plan (plan/nodes/groupby.ts),
 * validated here so that a missing column, an unknown aggregation or a string column asked for a
 * mean fails at once. agg() takes { column: kind } (output column named after the column) or
 * { column: [kinds] } (columns `column_kind`); sum(), mean(), ... aggregate every non-key column
 * a kind applies to; size() counts rows per group.
 */
import { ValueError } from '../../../src/core/errors.js';
import { isNumeric, type DType } from '../dtype.js';
import { ColumnNotFoundError, DTypeError } from '../errors.js';
import type { AggKind, AggSpec, GroupBySpec } from '../kernels/groupby-state.js';
import { GroupByNode } from '../plan/nodes/groupby.js';
import type { PlanNode } from '../plan/plan-node.js';
import { splitEveryOf } from '../plan/tree-reduce.js';

export interface GroupByOptions {
  /** Partial results combined per step of the tree; 8 by default. */
  splitEvery?: number;
  /** Output partitions (groups spread by key hash, each partition sorted by key); 1 by default. */
  splitOut?: number;
  /** Delta degrees of freedom of std and var; 1 by default (pandas). */
  ddof?: number;
}

export type AggRequest = Readonly<Record<string, AggKind | readonly AggKind[]>>;

const KINDS: readonly AggKind[] = [
  'sum',
  'mean',
  'count',
  'min',
  'max',
  'std',
  'var',
  'size',
  'first',
  'last',
  'nunique',
];
const NUMERIC_ONLY = new Set<AggKind>(['sum', 'mean', 'std', 'var']);

/** The key columns of a group-by, checked against the frame. */
export function groupKeys(plan: PlanNode, by: string | readonly string[]): string[] {
  const keys = typeof by === 'string' ? [by] : [...by];
  if (keys.length === 0) throw new ValueError('groupby needs at least one key column');
  for (const k of keys) if (!plan.columns.includes(k)) throw new ColumnNotFoundError(k, plan.columns, 'groupby');
  return keys;
}

function dtypesOf(plan: PlanNode): Record<string, DType> {
  return Object.fromEntries(plan.meta.map((c) => [c.name, c.dtype]));
}

function check(plan: PlanNode, column: string, kind: AggKind): void {
  if (!KINDS.includes(kind))
    throw new ValueError(
      `unknown aggregation '${String(kind)}' for column '${column}'; use one of ${KINDS.join(', ')}`,
    );
  const dtype = dtypesOf(plan)[column];
  if (dtype === undefined) throw new ColumnNotFoundError(column, plan.columns, 'groupby().agg');
  if (NUMERIC_ONLY.has(kind) && !isNumeric(dtype) && dtype !== 'bool')
    throw new DTypeError(`groupby ${kind}: column '${column}' is ${dtype}; ${kind} needs numbers`, column, dtype);
}

/** { v: 'mean', w: ['sum', 'count'] } → aggregations with outputs v, w_sum, w_count. */
export function aggsOf(plan: PlanNode, request: AggRequest): AggSpec[] {
  const aggs: AggSpec[] = [];
  for (const [column, kinds] of Object.entries(request)) {
    const list = typeof kinds === 'string' ? [kinds] : kinds;
    for (const kind of list) {
      check(plan, column, kind);
      aggs.push({
        column: kind === 'size' ? null : column,
        kind,
        out: typeof kinds === 'string' ? column : `${column}_${kind}`,
      });
    }
  }
  return aggs;
}

/** `kind` of every non-key column it applies to, each output named after its column. */
export function everyColumn(plan: PlanNode, keys: readonly string[], kind: AggKind): AggSpec[] {
  const columns = plan.columns.filter((c) => !keys.includes(c));
  const dtypes = dtypesOf(plan);
  const usable = NUMERIC_ONLY.has(kind) ? columns.filter((c) => dtypes[c] !== 'string') : columns;
  if (usable.length === 0) throw new ValueError(`groupby ${kind}: no column to aggregate`);
  return usable.map((c) => ({ column: c, kind, out: c }));
}

/** The aggregations as given (column, kind, output name) per group of `keys`. */
export function groupbyAgg(
  plan: PlanNode,
  keys: readonly string[],
  aggs: readonly AggSpec[],
  options: GroupByOptions,
): GroupByNode {
  if (aggs.length === 0) throw new ValueError('groupby: no aggregation asked for');
  const outs = new Set([...keys, ...aggs.map((a) => a.out)]);
  if (outs.size !== keys.length + aggs.length)
    throw new ValueError(`groupby: output columns collide: ${[...keys, ...aggs.map((a) => a.out)].join(', ')}`);
  const splitOut = options.splitOut ?? 1;
  if (!Number.isInteger(splitOut) || splitOut < 1)
    throw new ValueError(`splitOut must be a positive integer, got ${String(splitOut)}`);
  const spec: GroupBySpec = { keys, aggs, ddof: options.ddof ?? 1 };
  return new GroupByNode(plan, spec, splitEveryOf(options.splitEvery), splitOut);
}
