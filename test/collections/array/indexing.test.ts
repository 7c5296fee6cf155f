import { afterAll, describe, expect, test } from 'vitest';
import * as da from '../../../src/array.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { at, dense, fromResult, type Dense } from '../../helpers/dense.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;
const arr = (d: Dense, chunks: number | number[]): da.DaskArray =>
  da.fromArray(Float64Array.from(d.data), { shape: d.shape, chunks });

/** Python range(start, stop, step) with NumPy's slice normalisation for an axis of size n. */
function sliceIndices(n: number, start: number | null, stop: number | null, step: number | null): number[] {
  const s = step ?? 1;
  const norm = (v: number | null, dflt: number, lo: number, hi: number): number =>
    v === null ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const out: number[] = [];
  if (s > 0) for (let i = norm(start, 0, 0, n); i < norm(stop, n, 0, n); i += s) out.push(i);
  else for (let i = norm(start, n - 1, -1, n - 1); i > norm(stop, -1, -1, n - 1); i += s) out.push(i);
  return out;
}

describe.each(schedulers)('indexing on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const a = dense([11, 7], (i) => i);
  const x = arr(a, [4, 3]);

  test.each([
    ['2:10, ::2', [2, 10, null], [null, null, 2]],
    ['::-1, 1:6', [null, null, -1], [1, 6, null]],
    ['9:0:-2, ::-3', [9, 0, -2], [null, null, -3]],
    ['-3:, -1:-8:-1', [-3, null, null], [-1, -8, -1]],
    ['100:, :', [100, null, null], [null, null, null]],
  ] as const)('slice %s matches NumPy basic indexing', async (text, s0, s1) => {
    const rows = sliceIndices(11, s0[0], s0[1], s0[2]);
    const cols = sliceIndices(7, s1[0], s1[1], s1[2]);
    const got = fromResult(await x.slice(text).compute(opts));
    expect(got.shape).toEqual([rows.length, cols.length]);
    expect(got.data).toEqual(rows.flatMap((r) => cols.map((c) => at(a, [r, c]))));
  });

  test('integers drop axes, negative integers count from the end, ... fills', async () => {
    const row = fromResult(await x.slice('-2').compute(opts));
    expect(row.shape).toEqual([7]);
    expect(row.data).toEqual([63, 64, 65, 66, 67, 68, 69]);
    const col = fromResult(await x.slice('..., 3').compute(opts));
    expect(col.data).toEqual(Array.from({ length: 11 }, (_, r) => r * 7 + 3));
    expect(await x.slice('4, 5').compute(opts)).toBe(33);
    const arrForm = fromResult(await x.slice([1, 9, 3], 2).compute(opts));
    expect(arrForm.data).toEqual([9, 30, 51]);
  });

  test('chained slices compose and read the original blocks', async () => {
    const y = x.slice('1:, ::-1').slice('::2, 1:4');
    const rows = sliceIndices(11, 1, null, null).filter((_, i) => i % 2 === 0);
    const cols = sliceIndices(7, null, null, -1).slice(1, 4);
    const got = fromResult(await y.compute(opts));
    expect(got.data).toEqual(rows.flatMap((r) => cols.map((c) => at(a, [r, c]))));
    const graph = y.__daskGraph();
    expect([...graph.layers.keys()].filter((n) => n.startsWith('getitem-')).length).toBe(1);
  });
});

describe('indexing errors', () => {
  const x = da.zeros([4, 4], { chunks: 2 });
  test('out of range integers and too many indices are refused with NumPy wording', () => {
    expect(() => x.slice('4, 0')).toThrow('index 4 is out of bounds for axis 0 with size 4');
    expect(() => x.slice('0, 0, 0')).toThrow('too many indices for array: array is 2-dimensional, but 3 were indexed');
    expect(() => x.slice('::0')).toThrow('slice step cannot be zero');
    expect(() => x.slice('a:b')).toThrow(/invalid index/);
  });
});

describe.each(schedulers)('empty arrays on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  test('slicing to nothing, elementwise on empty arrays and reductions of them', async () => {
    const x = arr(
      dense([5, 4], (i) => i),
      2,
    );
    const e = x.slice('3:3, :');
    expect(e.shape).toEqual([0, 4]);
    const got = fromResult(await e.add(1).compute(opts));
    expect(got.shape).toEqual([0, 4]);
    expect(got.data).toEqual([]);
    expect(fromResult(await e.sum({ axis: 0 }).compute(opts)).data).toEqual([0, 0, 0, 0]);
    expect(fromResult(await e.sum({ axis: 1 }).compute(opts)).shape).toEqual([0]);
  });
});
