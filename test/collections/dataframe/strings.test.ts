import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { diffRows, groupbyRef, rowsOf, sortRows, type Row } from './reference.js';

afterAll(async () => {
  await closePools();
});

/** A frame whose string column is plain Utf8 (not dictionary-encoded), as Arrow producers often give. */
function utf8Frame(rows: readonly Row[], np: number): dd.DataFrame {
  const t = new Table({
    s: vectorFromArray(
      rows.map((r) => r.s as string | null),
      new Utf8(),
    ),
    n: vectorFromArray(
      rows.map((r) => r.n as number),
      new Int32(),
    ),
  });
  return dd.fromArrow(t, { npartitions: np });
}

const words = ['kiwi', 'apple', 'fig', 'ünïcode', 'apple pie', '', 'Zebra'];
const rows: Row[] = Array.from({ length: 120 }, (_, i) => ({
  s: i % 11 === 0 ? null : words[(i * 7) % words.length]!,
  n: (i * 37) % 19,
}));

describe.each(SCHEDULERS)('plain Utf8 string columns on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };

  test('group by, sort, filter and dedupe a Utf8 column', async () => {
    const df = utf8Frame(rows, 3);
    expect(df.dtypes).toEqual({ s: 'string', n: 'int32' });
    expect(
      diffRows(
        rowsOf(
          await df
            .groupby('s')
            .agg({ n: ['sum', 'max'], s: ['count'] })
            .compute(opts),
        ),
        groupbyRef(
          rows,
          ['s'],
          [
            ['n', 'sum', 'n_sum'],
            ['n', 'max', 'n_max'],
            ['s', 'count', 's_count'],
          ],
        ),
      ),
    ).toBeUndefined();
    expect(
      diffRows(rowsOf(await df.sortValues(['s', 'n'], { npartitions: 2 }).compute(opts)), sortRows(rows, ['s', 'n'])),
    ).toBeUndefined();
    expect(
      diffRows(
        rowsOf(await df.filter(df.col('s').lt('fig')).compute(opts)),
        rows.filter((r) => r.s !== null && (r.s as string) < 'fig'),
      ),
    ).toBeUndefined();
    expect([...(await df.col('s').unique().compute(opts))]).toEqual([...new Set(rows.map((r) => r.s))]);
  });

  test('a Utf8 key joins a dictionary-encoded key, and partitions of both kinds concatenate', async () => {
    const left = utf8Frame(rows, 2);
    const right = dd.fromColumns({ s: words, rank: Int32Array.from(words, (_, i) => i) }, { npartitions: 2 });
    const got = rowsOf(await left.merge(right, { on: 's', how: 'left', broadcast: false }).compute(opts));
    const want = rows.map((r) => ({ ...r, rank: r.s === null ? null : words.indexOf(r.s as string) }));
    const cols = ['s', 'n', 'rank'];
    expect(diffRows(sortRows(got, cols), sortRows(want, cols))).toBeUndefined();
    const both = left.select(['s']).repartition({ npartitions: 1 });
    expect(rowsOf(await both.compute(opts)).map((r) => r.s)).toEqual(rows.map((r) => r.s));
  });
});
