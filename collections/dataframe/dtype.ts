/*
 * Column dtypes of a DataFrame and their Arrow types. A partition is an Arrow Table; its columns
 * have one of these dtypes:
 *   int8 int16 int32 uint8 uint16 uint32 float32 float64   numbers in a typed array (`values`)
 *   bool     Arrow Bool (bit-packed)
 *   string   Arrow Utf8, or Dictionary<Utf8, Int32> (the CSV reader dictionary-encodes strings)
 * 64-bit integers arrive (Arrow, Parquet) as BigInt64Array; they are turned into float64, which is
 * exact to 2^53, like the array collection does with int64 results. Every other Arrow type is
 * refused with a DTypeError naming the column.
 *
 * Buffers made by kernels live in SharedArrayBuffers, so a partition produced on one worker thread
 * is read by another without a copy.
 */
import {
  Bool,
  Dictionary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int8,
  Type,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { DTypeError } from './errors.js';

export type NumericDType = 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'float32' | 'float64';
export type DType = NumericDType | 'bool' | 'string';

export const DTYPES: readonly DType[] = [
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
  'bool',
  'string',
];

export type NumArray =
  Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

type NumCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => NumArray;

const CTORS: Readonly<Record<NumericDType, NumCtor & { BYTES_PER_ELEMENT: number }>> = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** One column's name and dtype; a frame's `meta` lists them in order. */
export interface ColumnMeta {
  readonly name: string;
  readonly dtype: DType;
}
export type Meta = readonly ColumnMeta[];

export function isNumeric(d: DType): d is NumericDType {
  return d !== 'bool' && d !== 'string';
}

export function isDType(d: unknown): d is DType {
  return typeof d === 'string' && (DTYPES as readonly string[]).includes(d);
}

/** A zero-filled typed array of `n` elements in shared memory. */
export function allocNumeric(dtype: NumericDType, n: number): NumArray {
  const C = CTORS[dtype];
  return new C(new SharedArrayBuffer(Math.max(1, n) * C.BYTES_PER_ELEMENT), 0, n);
}

export function allocBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
}

export function allocInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

export function allocFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}

/** The Arrow type a kernel writes for `dtype` (strings as plain Utf8). */
export function arrowTypeOf(dtype: DType): DataType {
  switch (dtype) {
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'uint8':
      return new Uint8();
    case 'uint16':
      return new Uint16();
    case 'uint32':
      return new Uint32();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'string':
      return new Utf8();
  }
}

/** The dictionary type used for dictionary-encoded strings. */
export function dictionaryType(): Dictionary<Utf8, Int32> {
  return new Dictionary(new Utf8(), new Int32());
}

/** The dtype of an Arrow type, or undefined when it is not one a DataFrame holds. */
export function dtypeOfArrow(type: DataType): DType | undefined {
  switch (type.typeId) {
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean };
      if (t.bitWidth === 64) return 'float64';
      const name = `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
      return isDType(name) ? name : undefined;
    }
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision;
      return precision === 2 ? 'float64' : precision === 1 ? 'float32' : undefined;
    }
    case Type.Bool:
      return 'bool';
    case Type.Utf8:
      return 'string';
    case Type.Dictionary: {
      const values = (type as unknown as { dictionary: DataType }).dictionary;
      return values.typeId === Type.Utf8 ? 'string' : undefined;
    }
    default:
      return undefined;
  }
}

/** An Arrow type's name, e.g. Dictionary<Int32, Utf8>. */
export function typeName(type: DataType): string {
  return (type as unknown as { toString(): string }).toString();
}

/** As dtypeOfArrow, throwing a DTypeError that names the column. */
export function requireDType(type: DataType, column: string): DType {
  const d = dtypeOfArrow(type);
  if (d === undefined)
    throw new DTypeError(
      `column '${column}' has Arrow type ${typeName(type)}, which a DataFrame does not hold (numbers, bool and strings only)`,
      column,
      typeName(type),
    );
  return d;
}

/** The dtype of arithmetic between two numeric dtypes (before division): the same dtype stays, mixed dtypes give float64. */
export function promote(a: NumericDType, b: NumericDType): NumericDType {
  if (a === b) return a === 'float32' ? 'float32' : a;
  return 'float64';
}
