/*
 * Per-chunk copies: NumPy basic slicing of one chunk, transposition, assembling a grid of blocks
 * into one chunk, and C-order reshape. Each builds a strided *view* (offset + strides over the
 * input's data, as NumPy does) and hands it to copyStrided (copy-strided.ts), which merges
 * contiguous axes, memcpy's contiguous runs and tiles transposes; the output is always a new
 * C-contiguous chunk in shared memory, except where a view is the answer (reshapeChunk of a
 * contiguous chunk, assembleBlocks of a 1-block grid), which shares the input's buffer.
 *
 * Slice convention (`sliceChunk`): per axis, already normalised by the graph side to this chunk,
 *   start  first index taken, 0 ≤ start < dim whenever the axis selects anything;
 *   stop   exclusive bound in the direction of `step`; for a negative step it may be -1, meaning
 *          "through index 0" (NumPy's x[9::-2] on 10 elements is start 9, stop -1, step -2: 9 7 5 3 1);
 *   step   a non-zero integer;
 *   count  = max(0, ceil((stop - start) / step)) elements: start, start + step, …;
 *   drop   true for an axis indexed by an integer (x[3]): it must select exactly one element
 *          (start 3, stop 4, step 1) and is removed from the result's shape.
 * Inputs may be any ndarray view (strides of either sign, non-zero offset): only `data`, `offset`,
 * `stride` and `shape` are read.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { type Chunk, chunkOf, cStrides, sizeOf } from '../chunk.js';
import { type DType, allocate, dtypeInfo, dtypeOfArray } from '../dtype.js';
import { copyStrided } from './copy-strided.js';

export interface SliceSpec {
  readonly start: readonly number[];
  readonly stop: readonly number[];
  readonly step: readonly number[];
  readonly drop: readonly boolean[];
}

/** NumPy basic slicing of one chunk (see the convention above), copied into a new contiguous chunk. */
export function sliceChunk(chunk: Chunk, spec: SliceSpec): Chunk {
  const nd = chunk.shape.length;
  const { start, stop, step, drop } = spec;
  if (start.length !== nd || stop.length !== nd || step.length !== nd || drop.length !== nd) {
    throw new ValueError(
      `sliceChunk: the slice has ${start.length}/${stop.length}/${step.length}/${drop.length} start/stop/step/drop entries for a ${nd}-d chunk`,
    );
  }
  let offset = chunk.offset;
  const shape: number[] = [];
  const stride: number[] = [];
  for (let i = 0; i < nd; i++) {
    const dim = chunk.shape[i]!;
    const s = start[i]!,
      e = stop[i]!,
      t = step[i]!;
    if (!Number.isInteger(s) || !Number.isInteger(e) || !Number.isInteger(t) || t === 0) {
      throw new ValueError(
        `sliceChunk: axis ${i} has start ${s}, stop ${e}, step ${t}; they must be integers and step non-zero`,
      );
    }
    const count = Math.max(0, Math.ceil((e - s) / t));
    if (count > 0 && (s < 0 || s >= dim || s + (count - 1) * t < 0 || s + (count - 1) * t >= dim)) {
      throw new ValueError(`sliceChunk: index ${s}:${e}:${t} is out of bounds for axis ${i} with size ${dim}`);
    }
    if (drop[i] === true) {
      if (count !== 1)
        throw new ValueError(`sliceChunk: axis ${i} is indexed by an integer but selects ${count} elements`);
      offset += s * chunk.stride[i]!;
      continue;
    }
    if (count > 0) offset += s * chunk.stride[i]!;
    shape.push(count);
    stride.push(chunk.stride[i]! * t);
  }
  return copyView(chunk, shape, stride, offset);
}

/** The axes of `chunk` permuted (result axis i is input axis axes[i]), as a new contiguous chunk. */
export function transposeChunk(chunk: Chunk, axes: readonly number[]): Chunk {
  const nd = chunk.shape.length;
  const sorted = [...axes].sort((x, y) => x - y);
  if (axes.length !== nd || sorted.some((a, i) => a !== i))
    throw new ValueError(`transposeChunk: axes (${axes.join(', ')}) don't match array of ${nd} dimensions`);
  const shape = axes.map((a) => chunk.shape[a]!);
  const stride = axes.map((a) => chunk.stride[a]!);
  return copyView(chunk, shape, stride, chunk.offset);
}

/** A new contiguous chunk holding the view (shape, stride, offset) of chunk's data. */
function copyView(chunk: Chunk, shape: readonly number[], stride: readonly number[], offset: number): Chunk {
  const data = allocate(dtypeOfArray(chunk.data), sizeOf(shape));
  copyStrided(shape, { data: chunk.data, offset, stride }, { data, offset: 0, stride: cStrides(shape) });
  return chunkOf(data, shape);
}

