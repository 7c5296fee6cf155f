/*
 * Join of two partitions (a hash join): the key columns of both sides are factorized together
 * (factorize.ts, missing keys equal to missing keys, as pandas merges them), the right rows are
 * bucketed by code (counting sort into CSR offsets), and each left row, in order, is paired with
 * its matching right rows in order. Left and outer joins keep unmatched left rows (right side
 * missing); right and outer joins then append the right rows nothing matched (left side missing).
 * The output is gathered in one pass per column; key columns take the left value, or the right one
 * where the left side is missing.
 */
import type { Data, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { tableOf } from './build.js';
import { columnOf } from './columns.js';
import { singleBatch } from './concat.js';
import { factorize } from './factorize.js';
import { takeCol, takeEither } from './take.js';

export type How = 'inner' | 'left' | 'right' | 'outer';

export interface MergeSpec {
  readonly on: readonly string[];
  readonly how: How;
  /** Non-key columns of each side and their output names. */
  readonly left: readonly (readonly [string, string])[];
  readonly right: readonly (readonly [string, string])[];
}

/** Pairs of matching rows (-1 for a missing side). */
export function joinIndices(
  lkeys: Parameters<typeof factorize>[0][number],
  rkeys: Parameters<typeof factorize>[0][number],
  how: How,
): { li: Int32Array; ri: Int32Array } {
  const f = factorize(
    lkeys.map((l, k) => [l, rkeys[k]!]),
    false,
  );
  const lc = f.codes[0]!;
  const rc = f.codes[1]!;
  const starts = new Int32Array(f.ngroups + 1);
  for (let r = 0; r < rc.length; r++) starts[rc[r]! + 1]!++;
  for (let g = 0; g < f.ngroups; g++) starts[g + 1]! += starts[g]!;
  const rows = new Int32Array(rc.length);
  const cursor = starts.slice(0, f.ngroups);
  for (let r = 0; r < rc.length; r++) rows[cursor[rc[r]!]!++] = r;
  let cap = Math.max(16, lc.length + (how === 'right' || how === 'outer' ? rc.length : 0));
  let li = new Int32Array(cap);
  let ri = new Int32Array(cap);
  let n = 0;
  const push = (a: number, b: number): void => {
    if (n === cap) {
      cap *= 2;
      const nl = new Int32Array(cap);
      nl.set(li);
      li = nl;
      const nr = new Int32Array(cap);
      nr.set(ri);
      ri = nr;
    }
    li[n] = a;
    ri[n++] = b;
  };
  const matched = how === 'right' || how === 'outer' ? new Uint8Array(rc.length) : null;
  for (let i = 0; i < lc.length; i++) {
    const g = lc[i]!;
    const s = starts[g]!;
    const e = starts[g + 1]!;
    if (s === e) {
      if (how === 'left' || how === 'outer') push(i, -1);
      continue;
    }
    for (let p = s; p < e; p++) {
      push(i, rows[p]!);
      if (matched !== null) matched[rows[p]!] = 1;
    }
  }
  if (matched !== null) for (let r = 0; r < rc.length; r++) if (matched[r] === 0) push(-1, r);
  return { li: li.subarray(0, n), ri: ri.subarray(0, n) };
}

export function mergePartitions(spec: MergeSpec, left: Table, right: Table): Table {
  const l = singleBatch(left);
  const r = singleBatch(right);
  const lk = spec.on.map((k) => columnOf(l, k));
  const rk = spec.on.map((k) => columnOf(r, k));
  const { li, ri } = joinIndices(lk, rk, spec.how);
  const names: string[] = [...spec.on];
  const data: Data[] = lk.map((c, k) => takeEither(c, li, rk[k]!, ri));
  const lnames = new Set(l.schema.fields.map((f) => f.name));
  const rnames = new Set(r.schema.fields.map((f) => f.name));
  for (const [c, out] of spec.left) {
    if (!lnames.has(c)) continue;
    names.push(out);
    data.push(takeCol(columnOf(l, c), li));
  }
  for (const [c, out] of spec.right) {
    if (!rnames.has(c)) continue;
    names.push(out);
    data.push(takeCol(columnOf(r, c), ri));
  }
  return tableOf(names, data, li.length);
}

registerModuleFunction(mergePartitions, import.meta.url, 'mergePartitions');
