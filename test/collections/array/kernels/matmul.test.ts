import { afterEach, describe, expect, test } from 'vitest';
import { seededRandom as rng } from '../../../helpers/random.js';
import ndarray from 'ndarray';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';
import { type Chunk, chunkOf } from '../../../../collections/array/chunk.js';
import { type DType, type NumericArray, allocate } from '../../../../collections/array/dtype.js';
import { matmulAccumulate, matmulBlock, useMicroKernel } from '../../../../collections/array/kernels/matmul.js';
import { microKernel } from '../../../../collections/array/kernels/matmul-micro-kernel.js';

function matrix(dtype: DType, m: number, n: number, seed: number, value?: (r: () => number) => number): Chunk {
  const r = rng(seed);
  const data = allocate(dtype, m * n);
  for (let i = 0; i < m * n; i++) data[i] = value ? value(r) : r() * 2 - 1;
  return chunkOf(data, [m, n]);
}

/** Element (i, j) of any 2-d ndarray view. */
function at(x: Chunk, i: number, j: number): number {
  return x.data[x.offset + i * x.stride[0]! + j * x.stride[1]!]!;
}

/** The textbook triple loop in float64. */
function naive(as: readonly Chunk[], bs: readonly Chunk[]): Float64Array {
  const m = as[0]!.shape[0]!,
    n = bs[0]!.shape[1]!;
  const c = new Float64Array(m * n);
  as.forEach((a, q) => {
    const b = bs[q]!;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < a.shape[1]!; p++) s += at(a, i, p) * at(b, p, j);
        c[i * n + j] = c[i * n + j]! + s;
      }
  });
  return c;
}

function expectClose(actual: NumericArray, expected: Float64Array, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  expect(worst).toBeLessThan(rel);
}

const SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 9],
  [23, 41, 1],
  [7, 1, 5],
  [1, 300, 1],
  [5, 3, 700],
  [130, 257, 515],
  [129, 513, 6],
  [64, 256, 512],
  [3, 300, 5],
  [2, 5, 3],
];

const kinds = (['wasm-simd', 'js'] as const).filter((k) => microKernel(k) !== undefined);

afterEach(() => useMicroKernel(undefined));

describe.each(kinds)('float matmul with the %s micro-kernel', (kind) => {
  test.each(SHAPES)('float64 %i×%i · %i×… matches the triple loop', (m, k, n) => {
    useMicroKernel(kind);
    const a = matrix('float64', m, k, m * 7 + k);
    const b = matrix('float64', k, n, n * 13 + k);
    const c = matmulBlock(a, b, 'float64');
    expect(c.shape).toEqual([m, n]);
    expect(c.data).toBeInstanceOf(Float64Array);
    expectClose(c.data, naive([a], [b]), 1e-12);
  });

  test('float32 operands give a float32 result within single precision', () => {
    useMicroKernel(kind);
    const a = matrix('float32', 70, 300, 1);
    const b = matrix('float32', 300, 45, 2);
    const c = matmulBlock(a, b, 'float32');
    expect(c.data).toBeInstanceOf(Float32Array);
    expectClose(c.data, naive([a], [b]), 1e-5);
  });

  test('accumulating over several k-blocks equals the product of the concatenation', () => {
    useMicroKernel(kind);
    const ks = [100, 300, 7, 256];
    const as = ks.map((k, q) => matrix('float64', 61, k, 10 + q));
    const bs = ks.map((k, q) => matrix('float64', k, 530, 20 + q));
    const c = matmulAccumulate('float64', as, bs);
    expect(c.shape).toEqual([61, 530]);
    expectClose(c.data, naive(as, bs), 1e-12);
  });

  test('transposed and offset views are read through their strides', () => {
    useMicroKernel(kind);
    const x = matrix('float64', 40, 30, 5);
    const xt = x.transpose(1, 0);
    const inner = ndarray<NumericArray>(x.data, [20, 10], [30, 1], 30 * 3 + 4);
    expectClose(matmulBlock(x, xt, 'float64').data, naive([x], [xt]), 1e-12);
    const y = matrix('float64', 10, 17, 6);
    expectClose(matmulBlock(inner, y, 'float64').data, naive([inner], [y]), 1e-12);
    const column = ndarray<NumericArray>(x.data, [40, 1], [30, 1], 2);
    expectClose(matmulBlock(xt, column, 'float64').data, naive([xt], [column]), 1e-12);
    expectClose(
      matmulBlock(column.transpose(1, 0), x.hi(40, 9), 'float64').data,
      naive([column.transpose(1, 0)], [x.hi(40, 9)]),
      1e-12,
    );
  });
});

