/*
 * Loop plans and loop nests shared by the elementwise and reduction kernels, and the cache of
 * compiled kernels (each new kernel is warmed up on small inputs laid out like the real ones, see
 * compileKernel).
 *
 * A plan describes one pass over an iteration shape (the broadcast shape of the inputs): for each
 * array taking part (the inputs, then the output) a base offset and one stride per dimension,
 * 0 where the array is broadcast along it (or, for a reduction's output, where the dimension is
 * reduced). `planLoops` simplifies it as NumPy's iterator does: dimensions of extent 1 are
 * dropped, and neighbours i, i+1 with the same reduced flag are merged when every array has
 * stride[i] == stride[i+1] * extent[i+1] (so same-shape contiguous inputs become one flat loop,
 * and a scalar-like input becomes stride 0 everywhere). The pattern string records, per array and
 * dimension, whether the stride is 0 (`z`), 1 (`u`) or anything else (`s`), and whether the base
 * is 0; it is the part of the cache key describing the layout. Extents, strides and bases are
 * passed at run time, so one compiled kernel serves every chunk with the same layout pattern.
 *
 * `emitLoopNest` writes nested `for` loops over all but the innermost dimension, in C order, with
 * per-array running offsets (`p<array>_<level>`) computed once per iteration of each level; the
 * caller writes the innermost loop, where unit-stride arrays are indexed as `a[p + j]` and
 * stride-0 arrays are read once before the loop.
 */
import { ValueError } from '../../../src/core/errors.js';
import { dtypeInfo, type DType, type NumericArray } from '../dtype.js';

export type StrideKind = 'z' | 'u' | 's';

export interface LoopPlan {
  /** Extent of each dimension after dropping and merging (at least one dimension). */
  readonly extents: readonly number[];
  readonly reduced: readonly boolean[];
  /** kinds[array][dim]. */
  readonly kinds: readonly (readonly StrideKind[])[];
  /** Whether each array's base offset is 0. */
  readonly zeroBase: readonly boolean[];
  /** Extents, then per array: base, strides (the run-time numbers the kernel reads). */
  readonly params: readonly number[];
  readonly pattern: string;
}

export interface LoopArray {
  /** One stride per dimension of the iteration shape (0 where broadcast or reduced). */
  readonly stride: readonly number[];
  readonly offset: number;
}

interface Dim {
  extent: number;
  reduced: boolean;
  strides: number[];
}

/** Drops extent-1 dimensions and merges contiguous neighbours, then encodes the pattern. */
export function planLoops(
  extents: readonly number[],
  reduced: readonly boolean[],
  arrays: readonly LoopArray[],
): LoopPlan {
  const dims: Dim[] = [];
  for (let d = 0; d < extents.length; d++) {
    const extent = extents[d]!;
    if (extent === 1) continue;
    const strides = arrays.map((a) => a.stride[d] ?? 0);
    const prev = dims[dims.length - 1];
    const red = reduced[d] === true;
    if (prev !== undefined && prev.reduced === red && prev.strides.every((s, k) => s === strides[k]! * extent)) {
      prev.extent *= extent;
      prev.strides = strides;
    } else {
      dims.push({ extent, reduced: red, strides });
    }
  }
  if (dims.length === 0) dims.push({ extent: 1, reduced: false, strides: arrays.map(() => 0) });
  const last = dims.length - 1;
  const kinds = arrays.map((_, k) =>
    dims.map((dim, d): StrideKind => {
      const s = dim.strides[k]!;
      return s === 0 || dim.extent === 1 ? 'z' : s === 1 && d === last ? 'u' : 's';
    }),
  );
  const zeroBase = arrays.map((a) => a.offset === 0);
  const params: number[] = dims.map((d) => d.extent);
  arrays.forEach((a, k) => {
    params.push(a.offset);
    for (const dim of dims) params.push(dim.strides[k]!);
  });
  const layout = kinds.map((ks, k) => `${ks.join('')}${zeroBase[k] === true ? '0' : 'b'}`);
  const pattern = `${dims.map((d) => (d.reduced ? 'R' : 'K')).join('')}|${layout.join('|')}`;
  return { extents: dims.map((d) => d.extent), reduced: dims.map((d) => d.reduced), kinds, zeroBase, params, pattern };
}

/** `base + pos`, leaving out a zero base. */
export function at(base: string, pos: string): string {
  return base === '' ? pos : `${base} + ${pos}`;
}

/**
 * Prologue reading the run-time numbers of `plan` from `P` into constants: `n<d>` extents,
 * `b<k>` bases (non-zero ones), `s<k>_<d>` strides (general ones only).
 */
export function emitParams(plan: LoopPlan): string[] {
  const nd = plan.extents.length;
  const lines = plan.extents.map((_, d) => `const n${d} = P[${d}];`);
  plan.kinds.forEach((ks, k) => {
    const start = nd + k * (nd + 1);
    if (plan.zeroBase[k] !== true) lines.push(`const b${k} = P[${start}];`);
    ks.forEach((kind, d) => {
      if (kind === 's') lines.push(`const s${k}_${d} = P[${start + 1 + d}];`);
    });
  });
  return lines;
}

