/*
 * Making arrays: from data already in memory (fromArray), from blocks already computed
 * (fromBlocks, what persist returns), and from a rule per block (zeros, ones, full, arange,
 * linspace, random). Rule-made blocks are computed by the workers, so an array of any size costs
 * nothing until computed and no more than a few blocks at a time after.
 *
 * fromArray keeps the data in shared memory: a SharedArrayBuffer-backed input is used as it is,
 * anything else is copied once into a SharedArrayBuffer (so worker threads never copy it again).
 * When the blocks are contiguous runs of the data (only one axis is split, every axis after it
 * is whole and every axis before it has size 1), each block is a view, with no copy at all;
 * otherwise each block task copies its part out of the shared data.
 */
import type ndarray from 'ndarray';
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { DataNode, Task, TaskRef, type GraphNode, type TaskFunction } from '../../../src/core/graph/task.js';
import { tokenize } from '../../../src/core/graph/tokenize.js';
import { blockIndices } from '../blocks.js';
import { chunkOf, cStrides, sizeOf } from '../chunk.js';
import { ArrayExpr } from '../array-expr.js';
import { allocate, checkDType, dtypeOfArray, type DType, type NumericArray } from '../dtype.js';
import { arangeChunk, fullChunk, linspaceChunk } from '../kernels/create.js';
import { sliceChunk } from '../kernels/copy.js';
import { randomChunk } from '../kernels/random.js';
import { normalizeChunks, offsetsOf, type ChunksInput } from '../normalize-chunks.js';

export interface FromArrayOptions {
  chunks?: ChunksInput;
  shape?: readonly number[];
  dtype?: DType;
  name?: string;
}

/** What fromArray accepts: a typed array, a list of numbers (float64) or an ndarray. */
export type ArraySource = NumericArray | readonly number[] | ndarray.NdArray;

function isNdArray(v: unknown): v is ndarray.NdArray {
  return typeof v === 'object' && v !== null && 'shape' in v && 'stride' in v && 'data' in v && !ArrayBuffer.isView(v);
}

/** The input as one C-contiguous typed array in shared memory, its shape and dtype. */
function toShared(
  data: ArraySource,
  options: FromArrayOptions,
): { values: NumericArray; shape: number[]; dtype: DType } {
  if (isNdArray(data)) {
    const shape = [...data.shape];
    const dtype = options.dtype ?? dtypeOfArray(data.data as NumericArray);
    const values = allocate(dtype, sizeOf(shape));
    const strides = cStrides(shape);
    for (let flat = 0; flat < values.length; flat++) {
      let rem = flat;
      let at = data.offset;
      for (let d = 0; d < shape.length; d++) {
        const i = Math.floor(rem / strides[d]!);
        rem -= i * strides[d]!;
        at += i * data.stride[d]!;
      }
      values[flat] = (data.data as NumericArray)[at]!;
    }
    return { values, shape, dtype };
  }
  const dtype = options.dtype ?? (Array.isArray(data) ? 'float64' : dtypeOfArray(data as NumericArray));
  const length = (data as ArrayLike<number>).length;
  const shape = options.shape === undefined ? [length] : [...options.shape];
  if (sizeOf(shape) !== length)
    throw new ValueError(
      `fromArray: shape (${shape.join(', ')}) holds ${sizeOf(shape)} elements but the data has ${length}`,
    );
  const typed = ArrayBuffer.isView(data) ? data : undefined;
  if (
    typed !== undefined &&
    typed.buffer instanceof SharedArrayBuffer &&
    dtypeOfArray(typed) === (dtype === 'bool' ? 'uint8' : dtype)
  ) {
    return { values: typed, shape, dtype };
  }
  const values = allocate(dtype, length);
  values.set(data);
  return { values, shape, dtype };
}

