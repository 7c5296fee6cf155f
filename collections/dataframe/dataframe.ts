/*
 * DataFrame: a lazy table cut into row partitions, each an Arrow Table with the same columns. It
 * is a logical plan (plan/plan-node.ts) plus, after a sort has been computed, its divisions. The
 * methods are thin: each is an op of ops/ or io/ over this frame's plan, its result wrapped
 * (wrap.ts). compute() returns one Arrow Table (the partitions concatenated in order); persist()
 * returns a frame backed by computed partitions.
 *
 * divisions: `npartitions + 1` boundary values of the sort column when known (a frame made by
 * sortValues, once computed or persisted: the boundaries are drawn from sampled quantiles inside
 * the graph, so they exist only then; partition i holds values from divisions[i] up to
 * divisions[i + 1]), otherwise all null, as Dask writes unknown divisions.
 */
import type { Table } from 'apache-arrow';
import { persistAll, type ComputeOptions } from '../../src/core/compute.js';
import { visualize, type VisualizeOptions } from '../../src/core/graph/visualize.js';
import { DATAFRAME, isDataFrame } from './brands.js';
import type { DType } from './dtype.js';
import type { Literal } from './expr.js';
import { GroupBy } from './groupby.js';
import { toCsv, type ToCsvOptions } from './io/to-csv.js';
import { toParquet, type ToParquetOptions } from './io/to-parquet.js';
import { columnOf, valueAt } from './kernels/columns.js';
import { concatTables } from './kernels/concat.js';
import { assign } from './ops/assign.js';
import { column } from './ops/column.js';
import { describe } from './ops/describe.js';
import { dropDuplicates } from './ops/drop-duplicates.js';
import { filter } from './ops/filter.js';
import { head } from './ops/head.js';
import type { GroupByOptions } from './ops/groupby-agg.js';
import { mapPartitions, type MapPartitionsOptions } from './ops/map-partitions.js';
import { merge, type MergeOptions } from './ops/merge.js';
import { repartition } from './ops/repartition.js';
import { select } from './ops/select.js';
import { sortValues, type SortOptions } from './ops/sort-values.js';
import { FromTablesNode } from './plan/nodes/from-tables.js';
import { SortNode } from './plan/nodes/sort.js';
import { optimizeDataFrame } from './plan/optimize.js';
import type { PlanNode } from './plan/plan-node.js';
import { PlanCollection } from './plan-collection.js';
import type { Series } from './series.js';
import './series.js'; // registers Series with wrap (col makes one)
import './written.js'; // registers the write result with wrap (toCsv, toParquet make one)
import { registerCollection, wrap } from './wrap.js';

export type Division = number | string | boolean;

export class DataFrame extends PlanCollection<Table> {
  get [DATAFRAME](): true {
    return true;
  }

  constructor(
    readonly plan: PlanNode,
    private readonly knownDivisions?: readonly (Division | null)[],
  ) {
    super();
  }

  static isDataFrame(value: unknown): value is DataFrame {
    return isDataFrame(value);
  }

  get columns(): string[] {
    return this.plan.meta.map((c) => c.name);
  }
  get dtypes(): Record<string, DType> {
    return Object.fromEntries(this.plan.meta.map((c) => [c.name, c.dtype]));
  }
  get npartitions(): number {
    return this.plan.npartitions;
  }
  /** Boundaries a sorted frame learnt from its partitions when it was last computed. */
  private learnt: readonly (Division | null)[] | undefined;

  /** Partition boundaries of the sort column when known, else npartitions + 1 nulls. */
  get divisions(): readonly (Division | null)[] {
    return this.knownDivisions ?? this.learnt ?? new Array<null>(this.npartitions + 1).fill(null);
  }

  /** This frame when an op left the plan as it was (so known divisions stay), else the wrapped result. */
  private derive(plan: PlanNode): DataFrame {
    return plan === this.plan ? this : wrap(plan);
  }

  /** The column `name` as a Series. */
  col(name: string): Series {
    return wrap(column(this.plan, name));
  }