/** Offset of array `k` along dimension `d` at loop index `i`: '' when the stride is 0. */
function step(plan: LoopPlan, k: number, d: number, i: string): string {
  const kind = plan.kinds[k]![d]!;
  return kind === 'z' ? '' : kind === 'u' ? i : `${i} * s${k}_${d}`;
}

/** Index expression of array `k` at innermost position `j`, given its running offset `base`. */
export function innerIndex(plan: LoopPlan, k: number, base: string, j: string): string {
  const last = plan.extents.length - 1;
  return at(base, step(plan, k, last, j));
}

/**
 * Nested loops over dimensions 0 .. levels-1 of `plan`, calling `body` with the running offset
 * expression of every array ('' means 0) and the loop variable names.
 */
export function emitLoopNest(plan: LoopPlan, levels: number, body: (offsets: string[]) => string[]): string[] {
  const offsets = plan.kinds.map((_, k) => (plan.zeroBase[k] === true ? '' : `b${k}`));
  const open: string[] = [];
  for (let d = 0; d < levels; d++) {
    const i = `i${d}`;
    open.push(`for (let ${i} = 0; ${i} < n${d}; ${i}++) {`);
    offsets.forEach((base, k) => {
      const s = step(plan, k, d, i);
      if (s === '') return;
      open.push(`const p${k}_${d} = ${at(base, s)};`);
      offsets[k] = `p${k}_${d}`;
    });
  }
  return [...open, ...body(offsets), ...new Array<string>(levels).fill('}')];
}

/** Small arrays laid out like `plan`'s arrays (see warmUp). */
export interface WarmUpLayout {
  readonly params: number[];
  /** Length each array needs (inputs, then the output). */
  readonly lengths: number[];
}

/**
 * Run-time numbers for a small iteration space with `plan`'s pattern: the innermost extent is
 * `inner`, the next one 5 (unrolled row blocks plus a remainder), the next 2 and any others 1,
 * so the warm-up stays small for any ndim; strides follow the pattern (0, 1, or C order over the
 * small extents), bases are 0 or 1 as in the pattern.
 */
export function warmUpLayout(plan: LoopPlan, inner: number): WarmUpLayout {
  const nd = plan.extents.length;
  const extents = plan.extents.map((_, d) => (d === nd - 1 ? inner : d === nd - 2 ? 5 : d === nd - 3 ? 2 : 1));
  const params: number[] = [...extents];
  const lengths = plan.kinds.map((ks, k) => {
    const strides = new Array<number>(nd).fill(0);
    let run = 1;
    for (let d = nd - 1; d >= 0; d--) {
      if (ks[d] === 'z') continue;
      strides[d] = ks[d] === 'u' ? 1 : run;
      run *= extents[d]!;
    }
    const base = plan.zeroBase[k] === true ? 0 : 1;
    params.push(base, ...strides);
    return base + strides.reduce((n, s, d) => n + s * (extents[d]! - 1), 0) + 1;
  });
  return { params, lengths };
}

/** A small input array of `dtype` with positive values (0/1 for bool) for warming a kernel. */
export function warmUpArray(dtype: DType, length: number): NumericArray {
  const a = new (dtypeInfo(dtype).ctor)(length);
  for (let i = 0; i < length; i++) a[i] = dtype === 'bool' ? i & 1 : (i % 5) + 1;
  return a;
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, unknown>();
let compileCount = 0;

/**
 * The kernel compiled from `source()` (a function body that returns the kernel function and may
 * use `ValueError`), compiled once per `key` per thread. A new kernel is first run by `warm` a few
 * times on small inputs so that V8 has type feedback for every loop (the prologue, remainder
 * loops, the code after the hot loop) before the first big chunk: a kernel first met with a huge
 * input is optimised mid-loop (OSR) without that feedback and was measured to stay ~2.5x slower.
 */
export function compileKernel<F>(key: string, source: () => string, warm?: (fn: F) => void): F {
  const hit = cache.get(key);
  if (hit !== undefined) return hit as F;
  const text = source();
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('ValueError', `"use strict";\n${text}`) as (e: typeof ValueError) => unknown;
  const fn = factory(ValueError);
  if (typeof fn !== 'function') throw new ValueError('internal error: generated kernel is not a function');
  if (warm !== undefined) {
    try {
      for (let i = 0; i < 3; i++) warm(fn as F);
    } catch {
      // a kernel that throws on the warm-up data (an integer pow with a negative exponent) just stays cold
    }
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(key, fn);
  compileCount++;
  return fn as F;
}

/** How many kernels this thread has compiled so far (for tests of the cache). */
export function kernelCompileCount(): number {
  return compileCount;
}