export function fromArray(data: ArraySource, options: FromArrayOptions = {}): ArrayExpr {
  const { values, shape, dtype } = toShared(data, options);
  const chunks = normalizeChunks(options.chunks ?? 'auto', shape, dtype);
  const name = options.name ?? `array-${uniqueToken()}`;
  const numblocks = chunks.map((c) => c.length);
  // blocks are contiguous runs of the data when the axes before the first split one have size 1
  // and every axis after it is whole
  const firstSplit = numblocks.findIndex((n) => n > 1);
  const contiguous =
    firstSplit < 0 ||
    (shape.slice(0, firstSplit).every((d) => d === 1) && numblocks.slice(firstSplit + 1).every((n) => n === 1));
  const nodes: GraphNode[] = [];
  const offsets = chunks.map(offsetsOf);
  const strides = cStrides(shape);
  const whole = `${name}-data`;
  if (!contiguous) nodes.push(new DataNode(whole, chunkOf(values, shape)));
  for (const idx of blockIndices(numblocks)) {
    const start = idx.map((b, d) => offsets[d]![b]!);
    const blockShape = idx.map((b, d) => chunks[d]![b]!);
    if (contiguous) {
      const from = start.reduce((s, v, d) => s + v * strides[d]!, 0);
      nodes.push(
        new DataNode(key(name, ...idx), chunkOf(values.subarray(from, from + sizeOf(blockShape)), blockShape)),
      );
    } else {
      const spec = {
        start,
        stop: start.map((s, d) => s + blockShape[d]!),
        step: start.map(() => 1),
        drop: start.map(() => false),
      };
      nodes.push(new Task(key(name, ...idx), sliceChunk, [new TaskRef(whole), spec]));
    }
  }
  return new ArrayExpr(new HighLevelGraph([new MaterializedLayer(name, nodes)]), name, chunks, dtype);
}

/** An array over blocks already computed (`blocks` in C order of the block grid), as persist makes. */
export function fromBlocks(
  name: string,
  chunks: readonly (readonly number[])[],
  dtype: DType,
  blocks: readonly unknown[],
): ArrayExpr {
  const nodes: DataNode[] = [];
  let i = 0;
  for (const idx of blockIndices(chunks.map((c) => c.length))) nodes.push(new DataNode(key(name, ...idx), blocks[i++]));
  return new ArrayExpr(new HighLevelGraph([new MaterializedLayer(name, nodes)]), name, chunks, dtype);
}

/** An array whose block `idx` (of shape `blockShape`, starting at `start`) is `make(...)`. */
function perBlock(
  prefix: string,
  token: string,
  shape: readonly number[],
  chunksIn: ChunksInput,
  dtype: DType,
  make: (idx: number[], blockShape: number[], start: number[]) => Task['args'],
  fn: TaskFunction,
): ArrayExpr {
  const chunks = normalizeChunks(chunksIn, shape, dtype);
  const name = `${prefix}-${token}`;
  const offsets = chunks.map(offsetsOf);
  const tasks: Task[] = [];
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const blockShape = idx.map((b, d) => chunks[d]![b]!);
    const start = idx.map((b, d) => offsets[d]![b]!);
    tasks.push(new Task(key(name, ...idx), fn, make(idx, blockShape, start)));
  }
  return new ArrayExpr(new HighLevelGraph([new MaterializedLayer(name, tasks)]), name, chunks, dtype);
}

export interface CreateOptions {
  chunks?: ChunksInput;
  dtype?: DType;
}

function shapeOf(shape: number | readonly number[]): number[] {
  return typeof shape === 'number' ? [shape] : [...shape];
}