  select(columns: readonly string[]): DataFrame {
    return wrap(select(this.plan, columns));
  }
  filter(predicate: Series): DataFrame {
    return wrap(filter(this.plan, predicate));
  }
  assign(columns: Readonly<Record<string, Series | Literal>>): DataFrame {
    return this.derive(assign(this.plan, columns));
  }
  groupby(by: string | readonly string[], options?: GroupByOptions): GroupBy {
    return new GroupBy(this, by, options);
  }
  merge(other: DataFrame, options: MergeOptions): DataFrame {
    return wrap(merge(this.plan, other, options));
  }
  sortValues(by: string | readonly string[], options?: SortOptions): DataFrame {
    return wrap(sortValues(this.plan, by, options));
  }
  dropDuplicates(subset?: string | readonly string[], options?: { splitEvery?: number }): DataFrame {
    return wrap(dropDuplicates(this.plan, subset, options));
  }
  repartition(options: { npartitions: number }): DataFrame {
    return this.derive(repartition(this.plan, options.npartitions));
  }
  mapPartitions(fn: (t: Table) => Table, options?: MapPartitionsOptions): DataFrame {
    return wrap(mapPartitions(this.plan, fn, options));
  }
  describe(options?: { splitEvery?: number }): DataFrame {
    return wrap(describe(this.plan, options));
  }

  /** The first n rows, computing only as many partitions as it takes. */
  head(n = 5, options?: ComputeOptions): Promise<Table> {
    return head(this.plan, n, (part) => wrap(part).compute(options));
  }

  async persist(options?: ComputeOptions): Promise<DataFrame> {
    const [df] = await persistAll([this], options);
    return df as DataFrame;
  }
  toCsv(target: string, options: ToCsvOptions & ComputeOptions = {}): Promise<string[]> {
    const { sep: _, ...compute } = options;
    return wrap(toCsv(this.plan, target, options)).compute(compute);
  }
  toParquet(dir: string, options: ToParquetOptions & ComputeOptions = {}): Promise<string[]> {
    const { rowGroupSize: _, ...compute } = options;
    return wrap(toParquet(this.plan, dir, options)).compute(compute);
  }

  visualize(options?: VisualizeOptions): string {
    return visualize(optimizeDataFrame(this.__daskGraph(), this.plan.keys()), options);
  }
  override toString(): string {
    return `dask-ts.DataFrame<${this.plan.name}, npartitions=${this.npartitions}, columns=[${this.plan.meta.map((c) => `${c.name}: ${c.dtype}`).join(', ')}]>`;
  }

  __daskTokenize(): string {
    return this.plan.name;
  }
  __daskPostcompute(values: unknown): Table {
    const tables = values as Table[];
    if (this.plan instanceof SortNode) this.learnt = divisionsOf(tables, this.plan.by[0]!);
    return concatTables(tables);
  }
  __daskPostpersist(values: unknown): DataFrame {
    const tables = values as Table[];
    const divisions = this.plan instanceof SortNode ? divisionsOf(tables, this.plan.by[0]!) : undefined;
    return new DataFrame(new FromTablesNode(tables, this.plan.meta), divisions);
  }
}

registerCollection('frame', (plan) => new DataFrame(plan));

/** The sort column's first value per partition and its last value overall (empty partitions borrow a neighbour's). */
function divisionsOf(tables: readonly Table[], by: string): (Division | null)[] {
  const firsts: (Division | null)[] = tables.map((t) =>
    t.numRows === 0 ? null : valueAt(columnOf(concatTables([t]), by), 0),
  );
  const lastTable = [...tables].reverse().find((t) => t.numRows > 0);
  const last = lastTable === undefined ? null : valueAt(columnOf(concatTables([lastTable]), by), lastTable.numRows - 1);
  for (let i = firsts.length - 1; i >= 0; i--)
    if (firsts[i] === null) firsts[i] = i + 1 < firsts.length ? firsts[i + 1]! : last;
  return [...firsts, last];
}
