import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { aggregate, isMissing, rowsOf, sameValue, type RefAgg } from './reference.js';

afterAll(async () => {
  await closePools();
});

const kinds: RefAgg[] = ['sum', 'mean', 'min', 'max', 'count', 'std', 'var', 'nunique'];

describe.each(SCHEDULERS)('Series reductions on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const m = mixed(211, 3);
  const rows = rowsOfMixed(m);

  test.each([1, 2, 5, 13])('sum mean min max count std var nunique skip missing values (%i partitions)', async (np) => {
    const df = frameOf(m, np);
    for (const column of ['v', 'w', 'k']) {
      for (const kind of kinds) {
        const got = await df.col(column)[kind as 'sum']({ splitEvery: 2 }).compute(opts);
        const want = aggregate(
          kind,
          rows.map((r) => r[column]!),
        );
        expect(sameValue(got, want, 1e-10), `${kind}(${column}): got ${String(got)}, want ${String(want)}`).toBe(true);
      }
    }
  });

  test('strings reduce by count, min, max and nunique; ddof is an option', async () => {
    const df = frameOf(m, 4);
    const g = rows.map((r) => r.g!);
    expect(await df.col('g').count().compute(opts)).toBe(aggregate('count', g));
    expect(await df.col('g').min().compute(opts)).toBe(aggregate('min', g));
    expect(await df.col('g').max().compute(opts)).toBe(aggregate('max', g));
    expect(await df.col('g').nunique().compute(opts)).toBe(aggregate('nunique', g));
    const v = rows.map((r) => r.v!);
    expect(sameValue(await df.col('v').std({ ddof: 0 }).compute(opts), aggregate('std', v, 0))).toBe(true);
  });

  test('reductions of expressions and of empty or all-missing data', async () => {
    const df = frameOf(m, 3);
    const want = aggregate(
      'sum',
      rows.map((r) => (isMissing(r.v!) ? null : (r.v as number) * 2 + (r.w as number))),
    );
    expect(sameValue(await df.col('v').mul(2).add(df.col('w')).sum().compute(opts), want)).toBe(true);
    const empty = df.filter(df.col('w').gt(10_000));
    expect(await empty.col('v').sum().compute(opts)).toBe(0);
    expect(await empty.col('v').count().compute(opts)).toBe(0);
    expect(Number.isNaN(await empty.col('v').mean().compute(opts))).toBe(true);
    expect(Number.isNaN(await empty.col('v').std().compute(opts))).toBe(true);
    const nulls = dd.fromColumns({ x: [null, null, NaN] as (number | null)[] }, { npartitions: 2 });
    expect(await nulls.col('x').count().compute(opts)).toBe(0);
    expect(Number.isNaN(await nulls.col('x').max().compute(opts))).toBe(true);
  });

  test('describe gives count, mean, std, min, quartiles and max like pandas', async () => {
    const df = frameOf(m, 4);
    const t = rowsOf(await df.describe().compute(opts));
    expect(t.map((r) => r.statistic)).toEqual(['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']);
    for (const column of ['k', 'v', 'w']) {
      const x = rows
        .map((r) => r[column]!)
        .filter((v) => !isMissing(v))
        .map(Number)
        .sort((a, b) => a - b);
      const q = (p: number): number => {
        const pos = p * (x.length - 1);
        const lo = Math.floor(pos);
        return x[lo]! + (pos - lo) * ((x[lo + 1] ?? x[lo]!) - x[lo]!);
      };
      const want = [
        x.length,
        aggregate('mean', x),
        aggregate('std', x),
        x[0]!,
        q(0.25),
        q(0.5),
        q(0.75),
        x[x.length - 1]!,
      ];
      t.forEach((r, i) =>
        expect(sameValue(r[column]!, want[i]!, 1e-10), `${column} ${String(r.statistic)}`).toBe(true),
      );
    }
  });
});