export function full(shape: number | readonly number[], value: number, options: CreateOptions = {}): ArrayExpr {
  const s = shapeOf(shape);
  // NumPy gives an integer fill value an integer dtype (int64 there; int32 here when it fits)
  const dtype = checkDType(
    options.dtype ?? (Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int32' : 'float64'),
  );
  return perBlock(
    'full',
    tokenize(s, value, dtype, options.chunks ?? 'auto'),
    s,
    options.chunks ?? 'auto',
    dtype,
    (_i, bs) => [{ shape: bs, dtype, value }],
    fullChunk,
  );
}

export function zeros(shape: number | readonly number[], options: CreateOptions = {}): ArrayExpr {
  return full(shape, 0, { ...options, dtype: options.dtype ?? 'float64' });
}

export function ones(shape: number | readonly number[], options: CreateOptions = {}): ArrayExpr {
  return full(shape, 1, { ...options, dtype: options.dtype ?? 'float64' });
}

export function arange(
  start: number,
  stop?: number | CreateOptions,
  step?: number | CreateOptions,
  options: CreateOptions = {},
): ArrayExpr {
  const opts = [stop, step, options].find((o): o is CreateOptions => typeof o === 'object') ?? options;
  const s = typeof step === 'number' ? step : 1;
  let [a, b] = [start, typeof stop === 'number' ? stop : undefined];
  if (b === undefined) [a, b] = [0, start];
  if (s === 0) throw new ValueError('arange: step must not be zero');
  const count = Math.max(0, Math.ceil((b - a) / s));
  const allInt = [a, b, s].every(Number.isInteger);
  const dtype = checkDType(opts.dtype ?? (allInt ? 'int32' : 'float64'));
  return perBlock(
    'arange',
    tokenize(a, s, count, dtype, opts.chunks ?? 'auto'),
    [count],
    opts.chunks ?? 'auto',
    dtype,
    (_i, bs, st) => [{ start: a, step: s, offset: st[0]!, count: bs[0]!, dtype }],
    arangeChunk,
  );
}

export function linspace(
  start: number,
  stop: number,
  num: number,
  options: CreateOptions & { endpoint?: boolean } = {},
): ArrayExpr {
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const endpoint = options.endpoint ?? true;
  const dtype = checkDType(options.dtype ?? 'float64');
  return perBlock(
    'linspace',
    tokenize(start, stop, num, endpoint, dtype, options.chunks ?? 'auto'),
    [num],
    options.chunks ?? 'auto',
    dtype,
    (_i, bs, st) => [{ start, stop, num, offset: st[0]!, count: bs[0]!, endpoint, dtype }],
    linspaceChunk,
  );
}

export interface RandomOptions extends CreateOptions {
  seed?: number;
}

type Dist = 'random' | 'uniform' | 'normal' | 'randint';

function randomArray(
  dist: Dist,
  shape: number | readonly number[],
  params: Record<string, number>,
  options: RandomOptions,
  defaultDtype: DType,
): ArrayExpr {
  const s = shapeOf(shape);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const dtype = checkDType(options.dtype ?? defaultDtype);
  const token = tokenize(dist, s, params, seed, dtype, options.chunks ?? 'auto');
  return perBlock(
    dist === 'random' ? 'random_sample' : dist,
    token,
    s,
    options.chunks ?? 'auto',
    dtype,
    (idx, bs) => [{ dist, seed, block: idx, shape: bs, dtype, ...params }],
    randomChunk,
  );
}

export const random = {
  /** Uniform samples in [0, 1). */
  random(shape: number | readonly number[], options: RandomOptions = {}): ArrayExpr {
    return randomArray('random', shape, {}, options, 'float64');
  },
  uniform(shape: number | readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): ArrayExpr {
    return randomArray('uniform', shape, { low: options.low ?? 0, high: options.high ?? 1 }, options, 'float64');
  },
  normal(shape: number | readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): ArrayExpr {
    if ((options.std ?? 1) < 0) throw new ValueError('normal: std must be non-negative');
    return randomArray('normal', shape, { mean: options.mean ?? 0, std: options.std ?? 1 }, options, 'float64');
  },
  randint(low: number, high: number, shape: number | readonly number[], options: RandomOptions = {}): ArrayExpr {
    if (!(high > low)) throw new ValueError(`randint: low (${low}) must be less than high (${high})`);
    return randomArray('randint', shape, { low, high }, options, 'int32');
  },
};
