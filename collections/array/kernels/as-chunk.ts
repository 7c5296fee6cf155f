/*
 * asChunk: what a user's block function returned, as a proper chunk. Functions passed to
 * mapBlocks / blockwise run on worker threads, where a self-contained lambda cannot import the
 * ndarray package, so they may return a chunk, any ndarray-like {data, shape, stride?, offset?},
 * a bare typed array (taking the expected block shape) or a number (a 0-d block).
 */
import ndarray from 'ndarray';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { chunkOf, cStrides, newChunk, sizeOf, type Chunk } from '../chunk.js';
import { dtypeOfArray, type NumericArray } from '../dtype.js';

/** What a block function may return. */
export type BlockResult =
  Chunk | NumericArray | number | { data: NumericArray; shape: number[]; stride?: number[]; offset?: number };

interface ChunkLike {
  data: NumericArray;
  shape: number[];
  stride?: number[];
  offset?: number;
}

function isContiguous(c: ChunkLike): boolean {
  const expected = cStrides(c.shape);
  return (
    (c.offset ?? 0) === 0 &&
    c.data.length === sizeOf(c.shape) &&
    (c.stride === undefined || c.stride.every((s, i) => s === expected[i] || c.shape[i] === 1))
  );
}

export function asChunk(value: unknown, expectedShape: number[] | null): Chunk {
  if (typeof value === 'number') {
    const out = newChunk('float64', []);
    out.data[0] = value;
    return out;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const data = value as NumericArray;
    const shape = expectedShape ?? [data.length];
    if (sizeOf(shape) !== data.length)
      throw new Error(
        `a block function returned ${data.length} values where the block has shape (${shape.join(', ')}); return an ndarray or pass chunks to mapBlocks`,
      );
    return chunkOf(data, shape);
  }
  const c = value as Partial<ChunkLike> | null;
  if (c === null || typeof c !== 'object' || !ArrayBuffer.isView(c.data) || !Array.isArray(c.shape)) {
    throw new Error('a block function must return an ndarray, {data, shape}, a typed array or a number');
  }
  const like = c as ChunkLike;
  if (isContiguous(like)) return chunkOf(like.data, like.shape);
  const view = ndarray(like.data, like.shape, like.stride ?? cStrides(like.shape), like.offset ?? 0);
  const out = newChunk(dtypeOfArray(like.data), like.shape);
  const strides = cStrides(like.shape);
  for (let flat = 0; flat < out.data.length; flat++) {
    let rem = flat;
    const idx = like.shape.map((_, d) => {
      const i = Math.floor(rem / strides[d]!);
      rem -= i * strides[d]!;
      return i;
    });
    out.data[flat] = view.get(...idx);
  }
  return out;
}

registerModuleFunction(asChunk, import.meta.url, 'asChunk');
