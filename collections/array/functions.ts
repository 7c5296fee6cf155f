/*
 * The free functions of `dask-ts/array` (da.fromArray, da.where, da.concatenate, da.mapBlocks,
 * ...) over DaskArrays. Each is as thin as a DaskArray method: it unwraps its DaskArray arguments
 * to their ArrayExprs, calls one operation in ops/ and wraps the result, so the public signatures
 * take and return DaskArrays while the operations only know ArrayExprs.
 */
import { ValueError } from '../../src/core/errors.js';
import type { Chunk } from './chunk.js';
import { DaskArray, unwrap, wrap, type Operand } from './dask-array.js';
import type { BlockResult } from './kernels/as-chunk.js';
import * as ops from './ops/index.js';

type Shape = number | readonly number[];

export function fromArray(data: ops.ArraySource, options: ops.FromArrayOptions = {}): DaskArray {
  return wrap(ops.fromArray(data, options));
}

export function full(shape: Shape, value: number, options: ops.CreateOptions = {}): DaskArray {
  return wrap(ops.full(shape, value, options));
}

export function zeros(shape: Shape, options: ops.CreateOptions = {}): DaskArray {
  return wrap(ops.zeros(shape, options));
}

export function ones(shape: Shape, options: ops.CreateOptions = {}): DaskArray {
  return wrap(ops.ones(shape, options));
}

export function arange(
  start: number,
  stop?: number | ops.CreateOptions,
  step?: number | ops.CreateOptions,
  options: ops.CreateOptions = {},
): DaskArray {
  return wrap(ops.arange(start, stop, step, options));
}

export function linspace(
  start: number,
  stop: number,
  num: number,
  options: ops.CreateOptions & { endpoint?: boolean } = {},
): DaskArray {
  return wrap(ops.linspace(start, stop, num, options));
}

export const random = {
  /** Uniform samples in [0, 1). */
  random(shape: Shape, options: ops.RandomOptions = {}): DaskArray {
    return wrap(ops.random.random(shape, options));
  },
  uniform(shape: Shape, options: ops.RandomOptions & { low?: number; high?: number } = {}): DaskArray {
    return wrap(ops.random.uniform(shape, options));
  },
  normal(shape: Shape, options: ops.RandomOptions & { mean?: number; std?: number } = {}): DaskArray {
    return wrap(ops.random.normal(shape, options));
  },
  randint(low: number, high: number, shape: Shape, options: ops.RandomOptions = {}): DaskArray {
    return wrap(ops.random.randint(low, high, shape, options));
  },
};

/** da.where(cond, a, b): elements of a where cond is true, else of b. */
export function where(cond: Operand, a: Operand, b: Operand): DaskArray {
  return wrap(ops.where(unwrap(cond), unwrap(a), unwrap(b)));
}

export function maximum(a: Operand, b: Operand): DaskArray {
  return wrap(ops.maximum(unwrap(a), unwrap(b)));
}

export function minimum(a: Operand, b: Operand): DaskArray {
  return wrap(ops.minimum(unwrap(a), unwrap(b)));
}

export function concatenate(arrays: readonly DaskArray[], options: { axis?: number } = {}): DaskArray {
  return wrap(
    ops.concatenate(
      arrays.map((a) => unwrap(a)),
      options,
    ),
  );
}

export function stack(arrays: readonly DaskArray[], options: { axis?: number } = {}): DaskArray {
  return wrap(
    ops.stack(
      arrays.map((a) => unwrap(a)),
      options,
    ),
  );
}

export function matmul(a: DaskArray, b: DaskArray): DaskArray {
  return wrap(ops.matmul(unwrap(a), unwrap(b)));
}

/** da.dot(a, b): the matrix product (matmul for 1-d and 2-d arrays). */
export function dot(a: DaskArray, b: DaskArray): DaskArray {
  return matmul(a, b);
}

/** da.mapBlocks(fn, x, y, ..., { dtype, chunks }): fn applied to matching blocks. */
export function mapBlocks(
  fn: (...blocks: Chunk[]) => BlockResult,
  ...args: (DaskArray | ops.MapBlocksOptions)[]
): DaskArray {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !DaskArray.isArray(last);
  const arrays = hasOptions ? args.slice(0, -1) : args;
  if (!arrays.every((a) => DaskArray.isArray(a)))
    throw new ValueError('mapBlocks takes a function, arrays, then an optional options object last');
  return wrap(
    ops.mapBlocks(
      fn,
      arrays.map((a) => unwrap(a)),
      hasOptions ? last : {},
    ),
  );
}

export function blockwise(
  fn: (...args: (Chunk | Chunk[])[]) => BlockResult,
  outIndex: string,
  inputs: readonly (readonly [DaskArray, string])[],
  options: ops.BlockwiseOptions = {},
): DaskArray {
  return wrap(
    ops.blockwise(
      fn,
      outIndex,
      inputs.map(([a, index]) => [unwrap(a), index] as const),
      options,
    ),
  );
}
