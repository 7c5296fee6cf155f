/*
 * `import * as da from 'dask-ts/array'`: chunked n-dimensional arrays (Dask's dask.array).
 * Creation functions, the DaskArray class (elementwise operators, reductions, indexing, shape
 * and linear algebra as methods) and the free functions of the Array section of API.md.
 */
import { registerBuiltinSchedulers } from './builtin-schedulers.js';

registerBuiltinSchedulers();

export { DaskArray, type Operand } from '../collections/array/dask-array.js';
export {
  fromArray,
  zeros,
  ones,
  full,
  arange,
  linspace,
  random,
  where,
  maximum,
  minimum,
  concatenate,
  stack,
  matmul,
  dot,
  mapBlocks,
  blockwise,
} from '../collections/array/functions.js';
export type {
  FromArrayOptions,
  CreateOptions,
  RandomOptions,
  MapBlocksOptions,
  BlockwiseOptions,
  ReductionOptions,
  ArgReductionOptions,
  IndexInput,
  ChunksInput,
} from '../collections/array/ops/index.js';
export { DTYPES, type DType } from '../collections/array/dtype.js';
export type { Chunk } from '../collections/array/chunk.js';
export type { BlockResult } from '../collections/array/kernels/as-chunk.js';
