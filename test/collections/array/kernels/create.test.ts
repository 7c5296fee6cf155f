import { describe, expect, test } from 'vitest';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';
import { arangeChunk, arangeLength, fullChunk, linspaceChunk } from '../../../../collections/array/kernels/create.js';

describe('fullChunk', () => {
  test('zeros, ones and full in several dtypes and shapes', () => {
    const z = fullChunk({ shape: [2, 3], dtype: 'float64', value: 0 });
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(fullChunk({ shape: [4], dtype: 'int32', value: 1 }).data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(fullChunk({ shape: [2], dtype: 'float32', value: 0.1 }).data)).toEqual([
      Math.fround(0.1),
      Math.fround(0.1),
    ]);
    expect(fullChunk({ shape: [], dtype: 'float64', value: 7 }).data[0]).toBe(7);
    expect(fullChunk({ shape: [0, 5], dtype: 'float64', value: 7 }).data.length).toBe(0);
  });

  test('casts like NumPy: integers truncate, bool is value ≠ 0, -0 stays -0', () => {
    expect(Array.from(fullChunk({ shape: [2], dtype: 'int16', value: -2.7 }).data)).toEqual([-2, -2]);
    expect(Array.from(fullChunk({ shape: [3], dtype: 'bool', value: 0.5 }).data)).toEqual([1, 1, 1]);
    expect(Array.from(fullChunk({ shape: [1], dtype: 'bool', value: 0 }).data)).toEqual([0]);
    expect(Object.is(fullChunk({ shape: [1], dtype: 'float64', value: -0 }).data[0], -0)).toBe(true);
    expect(fullChunk({ shape: [2], dtype: 'float64', value: NaN }).data[1]).toBeNaN();
  });
});

describe('arangeChunk', () => {
  test('np.arange(0, 1, 0.1) has 10 elements equal to NumPy’s', () => {
    const count = arangeLength(0, 1, 0.1);
    expect(count).toBe(10);
    const x = arangeChunk({ start: 0, step: 0.1, count, dtype: 'float64' });
    // NumPy: start + i * ((start + step) - start)
    expect(Array.from(x.data)).toEqual([
      0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9,
    ]);
  });

  test('chunks with an offset equal slices of the whole sequence', () => {
    const whole = Array.from(arangeChunk({ start: 1.5, step: 0.3, count: 25, dtype: 'float64' }).data);
    const parts = [0, 7, 14, 21].flatMap((off) =>
      Array.from(
        arangeChunk({ start: 1.5, step: 0.3, count: Math.min(7, 25 - off), offset: off, dtype: 'float64' }).data,
      ),
    );
    expect(parts).toEqual(whole);
  });

  test('integer, negative-step and float32 sequences', () => {
    expect(Array.from(arangeChunk({ start: 0, step: 3, count: arangeLength(0, 10, 3), dtype: 'int32' }).data)).toEqual([
      0, 3, 6, 9,
    ]);
    expect(
      Array.from(arangeChunk({ start: 5, step: -2, count: arangeLength(5, -2, -2), dtype: 'int32' }).data),
    ).toEqual([5, 3, 1, -1]);
    // np.arange(0, 5, 0.5, dtype=int32) truncates the first two values, so the step is 0
    expect(Array.from(arangeChunk({ start: 0, step: 0.5, count: 4, dtype: 'int32' }).data)).toEqual([0, 0, 0, 0]);
    const f32 = arangeChunk({ start: 0, step: 0.1, count: 4, dtype: 'float32' });
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual([
      0,
      Math.fround(0.1),
      Math.fround(2 * Math.fround(0.1)),
      Math.fround(3 * Math.fround(0.1)),
    ]);
  });

  test('lengths follow ceil((stop - start) / step)', () => {
    expect(arangeLength(0, 10, 1)).toBe(10);
    expect(arangeLength(10, 0, 1)).toBe(0);
    expect(arangeLength(0, 10, 3)).toBe(4);
    expect(arangeLength(1, 2, 0.3)).toBe(4);
    expect(() => arangeLength(0, 1, 0)).toThrow(ValueError);
  });
});

describe('linspaceChunk', () => {
  const whole = (start: number, stop: number, num: number, endpoint = true): number[] =>
    Array.from(linspaceChunk({ start, stop, num, offset: 0, count: num, endpoint, dtype: 'float64' }).data);

  test('np.linspace(0, 1, 5) is [0, .25, .5, .75, 1]', () => {
    expect(whole(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  test('NumPy values for awkward steps, the exact endpoint, and endpoint=false', () => {
    // np.linspace(0, 1, 7): i * (1/6), last element exactly 1
    expect(whole(0, 1, 7)).toEqual([0, 1 / 6, 2 * (1 / 6), 3 * (1 / 6), 4 * (1 / 6), 5 * (1 / 6), 1]);
    expect(whole(0.1, 0.7, 4)).toEqual([0.1, 0 + 1 * ((0.7 - 0.1) / 3) + 0.1, 2 * ((0.7 - 0.1) / 3) + 0.1, 0.7]);
    expect(whole(0, 1, 4, false)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(whole(2, 3, 1)).toEqual([2]);
    expect(whole(2, 3, 1, false)).toEqual([2]);
    expect(whole(3, 3, 3)).toEqual([3, 3, 3]);
    expect(whole(0, 1, 0)).toEqual([]);
  });

  test('chunks at offsets equal slices of the whole, endpoint included once', () => {
    const all = whole(-3, 11, 23);
    const parts = [0, 5, 10, 15, 20].flatMap((offset) =>
      Array.from(
        linspaceChunk({
          start: -3,
          stop: 11,
          num: 23,
          offset,
          count: Math.min(5, 23 - offset),
          endpoint: true,
          dtype: 'float64',
        }).data,
      ),
    );
    expect(parts).toEqual(all);
    expect(parts[22]).toBe(11);
  });

  test('dtype casts: float32 rounds, integers truncate toward zero', () => {
    const f = linspaceChunk({ start: 0, stop: 1, num: 3, offset: 0, count: 3, endpoint: true, dtype: 'float32' });
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(
      Array.from(
        linspaceChunk({ start: -1, stop: 1, num: 5, offset: 0, count: 5, endpoint: true, dtype: 'int32' }).data,
      ),
    ).toEqual([-1, 0, 0, 0, 1]);
  });

  test('bad counts and offsets raise ValueError', () => {
    expect(() =>
      linspaceChunk({ start: 0, stop: 1, num: 5, offset: 3, count: 3, endpoint: true, dtype: 'float64' }),
    ).toThrow(ValueError);
    expect(() =>
      linspaceChunk({ start: 0, stop: 1, num: -1, offset: 0, count: 0, endpoint: true, dtype: 'float64' }),
    ).toThrow(/non-negative/);
  });

  test('every kernel ships to workers by module reference', () => {
    for (const fn of [fullChunk, arangeChunk, linspaceChunk])
      expect(fnRefOf(fn)).toMatchObject({ kind: 'module', export: fn.name });
  });
});