/** True if `chunk` is C-contiguous from data[offset] (strides of length-1 axes do not matter). */
export function isCContiguous(chunk: Chunk): boolean {
  let expected = 1;
  for (let i = chunk.shape.length - 1; i >= 0; i--) {
    const d = chunk.shape[i]!;
    if (d === 0) return true;
    if (d !== 1 && chunk.stride[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** `chunk` itself if it already meets the Chunk contract (C order, offset 0, exact length), else a contiguous copy. */
export function contiguousChunk(chunk: Chunk): Chunk {
  if (chunk.offset === 0 && chunk.data.length === sizeOf(chunk.shape) && isCContiguous(chunk)) return chunk;
  return copyView(chunk, chunk.shape, chunk.stride, chunk.offset);
}

/**
 * C-order reshape to `shape` (one entry may be -1, inferred). Zero copy when `chunk` is
 * C-contiguous: the result is a view over the same buffer (data.subarray when the view starts at a
 * non-zero offset); otherwise the elements are copied to a contiguous chunk first.
 */
export function reshapeChunk(chunk: Chunk, shape: readonly number[]): Chunk {
  const size = sizeOf(chunk.shape);
  const target = resolveShape(shape, size, chunk.shape);
  const source = isCContiguous(chunk) ? chunk : contiguousChunk(chunk);
  const data =
    source.offset === 0 && source.data.length === size
      ? source.data
      : source.data.subarray(source.offset, source.offset + size);
  return chunkOf(data, target);
}

function resolveShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const fail = (): ValueError =>
    new ValueError(`cannot reshape array of size ${size} into shape (${shape.join(', ')}) (from (${from.join(', ')}))`);
  const target = [...shape];
  const unknown = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) throw fail();
  if (unknown >= 0) {
    const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (known === 0 || size % known !== 0) throw fail();
    target[unknown] = size / known;
  }
  if (sizeOf(target) !== size) throw fail();
  return target;
}

/**
 * Concatenates a C-ordered grid of blocks (grid[d] blocks along axis d; blocks[f] is the block at
 * the flat C-order grid index f) into one contiguous chunk of `dtype`. Block extents along axis d
 * are read from the blocks in the first row of that axis and every other block must agree (they
 * may be uneven). A 1-block grid returns the block itself when it already meets the Chunk contract.
 */
export function assembleBlocks(dtype: DType, grid: readonly number[], blocks: readonly Chunk[]): Chunk {
  const nd = grid.length;
  if (blocks.length !== sizeOf(grid) || blocks.length === 0) {
    throw new ValueError(
      `assembleBlocks: a grid of (${grid.join(', ')}) needs ${sizeOf(grid)} blocks, got ${blocks.length}`,
    );
  }
  const gridStrides = cStrides(grid);
  const extents = grid.map((g, d) => Array.from({ length: g }, (_, t) => blocks[t * gridStrides[d]!]?.shape[d] ?? 0));
  const starts = extents.map((ext) => ext.reduce<number[]>((acc, e) => [...acc, acc[acc.length - 1]! + e], [0]));
  const shape = starts.map((s) => s[s.length - 1]!);
  const ctor = dtypeInfo(dtype).ctor;
  for (const [f, block] of blocks.entries()) {
    checkBlock(block, f, grid, gridStrides, extents);
    if (!(block.data instanceof ctor))
      throw new ValueError(`assembleBlocks: block ${f} holds ${dtypeOfArray(block.data)} data, expected ${dtype}`);
  }
  const only = blocks[0]!;
  if (blocks.length === 1) return contiguousChunk(only);
  const data = allocate(dtype, sizeOf(shape));
  const outStrides = cStrides(shape);
  for (const [f, block] of blocks.entries()) {
    let offset = 0;
    for (let d = 0; d < nd; d++) offset += starts[d]![Math.floor(f / gridStrides[d]!) % grid[d]!]! * outStrides[d]!;
    copyStrided(block.shape, block, { data, offset, stride: outStrides });
  }
  return chunkOf(data, shape);
}

function checkBlock(
  block: Chunk,
  f: number,
  grid: readonly number[],
  gridStrides: readonly number[],
  extents: readonly number[][],
): void {
  const nd = grid.length;
  const index = grid.map((g, d) => Math.floor(f / gridStrides[d]!) % g);
  const expected = index.map((t, d) => extents[d]![t]!);
  if (block.shape.length !== nd || block.shape.some((e, d) => e !== expected[d])) {
    throw new ValueError(
      `assembleBlocks: block (${index.join(', ')}) has shape (${block.shape.join(', ')}), expected (${expected.join(', ')}) from its row and column neighbours`,
    );
  }
}

registerModuleFunction(sliceChunk, import.meta.url, 'sliceChunk');
registerModuleFunction(transposeChunk, import.meta.url, 'transposeChunk');
registerModuleFunction(assembleBlocks, import.meta.url, 'assembleBlocks');
registerModuleFunction(reshapeChunk, import.meta.url, 'reshapeChunk');
registerModuleFunction(contiguousChunk, import.meta.url, 'contiguousChunk');
