/*
 * The inner loops of the group-by, kept monomorphic so V8 compiles each for exactly one typed
 * array kind: values are always a Float64Array (other dtypes are copied into one first, once per
 * column), codes an Int32Array, validity a byte per row (or none). A loop that met Int32Array,
 * Uint8Array and Float64Array values at one site would run several times slower.
 */
import { allocFloat64, allocInt32 } from '../dtype.js';
import { boolAt, validAt, type Col } from './columns.js';

/** The column's values as float64 (no copy for a float64 column); strings are not numbers. */
export function asFloat64(c: Col): Float64Array {
  if (c.kind === 'num' && c.values instanceof Float64Array) return c.values;
  const out = new Float64Array(c.length);
  if (c.kind === 'num') for (let i = 0; i < c.length; i++) out[i] = c.values[i]!;
  else if (c.kind === 'bool') for (let i = 0; i < c.length; i++) out[i] = boolAt(c, i) ? 1 : 0;
  else throw new Error('a string column has no numeric values');
  return out;
}

/** 1 per present row, or null when every row is present. */
export function validMask(c: Col): Uint8Array | null {
  if (c.valid === null) return null;
  const m = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) m[i] = validAt(c, i) ? 1 : 0;
  return m;
}

/** Dense codes key - min for an int32 key without nulls, when the range is at most `limit`. */
export function denseInt32Codes(
  keys: Int32Array,
  limit: number,
): { codes: Int32Array; min: number; range: number } | undefined {
  const n = keys.length;
  let min = 2147483647;
  let max = -2147483648;
  for (let i = 0; i < n; i++) {
    const x = keys[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0 || max - min >= limit) return undefined;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = keys[i]! - min;
  return { codes, min, range: max - min + 1 };
}

/** Rows per group. */
export function countCodes(codes: Int32Array, ng: number): Float64Array {
  const size = allocFloat64(ng);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    if (g >= 0) size[g]!++;
  }
  return size;
}

/** Per group, the sum and the count of the present, non-NaN values. */
export function sumCount(
  codes: Int32Array,
  v: Float64Array,
  mask: Uint8Array | null,
  ng: number,
): [Float64Array, Float64Array] {
  const sum = allocFloat64(ng);
  const cnt = allocFloat64(ng);
  const n = codes.length;
  if (mask === null) {
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      const x = v[i]!;
      if (g < 0 || x !== x) continue;
      sum[g]! += x;
      cnt[g]!++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      const x = v[i]!;
      if (g < 0 || x !== x || mask[i] === 0) continue;
      sum[g]! += x;
      cnt[g]!++;
    }
  }
  return [sum, cnt];
}

/** Per group, the sum of every row's value, NaN included (state columns: sums, counts, sizes). */
export function addRows(codes: Int32Array, v: Float64Array, ng: number): Float64Array {
  const sum = allocFloat64(ng);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    if (g >= 0) sum[g]! += v[i]!;
  }
  return sum;
}

/** Per group, the sum of squared deviations from `mean[g]` of the present, non-NaN values. */
export function squaredDeviations(
  codes: Int32Array,
  v: Float64Array,
  mask: Uint8Array | null,
  mean: Float64Array,
): Float64Array {
  const m2 = allocFloat64(mean.length);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const x = v[i]!;
    if (g < 0 || x !== x || (mask !== null && mask[i] === 0)) continue;
    const d = x - mean[g]!;
    m2[g]! += d * d;
  }
  return m2;
}

/**
 * Per group, the first row holding its smallest (or largest) present, non-NaN value, or -1. The
 * group's best value so far is kept beside its row, so each row compares with a value in a small
 * array rather than reading the best row's value back from the column.
 */
export function extremeRows(
  codes: Int32Array,
  v: Float64Array,
  mask: Uint8Array | null,
  ng: number,
  wantMin: boolean,
): Int32Array {
  const rows = allocInt32(ng).fill(-1);
  const best = new Float64Array(ng);
  const sign = wantMin ? 1 : -1;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const x = v[i]! * sign;
    if (g < 0 || x !== x || (mask !== null && mask[i] === 0)) continue;
    if (rows[g] === -1 || x < best[g]!) {
      rows[g] = i;
      best[g] = x;
    }
  }
  return rows;
}

/** Per group, the count of present rows of a column (any dtype). */
export function countPresent(codes: Int32Array, mask: Uint8Array | null, ng: number): Float64Array {
  if (mask === null) return countCodes(codes, ng);
  const cnt = allocFloat64(ng);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    if (g >= 0 && mask[i] === 1) cnt[g]!++;
  }
  return cnt;
}
