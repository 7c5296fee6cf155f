/*
 * The types of the reduction kernels (reduce.ts) and the partial results that travel between
 * their stages. A partial keeps the reduced axes with extent 1 (keepdims), so partials of
 * neighbouring chunks along the reduced axes all have the same shape and combine slot by slot:
 *   sum, prod, min, max   { value }          value in spec.accDtype
 *   any, all              { value }          bool
 *   argmin, argmax        { value, index }   value in spec.accDtype; index float64, global along
 *                                            the single reduced axis (argOffset added)
 *   moment                { n, mean, m2? }   n a number (every slot counts the same elements);
 *                                            mean and m2 (sum of squared deviations from the
 *                                            mean) float64; m2 absent when spec.order is 1
 */
import { ValueError } from '../../../src/core/errors.js';
import type { Chunk } from '../chunk.js';
import type { DType } from '../dtype.js';
import type { Expr } from './elementwise-expr.js';

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'any' | 'all' | 'argmin' | 'argmax' | 'moment';

export const REDUCE_OPS: ReadonlySet<string> = new Set<ReduceOp>([
  'sum',
  'prod',
  'min',
  'max',
  'any',
  'all',
  'argmin',
  'argmax',
  'moment',
]);

export interface ReduceSpec {
  op: ReduceOp;
  /** Axes of the broadcast expression shape to reduce: sorted, distinct (one axis for argmin/argmax). */
  axes: number[];
  /** `{ op: 'input', index: 0 }` for a plain reduction. */
  expr: Expr;
  inputDtypes: DType[];
  /**
   * dtype of `value` in sum/prod/min/max/argmin/argmax partials. Accumulation always runs in
   * float64 whatever this says; float64 is the recommended value (exact integer sums to 2^53).
   * Ignored by any/all (bool) and moment (float64).
   */
  accDtype: DType;
  /** argmin/argmax: global index of this chunk's first element along the reduced axis. */
  argOffset?: number[];
  /** moment: 1 computes only n and mean (one pass, as fast as sum); 2 (default) also m2. */
  order?: 1 | 2;
}

export interface ValuePartial {
  value: Chunk;
}

export interface ArgPartial {
  value: Chunk;
  index: Chunk;
}

export interface MomentPartial {
  n: number;
  mean: Chunk;
  m2?: Chunk;
}

/** A partial reduction (the name is Dask's; it shadows TypeScript's `Partial<T>` in importing modules). */
export type Partial = ValuePartial | ArgPartial | MomentPartial;
export type ReducePartial = Partial;

export type FinalizeKind =
  'sum' | 'prod' | 'min' | 'max' | 'any' | 'all' | 'argmin' | 'argmax' | 'mean' | 'var' | 'std';

export interface FinalizeSpec extends ReduceSpec {
  outDtype: DType;
  /** What to compute from the partial; by default the op itself ('mean' for moment). */
  kind?: FinalizeKind;
  /** var/std: delta degrees of freedom (divide m2 by n - ddof). Default 0. */
  ddof?: number;
}

/** The op, checked (specs arrive from other threads as plain objects). */
export function checkReduceOp(op: unknown): ReduceOp {
  if (typeof op === 'string' && REDUCE_OPS.has(op)) return op as ReduceOp;
  throw new ValueError(`unknown reduction op ${JSON.stringify(op)}; use one of ${[...REDUCE_OPS].join(', ')}`);
}

/** The reduced axes, checked against `ndim`. */
export function checkAxes(axes: unknown, ndim: number, op: ReduceOp): number[] {
  if (!Array.isArray(axes)) throw new ValueError('reduction axes must be an array of numbers');
  let prev = -1;
  const out = axes.map((a: unknown) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= ndim) {
      throw new ValueError(`axis ${String(a)} is out of bounds for array of dimension ${ndim}`);
    }
    if (a <= prev) throw new ValueError(`reduction axes must be sorted and distinct, got ${JSON.stringify(axes)}`);
    prev = a;
    return a;
  });
  if ((op === 'argmin' || op === 'argmax') && out.length !== 1) {
    throw new ValueError(
      `${op} reduces exactly one axis (flatten first for several), got axes ${JSON.stringify(axes)}`,
    );
  }
  return out;
}

export function isArgPartial(p: Partial): p is ArgPartial {
  return 'index' in p;
}

export function isMomentPartial(p: Partial): p is MomentPartial {
  return 'mean' in p;
}
