import { describe, expect, test } from 'vitest';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';
import type { NumericArray } from '../../../../collections/array/dtype.js';
import { allocate } from '../../../../collections/array/dtype.js';
import { type RandomSpec, randomChunk, randomFill, streamState } from '../../../../collections/array/kernels/random.js';

const N = 1_000_000;

function draw(spec: Partial<RandomSpec> & Pick<RandomSpec, 'dist'>): NumericArray {
  return randomChunk({ seed: 42, block: [0], shape: [N], dtype: 'float64', ...spec }).data;
}

function moments(x: NumericArray): { mean: number; variance: number; min: number; max: number } {
  let s = 0,
    min = Infinity,
    max = -Infinity;
  for (const v of x) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, variance: q / x.length, min, max };
}

function correlation(a: NumericArray, b: NumericArray): number {
  const ma = moments(a),
    mb = moments(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma.mean) * (b[i]! - mb.mean);
  return c / a.length / Math.sqrt(ma.variance * mb.variance);
}

// Reference implementations, written from the papers with BigInt / plain uint32 arithmetic.
const MASK = (1n << 64n) - 1n;
function splitMixMix(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}
function referenceState(seed: number, block: number[]): number[] {
  const g = 0x9e3779b97f4a7c15n;
  let x = splitMixMix((BigInt(seed) + g) & MASK);
  for (const b of block) x = splitMixMix(((x ^ BigInt(b)) + g) & MASK);
  const a = splitMixMix((x + g) & MASK);
  const c = splitMixMix((x + 2n * g) & MASK);
  return [a >> 32n, a & 0xffffffffn, c >> 32n, c & 0xffffffffn].map((v) => Number(BigInt.asIntN(32, v)));
}
function referenceWords(state: number[], n: number): number[] {
  let [s0, s1, s2, s3] = state.map((v) => v >>> 0) as [number, number, number, number];
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0);
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
  }
  return out;
}

describe('streams', () => {
  test('the per-block state is SplitMix64 over (seed, block), as a BigInt reference computes it', () => {
    for (const [seed, block] of [
      [0, []],
      [42, [0]],
      [42, [1]],
      [2 ** 31 - 1, [3, 7]],
      [2 ** 52 + 5, [123456789, 0, 2 ** 40]],
    ] as [number, number[]][]) {
      expect(Array.from(streamState(seed, block))).toEqual(referenceState(seed, block));
    }
  });

  test('random float64 is xoshiro128** words turned into 53-bit doubles', () => {
    const words = referenceWords(Array.from(streamState(7, [2, 3])), 20);
    const x = randomChunk({ dist: 'random', seed: 7, block: [2, 3], shape: [10], dtype: 'float64' }).data;
    expect(Array.from(x)).toEqual(
      Array.from({ length: 10 }, (_, i) => ((words[2 * i]! >>> 5) * 2 ** 26 + (words[2 * i + 1]! >>> 6)) / 2 ** 53),
    );
  });

  test('same seed and block give the same bytes; other blocks and seeds differ', () => {
    const spec: RandomSpec = { dist: 'normal', seed: 5, block: [1, 2], shape: [50, 20], dtype: 'float64' };
    expect(Array.from(randomChunk(spec).data)).toEqual(Array.from(randomChunk({ ...spec }).data));
    const others = [
      { ...spec, block: [2, 1] },
      { ...spec, block: [1, 3] },
      { ...spec, seed: 6 },
    ];
    for (const o of others) expect(Array.from(randomChunk(o).data)).not.toEqual(Array.from(randomChunk(spec).data));
  });

  test('adjacent blocks are uncorrelated', () => {
    const a = draw({ dist: 'random', block: [0, 0] });
    for (const block of [
      [0, 1],
      [1, 0],
      [1, 1],
    ])
      expect(Math.abs(correlation(a, draw({ dist: 'random', block })))).toBeLessThan(0.005);
    const b = draw({ dist: 'random', block: [0, 0], seed: 43 });
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.005);
    // and consecutive values of one stream too
    expect(Math.abs(correlation(a.subarray(0, N - 1), a.subarray(1)))).toBeLessThan(0.005);
  });

  test('randomFill writes what randomChunk returns', () => {
    const spec: RandomSpec = {
      dist: 'randint',
      seed: 1,
      block: [4],
      shape: [1000],
      dtype: 'int16',
      low: -5,
      high: 300,
    };
    const data = allocate('int16', 1000);
    randomFill(data, spec);
    expect(Array.from(data)).toEqual(Array.from(randomChunk(spec).data));
  });
});

