import { afterAll, describe, expect, test } from 'vitest';
import * as da from '../../../src/array.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { closeTo, dense, fromResult, matmulDense, transposeDense, type Dense } from '../../helpers/dense.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;
const arr = (d: Dense, chunks: number | number[] | number[][]): da.DaskArray =>
  da.fromArray(Float64Array.from(d.data), { shape: d.shape, chunks });

describe.each(schedulers)('shape and linear algebra on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const a = dense([5, 6, 3], (i) => i * 0.5);

  test('transpose and .T permute the data', async () => {
    const x = arr(a, [2, 4, 2]);
    expect(fromResult(await x.T.compute(opts))).toEqual(transposeDense(a));
    expect(fromResult(await x.transpose([1, 0, 2]).compute(opts))).toEqual(transposeDense(a, [1, 0, 2]));
  });

  test('reshape keeps C order, including -1 and added unit axes', async () => {
    const x = arr(a, [2, 4, 2]);
    for (const shape of [[90], [10, 9], [3, -1], [5, 18, 1], [1, 90]]) {
      const got = fromResult(await x.reshape(shape).compute(opts));
      expect(got.data).toEqual(a.data);
      expect(got.shape).toEqual(shape.includes(-1) ? [3, 30] : shape);
    }
    expect(() => x.reshape([7, 13])).toThrow(/cannot reshape array of size 90/);
  });

  test('rechunk changes blocks, not values', async () => {
    const x = arr(a, [2, 4, 2]);
    const y = x.rechunk([5, 1, 3]);
    expect(y.chunks).toEqual([[5], [1, 1, 1, 1, 1, 1], [3]]);
    expect(fromResult(await y.compute(opts)).data).toEqual(a.data);
    expect(
      fromResult(
        await x
          .rechunk([
            [1, 4],
            [3, 3],
            [2, 1],
          ])
          .compute(opts),
      ).data,
    ).toEqual(a.data);
    expect(() => x.rechunk([[2, 2], [6], [3]])).toThrow('Chunks do not add up to shape');
  });

  test('concatenate and stack', async () => {
    const p = dense([2, 3], (i) => i);
    const q = dense([4, 3], (i) => 100 + i);
    const c = da.concatenate([arr(p, 1), arr(q, 2)], { axis: 0 });
    expect(fromResult(await c.compute(opts)).data).toEqual([...p.data, ...q.data]);
    const s = da.stack([arr(p, 2), arr(p, 1)], { axis: 1 });
    expect(s.shape).toEqual([2, 2, 3]);
    expect(fromResult(await s.compute(opts)).data).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
  });

  test('matmul, dot and vector products match the triple loop', async () => {
    const m = dense([7, 5], (i) => Math.cos(i));
    const n = dense([5, 4], (i) => i % 3);
    const got = fromResult(
      await arr(m, [3, 2])
        .matmul(arr(n, [2, 3]))
        .compute(opts),
    );
    expect(closeTo(got, matmulDense(m, n), 1e-12)).toBeUndefined();
    const v = dense([5], (i) => i + 1);
    const mv = fromResult(await da.dot(arr(m, 3), arr(v, 2)).compute(opts));
    expect(
      closeTo(mv, { shape: [7], data: matmulDense(m, { shape: [5, 1], data: v.data }).data }, 1e-12),
    ).toBeUndefined();
    expect(await da.dot(arr(v, 2), arr(v, 3)).compute(opts)).toBe(55);
    expect(() => arr(m, 3).matmul(arr(m, 3))).toThrow(/mismatch in its core dimension 0/);
  });

  test('mapBlocks applies a function to each block', async () => {
    const x = arr(
      dense([10], (i) => i),
      4,
    );
    // a block function may return a bare typed array: it takes the block's shape
    const y = da.mapBlocks((b) => b.data.map((v) => v * 3), x);
    expect(fromResult(await y.compute(opts)).data).toEqual(Array.from({ length: 10 }, (_, i) => i * 3));
  });

  test('blockwise contracts a shared index', async () => {
    const m = dense([4, 6], (i) => i);
    const x = arr(m, [2, 3]);
    // sum over j of x[i, j] by blocks: 'ij' → 'i'
    const y = da.blockwise(
      (blocks) => {
        const list = blocks as da.Chunk[]; // 'j' is contracted: this input arrives as its list of blocks
        const rows = list[0]!.shape[0]!;
        const out = new Float64Array(rows);
        for (const b of list)
          for (let r = 0; r < rows; r++) for (let c = 0; c < b.shape[1]!; c++) out[r]! += b.data[r * b.shape[1]! + c]!;
        return { data: out, shape: [rows] };
      },
      'i',
      [[x, 'ij']],
    );
    expect(fromResult(await y.compute(opts)).data).toEqual([15, 51, 87, 123]);
  });
});
