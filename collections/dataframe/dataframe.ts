/*
 * DataFrame: a lazy table cut into row partitions, each an Arrow Table with the same columns. It
 * is a logical plan (plan/plan-node.ts) plus, after a sort has been computed, its divisions. The
 * methods are thin: each builds one plan node in ops/ or io/. compute() returns one Arrow Table
 * (the partitions concatenated in order); persist() returns a frame backed by computed partitions.
 *
 * divisions: `npartitions + 1` boundary values of the sort column when known (a frame made by
 * sortValues, once computed or persisted: the boundaries are drawn from sampled quantiles inside
 * the graph, so they exist only then; partition i holds values from divisions[i] up to
 * divisions[i + 1]), otherwise all null, as Dask writes unknown divisions.
 */
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../src/core/graph/task.js';
import { PlanCollection } from './plan/plan-collection.js';
import type { Table } from 'apache-arrow';
import { computeAll, persistAll, type ComputeOptions } from '../../src/core/compute.js';
import { visualize, type VisualizeOptions } from '../../src/core/graph/visualize.js';
import { ColumnNotFoundError } from './errors.js';
import type { DType } from './dtype.js';
import { col, type Literal } from './expr.js';
import { concatTables } from './kernels/concat.js';
import { columnOf, valueAt } from './kernels/columns.js';
import { type PlanNode } from './plan/plan-node.js';
import { optimizeDataFrame } from './optimize.js';
import { Series } from './series.js';
import { GroupBy, type GroupByOptions } from './groupby.js';
import { FromTablesNode } from './ops/from-tables.js';
import { select } from './ops/select.js';
import { filter } from './ops/filter.js';
import { assign } from './ops/assign.js';
import { merge, type MergeOptions } from './ops/merge.js';
import { sortValues, SortNode, type SortOptions } from './ops/sort-values.js';
import { dropDuplicates } from './ops/drop-duplicates.js';
import { repartition } from './ops/repartition.js';
import { mapPartitions, type MapPartitionsOptions } from './ops/map-partitions.js';
import { describe } from './ops/describe.js';
import { head } from './ops/head.js';
import { toCsv, type ToCsvOptions } from './io/to-csv.js';
import { toParquet, type ToParquetOptions } from './io/to-parquet.js';

const DATAFRAME = Symbol.for('dask-ts/DataFrame');

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
    return (
      typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[DATAFRAME] === true
    );
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

  /** The column `name` as a Series. */
  col(name: string): Series {
    if (!this.columns.includes(name)) throw new ColumnNotFoundError(name, this.columns);
    return new Series(this.plan, col(name), name);
  }

  select(columns: readonly string[]): DataFrame {
    return select(this, columns);
  }
  filter(predicate: Series): DataFrame {
    return filter(this, predicate);
  }
  assign(columns: Readonly<Record<string, Series | Literal>>): DataFrame {
    return assign(this, columns);
  }
  groupby(by: string | readonly string[], options?: GroupByOptions): GroupBy {
    return new GroupBy(this, by, options);
  }
  merge(other: DataFrame, options: MergeOptions): DataFrame {
    return merge(this, other, options);
  }
  sortValues(by: string | readonly string[], options?: SortOptions): DataFrame {
    return sortValues(this, by, options);
  }
  dropDuplicates(subset?: string | readonly string[], options?: { splitEvery?: number }): DataFrame {
    return dropDuplicates(this, subset, options);
  }
  repartition(options: { npartitions: number }): DataFrame {
    return repartition(this, options.npartitions);
  }
  mapPartitions(fn: (t: Table) => Table, options?: MapPartitionsOptions): DataFrame {
    return mapPartitions(this, fn, options);
  }
  describe(options?: { splitEvery?: number }): DataFrame {
    return describe(this, options);
  }

  /** The first n rows, computing only as many partitions as it takes. */
  head(n = 5, options?: ComputeOptions): Promise<Table> {
    return head(this, n, options);
  }

  async compute(options?: ComputeOptions): Promise<Table> {
    const [t] = await computeAll([this], options);
    return t as Table;
  }
  async persist(options?: ComputeOptions): Promise<DataFrame> {
    const [df] = await persistAll([this], options);
    return df as DataFrame;
  }
  toCsv(target: string, options?: ToCsvOptions & ComputeOptions): Promise<string[]> {
    return toCsv(this, target, options);
  }
  toParquet(dir: string, options?: ToParquetOptions & ComputeOptions): Promise<string[]> {
    return toParquet(this, dir, options);
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
  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDataFrame(graph, keys);
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
