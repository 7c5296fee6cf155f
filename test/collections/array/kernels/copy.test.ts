import { describe, expect, test } from 'vitest';
import ndarray from 'ndarray';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';
import { type Chunk, chunkOf, cStrides, sizeOf } from '../../../../collections/array/chunk.js';
import { type DType, type NumericArray, allocate } from '../../../../collections/array/dtype.js';
import {
  assembleBlocks,
  contiguousChunk,
  isCContiguous,
  reshapeChunk,
  sliceChunk,
  transposeChunk,
} from '../../../../collections/array/kernels/copy.js';

/** A chunk whose element at flat C index f holds f + base (or f mod 256 for bytes). */
function iota(shape: number[], dtype: DType = 'float64', base = 0): Chunk {
  const n = sizeOf(shape);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = dtype === 'uint8' || dtype === 'bool' ? (i + base) % 256 : i + base;
  return chunkOf(data, shape);
}

function get(x: Chunk, idx: readonly number[]): number {
  let o = x.offset;
  idx.forEach((v, d) => (o += v * x.stride[d]!));
  return x.data[o]!;
}

/** All C-order multi-indices of `shape`. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = sizeOf(shape);
  const st = cStrides(shape);
  for (let f = 0; f < n; f++) yield shape.map((d, a) => Math.floor(f / st[a]!) % d);
}

function expectContiguous(x: Chunk): void {
  expect(x.offset).toBe(0);
  expect(x.data.length).toBe(sizeOf(x.shape));
  expect(x.stride).toEqual(cStrides(x.shape));
}

interface AxisSlice {
  start: number;
  stop: number;
  step: number;
  drop: boolean;
}

/** Every slice of an axis of `dim` with the given step that selects ≥ 1 element, sampled. */
function slicesOf(dim: number, steps: readonly number[]): AxisSlice[] {
  const out: AxisSlice[] = [];
  for (const step of steps) {
    for (let start = 0; start < dim; start++) {
      const room = step > 0 ? Math.floor((dim - 1 - start) / step) + 1 : Math.floor(start / -step) + 1;
      for (const count of new Set([1, room, Math.ceil(room / 2)]))
        out.push({ start, stop: start + count * step, step, drop: false });
    }
  }
  out.push(
    { start: dim - 1, stop: -1, step: -1, drop: false },
    { start: 0, stop: 0, step: 1, drop: false },
    { start: Math.floor(dim / 2), stop: Math.floor(dim / 2) + 1, step: 1, drop: true },
  );
  return out;
}

function checkSlice(x: Chunk, axes: readonly AxisSlice[]): void {
  const spec = {
    start: axes.map((a) => a.start),
    stop: axes.map((a) => a.stop),
    step: axes.map((a) => a.step),
    drop: axes.map((a) => a.drop),
  };
  const y = sliceChunk(x, spec);
  const counts = axes.map((a) => Math.max(0, Math.ceil((a.stop - a.start) / a.step)));
  expect(y.shape).toEqual(counts.filter((_, d) => !axes[d]!.drop));
  expectContiguous(y);
  const full = axes.map((a, d) => (a.drop ? 1 : counts[d]!));
  const expected = Array.from(indices(full), (idx) =>
    get(
      x,
      idx.map((o, d) => axes[d]!.start + o * axes[d]!.step),
    ),
  );
  expect(Array.from(y.data)).toEqual(expected);
}

