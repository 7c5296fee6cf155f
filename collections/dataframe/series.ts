/*
 * Series: one column expression over a frame's plan node (plan/series-plan.ts). Operators build
 * bigger expressions (nothing runs; ops/elementwise.ts), reductions make a Scalar, compute()
 * returns an Arrow Vector. Operand types are checked as the expression is built, here, when the
 * dtype is found (DTypeError names the column). Each method is an op over this Series, wrapped.
 */
import type { Table, Vector } from 'apache-arrow';
import type { ComputeOptions, DaskCollection } from '../../src/core/compute.js';
import { SERIES, isSeries } from './brands.js';
import type { DataFrame } from './dataframe.js';
import type { DType } from './dtype.js';
import { exprDType, exprName, type BinaryOp, type Expr, type Literal } from './expr.js';
import { concatTables } from './kernels/concat.js';
import { binary, unary } from './ops/elementwise.js';
import { reduce, type ReduceOptions } from './ops/reductions.js';
import { toFrame } from './ops/to-frame.js';
import { unique, valueCounts } from './ops/value-counts.js';
import type { PlanNode } from './plan/plan-node.js';
import type { SeriesPlan } from './plan/series-plan.js';
import { PlanCollection } from './plan-collection.js';
import type { Scalar } from './scalar.js';
import './scalar.js'; // registers Scalar with wrap (reductions make one)
import { registerCollection, wrap } from './wrap.js';

export type Operand = Series | Literal;

export class Series extends PlanCollection<Vector> implements SeriesPlan {
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
    return isSeries(value);
  }

  private binary(op: BinaryOp, other: Operand): Series {
    return wrap(binary(this, op, other));
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
    return wrap(unary(this, 'not'));
  }
  neg(): Series {
    return wrap(unary(this, 'neg'));
  }
  isNull(): Series {
    return wrap(unary(this, 'isNull'));
  }
  notNull(): Series {
    return wrap(unary(this, 'notNull'));
  }

  /** The same values under another name. */
  rename(name: string): Series {
    return wrap({ frame: this.frame, expr: this.expr, name });
  }

  sum(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'sum', o));
  }
  mean(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'mean', o));
  }
  min(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'min', o));
  }
  max(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'max', o));
  }
  count(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'count', o));
  }
  std(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'std', o));
  }
  var(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'var', o));
  }
  nunique(o?: ReduceOptions): Scalar {
    return wrap(reduce(this, 'nunique', o));
  }

  /** A one-column frame [name, count] of the distinct values, most frequent first (missing values skipped). */
  valueCounts(): DataFrame {
    return wrap(valueCounts(this));
  }

  /** The distinct values, in order of first appearance (a missing value counts once). */
  unique(): Series {
    return wrap(unique(this));
  }

  /** The one-column frame of this Series. */
  toFrame(): DataFrame {
    return wrap(toFrame(this));
  }

  /** The first n values. */
  async head(n = 5, options?: ComputeOptions): Promise<Vector> {
    const t = await this.toFrame().head(n, options);
    return t.getChildAt(0)!;
  }

  private cachedPlan: PlanNode | undefined;
  /** The plan of the one-column frame (made once, so its keys stay the same). */
  get plan(): PlanNode {
    return (this.cachedPlan ??= toFrame(this));
  }
  __daskPostcompute(values: unknown): Vector {
    const t: Table = concatTables(values as Table[]);
    return t.getChildAt(0)!;
  }
  __daskPostpersist(values: unknown): DaskCollection<Vector> {
    return wrap(this.plan).__daskPostpersist(values).col(this.name);
  }
}

registerCollection('series', (s) => new Series(s.frame, s.expr, s.name));
