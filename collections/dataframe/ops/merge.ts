/*
 * df.merge(other, { on, how }): a database-style join on equal key values (pandas merge), whose
 * strategy (plan/nodes/merge.ts) is chosen here:
 *   broadcast  when one side has few partitions (at most `broadcastPartitions`, 1 by default)
 *              and the join keeps no unmatched rows of that side (inner, or left with a small
 *              right side, right with a small left side): that side is concatenated once and
 *              joined with every partition of the other, which is never moved.
 *   hash       otherwise: both sides go through the shuffle layer, hash-partitioned on the keys
 *              into max(n_left, n_right) partitions, and partition j of the left is joined with
 *              partition j of the right: equal keys meet whatever partition they started in.
 * Output columns: the keys, the left columns, the right columns; a non-key name on both sides
 * gets the suffixes _x and _y (pandas). Key dtypes must agree (numbers with numbers, strings with
 * strings), checked when the join is built.
 */
import { ValueError } from '../../../src/core/errors.js';
import { isDataFrame } from '../brands.js';
import type { DataFrame } from '../dataframe.js';
import { isNumeric, promote, type ColumnMeta, type Meta } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { How, MergeSpec } from '../kernels/merge.js';
import { MergeNode, type Strategy } from '../plan/nodes/merge.js';
import type { PlanNode } from '../plan/plan-node.js';
import { checkColumns } from './select.js';

export interface MergeOptions {
  on: string | readonly string[];
  how?: How;
  /** Broadcast a side with at most this many partitions (when the join allows it); 1 by default. */
  broadcastPartitions?: number;
  /** Force (true) or forbid (false) the broadcast join. */
  broadcast?: boolean;
  suffixes?: readonly [string, string];
}

function keyMeta(on: readonly string[], l: Meta, r: Meta): ColumnMeta[] {
  return on.map((k) => {
    const a = l.find((c) => c.name === k)!.dtype;
    const b = r.find((c) => c.name === k)!.dtype;
    if (a === b) return { name: k, dtype: a };
    if (isNumeric(a) && isNumeric(b)) return { name: k, dtype: promote(a, b) };
    throw new DTypeError(`merge: key '${k}' is ${a} on the left and ${b} on the right`, k, `${a}|${b}`);
  });
}

function strategyOf(how: How, nl: number, nr: number, options: MergeOptions): Strategy {
  const limit = options.broadcastPartitions ?? 1;
  const canRight = how === 'inner' || how === 'left';
  const canLeft = how === 'inner' || how === 'right';
  const want = options.broadcast;
  if (want === false) return 'hash';
  if (canRight && (nr <= limit || want === true) && (nr <= nl || !canLeft)) return 'broadcast-right';
  if (canLeft && (nl <= limit || want === true)) return 'broadcast-left';
  return 'hash';
}

export function merge(left: PlanNode, other: DataFrame, options: MergeOptions): MergeNode {
  if (!isDataFrame(other)) throw new ValueError('merge takes another DataFrame');
  const right = other.plan;
  const on = typeof options.on === 'string' ? [options.on] : [...options.on];
  const how = options.how ?? 'inner';
  if (!['inner', 'left', 'right', 'outer'].includes(how))
    throw new ValueError(`merge: how must be inner, left, right or outer, got '${String(how)}'`);
  if (on.length === 0) throw new ValueError('merge needs at least one key column in `on`');
  checkColumns(on, left.meta, 'the left frame of merge');
  checkColumns(on, right.meta, 'the right frame of merge');
  const [sx, sy] = options.suffixes ?? ['_x', '_y'];
  const lcols = left.columns.filter((c) => !on.includes(c));
  const rcols = right.columns.filter((c) => !on.includes(c));
  const spec: MergeSpec = {
    on,
    how,
    left: lcols.map((c) => [c, rcols.includes(c) ? `${c}${sx}` : c] as const),
    right: rcols.map((c) => [c, lcols.includes(c) ? `${c}${sy}` : c] as const),
  };
  const dtypeOf = (m: Meta, c: string): ColumnMeta['dtype'] => m.find((x) => x.name === c)!.dtype;
  const meta: Meta = [
    ...keyMeta(on, left.meta, right.meta),
    ...spec.left.map(([c, out]) => ({ name: out, dtype: dtypeOf(left.meta, c) })),
    ...spec.right.map(([c, out]) => ({ name: out, dtype: dtypeOf(right.meta, c) })),
  ];
  const strategy = strategyOf(how, left.npartitions, right.npartitions, options);
  return new MergeNode(left, right, spec, strategy, meta);
}
