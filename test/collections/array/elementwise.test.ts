import { afterAll, describe, expect, test } from 'vitest';
import * as da from '../../../src/array.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { broadcast2, closeTo, dense, fromResult, type Dense } from '../../helpers/dense.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;

function arr(d: Dense, chunks: number | number[] | number[][]): da.DaskArray {
  return da.fromArray(Float64Array.from(d.data), { shape: d.shape, chunks });
}

describe.each(schedulers)('elementwise on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const a = dense([7, 5], (i) => ((i * 37) % 11) - 4.5);
  const b = dense([7, 5], (i) => (i % 6) + 0.25);

  test('binary operators match plain loops, with uneven chunks on each side', async () => {
    const x = arr(a, [3, 2]);
    const y = arr(b, [[4, 3], [5]]);
    const cases: [da.DaskArray, (p: number, q: number) => number][] = [
      [x.add(y), (p, q) => p + q],
      [x.sub(y), (p, q) => p - q],
      [x.mul(y), (p, q) => p * q],
      [x.div(y), (p, q) => p / q],
      [x.pow(2), (p) => p ** 2],
      [x.mod(y), (p, q) => p - Math.floor(p / q) * q],
      [da.maximum(x, y), Math.max],
    ];
    for (const [lazy, f] of cases) {
      const got = fromResult(await lazy.compute(opts));
      expect(closeTo(got, broadcast2(a, b, f))).toBeUndefined();
    }
  });

  test('broadcasting (7,5) with (5,), (7,1) and a number', async () => {
    const row = dense([5], (i) => i * 10);
    const col = dense([7, 1], (i) => -i);
    const x = arr(a, 3);
    const got1 = fromResult(await x.add(arr(row, 2)).compute(opts));
    expect(
      closeTo(
        got1,
        broadcast2(a, row, (p, q) => p + q),
      ),
    ).toBeUndefined();
    const got2 = fromResult(await x.mul(arr(col, [[2, 5], [1]])).compute(opts));
    expect(
      closeTo(
        got2,
        broadcast2(a, col, (p, q) => p * q),
      ),
    ).toBeUndefined();
    const got3 = fromResult(await x.sub(1.5).compute(opts));
    expect(
      closeTo(
        got3,
        broadcast2(
          a,
          dense([1], () => 1.5),
          (p, q) => p - q,
        ),
      ),
    ).toBeUndefined();
  });

  test('unary functions, comparisons and where', async () => {
    const x = arr(a, 4);
    const expDense = broadcast2(
      a,
      dense([1], () => 0),
      (p) => Math.exp(p),
    );
    expect(closeTo(fromResult(await x.exp().compute(opts)), expDense)).toBeUndefined();
    expect(
      closeTo(
        fromResult(await x.abs().sqrt().compute(opts)),
        broadcast2(
          a,
          dense([1], () => 0),
          (p) => Math.sqrt(Math.abs(p)),
        ),
      ),
    ).toBeUndefined();
    const gt = x.gt(0);
    expect(gt.dtype).toBe('bool');
    expect(fromResult(await gt.compute(opts)).data).toEqual(a.data.map((v) => (v > 0 ? 1 : 0)));
    const w = da.where(x.gt(0), x, 0);
    expect(fromResult(await w.compute(opts)).data).toEqual(a.data.map((v) => (v > 0 ? v : 0)));
  });

  test('dtype promotion follows NumPy', async () => {
    const i32 = da.fromArray(Int32Array.from([1, -2, 3, 7]), { chunks: 2 });
    const f32 = da.fromArray(Float32Array.from([0.5, 1.5, 2.5, 3.5]), { chunks: 2 });
    const u8 = da.fromArray(Uint8Array.from([250, 3, 4, 5]), { chunks: 2 });
    expect(i32.add(1).dtype).toBe('int32');
    expect(i32.add(1.5).dtype).toBe('float64');
    expect(i32.div(2).dtype).toBe('float64');
    expect(f32.add(1).dtype).toBe('float32');
    expect(i32.add(f32).dtype).toBe('float64');
    expect(u8.add(u8).dtype).toBe('uint8');
    expect(u8.add(i32).dtype).toBe('int32');
    const wrapped = fromResult(await u8.add(u8).compute(opts));
    expect(wrapped.data).toEqual([244, 6, 8, 10]); // uint8 wraps modulo 256, as in NumPy
    const cast = fromResult(await f32.astype('int32').compute(opts));
    expect(cast.data).toEqual([0, 1, 2, 3]);
    expect(fromResult(await i32.mod(3).compute(opts)).data).toEqual([1, 1, 0, 1]); // sign of the divisor
  });

  test('a chain of elementwise operations is one task per chunk', () => {
    const x = da.fromArray(new Float64Array(100).fill(1), { chunks: 10 });
    const y = x.add(1).mul(2).sub(x);
    const graph = y.__daskGraph().toGraph();
    const tasks = [...graph.values()].filter((n) => n.kind === 'task');
    expect(tasks.length).toBe(10);
  });
});

describe('elementwise errors', () => {
  test('shapes that do not broadcast fail at build time with NumPy wording', () => {
    const x = da.zeros([2, 3], { chunks: 1 });
    const y = da.zeros([4], { chunks: 2 });
    expect(() => x.add(y)).toThrow('operands could not be broadcast together with shapes (2,3) (4,)');
  });

  test('an unknown dtype is refused with the list of known ones', () => {
    const x = da.zeros([2], { chunks: 1 });
    expect(() => x.astype('float16' as da.DType)).toThrow(/unknown dtype "float16"; use one of float64/);
  });
});
