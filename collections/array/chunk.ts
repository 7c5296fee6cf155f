/*
 * A chunk is an `ndarray` over a C-contiguous typed array whose `data` holds exactly its
 * elements (offset 0, length = size), usually in a SharedArrayBuffer so worker threads read and
 * write it without copies. Kernels take and return chunks; `Chunk` names that contract.
 */
import ndarray from 'ndarray';
import { allocate, type DType, type NumericArray } from './dtype.js';

export type Chunk = ndarray.NdArray<NumericArray>;

/** C-order strides of `shape`, in elements. */
export function cStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i]!;
  }
  return stride;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A chunk over `data` (which must hold exactly the elements of `shape`, in C order). */
export function chunkOf(data: NumericArray, shape: readonly number[]): Chunk {
  return ndarray<NumericArray>(data, [...shape], cStrides(shape), 0);
}

/** A new zero-filled chunk in shared memory. */
export function newChunk(dtype: DType, shape: readonly number[]): Chunk {
  return chunkOf(allocate(dtype, sizeOf(shape)), shape);
}
