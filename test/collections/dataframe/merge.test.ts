import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { collectionsToGraph } from '../../../src/core/compute.js';
import { diffRows, isMissing, random, rowsOf, sortRows, type Row, type Value } from './reference.js';

afterAll(async () => {
  await closePools();
});

type How = 'inner' | 'left' | 'right' | 'outer';

/** pandas merge as nested loops: missing keys match missing keys, unmatched sides filled with null. */
function mergeRef(left: readonly Row[], right: readonly Row[], on: readonly string[], how: How): Row[] {
  const keyOf = (r: Row): string => JSON.stringify(on.map((k) => (isMissing(r[k]!) ? null : r[k])));
  const lcols = Object.keys(left[0] ?? {}).filter((c) => !on.includes(c));
  const rcols = Object.keys(right[0] ?? {}).filter((c) => !on.includes(c));
  const name = (c: string, side: 'x' | 'y'): string =>
    (side === 'x' ? rcols : lcols).includes(c) ? `${c}_${side}` : c;
  const out: Row[] = [];
  const matched = new Set<number>();
  const make = (l: Row | undefined, r: Row | undefined): Row => {
    const row: Row = {};
    for (const k of on) row[k] = (l ?? r)![k]!;
    for (const c of lcols) row[name(c, 'x')] = l === undefined ? null : l[c]!;
    for (const c of rcols) row[name(c, 'y')] = r === undefined ? null : r[c]!;
    return row;
  };
  for (const l of left) {
    let any = false;
    right.forEach((r, j) => {
      if (keyOf(l) !== keyOf(r)) return;
      any = true;
      matched.add(j);
      out.push(make(l, r));
    });
    if (!any && (how === 'left' || how === 'outer')) out.push(make(l, undefined));
  }
  if (how === 'right' || how === 'outer') right.forEach((r, j) => matched.has(j) || out.push(make(undefined, r)));
  return out;
}

function sides(n: number, m: number, seed: number): { left: Row[]; right: Row[] } {
  const r = random(seed);
  const key = (): Value => (r() < 0.05 ? null : Math.floor(r() * 30));
  const left = Array.from({ length: n }, (_, i) => ({ k: key(), s: ['a', 'b', 'c'][i % 3]!, x: i }));
  const right = Array.from({ length: m }, (_, i) => ({ k: key(), s: ['b', 'c', 'd'][i % 3]!, y: i * 10 }));
  return { left, right };
}

const frame = (rows: readonly Row[], np: number): dd.DataFrame => dd.fromRecords(rows, { npartitions: np });
const all = ['k', 's', 'x', 'y', 's_x', 's_y'];

describe.each(SCHEDULERS)('merge on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const { left, right } = sides(120, 45, 2);

  test.each(['inner', 'left', 'right', 'outer'] as const)(
    '%s join by hash shuffle matches nested loops',
    async (how) => {
      const got = frame(left, 4).merge(frame(right, 3), { on: 'k', how, broadcast: false });
      expect(got.npartitions).toBe(4);
      const want = mergeRef(left, right, ['k'], how);
      expect(diffRows(sortRows(rowsOf(await got.compute(opts)), all), sortRows(want, all))).toBeUndefined();
    },
  );

  test.each(['inner', 'left', 'right'] as const)(
    '%s join broadcasting the small side matches nested loops',
    async (how) => {
      const small = how === 'right' ? frame(left, 1) : frame(right, 1);
      const big = how === 'right' ? frame(right, 4) : frame(left, 4);
      const got = how === 'right' ? small.merge(big, { on: 'k', how }) : big.merge(small, { on: 'k', how });
      const keys = [...collectionsToGraph([got]).graph.keys()];
      expect(keys.some((k) => k.includes('-split'))).toBe(false);
      const want = how === 'right' ? mergeRef(left, right, ['k'], how) : mergeRef(left, right, ['k'], how);
      expect(diffRows(sortRows(rowsOf(await got.compute(opts)), all), sortRows(want, all))).toBeUndefined();
    },
  );

  test('several keys, string keys, and an int key joined with a float key', async () => {
    const got = frame(left, 3).merge(frame(right, 2), { on: ['k', 's'], how: 'outer' });
    const cols = ['k', 's', 'x', 'y'];
    expect(
      diffRows(
        sortRows(rowsOf(await got.compute(opts)), cols),
        sortRows(mergeRef(left, right, ['k', 's'], 'outer'), cols),
      ),
    ).toBeUndefined();
    const a = dd.fromColumns({ id: Int32Array.from([1, 2, 3]), a: ['x', 'y', 'z'] }, { npartitions: 2 });
    const b = dd.fromColumns({ id: Float64Array.from([3, 1, 4]), b: [true, false, true] }, { npartitions: 2 });
    const t = rowsOf(await a.merge(b, { on: 'id', how: 'left', broadcast: false }).compute(opts));
    expect(sortRows(t, ['id'])).toEqual([
      { id: 1, a: 'x', b: false },
      { id: 2, a: 'y', b: null },
      { id: 3, a: 'z', b: true },
    ]);
  });

  test('empty sides and a key dtype mismatch', async () => {
    const l = frame(left, 2);
    const none = l.filter(l.col('x').lt(0));
    expect((await none.merge(frame(right, 2), { on: 'k', how: 'inner', broadcast: false }).compute(opts)).numRows).toBe(
      0,
    );
    const outer = rowsOf(await none.merge(frame(right, 2), { on: 'k', how: 'outer' }).compute(opts));
    expect(outer.length).toBe(right.length);
    expect(outer.every((r) => r.x === null)).toBe(true);
    expect(() => l.merge(frame(right, 1), { on: 's_missing' })).toThrow(dd.ColumnNotFoundError);
    const strKey = dd.fromColumns({ k: ['1', '2'] });
    expect(() => l.merge(strKey, { on: 'k' })).toThrow(/key 'k' is int32 on the left and string on the right/);
  });
});
