/*
 * GroupBy: df.groupby(keys) waiting for its aggregations. agg() takes { column: kind } (output
 * column named after the column) or { column: [kinds] } (columns `column_kind`); sum(), mean(),
 * ... aggregate every non-key column a kind applies to; size() counts rows per group. Everything
 * is validated as the aggregation is asked for (ops/groupby-agg.ts), so a missing column or a
 * string column asked for a mean fails at once.
 */
import type { DataFrame } from './dataframe.js';
import type { AggKind, AggSpec } from './kernels/groupby-state.js';
import { aggsOf, everyColumn, groupbyAgg, groupKeys, type AggRequest, type GroupByOptions } from './ops/groupby-agg.js';
import { wrap } from './wrap.js';

export class GroupBy {
  readonly keys: readonly string[];
  constructor(
    readonly df: DataFrame,
    by: string | readonly string[],
    readonly options: GroupByOptions = {},
  ) {
    this.keys = groupKeys(df.plan, by);
  }

  /** { v: 'mean', w: ['sum', 'count'] } → columns keys..., v, w_sum, w_count. */
  agg(request: AggRequest): DataFrame {
    return this.aggregate(aggsOf(this.df.plan, request));
  }

  /** The aggregations as given (column, kind, output name). */
  aggregate(aggs: readonly AggSpec[]): DataFrame {
    return wrap(groupbyAgg(this.df.plan, this.keys, aggs, this.options));
  }

  private every(kind: AggKind): DataFrame {
    return this.aggregate(everyColumn(this.df.plan, this.keys, kind));
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
