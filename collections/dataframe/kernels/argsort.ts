/*
 * argsort: the stable order of a partition's rows by one or several columns, ascending or
 * descending each, missing values last (pandas' na_position='last').
 *
 * Every key column is first turned into a float64 sort key per row: numbers as they are, booleans
 * 0/1, strings as the rank of their string among the distinct strings (the distinct ones, usually
 * few, are sorted with a comparator; rows only look their rank up). Missing values become NaN and
 * descending keys are negated. Rows are then sorted by the last key, then stably by the one
 * before, ..., which orders them by all keys (LSD over columns).
 *
 * One key sort is an LSD radix sort on the key's 64 bits made order-preserving (flip every bit of
 * a negative number, only the sign bit of a positive one; NaN canonical, so it sorts last): passes
 * of 16-bit digits (8-bit below 65,536 rows, where 65,536 buckets would cost more than the rows),
 * each a histogram and a stable scatter, and a pass whose digit is the same for every row (small
 * integers leave the high ones alike) is skipped. Small inputs use a comparator sort instead.
 */
import { boolAt, stringAt, validAt, type Col, type StrCol } from './columns.js';
import { factorizeColumn, firstRows } from './factorize.js';

function stringRanks(c: StrCol): Float64Array {
  const f = factorizeColumn([c], true);
  const codes = f.codes[0]!;
  const first = firstRows(codes, f.ngroups);
  const strings = Array.from(first, (row) => stringAt(c, c.codes === null ? row : c.codes[row]!));
  const order = Array.from(strings.keys()).sort((a, b) =>
    strings[a]! < strings[b]! ? -1 : strings[a]! > strings[b]! ? 1 : 0,
  );
  const rank = new Float64Array(f.ngroups);
  order.forEach((g, r) => (rank[g] = r));
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = codes[i]! < 0 ? NaN : rank[codes[i]!]!;
  return out;
}

/** The float64 sort key of each row (NaN for missing), negated when descending. */
export function sortKeys(c: Col, ascending: boolean): Float64Array {
  let out: Float64Array;
  if (c.kind === 'str') out = stringRanks(c);
  else {
    out = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) {
      if (!validAt(c, i)) out[i] = NaN;
      else out[i] = c.kind === 'num' ? c.values[i]! : boolAt(c, i) ? 1 : 0;
    }
  }
  if (!ascending) for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
  return out;
}

function comparatorSort(keys: Float64Array, order: Int32Array): Int32Array {
  const idx = Array.from(order.keys());
  idx.sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (x !== x) return y !== y ? a - b : 1;
    if (y !== y) return -1;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return Int32Array.from(idx, (j) => order[j]!);
}

/** `order` re-sorted stably by keys[j] (keys given in the current order). */
function radixSort(keys: Float64Array, order: Int32Array): Int32Array {
  const n = keys.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let j = 0; j < n; j++) {
    const x = keys[j]!;
    f[0] = x !== x ? NaN : x === 0 ? 0 : x;
    const h = u[1]!;
    if (h >>> 31 === 1) {
      hi[j] = ~h >>> 0;
      lo[j] = ~u[0]! >>> 0;
    } else {
      hi[j] = (h | 0x80000000) >>> 0;
      lo[j] = u[0]!;
    }
  }
  let perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  let next = new Int32Array(n);
  const bits = n > 1 << 16 ? 16 : 8;
  const mask = (1 << bits) - 1;
  const count = new Int32Array(mask + 2);
  for (let pass = 0; pass < 64 / bits; pass++) {
    const src = pass < 32 / bits ? lo : hi;
    const shift = (pass * bits) % 32;
    count.fill(0);
    for (let j = 0; j < n; j++) count[((src[j]! >>> shift) & mask) + 1]!++;
    if (count.some((c) => c === n)) continue;
    for (let d = 1; d <= mask + 1; d++) count[d]! += count[d - 1]!;
    for (let j = 0; j < n; j++) {
      const p = perm[j]!;
      next[count[(src[p]! >>> shift) & mask]!++] = p;
    }
    const t = perm;
    perm = next;
    next = t;
  }
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = order[perm[j]!]!;
  return out;
}

/** `order` stably sorted by keys (keys indexed by row). */
export function sortBy(keys: Float64Array, order: Int32Array): Int32Array {
  const kk = new Float64Array(order.length);
  for (let j = 0; j < order.length; j++) kk[j] = keys[order[j]!]!;
  return order.length <= 256 ? comparatorSort(kk, order) : radixSort(kk, order);
}

/** Row order sorting by `cols` (first the most significant), each ascending or not. */
export function argsort(cols: readonly Col[], ascending: readonly boolean[], n: number): Int32Array {
  let order: Int32Array = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let k = cols.length - 1; k >= 0; k--) order = sortBy(sortKeys(cols[k]!, ascending[k] ?? true), order);
  return order;
}
