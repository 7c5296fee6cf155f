/*
 * compute() of several collections at once: collections that share an optimiser are optimised
 * together, so the merged graph's keys are grouped by kind, while the values go back to the
 * collections in the order they were given.
 */
import { describe, expect, expectTypeOf, test } from 'vitest';
import { compute, delayed, persist, type Delayed } from '../../src/index.js';
import * as da from '../../src/array.js';
import * as dd from '../../src/dataframe.js';

describe('compute of mixed collections', () => {
  test('interleaved arrays, Delayed values, DataFrame scalars and plain values each get their own result', async () => {
    const x = da.arange(0, 10, { chunks: 4 }); // 0..9: sum 45
    const inc = delayed((v: number) => v + 1);
    const df = dd.fromColumns({ v: Float64Array.from([1, 2, 3.5]) }, { npartitions: 2 });
    const results = await compute(inc(1), x.sum(), df.col('v').sum(), inc(10), 'plain', x.max(), { scheduler: 'sync' });
    expect(results).toEqual([2, 45, 6.5, 11, 'plain', 9]);
  });
});

describe('compute types and options', () => {
  test('compute() of several values is typed as a tuple of their results, options or not', async () => {
    const inc = delayed((v: number) => v + 1);
    const name = delayed((): string => 'x');
    const opts = { scheduler: 'sync' as const, numWorkers: 1 };
    const withOptions = compute(inc(1), name(), 7, opts);
    expectTypeOf(withOptions).resolves.toEqualTypeOf<[number, string, 7]>();
    const without = compute(inc(1), name());
    expectTypeOf(without).resolves.toEqualTypeOf<[number, string]>();
    expect(await withOptions).toEqual([2, 'x', 7]);
    const [p] = await persist(inc(1), opts);
    expectTypeOf(p).toEqualTypeOf<Delayed<number>>();
    expect(await p.compute(opts)).toBe(2);
  });

  test('a misspelt option is refused with the closest name, not computed as a value', async () => {
    const inc = delayed((v: number) => v + 1);
    await expect(compute(inc(1), { sceduler: 'sync' })).rejects.toMatchObject({
      code: 'DASK_ERR_CONFIG',
      message: expect.stringContaining('compute() has no option "sceduler"; did you mean "scheduler"?') as unknown,
    });
    await expect(
      inc(1).compute({ scheduler: 'sync', numworkers: 2 } as unknown as { scheduler: 'sync' }),
    ).rejects.toThrow(/compute\(\) has no option "numworkers"; did you mean "numWorkers"\? Its options: scheduler/);
    // A plain object that is data, not a near miss of an option, is computed as a value.
    expect(await compute(inc(1), { weight: 3 }, { scheduler: 'sync' })).toEqual([2, { weight: 3 }]);
  });
});
