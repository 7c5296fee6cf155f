import { afterAll, describe, expect, test } from 'vitest';
import ndarray from 'ndarray';
import * as da from '../../../src/array.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { fromResult } from '../../helpers/dense.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;

describe('array metadata', () => {
  test('shape, chunks, numblocks, size, nbytes and dtype', () => {
    const x = da.zeros([10, 7], { chunks: [4, 3] });
    expect(x.shape).toEqual([10, 7]);
    expect(x.chunks).toEqual([
      [4, 4, 2],
      [3, 3, 1],
    ]);
    expect(x.numblocks).toEqual([3, 3]);
    expect(x.ndim).toBe(2);
    expect(x.size).toBe(70);
    expect(x.nbytes).toBe(560);
    expect(x.dtype).toBe('float64');
  });

  test('chunks in every form Dask accepts', () => {
    expect(da.zeros([10, 7], { chunks: [[5, 5], -1] as unknown as number[][] }).chunks).toEqual([[5, 5], [7]]);
    expect(da.zeros([10, 7], { chunks: -1 }).chunks).toEqual([[10], [7]]);
    expect(da.zeros([10, 7], { chunks: [-1, 2] }).chunks).toEqual([[10], [2, 2, 2, 1]]);
    expect(da.zeros([1000], { chunks: 'auto' }).chunks).toEqual([[1000]]);
    const big = da.zeros([50_000_000], { chunks: 'auto' });
    expect(big.chunks[0]![0]).toBe(16_777_216); // 128 MiB of float64, Dask's default chunk size
    expect(() => da.zeros([10], { chunks: [[3, 3]] })).toThrow('Chunks do not add up to shape');
    expect(() => da.zeros([10, 2], { chunks: [2] })).toThrow(/different numbers of dimensions/);
  });
});

describe.each(schedulers)('creation on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };

  test('fromArray over a TypedArray, number[] and a strided ndarray', async () => {
    const t = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const x = da.fromArray(t, { chunks: 4, shape: [2, 3] });
    expect(x.dtype).toBe('float32');
    expect(fromResult(await x.compute(opts))).toEqual({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
    const y = da.fromArray([1, 2, 3], { chunks: 2 });
    expect(y.dtype).toBe('float64');
    expect(fromResult(await y.compute(opts)).data).toEqual([1, 2, 3]);
    const strided = ndarray(Float64Array.from([0, 1, 2, 3, 4, 5]), [3, 2]).transpose(1, 0);
    const z = da.fromArray(strided, { chunks: [1, 2] });
    expect(fromResult(await z.compute(opts))).toEqual({ shape: [2, 3], data: [0, 2, 4, 1, 3, 5] });
  });

  test('fromArray over shared memory reads it without a copy', async () => {
    const shared = new Float64Array(new SharedArrayBuffer(8 * 8));
    shared.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const x = da.fromArray(shared, { chunks: 4 });
    shared[0] = 100; // the array sees later writes: its blocks are views of this memory
    expect(await x.sum().compute(opts)).toBe(135);
  });

  test('zeros, ones, full, arange and linspace', async () => {
    expect(fromResult(await da.ones([2, 2], { chunks: 1 }).compute(opts)).data).toEqual([1, 1, 1, 1]);
    expect(fromResult(await da.full([3], 7, { chunks: 2 }).compute(opts)).data).toEqual([7, 7, 7]);
    expect(da.full([3], 7, { chunks: 2 }).dtype).toBe('int32');
    expect(fromResult(await da.arange(10, { chunks: 3 }).compute(opts)).data).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fromResult(await da.arange(2, 11, 3, { chunks: 2 }).compute(opts)).data).toEqual([2, 5, 8]);
    const r = fromResult(await da.arange(0, 1, 0.1, { chunks: 4 }).compute(opts));
    expect(r.data.length).toBe(10);
    expect(r.data[3]).toBeCloseTo(0.3, 15);
    expect(fromResult(await da.linspace(0, 1, 5, { chunks: 2 }).compute(opts)).data).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  test('random arrays are reproducible from a seed and have the right moments', async () => {
    const a = da.random.random([20_000], { chunks: 5000, seed: 42 });
    const b = da.random.random([20_000], { chunks: 5000, seed: 42 });
    const va = fromResult(await a.compute(opts)).data;
    expect(fromResult(await b.compute({ scheduler: 'sync' })).data).toEqual(va);
    expect(va.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(await a.mean().compute(opts)).toBeCloseTo(0.5, 1);
    const n = da.random.normal([40_000], { mean: 3, std: 2, chunks: 10_000, seed: 7 });
    expect(await n.mean().compute(opts)).toBeCloseTo(3, 1);
    expect(await n.std().compute(opts)).toBeCloseTo(2, 1);
    const ints = fromResult(await da.random.randint(-3, 4, [1000], { chunks: 300, seed: 1 }).compute(opts)).data;
    expect(ints.every((v) => Number.isInteger(v) && v >= -3 && v < 4)).toBe(true);
    expect(new Set(ints).size).toBe(7);
  });

  test('persist keeps computed blocks', async () => {
    const x = da.random.random([1000], { chunks: 100, seed: 3 }).mul(2);
    const p = await x.persist(opts);
    expect(p.chunks).toEqual(x.chunks);
    const graph = p.__daskGraph().toGraph();
    expect([...graph.values()].every((n) => n.kind === 'data')).toBe(true);
    expect(await p.sum().compute(opts)).toBeCloseTo((await x.sum().compute(opts)) as number, 9);
  });
});

describe('fromArray block layout (regression)', () => {
  test('splitting only an inner axis copies blocks instead of viewing runs', async () => {
    const x = da.fromArray(Float64Array.from([0, 1, 2, 3, 4, 5]), { shape: [2, 3], chunks: 2 });
    expect(x.chunks).toEqual([[2], [2, 1]]);
    expect(fromResult(await x.compute({ scheduler: 'sync' })).data).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
