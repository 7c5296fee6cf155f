/*
 * normalizeChunks: every way Dask accepts `chunks`, turned into explicit block sizes per axis.
 *   number          the same block size on every axis (the last block takes the remainder)
 *   number[]        a block size per axis; -1 (or null) means the whole axis
 *   number[][]      explicit sizes per axis, which must add up to the shape
 *   'auto'          blocks of about `autoBytes` (128 MiB, Dask's array.chunk-size): the same
 *                   size on every axis, the cube root (n-th root) of the element budget,
 *                   with the trailing axes taken whole when they are small
 *   -1              one block per axis
 * Mistakes fail here, when the array is built, with Dask's wording ("Chunks do not add up to
 * shape") so users find the explanation they search for.
 */
import { ValueError } from '../../src/core/errors.js';
import { itemsize, type DType } from './dtype.js';

export type ChunksInput = number | 'auto' | readonly (number | null | 'auto')[] | readonly (readonly number[])[];

export const AUTO_CHUNK_BYTES = 128 * 2 ** 20;

function blocksOf(size: number, dim: number): number[] {
  if (!Number.isInteger(size) || size <= 0)
    throw new ValueError(`chunk size must be a positive integer, -1 or 'auto', got ${size}`);
  if (dim === 0) return [0];
  const out: number[] = [];
  for (let start = 0; start < dim; start += size) out.push(Math.min(size, dim - start));
  return out;
}

/** Block sizes of about `budget` elements in total for `shape`, leading axes split first. */
function autoSizes(shape: readonly number[], dtype: DType, autoBytes: number): number[] {
  let budget = Math.max(1, Math.floor(autoBytes / itemsize(dtype)));
  const sizes = new Array<number>(shape.length).fill(1);
  // take trailing axes whole while they fit, then split the rest evenly
  let i = shape.length - 1;
  for (; i >= 0 && shape[i]! <= budget; i--) {
    sizes[i] = Math.max(1, shape[i]!);
    budget = Math.floor(budget / Math.max(1, shape[i]!));
  }
  if (i >= 0) {
    const per = Math.max(1, Math.floor(Math.pow(budget, 1 / (i + 1))));
    for (let j = 0; j <= i; j++) sizes[j] = Math.min(Math.max(1, shape[j]!), per);
    // give the leftover budget to the innermost split axis
    const used = sizes.slice(0, i).reduce((p, s) => p * s, 1);
    sizes[i] = Math.min(Math.max(1, shape[i]!), Math.max(1, Math.floor(budget / used)));
  }
  return sizes;
}

export function normalizeChunks(
  chunks: ChunksInput,
  shape: readonly number[],
  dtype: DType,
  autoBytes = AUTO_CHUNK_BYTES,
): number[][] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new ValueError(`shape must hold non-negative integers, got (${shape.join(', ')})`);
  }
  if (chunks === 'auto') return autoSizes(shape, dtype, autoBytes).map((s, i) => blocksOf(s, shape[i]!));
  if (typeof chunks === 'number') {
    return shape.map((d) => (chunks === -1 ? [d] : blocksOf(chunks, d)));
  }
  if (!Array.isArray(chunks) || chunks.length !== shape.length) {
    throw new ValueError(
      `chunks ${JSON.stringify(chunks)} and shape (${shape.join(', ')}) have different numbers of dimensions; give one entry per axis`,
    );
  }
  const auto = autoSizes(shape, dtype, autoBytes);
  return shape.map((dim, axis) => {
    const c = chunks[axis] as number | null | 'auto' | readonly number[];
    if (Array.isArray(c)) {
      const sizes = c as readonly number[];
      const total = sizes.reduce((s, v) => s + v, 0);
      if (sizes.some((v) => !Number.isInteger(v) || v < 0) || total !== dim) {
        throw new ValueError(
          `Chunks do not add up to shape. Got chunks=${JSON.stringify(chunks)}, shape=(${shape.join(', ')})`,
        );
      }
      return sizes.length === 0 ? [0] : [...sizes];
    }
    if (c === null || c === -1) return [dim];
    if (c === 'auto') return blocksOf(auto[axis]!, dim);
    return blocksOf(c as number, dim);
  });
}

/** Start offsets of the blocks along one axis (length = blocks + 1). */
export function offsetsOf(sizes: readonly number[]): number[] {
  const out = [0];
  for (const s of sizes) out.push(out[out.length - 1]! + s);
  return out;
}