describe('sliceChunk', () => {
  test("the doc example: start 9, stop -1, step -2 picks 9 7 5 3 1 (NumPy's x[9::-2])", () => {
    const y = sliceChunk(iota([10]), { start: [9], stop: [-1], step: [-2], drop: [false] });
    expect(Array.from(y.data)).toEqual([9, 7, 5, 3, 1]);
  });

  test('1-d: every start, count and step sign matches index arithmetic', () => {
    const x = iota([11]);
    for (const a of slicesOf(11, [1, 2, 3, -1, -2, -4])) checkSlice(x, [a]);
  });

  test('2-d: step signs and drops combined on both axes', () => {
    const x = iota([7, 9]);
    const rows = slicesOf(7, [1, -1, 3, -2]);
    const cols = slicesOf(9, [1, -1, 2, -3]);
    for (let i = 0; i < rows.length; i += 3)
      for (let j = 0; j < cols.length; j += 2) checkSlice(x, [rows[i]!, cols[j]!]);
  });

  test('3-d: drops on any subset of axes with mixed steps', () => {
    const x = iota([4, 5, 6], 'int32');
    const steps = [1, -1, 2, -2];
    for (let mask = 0; mask < 8; mask++) {
      for (const t of steps) {
        const axes = [4, 5, 6].map((dim, d): AxisSlice => {
          if ((mask >> d) & 1) return { start: dim - 2, stop: dim - 1, step: 1, drop: true };
          const step = d === 1 ? -t : t;
          return step > 0
            ? { start: 1, stop: dim, step, drop: false }
            : { start: dim - 1, stop: -1, step, drop: false };
        });
        checkSlice(x, axes);
      }
    }
  });

  test('slicing a strided view (a transpose) and keeping the dtype', () => {
    const x = iota([6, 8], 'uint16').transpose(1, 0);
    checkSlice(x, [
      { start: 7, stop: 0, step: -2, drop: false },
      { start: 1, stop: 6, step: 1, drop: false },
    ]);
    expect(sliceChunk(x, { start: [0, 0], stop: [2, 2], step: [1, 1], drop: [false, false] }).data).toBeInstanceOf(
      Uint16Array,
    );
  });

  test('a long contiguous run and a fully dropped chunk', () => {
    const x = iota([3, 1000]);
    checkSlice(x, [
      { start: 0, stop: 3, step: 1, drop: false },
      { start: 10, stop: 990, step: 1, drop: false },
    ]);
    const s = sliceChunk(x, { start: [2, 5], stop: [3, 6], step: [1, 1], drop: [true, true] });
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([2005]);
  });

  test('out-of-bounds or malformed slices raise ValueError', () => {
    const x = iota([5]);
    expect(() => sliceChunk(x, { start: [0], stop: [6], step: [1], drop: [false] })).toThrow(ValueError);
    expect(() => sliceChunk(x, { start: [0], stop: [5], step: [0], drop: [false] })).toThrow(ValueError);
    expect(() => sliceChunk(x, { start: [0], stop: [2], step: [1], drop: [true] })).toThrow(/integer/);
    expect(() => sliceChunk(x, { start: [0, 0], stop: [1, 1], step: [1, 1], drop: [false, false] })).toThrow(
      ValueError,
    );
  });
});

describe('transposeChunk', () => {
  test.each([
    [1, 1],
    [3, 5],
    [33, 65],
    [200, 130],
  ])('2-d %i×%i transposes (tiled beyond 32)', (m, n) => {
    const x = iota([m, n]);
    const y = transposeChunk(x, [1, 0]);
    expect(y.shape).toEqual([n, m]);
    expectContiguous(y);
    expect(Array.from(y.data)).toEqual(Array.from(indices([n, m]), ([i, j]) => j! * n + i!));
  });

  test('3-d: every permutation, several dtypes, bit for bit', () => {
    const perms = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const dtype of ['float64', 'float32', 'int16', 'uint8'] as const) {
      const x = iota([5, 40, 37], dtype);
      if (dtype === 'float32') x.data[17] = NaN;
      for (const p of perms) {
        const y = transposeChunk(x, p);
        expect(y.shape).toEqual(p.map((a) => x.shape[a]));
        expect(y.data.constructor).toBe(x.data.constructor);
        const expected = Array.from(indices(y.shape), (idx) => {
          const src = [0, 0, 0];
          p.forEach((a, d) => (src[a] = idx[d]!));
          return get(x, src);
        });
        expect(Array.from(y.data)).toEqual(expected);
      }
    }
  });

  test('4-d and 0-d, and a bad permutation', () => {
    const x = iota([2, 3, 4, 5]);
    const y = transposeChunk(x, [3, 1, 0, 2]);
    expect(Array.from(y.data)).toEqual(
      Array.from(indices(y.shape), (idx) => get(x, [idx[2]!, idx[1]!, idx[3]!, idx[0]!])),
    );
    expect(Array.from(transposeChunk(iota([], 'float64', 7), []).data)).toEqual([7]);
    expect(() => transposeChunk(x, [0, 1, 1, 2])).toThrow(/axes/);
  });
});

