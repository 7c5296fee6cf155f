/*
 * Codec for `ndarray` objects (the array chunks). An ndarray is a typed array `data` plus the
 * layout numbers `shape`, `stride` and `offset`; its class (View2dfloat64, ...) is generated per
 * dtype and dimension and is lost by structured clone. The header carries the layout and dtype, the
 * single buffer is `data` itself (the whole typed array, not only the elements the view reaches,
 * so offsets and strides stay valid), and decoding calls `ndarray(data, shape, stride, offset)`.
 * When `data` lives in a SharedArrayBuffer and travels to a thread, both sides see the same memory.
 *
 * Detection is duck-typed (realm-safe): a typed-array `data`, number arrays `shape` and `stride`
 * of equal length, a number `offset` and a string `dtype`. Arrays over plain JS arrays ("array" or
 * "generic" dtypes) are not handled here.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { SerializationError } from '../errors.js';
import type { Codec, JsonValue } from './codec-registry.js';
import { isTypedArrayKind, typedArrayKind, viewAs } from './typed-arrays.js';
import type { TypedArray } from './typed-arrays.js';

/** ndarray's typings accept 64-bit integer data only over a plain ArrayBuffer; the codec does not care. */
type NdData =
  Exclude<TypedArray, BigInt64Array | BigUint64Array> | BigInt64Array<ArrayBuffer> | BigUint64Array<ArrayBuffer>;
type TypedNdArray = NdArray<NdData>;

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

/** True for ndarray-package arrays over a typed array, from any realm. */
export function isTypedNdArray(value: unknown): value is TypedNdArray {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'data' | 'shape' | 'stride' | 'offset' | 'dtype', unknown>>;
  return (
    typeof v.offset === 'number' &&
    typeof v.dtype === 'string' &&
    typedArrayKind(v.data) !== undefined &&
    isNumberArray(v.shape) &&
    isNumberArray(v.stride) &&
    v.shape.length === v.stride.length
  );
}

export const ndarrayCodec: Codec<TypedNdArray> = {
  name: 'ndarray',
  canHandle: isTypedNdArray,
  encode(a) {
    const header: JsonValue = {
      kind: typedArrayKind(a.data) ?? 'Uint8Array',
      dtype: a.dtype,
      shape: [...a.shape],
      stride: [...a.stride],
      offset: a.offset,
    };
    return { header, buffers: [a.data] };
  },
  decode(header, buffers) {
    const h = header as Record<string, JsonValue> | null;
    const bytes = buffers[0];
    if (
      h === null ||
      typeof h !== 'object' ||
      !isTypedArrayKind(h.kind) ||
      !isNumberArray(h.shape) ||
      !isNumberArray(h.stride) ||
      typeof h.offset !== 'number' ||
      bytes === undefined
    ) {
      throw new SerializationError('received a malformed ndarray header');
    }
    return ndarray(viewAs(h.kind, bytes) as NdData, h.shape, h.stride, h.offset);
  },
};