describe('distributions over 1e6 samples', () => {
  test('random is uniform on [0, 1): mean 1/2, variance 1/12', () => {
    const m = moments(draw({ dist: 'random' }));
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThan(1);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.001);
  });

  test('uniform(low, high) stays in [low, high) with the right moments, float32 too', () => {
    const m = moments(draw({ dist: 'uniform', low: -3, high: 5 }));
    expect(m.min).toBeGreaterThanOrEqual(-3);
    expect(m.max).toBeLessThan(5);
    expect(Math.abs(m.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.variance - 64 / 12)).toBeLessThan(0.05);
    const f = draw({ dist: 'random', dtype: 'float32' });
    expect(f).toBeInstanceOf(Float32Array);
    const mf = moments(f);
    expect(mf.max).toBeLessThan(1);
    expect(Math.abs(mf.mean - 0.5)).toBeLessThan(0.002);
  });

  test('normal has the requested mean and std, 68.3% within one std, odd counts fine', () => {
    const x = draw({ dist: 'normal', mean: 3, std: 2 });
    const m = moments(x);
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(m.variance) - 2)).toBeLessThan(0.01);
    let inside = 0;
    for (const v of x) if (Math.abs(v - 3) < 2) inside++;
    expect(Math.abs(inside / N - 0.6827)).toBeLessThan(0.003);
    const odd = randomChunk({ dist: 'normal', seed: 1, block: [0], shape: [5], dtype: 'float64' }).data;
    const even = randomChunk({ dist: 'normal', seed: 1, block: [0], shape: [6], dtype: 'float64' }).data;
    expect(Array.from(odd)).toEqual(Array.from(even.subarray(0, 5)));
  });

  test('randint stays in [low, high) and hits every value about equally', () => {
    const x = draw({ dist: 'randint', dtype: 'int32', low: -4, high: 6 });
    expect(x).toBeInstanceOf(Int32Array);
    const counts = new Array<number>(10).fill(0);
    for (const v of x) counts[v + 4]!++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(1500);
  });

  test('randint over a range that does not divide 2^32 has no modulo bias', () => {
    // 3·2^30 values: x mod range would make the lowest 2^30 values twice as likely
    const range = 3 * 2 ** 30;
    const x = draw({ dist: 'randint', dtype: 'uint32', low: 0, high: range });
    let low = 0;
    for (const v of x) if (v < 2 ** 30) low++;
    expect(Math.abs(low / N - 1 / 3)).toBeLessThan(0.003);
    expect(moments(x).max).toBeLessThan(range);
  });

  test('randint covers full int32, uint32, int8 and bool ranges', () => {
    const full = moments(draw({ dist: 'randint', dtype: 'int32', low: -(2 ** 31), high: 2 ** 31 }));
    expect(full.min).toBeLessThan(-(2 ** 31) + 2 ** 24);
    expect(full.max).toBeGreaterThan(2 ** 31 - 2 ** 24);
    expect(moments(draw({ dist: 'randint', dtype: 'uint32', low: 0, high: 2 ** 32 })).max).toBeGreaterThan(
      2 ** 32 - 2 ** 24,
    );
    const i8 = moments(draw({ dist: 'randint', dtype: 'int8', low: -128, high: 128 }));
    expect([i8.min, i8.max]).toEqual([-128, 127]);
    const b = moments(draw({ dist: 'randint', dtype: 'bool', low: 0, high: 2 }));
    expect([b.min, b.max]).toEqual([0, 1]);
    expect(Math.abs(b.mean - 0.5)).toBeLessThan(0.003);
  });
});

describe('errors', () => {
  const base: RandomSpec = { dist: 'random', seed: 1, block: [0], shape: [3], dtype: 'float64' };
  test.each([
    [{ ...base, dist: 'randint', dtype: 'int8', low: 0, high: 1000 }, /high is out of bounds for int8/],
    [{ ...base, dist: 'randint', dtype: 'uint8', low: -1, high: 10 }, /low is out of bounds for uint8/],
    [{ ...base, dist: 'randint', dtype: 'int32', low: 5, high: 5 }, /low >= high/],
    [{ ...base, dist: 'randint', dtype: 'float64', low: 0, high: 5 }, /Unsupported dtype "float64" for randint/],
    [{ ...base, dist: 'randint', dtype: 'int32', low: 0 }, /high is required/],
    [{ ...base, dist: 'normal', dtype: 'int32' }, /Unsupported dtype "int32" for normal/],
    [{ ...base, dist: 'normal', std: -1 }, /scale < 0/],
    [{ ...base, seed: -1 }, /seed must be a non-negative integer/],
    [{ ...base, block: [0.5] }, /block index/],
  ] as [RandomSpec, RegExp][])('%o is refused', (spec, message) => {
    expect(() => randomChunk(spec)).toThrow(ValueError);
    expect(() => randomChunk(spec)).toThrow(message);
  });

  test('randomChunk ships to workers by module reference', () => {
    expect(fnRefOf(randomChunk)).toMatchObject({ kind: 'module', export: 'randomChunk' });
  });
});
