/*
 * ArrayExpr: the plain data of a lazy n-dimensional array, what every operation in ops/ takes and
 * returns. It is a name, block sizes per axis (`chunks`), a dtype and the HighLevelGraph that
 * computes every block; block (i, j) lives under key `name[i,j]`. The getters derive what the
 * operations need (shape, ndim, size, numblocks, nbytes) from the chunks.
 *
 * An array made by elementwise operations also remembers, in `fused`, its expression over the
 * arrays it started from. The next elementwise operation or reduction reads that expression
 * instead of this array's blocks, so a chain like ((x + 1) * 2 - x).mean() becomes one task per
 * chunk doing one pass over memory (blockwise fusion done as the chain is built).
 *
 * The user-facing DaskArray (dask-array.ts) wraps one ArrayExpr; this file knows nothing of it,
 * so the operations never depend on the class whose methods call them.
 */
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import { itemsize, type DType } from './dtype.js';
import type { Expr } from './kernels/elementwise.js';

const ARRAY_EXPR = Symbol.for('dask-ts/ArrayExpr');

/** An elementwise result's expression over the leaf arrays it reads (input i is `inputs[i]`). */
export interface FusedExpr {
  readonly expr: Expr;
  readonly inputs: readonly ArrayExpr[];
}

/** What elementwise operations combine: arrays, and numbers as constants. */
export type Operand = ArrayExpr | number | boolean;

export class ArrayExpr {
  get [ARRAY_EXPR](): true {
    return true;
  }

  constructor(
    readonly graph: HighLevelGraph,
    readonly name: string,
    readonly chunks: readonly (readonly number[])[],
    readonly dtype: DType,
    readonly fused?: FusedExpr,
  ) {}

  /** True for an ArrayExpr from any copy of this package (realm-safe). */
  static isExpr(value: unknown): value is ArrayExpr {
    return (
      typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[ARRAY_EXPR] === true
    );
  }

  get shape(): number[] {
    return this.chunks.map((c) => c.reduce((s, v) => s + v, 0));
  }
  get ndim(): number {
    return this.chunks.length;
  }
  get size(): number {
    return this.shape.reduce((p, d) => p * d, 1);
  }
  get numblocks(): number[] {
    return this.chunks.map((c) => c.length);
  }
  get nbytes(): number {
    return this.size * itemsize(this.dtype);
  }
}
