import { afterAll, describe, expect, test } from 'vitest';
import * as da from '../../../src/array.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { collectionsToGraph } from '../../../src/core/compute.js';
import { closeTo, dense, fromResult, mean, reduceAxes, sum, variance, type Dense } from '../../helpers/dense.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;
const arr = (d: Dense, chunks: number | number[] | number[][]): da.DaskArray =>
  da.fromArray(Float64Array.from(d.data), { shape: d.shape, chunks });

describe.each(schedulers)('reductions on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const a = dense([6, 5, 4], (i) => Math.sin(i) * 10 + (i % 7));
  const x = arr(a, [4, 2, 3]);
  const axesCases: (number[] | undefined)[] = [undefined, [0], [1], [2], [0, 2], [1, 2]];

  test.each(axesCases)('sum, mean, min, max, prod over axes %j match plain loops', async (axes) => {
    const ax = axes ?? [0, 1, 2];
    const checks: [da.DaskArray, (v: number[]) => number][] = [
      [x.sum({ axis: axes, splitEvery: 2 }), sum],
      [x.mean({ axis: axes }), mean],
      [x.min({ axis: axes }), (v) => Math.min(...v)],
      [x.max({ axis: axes }), (v) => Math.max(...v)],
      [x.div(10).prod({ axis: axes }), (v) => v.reduce((p, q) => p * (q / 10), 1)],
    ];
    for (const [lazy, f] of checks) {
      const got = fromResult(await lazy.compute(opts));
      expect(closeTo(got, reduceAxes(a, ax, f), 1e-10)).toBeUndefined();
    }
  });

  test('keepdims keeps reduced axes with size 1', async () => {
    const r = x.sum({ axis: [0, 2], keepdims: true });
    expect(r.shape).toEqual([1, 5, 1]);
    const got = fromResult(await r.compute(opts));
    expect(closeTo(got, reduceAxes(a, [0, 2], sum, true), 1e-10)).toBeUndefined();
  });

  test('var and std with ddof 0 and 1 (pandas and NumPy conventions)', async () => {
    for (const ddof of [0, 1]) {
      const got = fromResult(await x.var({ axis: 1, ddof }).compute(opts));
      expect(
        closeTo(
          got,
          reduceAxes(a, [1], (v) => variance(v, ddof)),
          1e-10,
        ),
      ).toBeUndefined();
      const sd = fromResult(await x.std({ ddof }).compute(opts));
      expect(sd.data[0]).toBeCloseTo(Math.sqrt(variance(a.data, ddof)), 10);
    }
  });

  test('argmin and argmax give first occurrences, flat without an axis', async () => {
    const v = dense([10], (i) => [3, 1, 4, 1, 5, 9, 2, 6, 9, 0][i]!);
    const y = arr(v, 3);
    expect(await y.argmax().compute(opts)).toBe(5);
    expect(await y.argmin().compute(opts)).toBe(9);
    const m = dense([3, 4], (i) => [5, 1, 7, 7, 2, 8, 0, 8, 4, 4, 4, 9][i]!);
    const z = arr(m, 2);
    expect(fromResult(await z.argmax({ axis: 1 }).compute(opts)).data).toEqual([2, 1, 3]);
    expect(fromResult(await z.argmin({ axis: 0 }).compute(opts)).data).toEqual([1, 0, 1, 0]);
    expect(await z.argmax().compute(opts)).toBe(11);
  });

  test('any and all give booleans', async () => {
    const b = da.fromArray(Float64Array.from([0, 0, 1, 0]), { chunks: 1 });
    expect(await b.any().compute(opts)).toBe(1);
    expect(await b.all().compute(opts)).toBe(0);
    expect(b.any().dtype).toBe('bool');
  });

  test('a fused chain reduces in one pass: ((x + 1) * 2 - x).mean()', async () => {
    const v = dense([1000], (i) => i / 7);
    const y = arr(v, 100);
    const lazy = y.add(1).mul(2).sub(y).mean();
    expect(await lazy.compute(opts)).toBeCloseTo(mean(v.data.map((q) => (q + 1) * 2 - q)), 9);
  });

  test('a single chunk, uneven chunks and empty arrays', async () => {
    const v = dense([9], (i) => i);
    expect(await arr(v, 9).sum().compute(opts)).toBe(36);
    expect(
      await arr(v, [[2, 3, 4]])
        .sum()
        .compute(opts),
    ).toBe(36);
    const empty = da.fromArray(new Float64Array(0), { chunks: 4 });
    expect(await empty.sum().compute(opts)).toBe(0);
    expect(Number.isNaN(await empty.mean().compute(opts))).toBe(true);
  });
});

describe('reduction errors', () => {
  test('an axis out of range is refused at build time with NumPy wording', () => {
    const x = da.zeros([3, 3], { chunks: 2 });
    expect(() => x.sum({ axis: 2 })).toThrow('axis 2 is out of bounds for array of dimension 2');
    expect(() => x.sum({ axis: -3 })).toThrow('axis -3 is out of bounds for array of dimension 2');
  });

  test('the fused chain has one task per chunk before the reduction tree', () => {
    const x = da.fromArray(new Float64Array(1000), { chunks: 100 });
    const r = x.add(1).mul(2).sub(x).mean({ splitEvery: 4 });
    const { graph } = collectionsToGraph([r]);
    const partials = [...graph.keys()].filter((k) => k.startsWith('mean-partial-'));
    const elementwise = [...graph.keys()].filter((k) => /^(add|mul|sub)-/.test(k));
    expect(partials.length).toBe(10);
    expect(elementwise.length).toBe(0);
    // every partial reads one data block directly: the chain was fused into it
    const partialDeps = partials.map((k) => graph.get(k)!.deps);
    expect(partialDeps.every((d) => d.length === 1 && graph.get(d[0]!)!.kind === 'data')).toBe(true);
    // 10 partials → 3 combines → 1 combine, with the finalisation fused into it: 14 tasks
    expect([...graph.values()].filter((n) => n.kind === 'task').length).toBe(14);
  });
});
