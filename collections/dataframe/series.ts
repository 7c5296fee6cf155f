/*
 * Series: one column expression over a frame's plan node. Operators build bigger expressions
 * (nothing runs); reductions return a Scalar; compute() returns an Arrow Vector. Two Series combine
 * when they line up row for row (ops/lineage.ts). Operand types are checked as the expression is built (DTypeError names the column).
 */
import { optimizeDataFrame } from './optimize.js';
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import type { Graph, Key } from '../../src/core/graph/task.js';
import { PlanCollection } from './plan/plan-collection.js';
import type { Vector } from 'apache-arrow';
import { computeAll, type ComputeOptions, type DaskCollection } from '../../src/core/compute.js';
import { ValueError } from '../../src/core/errors.js';
import { exprDType, exprName, lit, type BinaryOp, type Expr, type Literal, type UnaryOp } from './expr.js';
import type { DType } from './dtype.js';
import { type PlanNode } from './plan/plan-node.js';
import { AssignNode } from './ops/assign.js';
import { derivesRowwise } from './ops/lineage.js';
import { ProjectNode } from './ops/select.js';
import * as reductions from './ops/reductions.js';
import { DataFrame } from './dataframe.js';
import type { Scalar } from './scalar.js';
import { concatTables } from './kernels/concat.js';
import type { Table } from 'apache-arrow';

const SERIES = Symbol.for('dask-ts/Series');

export type Operand = Series | Literal;

export class Series extends PlanCollection<Vector> {
  get [SERIES](): true {
    return true;
  }
  readonly name: string;
  readonly dtype: DType;

  constructor(
    readonly frame: PlanNode,
    readonly expr: Expr,
    name?: string,
  ) {
    super();
    this.dtype = exprDType(expr, frame.meta);
    this.name = name ?? exprName(expr);
  }

  static isSeries(value: unknown): value is Series {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[SERIES] === true;
  }

  private binary(op: BinaryOp, other: Operand): Series {
    if (!Series.isSeries(other)) return new Series(this.frame, { op, a: this.expr, b: lit(other) }, this.name);
    let frame: PlanNode;
    const both: Expr = { op, a: this.expr, b: other.expr };
    if (derivesRowwise(this.frame, other.frame, other.expr)) frame = this.frame;
    else if (derivesRowwise(other.frame, this.frame, this.expr)) frame = other.frame;
    else
      throw new ValueError(
        `${op}: Series '${this.name}' and '${other.name}' come from different DataFrames; rows are matched by position, so both must come from one frame`,
      );
    return new Series(frame, both, this.name);
  }
  private unary(op: UnaryOp): Series {
    return new Series(this.frame, { op, a: this.expr }, this.name);
  }

  add(y: Operand): Series {
    return this.binary('add', y);
  }
  sub(y: Operand): Series {
    return this.binary('sub', y);
  }
  mul(y: Operand): Series {
    return this.binary('mul', y);
  }
  div(y: Operand): Series {
    return this.binary('div', y);
  }
  mod(y: Operand): Series {
    return this.binary('mod', y);
  }
  pow(y: Operand): Series {
    return this.binary('pow', y);
  }
  gt(y: Operand): Series {
    return this.binary('gt', y);
  }
  ge(y: Operand): Series {
    return this.binary('ge', y);
  }
  lt(y: Operand): Series {
    return this.binary('lt', y);
  }
  le(y: Operand): Series {
    return this.binary('le', y);
  }
  eq(y: Operand): Series {
    return this.binary('eq', y);
  }
  ne(y: Operand): Series {
    return this.binary('ne', y);
  }
  and(y: Operand): Series {
    return this.binary('and', y);
  }
  or(y: Operand): Series {
    return this.binary('or', y);
  }
  not(): Series {
    return this.unary('not');
  }
  neg(): Series {
    return this.unary('neg');
  }
  isNull(): Series {
    return this.unary('isNull');
  }
  notNull(): Series {
    return this.unary('notNull');
  }

  /** The same values under another name. */
  rename(name: string): Series {
    return new Series(this.frame, this.expr, name);
  }

  sum(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'sum', o);
  }
  mean(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'mean', o);
  }
  min(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'min', o);
  }
  max(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'max', o);
  }
  count(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'count', o);
  }
  std(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'std', o);
  }
  var(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'var', o);
  }
  nunique(o?: reductions.ReduceOptions): Scalar {
    return reductions.seriesReduce(this, 'nunique', o);
  }

  /** A one-column frame [name, count] of the distinct values, most frequent first (missing values skipped). */
  valueCounts(): DataFrame {
    return this.toFrame()
      .groupby(this.name)
      .aggregate([{ column: null, kind: 'size', out: 'count' }])
      .sortValues(['count', this.name], { ascending: [false, true] })
      .repartition({ npartitions: 1 });
  }

  /** The distinct values, in order of first appearance (a missing value counts once). */
  unique(): Series {
    const df = this.toFrame().dropDuplicates();
    return df.col(this.name);
  }

  /** The one-column frame of this Series. */
  toFrame(): DataFrame {
    if (this.expr.op === 'col' && this.expr.name === this.name)
      return new DataFrame(new ProjectNode(this.frame, [this.name]));
    return new DataFrame(new ProjectNode(new AssignNode(this.frame, [this.name], [this.expr]), [this.name]));
  }

  /** The first n values. */
  async head(n = 5, options?: ComputeOptions): Promise<Vector> {
    const t = await this.toFrame().head(n, options);
    return t.getChildAt(0)!;
  }

  async compute(options?: ComputeOptions): Promise<Vector> {
    const [v] = await computeAll([this], options);
    return v as Vector;
  }

  private cachedPlan: PlanNode | undefined;
  /** The plan of the one-column frame (made once, so its keys stay the same). */
  get plan(): PlanNode {
    return (this.cachedPlan ??= this.toFrame().plan);
  }
  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return optimizeDataFrame(graph, keys);
  }
  __daskPostcompute(values: unknown): Vector {
    const t: Table = concatTables(values as Table[]);
    return t.getChildAt(0)!;
  }
  __daskPostpersist(values: unknown): DaskCollection<Vector> {
    return new DataFrame(this.plan).__daskPostpersist(values).col(this.name);
  }
}
