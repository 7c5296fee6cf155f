/*
 * The moments of a numeric column's present values, for the partial step of Series reductions:
 * count, sum, mean, sum of squared deviations (m2) and the extremes, each computed only when the
 * reduction needs it (sum, mean and count need neither m2 nor the extremes). Missing rows (null
 * or NaN) are skipped, as pandas does.
 *
 * Fast paths, for columns without a validity bitmap (the common case):
 *   float64  the sum runs in four independent lanes with no NaN test (one dependent add chain
 *            per row is the bottleneck otherwise); a NaN anywhere makes the sum NaN, and only then
 *            is the column redone by the careful loop, which skips NaNs one by one.
 *   integers cannot hold NaN: the count is the length and no value is tested.
 * Everything else (a validity bitmap, float32) takes the careful loop.
 */
import { validAt, type Col } from './columns.js';

export interface Moments {
  n: number;
  sum: number;
  mean: number;
  m2: number;
  /** Infinity / -Infinity when not asked for or when no value is present. */
  min: number;
  max: number;
}

export interface MomentNeeds {
  readonly m2: boolean;
  readonly extremes: boolean;
}

function laneSum(v: ArrayLike<number>): number {
  const n = v.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += v[i]!;
    b += v[i + 1]!;
    c += v[i + 2]!;
    d += v[i + 3]!;
  }
  for (; i < n; i++) a += v[i]!;
  return a + b + (c + d);
}

function laneM2(v: ArrayLike<number>, mean: number): number {
  const n = v.length;
  let a = 0;
  let b = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const x = v[i]! - mean;
    const y = v[i + 1]! - mean;
    a += x * x;
    b += y * y;
  }
  for (; i < n; i++) a += (v[i]! - mean) * (v[i]! - mean);
  return a + b;
}

function extremes(v: ArrayLike<number>, out: Moments): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  out.min = min;
  out.max = max;
}

/** Every column: tests each row's validity and NaN. */
function careful(c: Col, v: ArrayLike<number>, needs: MomentNeeds): Moments {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const len = c.length;
  const masked = c.valid !== null;
  for (let i = 0; i < len; i++) {
    const x = v[i]!;
    if (x !== x || (masked && !validAt(c, i))) continue;
    n++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = n === 0 ? 0 : sum / n;
  let m2 = 0;
  if (needs.m2) {
    for (let i = 0; i < len; i++) {
      const x = v[i]!;
      if (x !== x || (masked && !validAt(c, i))) continue;
      m2 += (x - mean) * (x - mean);
    }
  }
  return { n, sum, mean, m2, min, max };
}

export function numericMoments(c: Col, v: ArrayLike<number>, needs: MomentNeeds): Moments {
  const noNaN =
    v instanceof Int32Array ||
    v instanceof Uint8Array ||
    v instanceof Int8Array ||
    v instanceof Int16Array ||
    v instanceof Uint16Array ||
    v instanceof Uint32Array;
  if (c.valid !== null || !(noNaN || v instanceof Float64Array)) return careful(c, v, needs);
  const sum = laneSum(v);
  if (sum !== sum) return careful(c, v, needs);
  const n = v.length;
  const mean = n === 0 ? 0 : sum / n;
  const out: Moments = { n, sum, mean, m2: 0, min: Infinity, max: -Infinity };
  if (needs.m2) out.m2 = laneM2(v, mean);
  if (needs.extremes) extremes(v, out);
  return out;
}
