/*
 * numericMoments against a plain one-row-at-a-time loop, on every path: float64 without missing
 * values (four-lane sum), float64 holding NaN but no bitmap (the NaN makes the fast sum NaN and
 * the careful loop redoes it), infinities, integer arrays (no NaN test), float32, a validity
 * bitmap with an offset, lengths that are not a multiple of the lanes, and empty columns.
 */
import { describe, expect, test } from 'vitest';
import type { NumCol } from '../../../../collections/dataframe/kernels/columns.js';
import { numericMoments } from '../../../../collections/dataframe/kernels/reduce-numeric.js';
import type { NumArray } from '../../../../collections/dataframe/dtype.js';
import { seededRandom } from '../../../helpers/random.js';

function col(values: NumArray, valid: Uint8Array | null = null, validOffset = 0): NumCol {
  return {
    kind: 'num',
    dtype: 'float64',
    values,
    length: values.length,
    valid,
    validOffset,
    nullCount: valid === null ? 0 : 1,
  };
}

function reference(values: ArrayLike<number>, present: (i: number) => boolean) {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (present(i) && !Number.isNaN(values[i]!)) xs.push(values[i]!);
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = xs.length === 0 ? 0 : sum / xs.length;
  let m2 = 0;
  for (const x of xs) m2 += (x - mean) ** 2;
  return { n: xs.length, sum, mean, m2, min: Math.min(Infinity, ...xs), max: Math.max(-Infinity, ...xs) };
}

function expectMoments(values: NumArray, valid: Uint8Array | null = null, offset = 0): void {
  const want = reference(
    values,
    (i) => valid === null || ((valid[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 1,
  );
  const got = numericMoments(col(values, valid, offset), values, { m2: true, extremes: true });
  expect(got.n).toBe(want.n);
  for (const k of ['sum', 'mean', 'm2'] as const) {
    if (Number.isFinite(want[k]))
      expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[k])));
    else expect(got[k]).toBe(want[k]);
  }
  expect(got.min).toBe(want.min);
  expect(got.max).toBe(want.max);
}

describe('numericMoments', () => {
  const r = seededRandom(7);
  const floats = (n: number): Float64Array => Float64Array.from({ length: n }, () => r() * 200 - 100);

  test.each([0, 1, 3, 4, 5, 1001])('float64 without missing values (%i rows)', (n) => {
    expectMoments(floats(n));
  });

  test('float64 with NaN and no bitmap: NaNs are skipped, not summed', () => {
    for (const at of [0, 2, 999]) {
      const v = floats(1000);
      v[at] = NaN;
      v[500] = NaN;
      expectMoments(v);
      expect(numericMoments(col(v), v, { m2: false, extremes: false }).n).toBe(998);
    }
  });

  test('infinities: a sum of +Infinity and -Infinity is NaN, as in pandas', () => {
    const v = floats(10);
    v[3] = Infinity;
    expectMoments(v);
    expect(numericMoments(col(v), v, { m2: false, extremes: true }).max).toBe(Infinity);
    v[4] = -Infinity;
    expect(Number.isNaN(numericMoments(col(v), v, { m2: false, extremes: false }).sum)).toBe(true);
  });

  test('integer arrays and float32', () => {
    expectMoments(Int32Array.from({ length: 1003 }, () => Math.floor(r() * 2e9) - 1e9));
    expectMoments(Uint8Array.from({ length: 17 }, () => Math.floor(r() * 256)));
    const f = Float32Array.from({ length: 50 }, () => r());
    f[7] = NaN;
    expectMoments(f);
  });

  test('a validity bitmap with an offset skips its null rows', () => {
    const v = floats(100);
    const valid = Uint8Array.from({ length: 14 }, () => Math.floor(r() * 256));
    expectMoments(v, valid, 5);
  });

  test('only what is asked for is computed', () => {
    const v = floats(100);
    const m = numericMoments(col(v), v, { m2: false, extremes: false });
    expect([m.m2, m.min, m.max]).toEqual([0, Infinity, -Infinity]);
  });
});
