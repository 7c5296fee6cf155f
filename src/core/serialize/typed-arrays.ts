/*
 * Typed-array plumbing shared by the codecs and the two transports. A typed array is identified by
 * its `Symbol.toStringTag` ("Float64Array", ...), which, unlike `instanceof`, works for arrays made
 * in another realm (worker thread, vm context) and sees through subclasses such as Node's Buffer.
 * Bytes travel as Uint8Array views over the same memory; turning them back into a typed array
 * makes a view when the byte offset is a multiple of the element size (a Float64Array must start
 * on an 8-byte boundary) and copies into fresh, aligned memory only when it is not.
 */
import { SerializationError } from '../errors.js';

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export type TypedArrayKind =
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'Float32Array'
  | 'Float64Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;

const CONSTRUCTORS: Readonly<Record<TypedArrayKind, TypedArrayConstructor>> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** The kind of a typed array (realm-safe), or undefined for anything else, DataView included. */
export function typedArrayKind(value: unknown): TypedArrayKind | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const tag = (value as Uint8Array)[Symbol.toStringTag] as string | undefined;
  return tag !== undefined && Object.hasOwn(CONSTRUCTORS, tag) ? (tag as TypedArrayKind) : undefined;
}

/** True for a valid typed-array kind name (used to check headers received from elsewhere). */
export function isTypedArrayKind(name: unknown): name is TypedArrayKind {
  return typeof name === 'string' && Object.hasOwn(CONSTRUCTORS, name);
}

/** True for SharedArrayBuffers of any realm. */
export function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return Object.prototype.toString.call(value) === '[object SharedArrayBuffer]';
}

/** True for (non-shared) ArrayBuffers of any realm. */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** The bytes of any ArrayBufferView, as a Uint8Array over the same memory. */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** A typed array of `kind` over `bytes`: a view when aligned, else an aligned copy. */
export function viewAs(kind: TypedArrayKind, bytes: Uint8Array): TypedArray {
  const Ctor = CONSTRUCTORS[kind];
  const size = elementSize(kind);
  if (bytes.byteLength % size !== 0) {
    throw new SerializationError(`${bytes.byteLength} bytes cannot hold a whole number of ${kind} elements`);
  }
  const length = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer, bytes.byteOffset, length);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, length);
}

const SIZES: Readonly<Record<TypedArrayKind, number>> = {
  Int8Array: 1,
  Uint8Array: 1,
  Uint8ClampedArray: 1,
  Int16Array: 2,
  Uint16Array: 2,
  Int32Array: 4,
  Uint32Array: 4,
  Float32Array: 4,
  Float64Array: 8,
  BigInt64Array: 8,
  BigUint64Array: 8,
};

export function elementSize(kind: TypedArrayKind): number {
  return SIZES[kind];
}
