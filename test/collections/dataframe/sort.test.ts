import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { diffRows, groupbyRef, isMissing, random, rowsOf, sortRows, type Row } from './reference.js';

afterAll(async () => {
  await closePools();
});

describe.each(SCHEDULERS)('sorting and distinct values on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const m = mixed(401, 21);
  const rows = rowsOfMixed(m);

  test.each([
    [['v'], [true]],
    [['v'], [false]],
    [
      ['g', 'w'],
      [true, false],
    ],
    [
      ['b', 'k', 'w'],
      [false, true, true],
    ],
  ] as const)('sortValues(%j, ascending %j) orders every row, missing last', async (by, ascending) => {
    const df = frameOf(m, 5).sortValues(by, { ascending, npartitions: 4 });
    expect(df.npartitions).toBe(4);
    const got = rowsOf(await df.compute(opts));
    expect(diffRows(got, sortRows(rows, by, ascending))).toBeUndefined();
  });

  test('a sorted frame knows its divisions once computed or persisted', async () => {
    const r = random(9);
    const x = Float64Array.from({ length: 1000 }, () => Math.round(r() * 1e6));
    const sorted = dd.fromColumns({ x }, { npartitions: 4 }).sortValues('x');
    expect(sorted.divisions.every((d) => d === null)).toBe(true);
    await sorted.compute(opts);
    expect(sorted.divisions[0]).toBe(Math.min(...x));
    const p = await sorted.persist(opts);
    const d = p.divisions as number[];
    expect(d).toHaveLength(5);
    const all = [...x].sort((a, b) => a - b);
    expect(d[0]).toBe(all[0]);
    expect(d[4]).toBe(all[all.length - 1]);
    for (let i = 0; i < 4; i++) expect(d[i]!).toBeLessThanOrEqual(d[i + 1]!);
    const parts = (p.plan as unknown as { tables: Table[] }).tables;
    parts.forEach((t, i) => {
      const v = rowsOf(t).map((q) => q.x as number);
      if (v.length > 0) {
        expect(v[0]).toBe(d[i]);
        expect(v[v.length - 1]!).toBeLessThanOrEqual(d[i + 1]!);
      }
    });
    expect(parts.filter((t) => t.numRows > 0).length).toBeGreaterThanOrEqual(3);
  });

  test('partitions larger than the quantile sample still sort fully and split evenly', async () => {
    // 60,000 rows in 2 partitions: each is sampled (8,192 rows drawn), not sorted, to find the
    // boundaries. Values are skewed (squares) and a tenth are NaN, which go last.
    const r = random(17);
    const n = 60_000;
    const x = Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r() ** 2));
    const p = await dd.fromColumns({ x }, { npartitions: 2 }).sortValues('x', { npartitions: 6 }).persist(opts);
    const parts = (p.plan as unknown as { tables: Table[] }).tables;
    const got = parts.flatMap((t) => rowsOf(t).map((q) => q.x as number));
    const want = [...x].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
    expect(got.length).toBe(n);
    expect(got.every((v, i) => Object.is(v, want[i]) || (Number.isNaN(v) && Number.isNaN(want[i])))).toBe(true);
    // The present values spread evenly: each partition within 15% of a sixth of them (the NaNs
    // all sit in the last one on top of its share).
    const present = want.filter((v) => !Number.isNaN(v)).length;
    parts.forEach((t) => {
      const count = rowsOf(t).filter((q) => !Number.isNaN(q.x as number)).length;
      expect(Math.abs(count - present / 6)).toBeLessThan(0.15 * (present / 6));
    });
  });

  test('dropDuplicates keeps first occurrences in order', async () => {
    const df = frameOf(m, 4);
    const seen = new Set<string>();
    const want: Row[] = [];
    for (const r of rows) {
      const id = JSON.stringify([r.k, r.g].map((v) => (isMissing(v!) ? null : v)));
      if (!seen.has(id)) {
        seen.add(id);
        want.push(r);
      }
    }
    expect(
      diffRows(rowsOf(await df.dropDuplicates(['k', 'g'], { splitEvery: 2 }).compute(opts)), want),
    ).toBeUndefined();
    const whole = rowsOf(await df.select(['k', 'b']).dropDuplicates().compute(opts));
    expect(whole.length).toBe(new Set(rows.map((r) => JSON.stringify([r.k, r.b]))).size);
  });

  test('valueCounts sorts by count, then value; unique keeps first-seen order', async () => {
    const df = frameOf(m, 3);
    const counts = rowsOf(await df.col('g').valueCounts().compute(opts));
    const want = sortRows(groupbyRef(rows, ['g'], [[null, 'size', 'count']]), ['count', 'g'], [false, true]);
    expect(diffRows(counts, want)).toBeUndefined();
    const u = [...(await df.col('k').unique().compute(opts))];
    const firstSeen = [...new Set(rows.map((r) => r.k))];
    expect(u).toEqual(firstSeen);
  });
});
