/*
 * df.merge(other, { on, how }): a database-style join on equal key values (pandas merge).
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
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type Key } from '../../../src/core/graph/task.js';
import { DTypeError } from '../errors.js';
import { isNumeric, promote, type ColumnMeta, type Meta } from '../dtype.js';
import { concatParts } from '../kernels/concat.js';
import { mergePartitions, type How, type MergeSpec } from '../kernels/merge.js';
import { hashSplit } from '../kernels/shuffle.js';
import { PlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerShuffle } from '../plan/shuffle.js';
import { DataFrame } from '../dataframe.js';
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

type Strategy = 'broadcast-left' | 'broadcast-right' | 'hash';

export class MergeNode extends PlanNode {
  readonly kind = 'merge';
  readonly inputs: readonly PlanNode[];
  readonly npartitions: number;
  constructor(
    readonly left: PlanNode,
    readonly right: PlanNode,
    readonly spec: MergeSpec,
    readonly strategy: Strategy,
    readonly meta: Meta,
    token?: string,
  ) {
    super(token);
    this.inputs = [left, right];
    this.npartitions =
      strategy === 'broadcast-right'
        ? left.npartitions
        : strategy === 'broadcast-left'
          ? right.npartitions
          : Math.max(left.npartitions, right.npartitions);
  }
  override inputColumns(required: ReadonlySet<string>): Columns[] {
    const side = (cols: MergeSpec['left']): Set<string> =>
      new Set([...this.spec.on, ...cols.filter(([, out]) => required.has(out)).map(([c]) => c)]);
    return [side(this.spec.left), side(this.spec.right)];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new MergeNode(inputs[0]!, inputs[1]!, this.spec, this.strategy, this.meta, this.token);
  }
  private whole(ctx: LowerContext, side: PlanNode, tag: string): TaskRef {
    const k = key(`${this.name}-${tag}`, 0);
    ctx.graph.set(k, new Task(k, concatParts, [ctx.keys(side).map((p) => new TaskRef(p))]));
    return new TaskRef(k);
  }
  lower(ctx: LowerContext): void {
    let pairs: [TaskRef, TaskRef][];
    if (this.strategy === 'broadcast-right') {
      const all = this.whole(ctx, this.right, 'right');
      pairs = ctx.keys(this.left).map((k) => [new TaskRef(k), all]);
    } else if (this.strategy === 'broadcast-left') {
      const all = this.whole(ctx, this.left, 'left');
      pairs = ctx.keys(this.right).map((k) => [all, new TaskRef(k)]);
    } else {
      const shuffle = (side: PlanNode, tag: string): Key[] =>
        lowerShuffle(ctx.graph, {
          name: `${this.name}-${tag}`,
          inputs: ctx.keys(side),
          nout: this.npartitions,
          split: hashSplit,
          spec: { keys: this.spec.on, nout: this.npartitions },
        });
      const l = shuffle(this.left, 'left');
      const r = shuffle(this.right, 'right');
      pairs = l.map((k, j) => [new TaskRef(k), new TaskRef(r[j]!)]);
    }
    pairs.forEach(([a, b], i) =>
      ctx.graph.set(key(this.name, i), new Task(key(this.name, i), mergePartitions, [this.spec, a, b])),
    );
  }
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

export function merge(left: DataFrame, right: DataFrame, options: MergeOptions): DataFrame {
  if (!DataFrame.isDataFrame(right)) throw new ValueError('merge takes another DataFrame');
  const on = typeof options.on === 'string' ? [options.on] : [...options.on];
  const how = options.how ?? 'inner';
  if (!['inner', 'left', 'right', 'outer'].includes(how))
    throw new ValueError(`merge: how must be inner, left, right or outer, got '${String(how)}'`);
  if (on.length === 0) throw new ValueError('merge needs at least one key column in `on`');
  checkColumns(on, left.plan.meta, 'the left frame of merge');
  checkColumns(on, right.plan.meta, 'the right frame of merge');
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
    ...keyMeta(on, left.plan.meta, right.plan.meta),
    ...spec.left.map(([c, out]) => ({ name: out, dtype: dtypeOf(left.plan.meta, c) })),
    ...spec.right.map(([c, out]) => ({ name: out, dtype: dtypeOf(right.plan.meta, c) })),
  ];
  const strategy = strategyOf(how, left.npartitions, right.npartitions, options);
  return new DataFrame(new MergeNode(left.plan, right.plan, spec, strategy, meta));
}
