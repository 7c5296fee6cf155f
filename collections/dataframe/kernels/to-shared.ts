/*
 * Turning user data into partitions: arrays of numbers, booleans and strings into Arrow columns in
 * shared memory (strings dictionary-encoded), and foreign Arrow tables copied into shared memory
 * once (so no compute ever clones them to a worker) with 64-bit integers made float64. Every
 * column's dtype is checked here, so an unsupported type fails when the frame is made, naming the
 * column.
 */
import type { Data, DataType, Table } from 'apache-arrow';
import { DTypeError } from '../errors.js';
import {
  allocBytes,
  allocFloat64,
  allocInt32,
  allocNumeric,
  requireDType,
  type DType,
  type NumArray,
  type NumericDType,
} from '../dtype.js';
import { BitmapBuilder, boolData, dictData, numData, tableOf } from './build.js';
import { colOfData } from './columns.js';
import { concatCols } from './concat.js';
import { ByteInterner } from './hash-tables.js';

export type ColumnInput =
  | NumArray
  | readonly (number | null | undefined)[]
  | readonly (boolean | null | undefined)[]
  | readonly (string | null | undefined)[];

const TYPED: ReadonlyMap<string, NumericDType> = new Map<string, NumericDType>([
  ['Int8Array', 'int8'],
  ['Int16Array', 'int16'],
  ['Int32Array', 'int32'],
  ['Uint8Array', 'uint8'],
  ['Uint16Array', 'uint16'],
  ['Uint32Array', 'uint32'],
  ['Float32Array', 'float32'],
  ['Float64Array', 'float64'],
]);

/** The dtype of a JS array's values: bool, string, int32 (integers that fit) or float64. */
export function inferDType(values: readonly unknown[], column: string): DType {
  let kind: 'number' | 'boolean' | 'string' | undefined;
  let integral = true;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t !== 'number' && t !== 'boolean' && t !== 'string')
      throw new DTypeError(
        `column '${column}' holds a ${t} value; columns hold numbers, booleans or strings`,
        column,
        t,
      );
    if (kind !== undefined && kind !== t)
      throw new DTypeError(`column '${column}' mixes ${kind} and ${t} values`, column, `${kind}|${t}`);
    kind = t;
    if (t === 'number' && !(Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31))
      integral = false;
  }
  if (kind === 'boolean') return 'bool';
  if (kind === 'string') return 'string';
  return kind === 'number' && integral ? 'int32' : 'float64';
}

function fromTyped(values: NumArray): Data {
  const dtype = TYPED.get(Object.prototype.toString.call(values).slice(8, -1))!;
  if (values.buffer instanceof SharedArrayBuffer) return numData(dtype, values);
  const copy = allocNumeric(dtype, values.length);
  (copy as Float64Array).set(values);
  return numData(dtype, copy);
}

function fromStrings(values: readonly unknown[]): Data {
  const n = values.length;
  const interner = new ByteInterner(256);
  const codes = allocInt32(n);
  const nulls = new BitmapBuilder(n);
  const enc = new TextEncoder();
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls.setNull(i);
      continue;
    }
    let c = seen.get(v as string);
    if (c === undefined) {
      const b = enc.encode(v as string);
      c = interner.intern(b, 0, b.length);
      seen.set(v as string, c);
    }
    codes[i] = c;
  }
  const dict = interner.finish();
  return dictData(codes, dict.offsets, dict.bytes, nulls.bits, nulls.nulls);
}

/** One column from a typed array or a JS array (dtype inferred unless given). */
export function columnData(values: ColumnInput, column: string, dtype?: DType): Data {
  if (ArrayBuffer.isView(values)) return fromTyped(values);
  const arr = values as readonly unknown[];
  const d = dtype ?? inferDType(arr, column);
  const n = arr.length;
  const nulls = new BitmapBuilder(n);
  if (d === 'string') return fromStrings(arr);
  if (d === 'bool') {
    const bits = allocBytes((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      const v = arr[i];
      if (v === null || v === undefined) nulls.setNull(i);
      else if (v === true) bits[i >> 3]! |= 1 << (i & 7);
    }
    return boolData(bits, n, nulls.bits, nulls.nulls);
  }
  const out = d === 'int32' ? allocInt32(n) : d === 'float64' ? allocFloat64(n) : allocNumeric(d, n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (v === null || v === undefined) nulls.setNull(i);
    else if (typeof v !== 'number')
      throw new DTypeError(`column '${column}' (${d}) holds a ${typeof v} value at row ${i}`, column, d);
    else out[i] = v;
  }
  return numData(d, out, nulls.bits, nulls.nulls);
}

/** A copy of `table` in shared memory with one batch, dtypes checked, int64 as float64. */
export function sharedTable(table: Table): Table {
  const names = table.schema.fields.map((f) => f.name);
  table.schema.fields.forEach((f) => requireDType(f.type as DataType, f.name));
  const columns = names.map((name, k) => {
    const pieces = table.batches.map((b) => colOfData(b.data.children[k]!, name));
    if (pieces.length === 0) return columnData([], name, requireDType(table.schema.fields[k]!.type as DataType, name));
    return concatCols(pieces);
  });
  return tableOf(names, columns, table.numRows);
}
