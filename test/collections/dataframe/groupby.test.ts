import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { diffRows, groupbyRef, random, rowsOf, sortRows, type RefAgg } from './reference.js';

afterAll(async () => {
  await closePools();
});

const all: RefAgg[] = ['sum', 'mean', 'count', 'min', 'max', 'std', 'var', 'size', 'first', 'last', 'nunique'];

describe.each(SCHEDULERS)('groupby on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const m = mixed(307, 11);
  const rows = rowsOfMixed(m);

  test.each([1, 3, 10])('every aggregation, int keys with missing keys and values (%i partitions)', async (np) => {
    const df = frameOf(m, np);
    const got = await df
      .groupby('k', { splitEvery: 2 })
      .agg({ v: [...all], w: 'mean' })
      .compute(opts);
    const want = groupbyRef(rows, ['k'], [...all.map((a) => ['v', a, `v_${a}`] as const), ['w', 'mean', 'w'] as const]);
    expect(got.schema.fields.map((f) => f.name)).toEqual(['k', ...all.map((a) => `v_${a}`), 'w']);
    expect(diffRows(rowsOf(got), want, 1e-9)).toBeUndefined();
  });

  test('string keys (dictionary-encoded) and string values', async () => {
    const df = frameOf(m, 4);
    const got = rowsOf(
      await df
        .groupby('g')
        .agg({ w: ['sum', 'count'], g: ['nunique'], k: ['min', 'max', 'first', 'last'] })
        .compute(opts),
    );
    const want = groupbyRef(
      rows,
      ['g'],
      [
        ['w', 'sum', 'w_sum'],
        ['w', 'count', 'w_count'],
        ['g', 'nunique', 'g_nunique'],
        ['k', 'min', 'k_min'],
        ['k', 'max', 'k_max'],
        ['k', 'first', 'k_first'],
        ['k', 'last', 'k_last'],
      ],
    );
    expect(diffRows(got, want)).toBeUndefined();
    const byString = rowsOf(
      await frameOf(m, 3)
        .groupby('k')
        .agg({ g: ['min', 'max', 'first', 'last', 'count'] })
        .compute(opts),
    );
    expect(
      diffRows(
        byString,
        groupbyRef(
          rows,
          ['k'],
          [
            ['g', 'min', 'g_min'],
            ['g', 'max', 'g_max'],
            ['g', 'first', 'g_first'],
            ['g', 'last', 'g_last'],
            ['g', 'count', 'g_count'],
          ],
        ),
      ),
    ).toBeUndefined();
  });

  test('several keys (numbers, strings, booleans)', async () => {
    const df = frameOf(m, 5);
    const got = rowsOf(
      await df
        .groupby(['g', 'k', 'b'])
        .agg({ v: ['sum', 'std'], w: 'size' })
        .compute(opts),
    );
    const want = groupbyRef(
      rows,
      ['g', 'k', 'b'],
      [
        ['v', 'sum', 'v_sum'],
        ['v', 'std', 'v_std'],
        [null, 'size', 'w'],
      ],
    );
    expect(diffRows(got, want)).toBeUndefined();
  });

  test('the shortcut methods aggregate every other column', async () => {
    const df = frameOf(m, 3).select(['k', 'v', 'w']);
    const r = rows.map((x) => ({ k: x.k!, v: x.v!, w: x.w! }));
    for (const kind of ['sum', 'mean', 'count', 'min', 'max', 'std', 'var', 'first', 'last', 'nunique'] as const) {
      const got = rowsOf(await df.groupby('k')[kind]().compute(opts));
      expect(
        diffRows(
          got,
          groupbyRef(
            r,
            ['k'],
            [
              ['v', kind, 'v'],
              ['w', kind, 'w'],
            ],
          ),
        ),
        kind,
      ).toBeUndefined();
    }
    expect(
      diffRows(rowsOf(await df.groupby('k').size().compute(opts)), groupbyRef(r, ['k'], [[null, 'size', 'size']])),
    ).toBeUndefined();
  });

  test('splitOut spreads many groups over partitions, each sorted by key', async () => {
    const rnd = random(5);
    const n = 5000;
    const key = Int32Array.from({ length: n }, () => Math.floor(rnd() * 100_000) - 50_000);
    const val = Float64Array.from({ length: n }, () => rnd());
    const df = dd.fromColumns({ key, val }, { npartitions: 6 });
    const out = df.groupby('key', { splitOut: 4, splitEvery: 3 }).agg({ val: ['sum', 'count', 'nunique'] });
    expect(out.npartitions).toBe(4);
    const t = rowsOf(await out.compute(opts));
    const plain = [...key].map((k, i) => ({ key: k, val: val[i]! }));
    const want = groupbyRef(
      plain,
      ['key'],
      [
        ['val', 'sum', 'val_sum'],
        ['val', 'count', 'val_count'],
        ['val', 'nunique', 'val_nunique'],
      ],
    );
    expect(diffRows(sortRows(t, ['key']), want)).toBeUndefined();
    const persisted = await out.persist(opts);
    for (let j = 0; j < 4; j++) {
      const p = rowsOf((persisted.plan as unknown as { tables: Table[] }).tables[j]!);
      expect(p).toEqual(sortRows(p, ['key']));
    }
  });

  test('the dense int32 fast path: window growth, NaN and missing values, several value columns', async () => {
    const rnd = random(17);
    const n = 20_000;
    const key = Int32Array.from({ length: n }, (_, i) => (i < 10 ? 5 : Math.floor(rnd() * 40_000) - 20_000));
    const x = Array.from({ length: n }, () => (rnd() < 0.02 ? null : rnd() < 0.02 ? NaN : Math.round(rnd() * 100)));
    const y = Float64Array.from({ length: n }, () => rnd());
    const df = dd.fromColumns({ key, x, y }, { npartitions: 3 });
    const got = rowsOf(
      await df
        .groupby('key')
        .agg({ x: ['mean', 'sum', 'count', 'size'], y: ['sum', 'mean'] })
        .compute(opts),
    );
    const plain = [...key].map((k, i) => ({ key: k, x: x[i]!, y: y[i]! }));
    const want = groupbyRef(
      plain,
      ['key'],
      [
        ['x', 'mean', 'x_mean'],
        ['x', 'sum', 'x_sum'],
        ['x', 'count', 'x_count'],
        [null, 'size', 'x_size'],
        ['y', 'sum', 'y_sum'],
        ['y', 'mean', 'y_mean'],
      ],
    );
    expect(diffRows(got, want)).toBeUndefined();
  });

  test('dense int keys far apart fall back to hashing; empty partitions are fine', async () => {
    const key = Int32Array.from([5, 2_000_000_000, -2_000_000_000, 5, 7, 7]);
    const v = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const df = dd.fromColumns({ key, v }, { npartitions: 3 });
    const got = rowsOf(await df.groupby('key').agg({ v: 'sum' }).compute(opts));
    expect(got).toEqual([
      { key: -2_000_000_000, v: 3 },
      { key: 5, v: 5 },
      { key: 7, v: 11 },
      { key: 2_000_000_000, v: 2 },
    ]);
    const none = df.filter(df.col('v').gt(100));
    expect((await none.groupby('key').agg({ v: 'mean' }).compute(opts)).numRows).toBe(0);
    const some = df.filter(df.col('v').gt(4.5));
    expect(
      rowsOf(
        await some
          .groupby('key')
          .agg({ v: ['mean', 'size'] })
          .compute(opts),
      ),
    ).toEqual([{ key: 7, v_mean: 5.5, v_size: 2 }]);
  });

  test('dense states: splitOut, and combines that mix dense and hashed partials', async () => {
    const rnd = random(23);
    const n = 6000;
    // The middle partition's keys span far more than 65,536 slots, so its partial is hashed; the
    // others stay dense, and every combine sees both kinds.
    const key = Int32Array.from({ length: n }, (_, i) =>
      i >= 2000 && i < 4000 && i % 2 === 0 ? Math.floor(rnd() * 4e8) - 2e8 : Math.floor(rnd() * 300),
    );
    const val = Float64Array.from({ length: n }, () => rnd() * 10);
    const df = dd.fromColumns({ key, val }, { npartitions: 3 });
    const plain = [...key].map((k, i) => ({ key: k, val: val[i]! }));
    const want = groupbyRef(
      plain,
      ['key'],
      [
        ['val', 'mean', 'val_mean'],
        ['val', 'sum', 'val_sum'],
        ['val', 'count', 'val_count'],
        [null, 'size', 'val_size'],
      ],
    );
    const aggs = { val: ['mean', 'sum', 'count', 'size'] } as const;
    expect(
      diffRows(rowsOf(await df.groupby('key', { splitEvery: 2 }).agg(aggs).compute(opts)), want, 1e-9),
    ).toBeUndefined();
    const dense = dd.fromColumns({ key: key.map((k) => ((k % 300) + 300) % 300), val }, { npartitions: 4 });
    const split = await dense.groupby('key', { splitOut: 3 }).agg(aggs).compute(opts);
    const densePlain = plain.map((r) => ({ key: ((r.key % 300) + 300) % 300, val: r.val }));
    expect(
      diffRows(
        sortRows(rowsOf(split), ['key']),
        groupbyRef(
          densePlain,
          ['key'],
          [
            ['val', 'mean', 'val_mean'],
            ['val', 'sum', 'val_sum'],
            ['val', 'count', 'val_count'],
            [null, 'size', 'val_size'],
          ],
        ),
        1e-9,
      ),
    ).toBeUndefined();
  });

  test('a partial sum of inf and -inf stays NaN once combined with other partitions (int and string keys)', async () => {
    const key = Int32Array.from([1, 1, 1, 2]);
    const v = Float64Array.from([Infinity, -Infinity, 3, 4]);
    const df = dd.fromColumns({ key, v }, { npartitions: 2 });
    const got = rowsOf(
      await df
        .groupby('key')
        .agg({ v: ['sum', 'mean', 'count'] })
        .compute(opts),
    );
    expect(got[0]!.v_sum).toBeNaN();
    expect(got[0]!.v_mean).toBeNaN();
    expect(got).toEqual([
      { key: 1, v_sum: NaN, v_mean: NaN, v_count: 3 },
      { key: 2, v_sum: 4, v_mean: 4, v_count: 1 },
    ]);
    const byString = dd.fromColumns({ g: ['a', 'a', 'a', 'b'], v }, { npartitions: 2 });
    expect(
      rowsOf(
        await byString
          .groupby('g')
          .agg({ v: ['sum', 'mean'] })
          .compute(opts),
      ),
    ).toEqual([
      { g: 'a', v_sum: NaN, v_mean: NaN },
      { g: 'b', v_sum: 4, v_mean: 4 },
    ]);
  });

  test('output naming follows API.md and clashes are refused', () => {
    const df = frameOf(m, 2);
    expect(df.groupby('k').agg({ v: 'mean', w: ['sum', 'count'] }).columns).toEqual(['k', 'v', 'w_sum', 'w_count']);
    expect(df.groupby('k').agg({ v: 'mean', w: ['sum', 'count'] }).dtypes).toEqual({
      k: 'int32',
      v: 'float64',
      w_sum: 'float64',
      w_count: 'int32',
    });
    expect(() => df.groupby('k').agg({ k: 'sum' })).toThrow(/collide/);
    expect(() => df.groupby('k').agg({ v: 'median' as never })).toThrow(/unknown aggregation 'median'/);
  });
});
