/*
 * Array dtypes: names as in NumPy, each backed by one TypedArray kind (bool is stored as uint8
 * 0/1). Type promotion follows NumPy 1.24's result_type for these kinds, with int64 (which we do
 * not have) replaced by float64: int32 with uint32 gives float64, as NumPy would give int64. A
 * JavaScript number operand follows NumPy's value-based casting: an integral number keeps an
 * integer or float array's dtype, a fractional one turns an integer or bool array into float64.
 */
import { ValueError } from '../../src/core/errors.js';
import { allocateShared } from '../../src/core/shared-memory.js';

export type DType = 'float64' | 'float32' | 'int32' | 'int16' | 'int8' | 'uint32' | 'uint16' | 'uint8' | 'bool';

export type NumericArray =
  Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

type Ctor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface DTypeInfo {
  readonly ctor: Ctor;
  readonly kind: 'f' | 'i' | 'u' | 'b';
  readonly bits: number;
}

const INFO: Record<DType, DTypeInfo> = {
  float64: { ctor: Float64Array, kind: 'f', bits: 64 },
  float32: { ctor: Float32Array, kind: 'f', bits: 32 },
  int32: { ctor: Int32Array, kind: 'i', bits: 32 },
  int16: { ctor: Int16Array, kind: 'i', bits: 16 },
  int8: { ctor: Int8Array, kind: 'i', bits: 8 },
  uint32: { ctor: Uint32Array, kind: 'u', bits: 32 },
  uint16: { ctor: Uint16Array, kind: 'u', bits: 16 },
  uint8: { ctor: Uint8Array, kind: 'u', bits: 8 },
  bool: { ctor: Uint8Array, kind: 'b', bits: 8 },
};

export const DTYPES: readonly DType[] = Object.keys(INFO) as DType[];

export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.hasOwn(INFO, name);
}

/** `name` as a DType, or a ValueError listing the ones that exist. */
export function checkDType(name: unknown): DType {
  if (isDType(name)) return name;
  throw new ValueError(`unknown dtype ${JSON.stringify(name)}; use one of ${DTYPES.join(', ')}`);
}

export function dtypeInfo(dtype: DType): DTypeInfo {
  return INFO[dtype];
}

export function itemsize(dtype: DType): number {
  return INFO[dtype].bits / 8;
}

export function isFloat(dtype: DType): boolean {
  return INFO[dtype].kind === 'f';
}

export function isInteger(dtype: DType): boolean {
  const k = INFO[dtype].kind;
  return k === 'i' || k === 'u';
}

/** The dtype of a typed array (a Uint8Array is uint8; say 'bool' explicitly where meant). */
export function dtypeOfArray(data: ArrayBufferView): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  throw new ValueError(
    `unsupported typed array ${data.constructor.name}; use Float64Array, Float32Array, Int32/16/8Array or Uint32/16/8Array`,
  );
}

/** A new zero-filled array of `length` elements in a SharedArrayBuffer (threads read it without a copy). */
export function allocate(dtype: DType, length: number): NumericArray {
  const { ctor, bits } = INFO[dtype];
  return new ctor(allocateShared(Math.max(0, length) * (bits / 8)), 0, length);
}

function signedFor(bits: number): DType {
  return bits <= 8 ? 'int8' : bits <= 16 ? 'int16' : bits <= 32 ? 'int32' : 'float64';
}

/** NumPy's result_type for two array dtypes. */
export function resultType(a: DType, b: DType): DType {
  if (a === b) return a;
  const x = INFO[a];
  const y = INFO[b];
  if (x.kind === 'b') return b;
  if (y.kind === 'b') return a;
  if (x.kind === 'f' || y.kind === 'f') {
    if (x.kind === 'f' && y.kind === 'f') return x.bits >= y.bits ? a : b;
    const [f, other] = x.kind === 'f' ? [x, y] : [y, x];
    // an integer needs a float with a wider mantissa: int8/16 fit float32, int32 needs float64
    if (f.bits === 64) return 'float64';
    return other.bits <= 16 ? 'float32' : 'float64';
  }
  if (x.kind === y.kind) return x.bits >= y.bits ? a : b;
  const [s, u] = x.kind === 'i' ? [x, y] : [y, x];
  if (s.bits > u.bits) return s === x ? a : b;
  return signedFor(u.bits * 2);
}

/** The dtype of `array op scalar` under NumPy's value-based casting. */
export function scalarResultType(array: DType, scalar: number | boolean): DType {
  if (typeof scalar === 'boolean') return array;
  const kind = INFO[array].kind;
  if (Number.isInteger(scalar)) return kind === 'b' ? 'int32' : array;
  return kind === 'f' ? array : 'float64';
}

/** dtype of true division (/): integers and bools divide to float64. */
export function divisionType(dtype: DType): DType {
  return isFloat(dtype) ? dtype : 'float64';
}