describe('assembleBlocks', () => {
  /** Splits `x` into a grid by per-axis extents, as sliced contiguous blocks (C order). */
  function split(x: Chunk, extents: number[][]): Chunk[] {
    const grid = extents.map((e) => e.length);
    const blocks: Chunk[] = [];
    for (const g of indices(grid)) {
      const start = g.map((t, d) => extents[d]!.slice(0, t).reduce((a, b) => a + b, 0));
      const stop = start.map((s, d) => s + extents[d]![g[d]!]!);
      blocks.push(sliceChunk(x, { start, stop, step: start.map(() => 1), drop: start.map(() => false) }));
    }
    return blocks;
  }

  test.each([
    [[10], [[3, 1, 6]]],
    [
      [7, 9],
      [
        [2, 5],
        [4, 1, 4],
      ],
    ],
    [
      [5, 6, 7],
      [
        [1, 4],
        [3, 3],
        [2, 2, 3],
      ],
    ],
    [
      [4, 100],
      [
        [1, 1, 2],
        [60, 40],
      ],
    ],
    [
      [3, 0],
      [[3], [0]],
    ],
  ])('shape %j from uneven blocks %j round-trips', (shape, extents) => {
    const x = iota(shape);
    const y = assembleBlocks(
      'float64',
      extents.map((e) => e.length),
      split(x, extents),
    );
    expect(y.shape).toEqual(shape);
    expectContiguous(y);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
  });

  test('blocks may be strided views, and bool blocks assemble as bool', () => {
    const a = iota([3, 2], 'bool').transpose(1, 0);
    const b = iota([3, 1], 'bool', 6).transpose(1, 0);
    const y = assembleBlocks('bool', [2, 1], [a, b]);
    expect(y.shape).toEqual([3, 3]);
    expect(Array.from(y.data)).toEqual([0, 2, 4, 1, 3, 5, 6, 7, 8]);
  });

  test('a one-block grid returns a contiguous block itself, and copies a view', () => {
    const x = iota([4, 4]);
    expect(assembleBlocks('float64', [1, 1], [x])).toBe(x);
    const t = assembleBlocks('float64', [1, 1], [x.transpose(1, 0)]);
    expectContiguous(t);
    expect(t.data[1]).toBe(4);
  });

  test('inconsistent grids, shapes and dtypes raise ValueError', () => {
    expect(() => assembleBlocks('float64', [2], [iota([2])])).toThrow(/needs 2 blocks/);
    expect(() => assembleBlocks('float64', [2, 2], [iota([2, 2]), iota([2, 3]), iota([1, 2]), iota([2, 3])])).toThrow(
      /block \(1, 1\) has shape \(2, 3\), expected \(1, 3\)/,
    );
    expect(() => assembleBlocks('float64', [2], [iota([2]), iota([2], 'float32')])).toThrow(ValueError);
  });
});

describe('reshapeChunk and contiguousChunk', () => {
  test('a contiguous chunk is reshaped without copying, -1 inferred', () => {
    const x = iota([4, 6]);
    const y = reshapeChunk(x, [2, -1, 3]);
    expect(y.shape).toEqual([2, 4, 3]);
    expect(y.data).toBe(x.data);
    expect(reshapeChunk(x, [24]).data).toBe(x.data);
    expect(reshapeChunk(iota([1]), []).shape).toEqual([]);
  });

  test('an offset contiguous view becomes a subarray over the same buffer', () => {
    const x = iota([5, 4]);
    const rows = ndarray<NumericArray>(x.data, [2, 4], [4, 1], 8);
    const y = reshapeChunk(rows, [8]);
    expect(y.data.buffer).toBe(x.data.buffer);
    expect(Array.from(y.data)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });

  test('a strided view is copied in C order first', () => {
    const t = iota([2, 3]).transpose(1, 0);
    expect(isCContiguous(t)).toBe(false);
    const y = reshapeChunk(t, [6]);
    expect(Array.from(y.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(contiguousChunk(t).stride).toEqual([2, 1]);
  });

  test('sizes that do not match raise NumPy-worded ValueError', () => {
    expect(() => reshapeChunk(iota([4, 6]), [5, 5])).toThrow(/cannot reshape array of size 24 into shape \(5, 5\)/);
    expect(() => reshapeChunk(iota([4, 6]), [-1, -1])).toThrow(ValueError);
    expect(() => reshapeChunk(iota([4, 6]), [-1, 5])).toThrow(ValueError);
  });

  test('every kernel ships to workers by module reference', () => {
    for (const fn of [sliceChunk, transposeChunk, assembleBlocks, reshapeChunk, contiguousChunk]) {
      expect(fnRefOf(fn)).toMatchObject({ kind: 'module', export: fn.name });
    }
  });
});
