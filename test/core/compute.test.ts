/*
 * compute() of several collections at once: collections that share an optimiser are optimised
 * together, so the merged graph's keys are grouped by kind, while the values go back to the
 * collections in the order they were given.
 */
import { describe, expect, test } from 'vitest';
import { compute, delayed } from '../../src/index.js';
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
