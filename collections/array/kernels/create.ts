/*
 * Chunks made from nothing: full (zeros / ones / full), arange and linspace, each producing the
 * elements of one block so that the assembled array equals NumPy's to the last bit.
 *
 * arange: NumPy fills the first two elements (start and start + step, rounded to the dtype) and
 * then every later one as `first + i·delta` with delta = second − first (its `fill` function), so
 * values never accumulate error and the chunks of a split arange agree with the whole. Element i
 * of this chunk is element `offset + i` of that sequence; float32 repeats the arithmetic in single
 * precision (Math.fround), and integer dtypes do it on the truncated first two values (so
 * np.arange(0, 5, 0.5, dtype=int32) is all zeros, as in NumPy; bool maps each value to ≠ 0). The number of elements is the graph side's (NumPy: ceil((stop − start) / step)).
 *
 * linspace (NumPy 1.24's formula): div = endpoint ? num − 1 : num, step = (stop − start) / div,
 * value_i = i·step + start, but (i / div)·(stop − start) + start when step underflows to 0, and
 * i·(stop − start) + start when div = 0 (num = 1 with endpoint). With endpoint and num > 1 the
 * last element is exactly `stop`. The float64 value is then cast to the dtype (fround, truncation
 * toward zero for integers, ≠ 0 for bool).
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { type Chunk, chunkOf, newChunk } from '../chunk.js';
import { type DType, type NumericArray, allocate, isFloat } from '../dtype.js';

export interface FullSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly value: number;
}

/** A chunk of `shape` filled with `value` (cast to dtype: truncated for integers, value ≠ 0 for bool). */
export function fullChunk(spec: FullSpec): Chunk {
  const out = newChunk(spec.dtype, spec.shape);
  const v = spec.dtype === 'bool' ? (spec.value !== 0 ? 1 : 0) : spec.value;
  if (!Object.is(v, 0)) out.data.fill(v);
  return out;
}

export interface ArangeSpec {
  readonly start: number;
  readonly step: number;
  readonly count: number;
  readonly dtype: DType;
  /** Index of this chunk's first element in the whole arange (default 0). */
  readonly offset?: number;
}

/** Elements offset … offset + count − 1 of np.arange(start, ·, step, dtype). */
export function arangeChunk(spec: ArangeSpec): Chunk {
  const { start, step, count, dtype } = spec;
  const offset = spec.offset ?? 0;
  checkCount(count, 'arangeChunk');
  const data = allocate(dtype, count);
  if (dtype === 'float64') fillArange64(data as Float64Array, start, step, offset, count);
  else if (dtype === 'float32') fillArange32(data as Float32Array, start, step, offset, count);
  else fillArangeInteger(data, dtype === 'bool', start, step, offset, count);
  return chunkOf(data, [count]);
}

function fillArange64(out: Float64Array, start: number, step: number, offset: number, count: number): void {
  const second = start + step;
  const delta = second - start;
  for (let i = 0; i < count; i++) {
    const g = offset + i;
    out[i] = g === 0 ? start : g === 1 ? second : start + g * delta;
  }
}

function fillArange32(out: Float32Array, start: number, step: number, offset: number, count: number): void {
  const first = Math.fround(start);
  const second = Math.fround(start + step);
  const delta = Math.fround(second - first);
  for (let i = 0; i < count; i++) {
    const g = offset + i;
    out[i] = g === 0 ? first : g === 1 ? second : first + Math.fround(g * delta);
  }
}

/** NumPy's integer fill: first = int(start), second = int(start + step), then first + g·(second − first). */
function fillArangeInteger(
  out: NumericArray,
  bool: boolean,
  start: number,
  step: number,
  offset: number,
  count: number,
): void {
  const first = Math.trunc(start);
  const second = Math.trunc(start + step);
  const delta = second - first;
  for (let i = 0; i < count; i++) {
    const g = offset + i;
    const v = g === 0 ? first : g === 1 ? second : first + g * delta;
    out[i] = bool ? (v !== 0 ? 1 : 0) : v;
  }
}

export interface LinspaceSpec {
  readonly start: number;
  readonly stop: number;
  readonly num: number;
  /** Index of this chunk's first element in the whole linspace. */
  readonly offset: number;
  readonly count: number;
  readonly endpoint: boolean;
  readonly dtype: DType;
}

/** Elements offset … offset + count − 1 of np.linspace(start, stop, num, endpoint, dtype). */
export function linspaceChunk(spec: LinspaceSpec): Chunk {
  const { start, stop, num, offset, count, endpoint, dtype } = spec;
  checkCount(count, 'linspaceChunk');
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`Number of samples, ${num}, must be non-negative.`);
  if (!Number.isInteger(offset) || offset < 0 || offset + count > num) {
    throw new ValueError(`linspaceChunk: elements ${offset}…${offset + count - 1} are outside a linspace of ${num}`);
  }
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  const step = delta / div;
  const last = endpoint && num > 1 ? num - 1 : -1;
  const value =
    div === 0
      ? (g: number): number => g * delta + start
      : step === 0
        ? (g: number): number => (g / div) * delta + start
        : (g: number): number => g * step + start;
  const data = allocate(dtype, count);
  if (dtype === 'float64' && div !== 0 && step !== 0) {
    const out = data as Float64Array;
    for (let i = 0; i < count; i++) out[i] = (offset + i) * step + start;
  } else {
    fillCast(data, dtype, (i) => value(offset + i), count);
  }
  if (last >= offset && last < offset + count) data[last - offset] = castValue(stop, dtype);
  return chunkOf(data, [count]);
}

/** data[i] = value(i) cast to dtype, for i < count (bool: ≠ 0; others: the typed array's store). */
function fillCast(data: NumericArray, dtype: DType, value: (i: number) => number, count: number): void {
  if (dtype === 'bool') {
    for (let i = 0; i < count; i++) data[i] = value(i) !== 0 ? 1 : 0;
  } else {
    for (let i = 0; i < count; i++) data[i] = value(i);
  }
}

function castValue(v: number, dtype: DType): number {
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  return isFloat(dtype) ? v : Math.trunc(v);
}

function checkCount(count: number, who: string): void {
  if (!Number.isInteger(count) || count < 0)
    throw new ValueError(`${who}: count must be a non-negative integer, got ${count}`);
}

/** NumPy's length of arange(start, stop, step): ceil((stop − start) / step), at least 0. */
export function arangeLength(start: number, stop: number, step: number): number {
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.ceil((stop - start) / step);
  if (!Number.isFinite(n)) throw new ValueError('arange: cannot compute length');
  return Math.max(0, n);
}

registerModuleFunction(fullChunk, import.meta.url, 'fullChunk');
registerModuleFunction(arangeChunk, import.meta.url, 'arangeChunk');
registerModuleFunction(linspaceChunk, import.meta.url, 'linspaceChunk');
