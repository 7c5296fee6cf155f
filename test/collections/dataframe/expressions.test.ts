import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { diffRows, isMissing, rowsOf, type Row, type Value } from './reference.js';

afterAll(async () => {
  await closePools();
});

const num = (v: Value | undefined): number | null => (v === null || v === undefined ? null : (v as number));

describe.each(SCHEDULERS)('expressions on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const m = mixed(157, 7);
  const rows = rowsOfMixed(m);
  const df = frameOf(m, 3);

  test('arithmetic with columns and numbers propagates missing values', async () => {
    const out = df.assign({
      a: df.col('v').add(df.col('w')),
      s: df.col('w').sub(1),
      p: df.col('v').mul(2),
      d: df.col('w').div(df.col('k')),
      r: df.col('w').mod(7),
      n: df.col('v').neg(),
      q: df.col('k').pow(2),
    });
    expect(out.dtypes).toMatchObject({ a: 'float64', s: 'float64', d: 'float64' });
    const want: Row[] = rows.map((r) => {
      const v = num(r.v);
      const k = num(r.k);
      const w = r.w as number;
      return {
        ...r,
        a: v === null ? null : v + w,
        s: w - 1,
        p: v === null ? null : v * 2,
        d: k === null ? null : w / k,
        r: w - Math.floor(w / 7) * 7,
        n: v === null ? null : -v,
        q: k === null ? null : k ** 2,
      };
    });
    expect(diffRows(rowsOf(await out.compute(opts)), want)).toBeUndefined();
  });

  test('comparisons, boolean logic (Kleene) and isNull drive filter', async () => {
    const pred = df.col('v').gt(10).and(df.col('k').le(5)).or(df.col('g').eq('blue')).and(df.col('b').isNull().not());
    const got = rowsOf(await df.filter(pred).compute(opts));
    const kleeneAnd = (a: boolean | null, b: boolean | null): boolean | null =>
      a === false || b === false ? false : a === null || b === null ? null : true;
    const kleeneOr = (a: boolean | null, b: boolean | null): boolean | null =>
      a === true || b === true ? true : a === null || b === null ? null : false;
    const want = rows.filter((r) => {
      const v = num(r.v);
      const gt = v === null || Number.isNaN(v) ? (v === null ? null : false) : v > 10;
      const le = r.k === null ? null : (r.k as number) <= 5;
      const eq = r.g === null ? null : r.g === 'blue';
      return kleeneAnd(kleeneOr(kleeneAnd(gt, le), eq), r.b !== null) === true;
    });
    expect(diffRows(got, want)).toBeUndefined();
  });

  test('string comparisons by code point, on dictionary columns too', async () => {
    const got = rowsOf(await df.filter(df.col('g').ge('cyan').and(df.col('g').ne('red'))).compute(opts));
    expect(
      diffRows(
        got,
        rows.filter((r) => r.g !== null && (r.g as string) >= 'cyan' && r.g !== 'red'),
      ),
    ).toBeUndefined();
    const gg = df.assign({ same: df.col('g').eq(df.col('g')) });
    const t = rowsOf(await gg.compute(opts));
    expect(t.map((r) => r.same)).toEqual(rows.map((r) => (r.g === null ? null : true)));
  });

  test('isNull counts NaN as missing (pandas) and notNull is its negation', async () => {
    const t = rowsOf(
      await df
        .assign({ miss: df.col('v').isNull(), has: df.col('v').notNull() })
        .select(['miss', 'has'])
        .compute(opts),
    );
    expect(t.map((r) => r.miss)).toEqual(rows.map((r) => isMissing(r.v!)));
    expect(t.map((r) => r.has)).toEqual(rows.map((r) => !isMissing(r.v!)));
  });

  test('select keeps the chosen columns in the chosen order', async () => {
    const t = await df.select(['w', 'g']).compute(opts);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['w', 'g']);
    expect(
      diffRows(
        rowsOf(t),
        rows.map((r) => ({ w: r.w!, g: r.g! })),
      ),
    ).toBeUndefined();
  });

  test('assign replaces a column and takes literals', async () => {
    const t = rowsOf(await df.assign({ w: df.col('w').mul(10), one: 1, flag: true }).compute(opts));
    expect(t.map((r) => r.w)).toEqual(rows.map((r) => (r.w as number) * 10));
    expect(t.every((r) => r.one === 1 && r.flag === true)).toBe(true);
  });

  test('a Series computes to an Arrow vector', async () => {
    const v = await df.col('w').add(1).compute(opts);
    expect([...v]).toEqual(rows.map((r) => (r.w as number) + 1));
    const h = await df.col('g').head(3, opts);
    expect([...h]).toEqual(rows.slice(0, 3).map((r) => r.g));
  });
});

describe('expression errors name the column', () => {
  const df = dd.fromColumns({ x: [1, 2, 3], s: ['a', 'b', 'c'], f: [true, false, true] }, { npartitions: 2 });

  test('a missing column is a ColumnNotFoundError listing the columns', () => {
    const err = (() => {
      try {
        df.col('nope');
      } catch (e) {
        return e;
      }
    })() as dd.ColumnNotFoundError;
    expect(err).toBeInstanceOf(dd.ColumnNotFoundError);
    expect(err.code).toBe('DASK_ERR_VALUE');
    expect(err.column).toBe('nope');
    expect(err.message).toMatch(/column 'nope' not found.*'x', 's', 'f'/);
    expect(() => df.select(['x', 'y'])).toThrow(dd.ColumnNotFoundError);
    expect(() => df.groupby('zz')).toThrow(/column 'zz' not found in groupby/);
  });

  test('a type mismatch is a DTypeError naming the column and its dtype', () => {
    const err = (() => {
      try {
        df.col('s').add(1);
      } catch (e) {
        return e;
      }
    })() as dd.DTypeError;
    expect(err).toBeInstanceOf(dd.DTypeError);
    expect(err.code).toBe('DASK_ERR_VALUE');
    expect(err.column).toBe('s');
    expect(err.message).toMatch(/column 's' \(string\)/);
    expect(() => df.col('x').gt('a')).toThrow(/comparisons need two numbers, two strings or two booleans/);
    expect(() => df.col('x').and(df.col('f'))).toThrow(dd.DTypeError);
    expect(() => df.filter(df.col('x').add(1))).toThrow(/filter needs a boolean Series/);
    expect(() => df.col('s').mean()).toThrow(/column 's' holds strings/);
    expect(() => df.groupby('x').agg({ s: 'sum' })).toThrow(dd.DTypeError);
  });
});
