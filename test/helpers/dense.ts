// A plain-loop dense reference with NumPy semantics, to check dask-ts arrays against. Values are
// kept as number[] in C order; every function is a straightforward loop over indices.
import type ndarray from 'ndarray';

export interface Dense {
  readonly shape: number[];
  readonly data: number[];
}

export function dense(shape: number[], fill: (i: number) => number): Dense {
  const size = shape.reduce((p, d) => p * d, 1);
  return { shape, data: Array.from({ length: size }, (_, i) => fill(i)) };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const st = strides(shape);
  return shape.map((_, d) => Math.floor(flat / st[d]!) % shape[d]!);
}

export function at(a: Dense, idx: readonly number[]): number {
  const st = strides(a.shape);
  return a.data[idx.reduce((s, v, d) => s + v * st[d]!, 0)]!;
}

/** NumPy broadcasting of f over a and b. */
export function broadcast2(a: Dense, b: Dense, f: (x: number, y: number) => number): Dense {
  const ndim = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]): number[] => [...new Array<number>(ndim - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => Math.max(d, sb[i]!));
  return dense(shape, (flat) => {
    const idx = unravel(flat, shape);
    const ia = idx.map((v, d) => (sa[d] === 1 ? 0 : v)).slice(ndim - a.shape.length);
    const ib = idx.map((v, d) => (sb[d] === 1 ? 0 : v)).slice(ndim - b.shape.length);
    return f(at(a, ia), at(b, ib));
  });
}

/** Reduces `axes` of a with f over the list of values (keepdims optional). */
export function reduceAxes(
  a: Dense,
  axes: readonly number[],
  f: (values: number[]) => number,
  keepdims = false,
): Dense {
  const outShapeKeep = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const stKeep = strides(outShapeKeep);
  a.data.forEach((v, flat) => {
    const idx = unravel(flat, a.shape);
    const o = idx.reduce((s, x, d) => s + (axes.includes(d) ? 0 : x * stKeep[d]!), 0);
    const g = groups.get(o);
    if (g === undefined) groups.set(o, [v]);
    else g.push(v);
  });
  const size = outShapeKeep.reduce((p, d) => p * d, 1);
  const data = Array.from({ length: size }, (_, i) => f(groups.get(i) ?? []));
  return { shape: keepdims ? outShapeKeep : a.shape.filter((_, i) => !axes.includes(i)), data };
}

export const sum = (v: number[]): number => v.reduce((s, x) => s + x, 0);
export const mean = (v: number[]): number => sum(v) / v.length;
export const variance = (v: number[], ddof = 0): number => {
  const m = mean(v);
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - ddof);
};

export function transposeDense(a: Dense, axes?: number[]): Dense {
  const perm = axes ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const shape = perm.map((p) => a.shape[p]!);
  return dense(shape, (flat) => {
    const idx = unravel(flat, shape);
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, i) => (src[p] = idx[i]!));
    return at(a, src);
  });
}

export function matmulDense(a: Dense, b: Dense): Dense {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  return dense([m, n], (flat) => {
    const i = Math.floor(flat / n);
    const j = flat % n;
    let s = 0;
    for (let q = 0; q < k; q++) s += a.data[i * k + q]! * b.data[q * n + j]!;
    return s;
  });
}

/** The computed ndarray (or number) as a Dense, for comparison. */
export function fromResult(r: ndarray.NdArray | number): Dense {
  if (typeof r === 'number') return { shape: [], data: [r] };
  return { shape: [...r.shape], data: Array.from(r.data as ArrayLike<number>).slice(0, r.size) };
}

/** Same shape and values within a relative tolerance (NaN equals NaN). */
export function closeTo(actual: Dense, expected: Dense, rtol = 1e-12): string | undefined {
  if (actual.shape.join() !== expected.shape.join())
    return `shape (${actual.shape.join(',')}) != (${expected.shape.join(',')})`;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (Math.abs(a - e) > rtol * Math.max(1, Math.abs(e))) return `at ${i}: ${a} != ${e}`;
  }
  return undefined;
}
