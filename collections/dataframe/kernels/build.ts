/*
 * Building partitions: Arrow Data nodes and Tables over buffers kernels have filled (in shared
 * memory, see dtype.ts). `makeData` keeps the given typed arrays, it does not copy them.
 *
 * Builders for the outputs of gathers and parsers:
 *   BitmapBuilder   a validity bitmap, allocated only once a null is seen
 *   StringBuilder   Utf8 offsets + bytes, growing geometrically, copied once into shared memory
 */
import { Bool, Field, makeData, makeVector, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';
import type { Data } from 'apache-arrow';
import {
  allocBytes,
  allocInt32,
  arrowTypeOf,
  dictionaryType,
  type DType,
  type Meta,
  type NumArray,
  type NumericDType,
} from '../dtype.js';

export function numData(dtype: NumericDType, values: NumArray, valid: Uint8Array | null = null, nullCount = 0): Data {
  return makeData({
    type: arrowTypeOf(dtype) as never,
    length: values.length,
    nullCount: valid === null ? 0 : nullCount,
    nullBitmap: valid === null ? null : valid,
    data: values as never,
  });
}

export function boolData(bits: Uint8Array, length: number, valid: Uint8Array | null = null, nullCount = 0): Data {
  return makeData({
    type: new Bool(),
    length,
    nullCount: valid === null ? 0 : nullCount,
    nullBitmap: valid === null ? null : valid,
    data: bits,
  });
}

export function utf8Data(offsets: Int32Array, bytes: Uint8Array, valid: Uint8Array | null = null, nullCount = 0): Data {
  return makeData({
    type: new Utf8(),
    length: offsets.length - 1,
    nullCount: valid === null ? 0 : nullCount,
    nullBitmap: valid === null ? null : valid,
    valueOffsets: offsets,
    data: bytes,
  });
}

/** Dictionary<Utf8, Int32> over a dictionary of strings (offsets + bytes). */
export function dictData(
  codes: Int32Array,
  dictOffsets: Int32Array,
  dictBytes: Uint8Array,
  valid: Uint8Array | null = null,
  nullCount = 0,
): Data {
  const dictionary = makeVector(utf8Data(dictOffsets, dictBytes));
  return makeData({
    type: dictionaryType() as never,
    length: codes.length,
    nullCount: valid === null ? 0 : nullCount,
    nullBitmap: valid === null ? null : valid,
    data: codes,
    dictionary,
  } as never);
}

/** A one-batch Table of the given columns (all of the same length). */
export function tableOf(names: readonly string[], columns: readonly Data[], length?: number): Table {
  const fields = columns.map((c, i) => new Field(names[i]!, c.type, true));
  const schema = new Schema(fields);
  const n = length ?? columns[0]?.length ?? 0;
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children: columns as Data[] });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** An empty partition of the given meta. */
export function emptyTable(meta: Meta): Table {
  return tableOf(
    meta.map((c) => c.name),
    meta.map((c) => emptyData(c.dtype)),
    0,
  );
}

export function emptyData(dtype: DType): Data {
  if (dtype === 'string') return utf8Data(new Int32Array(1), new Uint8Array(0));
  if (dtype === 'bool') return boolData(new Uint8Array(0), 0);
  return makeData({ type: arrowTypeOf(dtype) as never, length: 0, nullCount: 0, data: new Uint8Array(0) as never });
}

/** A validity bitmap that exists only once the first null is set. */
export class BitmapBuilder {
  bits: Uint8Array | null = null;
  nulls = 0;
  constructor(private readonly length: number) {}
  setNull(i: number): void {
    if (this.bits === null) {
      this.bits = allocBytes((this.length + 7) >> 3);
      this.bits.fill(0xff);
    }
    this.bits[i >> 3]! &= ~(1 << (i & 7));
    this.nulls++;
  }
}

const encoder = new TextEncoder();

/** Utf8 strings appended one by one (bytes or JS strings). */
export class StringBuilder {
  private bytes = new Uint8Array(1024);
  private size = 0;
  readonly offsets: Int32Array;
  count = 0;
  constructor(capacity: number) {
    this.offsets = allocInt32(capacity + 1);
  }
  private reserve(extra: number): void {
    if (this.size + extra <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.size + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.size));
    this.bytes = next;
  }
  appendBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    this.bytes.set(src.subarray(start, end), this.size);
    this.size += n;
    this.offsets[++this.count] = this.size;
  }
  appendString(s: string): void {
    this.reserve(s.length * 3);
    const { written } = encoder.encodeInto(s, this.bytes.subarray(this.size));
    this.size += written;
    this.offsets[++this.count] = this.size;
  }
  /** An empty entry (for a null row). */
  appendEmpty(): void {
    this.offsets[++this.count] = this.size;
  }
  /** The offsets (exactly count + 1 of them) and the bytes, in shared memory. */
  finish(): { offsets: Int32Array; bytes: Uint8Array } {
    const bytes = allocBytes(this.size);
    bytes.set(this.bytes.subarray(0, this.size));
    return { offsets: this.offsets.subarray(0, this.count + 1), bytes };
  }
}
