/*
 * The group-by fast path: one int32 key without missing values, aggregations among sum, count,
 * mean and size over numeric columns. Slots are indexed by key - base in a window of typed arrays;
 * one pass over each value column adds the row to its slot's sum and count (or, for a missing
 * value, to its missing count; size = count + missing), with no codes array and no hashing. The window starts around the first key and grows (doubling, re-based) when
 * a key falls outside it, so no min/max pass is needed first (window sizes stay powers of two); once it would exceed max(2n, 65536)
 * slots the caller falls back to the general path (factorize).
 */
import { allocFloat64 } from '../dtype.js';

export interface DenseSlots {
  base: number;
  size: Float64Array;
  sum: Float64Array;
  cnt: Float64Array;
}

function grow(s: DenseSlots, key: number, limit: number): boolean {
  const lo = Math.min(s.base, key);
  const hi = Math.max(s.base + s.size.length, key + 1);
  let len = s.size.length;
  while (len < hi - lo) len *= 2;
  if (len > limit) return false;
  const base = Math.max(lo - ((len - (hi - lo)) >> 1), -2147483648);
  const move = (a: Float64Array): Float64Array => {
    const b = new Float64Array(len);
    b.set(a, s.base - base);
    return b;
  };
  s.size = move(s.size);
  s.sum = move(s.sum);
  s.cnt = move(s.cnt);
  s.base = base;
  return true;
}

/**
 * Adds rows [from, n) to the slots while their keys fit the window; returns the first row that does
 * not (n when all did). The fast loop assumes no value is missing: it only adds to sum and cnt, and
 * a NaN that slipped in shows up afterwards as a NaN sum, upon which the column is redone with
 * the careful loop, which sends missing values (NaN, or mask 0) to `miss` instead. Testing every
 * value for NaN would cost the common case about 70% more.
 */
function addFast(keys: Int32Array, v: Float64Array, from: number, s: DenseSlots): number {
  const n = keys.length;
  const base = s.base;
  const sum = s.sum;
  const cnt = s.cnt;
  const w = sum.length;
  let i = from;
  // Eight rows per step (measured fastest): with a power-of-two window one test of the OR of
  // the eight slots bounds them all.
  for (; i + 7 < n; i += 8) {
    const j0 = keys[i]! - base;
    const j1 = keys[i + 1]! - base;
    const j2 = keys[i + 2]! - base;
    const j3 = keys[i + 3]! - base;
    const j4 = keys[i + 4]! - base;
    const j5 = keys[i + 5]! - base;
    const j6 = keys[i + 6]! - base;
    const j7 = keys[i + 7]! - base;
    if ((j0 | j1 | j2 | j3 | j4 | j5 | j6 | j7) >>> 0 >= w) break;
    sum[j0]! += v[i]!;
    cnt[j0]!++;
    sum[j1]! += v[i + 1]!;
    cnt[j1]!++;
    sum[j2]! += v[i + 2]!;
    cnt[j2]!++;
    sum[j3]! += v[i + 3]!;
    cnt[j3]!++;
    sum[j4]! += v[i + 4]!;
    cnt[j4]!++;
    sum[j5]! += v[i + 5]!;
    cnt[j5]!++;
    sum[j6]! += v[i + 6]!;
    cnt[j6]!++;
    sum[j7]! += v[i + 7]!;
    cnt[j7]!++;
  }
  for (; i < n; i++) {
    const j = keys[i]! - base;
    if (j >>> 0 >= w) return i;
    sum[j]! += v[i]!;
    cnt[j]!++;
  }
  return n;
}

function addCareful(keys: Int32Array, v: Float64Array, mask: Uint8Array | null, from: number, s: DenseSlots): number {
  const n = keys.length;
  const base = s.base;
  const sum = s.sum;
  const cnt = s.cnt;
  const miss = s.size;
  const w = sum.length;
  for (let i = from; i < n; i++) {
    const j = keys[i]! - base;
    if (j >>> 0 >= w) return i;
    const x = v[i]!;
    if (x !== x || (mask !== null && mask[i] === 0)) miss[j]!++;
    else {
      sum[j]! += x;
      cnt[j]!++;
    }
  }
  return n;
}

function run(
  keys: Int32Array,
  v: Float64Array,
  mask: Uint8Array | null,
  careful: boolean,
  limit: number,
  base: number,
  width: number,
): DenseSlots | undefined {
  const n = keys.length;
  const s: DenseSlots = {
    base,
    size: new Float64Array(width),
    sum: new Float64Array(width),
    cnt: new Float64Array(width),
  };
  const add = (from: number): number => (careful ? addCareful(keys, v, mask, from, s) : addFast(keys, v, from, s));
  for (let i = add(0); i < n; i = add(i)) if (!grow(s, keys[i]!, limit)) return undefined;
  return s;
}

/**
 * Sizes, sums and counts of `v` per key slot; `slots` from an earlier column fixes the window (its
 * sizes are kept). Returns undefined when the keys span too many slots.
 */
export function denseSumCount(
  keys: Int32Array,
  v: Float64Array,
  mask: Uint8Array | null,
  limit: number,
  slots?: DenseSlots,
): DenseSlots | undefined {
  const base = slots === undefined ? (keys.length === 0 ? 0 : keys[0]! - 512) : slots.base;
  const width = slots === undefined ? 1024 : slots.size.length;
  if (mask === null) {
    const fast = run(keys, v, null, false, limit, base, width);
    if (fast === undefined) return undefined;
    if (!fast.sum.some((x) => x !== x)) {
      fast.size = slots === undefined ? fast.cnt.slice() : slots.size;
      return fast;
    }
  }
  const s = run(keys, v, mask, true, limit, base, width);
  if (s === undefined) return undefined;
  for (let j = 0; j < s.size.length; j++) s.size[j]! += s.cnt[j]!;
  if (slots !== undefined) s.size = slots.size;
  return s;
}

/** The slots with rows, and the given per-slot arrays compacted to them (shared memory). */
export function compactSlots(
  size: Float64Array,
  arrays: readonly Float64Array[],
): { present: Int32Array; arrays: Float64Array[] } {
  let n = 0;
  for (let j = 0; j < size.length; j++) if (size[j]! > 0) n++;
  const present = new Int32Array(n);
  for (let j = 0, p = 0; j < size.length; j++) if (size[j]! > 0) present[p++] = j;
  const out = arrays.map((a) => {
    const c = allocFloat64(n);
    for (let p = 0; p < n; p++) c[p] = a[present[p]!]!;
    return c;
  });
  return { present, arrays: out };
}
