/*
 * The later stages of a tree reduction. `combinePartials` merges the partials of neighbouring
 * blocks along the reduced axes (all with the same keepdims shape) slot by slot:
 *   sum: pairwise over the list; prod: product; min/max: Math.min/max (NaN propagates);
 *   any/all: or/and; argmin/argmax: the better value, NaN first, ties to the smaller global
 *   index (so the result does not depend on the order of the list);
 *   moment: Chan et al.'s parallel formula, pairwise over the list:
 *     n = na + nb, d = mean_b - mean_a, mean = mean_a + d nb / n, m2 = m2a + m2b + d^2 na nb / n
 *   (a partial with n = 0 is skipped).
 * `finalizePartial` turns a partial into the result chunk of spec.outDtype, keeping the keepdims
 * shape: the value (sum ... all), the index (argmin/argmax), or mean, var = m2 / (n - ddof) and
 * std = sqrt(var) (NaN when n - ddof <= 0, as NumPy). Values are stored into the output dtype as
 * typed arrays do (float → int truncates toward zero and wraps, NaN → 0), bool as x != 0.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { chunkOf, sizeOf, type Chunk } from '../chunk.js';
import { allocate, checkDType, dtypeOfArray, type DType, type NumericArray } from '../dtype.js';
import {
  checkReduceOp,
  isArgPartial,
  isMomentPartial,
  type ArgPartial,
  type FinalizeKind,
  type FinalizeSpec,
  type MomentPartial,
  type Partial,
  type ReduceOp,
  type ReduceSpec,
} from './reduce-partial.js';

/** `src` as a new array of `dtype` (shared memory), or `src` itself when it already is one. */
export function castArray(src: NumericArray, dtype: DType): NumericArray {
  const storage = dtype === 'bool' ? 'uint8' : dtype;
  if (dtypeOfArray(src) === storage && dtype !== 'bool') return src;
  const out = allocate(dtype, src.length);
  if (dtype === 'bool') {
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else {
    out.set(src);
  }
  return out;
}

/** A float64 copy of `src` in shared memory. */
function f64(src: ArrayLike<number>): Float64Array {
  const a = allocate('float64', src.length) as Float64Array;
  a.set(src);
  return a;
}

/** The elements of `c` in C order as one typed array (its own data when already laid out so). */
export function contiguousData(c: Chunk): NumericArray {
  const size = sizeOf(c.shape);
  let contiguous = c.offset === 0 && c.data.length === size;
  let s = 1;
  for (let d = c.shape.length - 1; d >= 0 && contiguous; d--) {
    if (c.shape[d]! !== 1 && c.stride[d] !== s) contiguous = false;
    s *= c.shape[d]!;
  }
  if (contiguous) return c.data;
  const ctor = c.data.constructor as new (n: number) => NumericArray;
  const out = new ctor(size);
  const idx = new Array<number>(c.shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let p = c.offset;
    for (let d = 0; d < idx.length; d++) p += idx[d]! * c.stride[d]!;
    out[i] = c.data[p]!;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < c.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((e, d) => e === b[d]);
}

function valueOf(p: Partial, op: ReduceOp): Chunk {
  if (typeof p !== 'object' || p === null || !('value' in p))
    throw new ValueError(`a ${op} partial must have a "value" chunk`);
  return p.value;
}

/** Merges the partials of neighbouring blocks along the reduced axes. */
export function combinePartials(spec: ReduceSpec, partials: Partial[]): Partial {
  const op = checkReduceOp(spec.op);
  if (!Array.isArray(partials) || partials.length === 0)
    throw new ValueError('combinePartials needs at least one partial');
  if (partials.length === 1) return partials[0]!;
  if (op === 'moment') return combineMoments(partials.map((p) => checkMoment(p)));
  const shape = valueOf(partials[0]!, op).shape;
  for (const p of partials) {
    const other = valueOf(p, op).shape;
    if (!sameShape(other, shape))
      throw new ValueError(
        `cannot combine ${op} partials of shapes ${JSON.stringify(shape)} and ${JSON.stringify(other)}`,
      );
  }
  if (op === 'argmin' || op === 'argmax')
    return combineArgs(
      op,
      partials.map((p) => checkArg(p)),
      shape,
    );
  const values = partials.map((p) => contiguousData(valueOf(p, op)));
  const acc = op === 'sum' ? sumPairwise(values, 0, values.length) : foldValues(op, values);
  const dtype = op === 'any' || op === 'all' ? 'bool' : dtypeOfArray(values[0]!);
  return { value: chunkOf(castArray(acc, dtype), shape) };
}

function sumPairwise(values: readonly NumericArray[], lo: number, hi: number): Float64Array {
  if (hi - lo === 1) return f64(values[lo]!);
  const mid = (lo + hi) >>> 1;
  const a = sumPairwise(values, lo, mid);
  const b = sumPairwise(values, mid, hi);
  for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  return a;
}

function foldValues(op: ReduceOp, values: readonly NumericArray[]): Float64Array {
  const acc = f64(values[0]!);
  for (let k = 1; k < values.length; k++) {
    const v = values[k]!;
    const n = acc.length;
    if (op === 'prod') for (let i = 0; i < n; i++) acc[i]! *= v[i]!;
    else if (op === 'min') for (let i = 0; i < n; i++) acc[i] = Math.min(acc[i]!, v[i]!);
    else if (op === 'max') for (let i = 0; i < n; i++) acc[i] = Math.max(acc[i]!, v[i]!);
    else if (op === 'any') for (let i = 0; i < n; i++) acc[i] = acc[i] !== 0 || v[i] !== 0 ? 1 : 0;
    else for (let i = 0; i < n; i++) acc[i] = acc[i] !== 0 && v[i] !== 0 ? 1 : 0;
  }
  return acc;
}

function checkArg(p: Partial): ArgPartial {
  if (typeof p !== 'object' || p === null || !isArgPartial(p))
    throw new ValueError('an argmin/argmax partial must have "value" and "index" chunks');
  return p;
}

function combineArgs(op: 'argmin' | 'argmax', partials: readonly ArgPartial[], shape: number[]): ArgPartial {
  const value = f64(contiguousData(partials[0]!.value));
  const index = f64(contiguousData(partials[0]!.index));
  const sign = op === 'argmin' ? 1 : -1;
  for (let k = 1; k < partials.length; k++) {
    const v = contiguousData(partials[k]!.value);
    const x = contiguousData(partials[k]!.index);
    for (let i = 0; i < value.length; i++) {
      const a = value[i]!;
      const b = v[i]!;
      const aNaN = a !== a;
      const bNaN = b !== b;
      let take: boolean;
      if (aNaN || bNaN) take = bNaN && (!aNaN || x[i]! < index[i]!);
      else take = sign * b < sign * a || (b === a && x[i]! < index[i]!);
      if (take) {
        value[i] = b;
        index[i] = x[i]!;
      }
    }
  }
  const dtype = dtypeOfArray(partials[0]!.value.data);
  return { value: chunkOf(castArray(value, dtype), shape), index: chunkOf(index, shape) };
}

function checkMoment(p: Partial): MomentPartial {
  if (typeof p !== 'object' || p === null || !isMomentPartial(p) || typeof p.n !== 'number') {
    throw new ValueError('a moment partial must have a number "n" and a "mean" chunk');
  }
  return p;
}

interface Moments {
  n: number;
  mean: Float64Array;
  m2: Float64Array | undefined;
}

function combineMoments(partials: readonly MomentPartial[]): MomentPartial {
  const shape = partials[0]!.mean.shape;
  for (const p of partials) {
    if (!sameShape(p.mean.shape, shape)) {
      throw new ValueError(
        `cannot combine moment partials of shapes ${JSON.stringify(shape)} and ${JSON.stringify(p.mean.shape)}`,
      );
    }
  }
  const withM2 = partials.every((p) => p.m2 !== undefined);
  const items: Moments[] = partials.map((p) => ({
    n: p.n,
    mean: f64(contiguousData(p.mean)),
    m2: withM2 && p.m2 !== undefined ? f64(contiguousData(p.m2)) : undefined,
  }));
  const r = chanPairwise(items, 0, items.length);
  if (r.m2 === undefined) return { n: r.n, mean: chunkOf(r.mean, shape) };
  return { n: r.n, mean: chunkOf(r.mean, shape), m2: chunkOf(r.m2, shape) };
}

function chanPairwise(items: readonly Moments[], lo: number, hi: number): Moments {
  if (hi - lo === 1) return items[lo]!;
  const mid = (lo + hi) >>> 1;
  const a = chanPairwise(items, lo, mid);
  const b = chanPairwise(items, mid, hi);
  if (b.n === 0) return a;
  if (a.n === 0) return b;
  const n = a.n + b.n;
  const wb = b.n / n;
  const wab = (a.n * b.n) / n;
  for (let i = 0; i < a.mean.length; i++) {
    const d = b.mean[i]! - a.mean[i]!;
    a.mean[i]! += d * wb;
    if (a.m2 !== undefined && b.m2 !== undefined) a.m2[i] = a.m2[i]! + b.m2[i]! + d * d * wab;
  }
  return { n, mean: a.mean, m2: a.m2 };
}

const DEFAULT_KIND: Readonly<Record<ReduceOp, FinalizeKind>> = {
  sum: 'sum',
  prod: 'prod',
  min: 'min',
  max: 'max',
  any: 'any',
  all: 'all',
  argmin: 'argmin',
  argmax: 'argmax',
  moment: 'mean',
};

/** The result chunk (keepdims shape, spec.outDtype) of a fully combined partial. */
export function finalizePartial(spec: FinalizeSpec, partial: Partial): Chunk {
  const op = checkReduceOp(spec.op);
  const kind: FinalizeKind = spec.kind ?? DEFAULT_KIND[op];
  const outDtype = checkDType(spec.outDtype);
  if (kind === 'mean' || kind === 'var' || kind === 'std') {
    if (op !== 'moment') throw new ValueError(`finalizing "${kind}" needs a moment partial, not ${op}`);
    return finalizeMoment(kind, checkMoment(partial), spec.ddof ?? 0, outDtype);
  }
  if (kind === 'argmin' || kind === 'argmax') {
    if (op !== kind) throw new ValueError(`finalizing "${kind}" needs an ${kind} partial, not ${op}`);
    const p = checkArg(partial);
    return chunkOf(castArray(contiguousData(p.index), outDtype), p.index.shape);
  }
  if (kind !== op) throw new ValueError(`finalizing "${kind}" needs a ${kind} partial, not ${op}`);
  const value = valueOf(partial, op);
  return chunkOf(castArray(contiguousData(value), outDtype), value.shape);
}

function finalizeMoment(kind: 'mean' | 'var' | 'std', p: MomentPartial, ddof: number, outDtype: DType): Chunk {
  if (typeof ddof !== 'number' || !Number.isFinite(ddof))
    throw new ValueError(`ddof must be a finite number, got ${String(ddof)}`);
  const mean = contiguousData(p.mean);
  const out = allocate('float64', mean.length);
  if (kind === 'mean') {
    for (let i = 0; i < out.length; i++) out[i] = p.n === 0 ? NaN : mean[i]!;
  } else {
    if (p.m2 === undefined)
      throw new ValueError(`finalizing "${kind}" needs m2: reduce with order 2 (the default), not order 1`);
    const m2 = contiguousData(p.m2);
    const dof = p.n - ddof;
    for (let i = 0; i < out.length; i++) {
      const v = dof > 0 ? Math.max(m2[i]!, 0) / dof : NaN;
      out[i] = kind === 'std' ? Math.sqrt(v) : v;
    }
  }
  return chunkOf(castArray(out, outDtype), p.mean.shape);
}

registerModuleFunction(combinePartials, import.meta.url, 'combinePartials');
registerModuleFunction(finalizePartial, import.meta.url, 'finalizePartial');
