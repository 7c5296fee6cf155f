import { afterAll, describe, expect, test } from 'vitest';
import { tableFromArrays, type Table, type Vector } from 'apache-arrow';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { collectionsToGraph } from '../../../src/core/compute.js';
import { compute } from '../../../src/index.js';
import { doubleX } from '../../fixtures/dataframe/map-fns.mjs';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { diffRows, rowsOf } from './reference.js';

afterAll(async () => {
  await closePools();
});

describe.each(SCHEDULERS)('the DataFrame model on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };

  test('fromColumns keeps every value, null and dtype across partitions', async () => {
    const m = mixed(103);
    const df = frameOf(m, 4);
    expect(df.npartitions).toBe(4);
    expect(df.columns).toEqual(['k', 'g', 'v', 'w', 'b']);
    expect(df.dtypes).toEqual({ k: 'int32', g: 'string', v: 'float64', w: 'int32', b: 'bool' });
    expect(df.divisions).toEqual([null, null, null, null, null]);
    const t = await df.compute(opts);
    expect(t.numRows).toBe(103);
    expect(diffRows(rowsOf(t), rowsOfMixed(m))).toBeUndefined();
  });

  test('a single partition, more partitions than rows, and an empty frame', async () => {
    const one = await dd.fromColumns({ x: [1, 2, 3] }, { npartitions: 1 }).compute(opts);
    expect(rowsOf(one)).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    const many = dd.fromColumns({ x: [1, 2, 3] }, { npartitions: 10 });
    expect(many.npartitions).toBe(3);
    const empty = dd.fromColumns({ x: new Float64Array(0), s: [] as string[] }, { npartitions: 3 });
    const t = await empty.compute(opts);
    expect(t.numRows).toBe(0);
    expect(await empty.col('x').sum().compute(opts)).toBe(0);
  });

  test('fromArrow and fromRecords', async () => {
    const table = tableFromArrays({
      a: Int32Array.from([1, 2, 3, 4]),
      s: ['p', 'q', null, 'p'],
      big: BigInt64Array.from([1n, 2n, 3n, 4n]),
    });
    const df = dd.fromArrow(table, { npartitions: 2 });
    expect(df.dtypes).toEqual({ a: 'int32', s: 'string', big: 'float64' });
    expect(rowsOf(await df.compute(opts))).toEqual([
      { a: 1, s: 'p', big: 1 },
      { a: 2, s: 'q', big: 2 },
      { a: 3, s: null, big: 3 },
      { a: 4, s: 'p', big: 4 },
    ]);
    const recs = dd.fromRecords(
      [
        { x: 1.5, y: 'a', z: true },
        { x: null, y: 'b', z: false },
        { x: 3, y: null, z: null },
      ],
      { npartitions: 2 },
    );
    expect(recs.dtypes).toEqual({ x: 'float64', y: 'string', z: 'bool' });
    expect(rowsOf(await recs.compute(opts))).toEqual([
      { x: 1.5, y: 'a', z: true },
      { x: null, y: 'b', z: false },
      { x: 3, y: null, z: null },
    ]);
  });

  test('persist gives a frame backed by its computed partitions', async () => {
    const m = mixed(50);
    const base = frameOf(m, 3);
    const filtered = base.filter(base.col('w').gt(0));
    const p = await filtered.persist(opts);
    expect(p.npartitions).toBe(3);
    expect(rowsOf(await p.compute(opts))).toEqual(rowsOf(await filtered.compute(opts)));
  });

  test('a Series from an unrelated frame is refused (rows are matched by position)', () => {
    const m = mixed(20);
    const a = frameOf(m, 2);
    const b = frameOf(m, 2);
    expect(() => a.filter(b.col('w').gt(0))).toThrow(/rows do not line up/);
    const sorted = a.sortValues('w');
    expect(() => sorted.assign({ z: a.col('w').mul(2) })).not.toThrow();
  });

  test('head computes only the partitions it needs', async () => {
    const df = dd.fromColumns({ x: Float64Array.from({ length: 100 }, (_, i) => i) }, { npartitions: 10 });
    const firstTwo = await df.head(15, opts);
    expect(rowsOf(firstTwo).map((r) => r.x)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    let tasks: string[] = [];
    const spy = df.mapPartitions((t) => t, { meta: { x: 'float64' } });
    const h = await spy.head(3, { ...opts, hooks: [{ start: (graph) => void (tasks = [...graph.keys()]) }] });
    expect(h.numRows).toBe(3);
    expect(tasks.filter((k) => k.startsWith('map-partitions'))).toHaveLength(1);
    expect(await df.head(1000, opts).then((t) => t.numRows)).toBe(100);
  });

  test('several collections computed together share their tasks; optimize: false gives the same values', async () => {
    const m = mixed(90);
    const df = frameOf(m, 3);
    const kept = df.filter(df.col('w').gt(0));
    const [total, groups, table] = (await compute(
      kept.col('w').sum(),
      kept.groupby('k').agg({ w: 'count' }),
      kept.select(['w']),
      opts,
    )) as [number, unknown, unknown];
    const w = rowsOfMixed(m)
      .map((r) => r.w as number)
      .filter((x) => x > 0);
    expect(total).toBe(w.reduce((a, b) => a + b, 0));
    expect(rowsOf(groups as never).reduce((a, r) => a + (r.w as number), 0)).toBe(
      rowsOfMixed(m).filter((r) => (r.w as number) > 0 && r.k !== null).length,
    );
    expect(rowsOf(table as never).map((r) => r.w)).toEqual(w);
    const plain = await kept
      .groupby('k')
      .agg({ w: 'sum' })
      .compute({ ...opts, optimize: false });
    expect(rowsOf(plain)).toEqual(rowsOf(await kept.groupby('k').agg({ w: 'sum' }).compute(opts)));
  });

  test('a frame, a Series and a Scalar computed together in any order each get their own value, from one graph', async () => {
    // Regression: each class had its own __daskOptimize, so compute() optimised them as separate
    // groups, built the shared source twice, and handed interleaved collections each other's values.
    const m = mixed(70);
    const df = frameOf(m, 3);
    const kept = df.filter(df.col('w').gt(0));
    const collections = [kept.select(['w']), kept.col('w').mul(2), kept.col('w').sum(), kept.select(['k', 'w'])];
    const [a, b, c, d] = (await compute(...collections, opts)) as [Table, Vector, number, Table];
    const rows = m.w.map((w, i) => ({ k: m.k[i] ?? null, w })).filter((r) => r.w > 0);
    expect(rowsOf(a)).toEqual(rows.map((r) => ({ w: r.w })));
    expect(Array.from(b.toArray() as ArrayLike<number>)).toEqual(rows.map((r) => 2 * r.w));
    expect(c).toBe(rows.reduce((s, r) => s + r.w, 0));
    expect(rowsOf(d)).toEqual(rows.map((r) => ({ k: r.k, w: r.w })));
    const { graph } = collectionsToGraph(collections);
    expect([...graph.keys()].filter((k) => k.startsWith('from-arrow')).length).toBe(3);
  });

  test('repartition keeps rows and order', async () => {
    const x = Float64Array.from({ length: 23 }, (_, i) => i);
    const df = dd.fromColumns({ x }, { npartitions: 3 });
    for (const n of [1, 2, 5, 7]) {
      const r = df.repartition({ npartitions: n });
      expect(r.npartitions).toBe(n);
      expect(rowsOf(await r.compute(opts)).map((q) => q.x)).toEqual([...x]);
    }
  });

  test('mapPartitions ships a lambda or an exported function and infers its output columns', async () => {
    const df = dd.fromColumns({ x: Float64Array.from([1, 2, 3, 4, 5]) }, { npartitions: 2 });
    const doubled = df.mapPartitions(
      (t) => ({ y: Float64Array.from(t.getChild('x')!.toArray() as Float64Array, (v) => v * 2) }) as never,
    );
    expect(doubled.columns).toEqual(['y']);
    expect(rowsOf(await doubled.compute(opts)).map((r) => r.y)).toEqual([2, 4, 6, 8, 10]);
    const viaModule = df.mapPartitions(doubleX, {
      module: new URL('../../fixtures/dataframe/map-fns.mjs', import.meta.url).href,
    });
    expect(viaModule.dtypes).toEqual({ x2: 'float64' });
    expect(rowsOf(await viaModule.compute(opts)).map((r) => r.x2)).toEqual([2, 4, 6, 8, 10]);
    const counts = df.mapPartitions((t) => ({ n: [t.numRows] }) as never, { meta: { n: 'int32' } });
    expect(rowsOf(await counts.compute(opts)).map((r) => r.n)).toEqual([2, 3]);
  });
});