describe('integer and mixed matmul', () => {
  test('int32 wraps modulo 2^32 exactly like NumPy', () => {
    const big = (r: () => number): number => Math.floor(r() * 2 ** 32) - 2 ** 31;
    const a = matrix('int32', 9, 33, 1, big);
    const b = matrix('int32', 33, 11, 2, big);
    const c = matmulBlock(a, b, 'int32');
    expect(c.data).toBeInstanceOf(Int32Array);
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 11; j++) {
        let s = 0n;
        for (let p = 0; p < 33; p++) s += BigInt(at(a, i, p)) * BigInt(at(b, p, j));
        expect(c.data[i * 11 + j]).toBe(Number(BigInt.asIntN(32, s)));
      }
  });

  test('small integer results are exact and narrow dtypes wrap to their width', () => {
    const small = (r: () => number): number => Math.floor(r() * 200) - 100;
    const a = matrix('int16', 12, 50, 3, small);
    const b = matrix('int16', 50, 8, 4, small);
    const exact = naive([a], [b]);
    expect(Array.from(matmulBlock(a, b, 'int32').data)).toEqual(Array.from(exact));
    const c16 = matmulBlock(a, b, 'int16');
    expect(c16.data).toBeInstanceOf(Int16Array);
    expect(Array.from(c16.data)).toEqual(Array.from(exact, (v) => ((((v + 32768) % 65536) + 65536) % 65536) - 32768));
    const byte = (r: () => number): number => Math.floor(r() * 256);
    const [x, y] = [matrix('uint8', 4, 9, 5, byte), matrix('uint8', 9, 3, 6, byte)];
    const u8 = matmulBlock(x, y, 'uint8');
    expect(u8.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(u8.data)).toEqual(Array.from(naive([x], [y]), (v) => v % 256));
  });

  test('int32 accumulated over k-blocks equals one product', () => {
    const small = (r: () => number): number => Math.floor(r() * 2000) - 1000;
    const as = [matrix('int32', 6, 10, 1, small), matrix('int32', 6, 4, 2, small)];
    const bs = [matrix('int32', 10, 5, 3, small), matrix('int32', 4, 5, 4, small)];
    expect(Array.from(matmulAccumulate('int32', as, bs).data)).toEqual(Array.from(naive(as, bs)));
  });

  test('bool matmul is the OR over k of AND', () => {
    const bit = (r: () => number): number => (r() < 0.2 ? 1 : 0);
    const a = matrix('bool', 8, 6, 1, bit);
    const b = matrix('bool', 6, 7, 2, bit);
    const c = matmulBlock(a, b, 'bool');
    expect(Array.from(c.data)).toEqual(Array.from(naive([a], [b]), (v) => (v > 0 ? 1 : 0)));
  });

  test('int32 · float64 promoted to float64 by the caller', () => {
    const a = matrix('int32', 5, 300, 1, (r) => Math.floor(r() * 100));
    const b = matrix('float64', 300, 4, 2);
    expectClose(matmulBlock(a, b, 'float64').data, naive([a], [b]), 1e-12);
  });
});

describe('shapes and errors', () => {
  test('both kernels ship to workers by module reference', () => {
    for (const fn of [matmulBlock, matmulAccumulate])
      expect(fnRefOf(fn)).toMatchObject({ kind: 'module', export: fn.name });
  });

  test('an empty contraction gives zeros and empty sides give empty results', () => {
    const z = matmulBlock(matrix('float64', 3, 0, 1), matrix('float64', 0, 4, 2), 'float64');
    expect(z.shape).toEqual([3, 4]);
    expect(Array.from(z.data)).toEqual(new Array<number>(12).fill(0));
    expect(matmulBlock(matrix('float64', 0, 5, 1), matrix('float64', 5, 2, 2), 'float64').shape).toEqual([0, 2]);
  });

  test('NaN and Infinity reach exactly the results they touch (padding adds none)', () => {
    const a = matrix('float64', 6, 5, 1);
    a.data[1 * 5 + 2] = NaN;
    const b = matrix('float64', 5, 7, 2);
    b.data[0 * 7 + 3] = Infinity;
    const c = matmulBlock(a, b, 'float64').data;
    const ref = naive([a], [b]);
    expect(Array.from(c, (v) => (Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? 'finite' : v))).toEqual(
      Array.from(ref, (v) => (Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? 'finite' : v)),
    );
    expect(c.some(Number.isNaN) && c.some((v) => !Number.isFinite(v) && !Number.isNaN(v))).toBe(true);
  });

  test('mismatched core dimensions raise a ValueError in NumPy words', () => {
    const err = (() => {
      try {
        matmulBlock(matrix('float64', 2, 3, 1), matrix('float64', 4, 2, 2), 'float64');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValueError);
    expect((err as ValueError).code).toBe('DASK_ERR_VALUE');
    expect((err as ValueError).message).toMatch(/mismatch in its core dimension 0.*size 4 is different from 3/);
  });

  test('non-2-d blocks and unequal block lists are refused', () => {
    const v = chunkOf(allocate('float64', 3), [3]);
    expect(() => matmulBlock(v, v, 'float64')).toThrow(ValueError);
    expect(() => matmulAccumulate('float64', [matrix('float64', 2, 2, 1)], [])).toThrow(ValueError);
  });
});
