/*
 * `import * as da from 'dask-ts/array'`: chunked n-dimensional arrays (Dask's dask.array).
 * Creation functions, the DaskArray class (elementwise operators, reductions, indexing, shape
 * and linear algebra as methods) and the free functions of the Array section of API.md.
 */
import { registerBuiltinSchedulers } from './builtin-schedulers.js';
import type { Chunk } from '../collections/array/chunk.js';
import type { BlockResult } from '../collections/array/kernels/as-chunk.js';
import { DaskArray } from '../collections/array/dask-array.js';
import { ValueError } from './core/errors.js';
import { matmul } from '../collections/array/ops/matmul.js';
import { mapBlocks as mapBlocksOp, type MapBlocksOptions } from '../collections/array/ops/map-blocks.js';

registerBuiltinSchedulers();

/** da.mapBlocks(fn, x, y, ..., { dtype, chunks }): fn applied to matching blocks. */
export function mapBlocks(
  fn: (...blocks: Chunk[]) => BlockResult,
  ...args: (DaskArray | MapBlocksOptions)[]
): DaskArray {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !DaskArray.isArray(last);
  const arrays = hasOptions ? args.slice(0, -1) : args;
  if (!arrays.every((a) => DaskArray.isArray(a)))
    throw new ValueError('mapBlocks takes a function, arrays, then an optional options object last');
  return mapBlocksOp(fn, arrays, hasOptions ? last : {});
}

/** da.dot(a, b): the matrix product (matmul for 1-d and 2-d arrays). */
export function dot(a: DaskArray, b: DaskArray): DaskArray {
  return matmul(a, b);
}

export { DaskArray, type Operand } from '../collections/array/dask-array.js';
export {
  fromArray,
  zeros,
  ones,
  full,
  arange,
  linspace,
  random,
  type FromArrayOptions,
  type CreateOptions,
  type RandomOptions,
} from '../collections/array/ops/creation.js';
export { where, maximum, minimum } from '../collections/array/ops/elementwise.js';
export { concatenate, stack } from '../collections/array/ops/concatenate.js';
export { blockwise, type MapBlocksOptions, type BlockwiseOptions } from '../collections/array/ops/map-blocks.js';
export { matmul };
export type { ReductionOptions, ArgReductionOptions, IndexInput, ChunksInput } from '../collections/array/ops/index.js';
export { DTYPES, type DType } from '../collections/array/dtype.js';
export type { Chunk } from '../collections/array/chunk.js';
export type { BlockResult } from '../collections/array/kernels/as-chunk.js';
