/*
 * GroupBy: df.groupby(keys) waiting for its aggregations. agg() takes { column: kind } (output
 * column named after the column) or { column: [kinds] } (columns `column_kind`); sum(), mean(),
 * ... aggregate every non-key column a kind applies to; size() counts rows per group. Everything
 * is validated here, so a missing column or a string column asked for a mean fails at once.
 */
import { ValueError } from '../../src/core/errors.js';
import { ColumnNotFoundError, DTypeError } from './errors.js';
import { isNumeric } from './dtype.js';
import type { DataFrame } from './dataframe.js';
import type { AggKind, AggSpec } from './kernels/groupby-state.js';
import { groupbyAgg } from './ops/groupby-agg.js';

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

export class GroupBy {
  readonly keys: readonly string[];
  constructor(
    readonly df: DataFrame,
    by: string | readonly string[],
    readonly options: GroupByOptions = {},
  ) {
    this.keys = typeof by === 'string' ? [by] : [...by];
    if (this.keys.length === 0) throw new ValueError('groupby needs at least one key column');
    for (const k of this.keys) if (!df.columns.includes(k)) throw new ColumnNotFoundError(k, df.columns, 'groupby');
  }

  private check(column: string, kind: AggKind): void {
    if (!KINDS.includes(kind))
      throw new ValueError(
        `unknown aggregation '${String(kind)}' for column '${column}'; use one of ${KINDS.join(', ')}`,
      );
    const dtype = this.df.dtypes[column];
    if (dtype === undefined) throw new ColumnNotFoundError(column, this.df.columns, 'groupby().agg');
    if (NUMERIC_ONLY.has(kind) && !isNumeric(dtype) && dtype !== 'bool')
      throw new DTypeError(`groupby ${kind}: column '${column}' is ${dtype}; ${kind} needs numbers`, column, dtype);
  }

  /** { v: 'mean', w: ['sum', 'count'] } → columns keys..., v, w_sum, w_count. */
  agg(request: AggRequest): DataFrame {
    const aggs: AggSpec[] = [];
    for (const [column, kinds] of Object.entries(request)) {
      const list = typeof kinds === 'string' ? [kinds] : kinds;
      for (const kind of list) {
        this.check(column, kind);
        aggs.push({
          column: kind === 'size' ? null : column,
          kind,
          out: typeof kinds === 'string' ? column : `${column}_${kind}`,
        });
      }
    }
    return this.aggregate(aggs);
  }

  /** The aggregations as given (column, kind, output name). */
  aggregate(aggs: readonly AggSpec[]): DataFrame {
    if (aggs.length === 0) throw new ValueError('groupby: no aggregation asked for');
    const outs = new Set([...this.keys, ...aggs.map((a) => a.out)]);
    if (outs.size !== this.keys.length + aggs.length)
      throw new ValueError(`groupby: output columns collide: ${[...this.keys, ...aggs.map((a) => a.out)].join(', ')}`);
    return groupbyAgg(this.df, this.keys, aggs, this.options);
  }

  private every(kind: AggKind): DataFrame {
    const columns = this.df.columns.filter((c) => !this.keys.includes(c));
    const usable = NUMERIC_ONLY.has(kind) ? columns.filter((c) => this.df.dtypes[c] !== 'string') : columns;
    if (usable.length === 0) throw new ValueError(`groupby ${kind}: no column to aggregate`);
    return this.aggregate(usable.map((c) => ({ column: c, kind, out: c })));
  }

  sum(): DataFrame {
    return this.every('sum');
  }
  mean(): DataFrame {
    return this.every('mean');
  }
  count(): DataFrame {
    return this.every('count');
  }
  min(): DataFrame {
    return this.every('min');
  }
  max(): DataFrame {
    return this.every('max');
  }
  std(): DataFrame {
    return this.every('std');
  }
  var(): DataFrame {
    return this.every('var');
  }
  first(): DataFrame {
    return this.every('first');
  }
  last(): DataFrame {
    return this.every('last');
  }
  nunique(): DataFrame {
    return this.every('nunique');
  }
  /** Rows per group, in a column named 'size'. */
  size(): DataFrame {
    return this.aggregate([{ column: null, kind: 'size', out: 'size' }]);
  }
}
