/*
 * Column views: what kernels read. A partition's column is one Arrow Data node (a table with
 * several record batches is first concatenated, see table-of.ts); `columnOf` turns it into a flat
 * record of the buffers a loop needs:
 *   num   values (a typed array already sliced to the rows) and the validity bitmap
 *   bool  the value bits and the validity bitmap, both indexed from `bitOffset`
 *   str   Utf8 offsets + bytes for the strings; with `codes`, row i is dictionary entry codes[i]
 * Validity bitmaps are indexed from `validOffset` (Arrow slices keep bitmaps whole and move the
 * offset), and a null bitmap means every row is valid. Loops test validity with `validAt`.
 */
import { Type } from 'apache-arrow';
import type { Data, Table } from 'apache-arrow';
import { ColumnNotFoundError } from '../errors.js';
import { requireDType, type NumArray, type NumericDType } from '../dtype.js';

interface Base {
  readonly length: number;
  readonly valid: Uint8Array | null;
  readonly validOffset: number;
  readonly nullCount: number;
}
export interface NumCol extends Base {
  readonly kind: 'num';
  readonly dtype: NumericDType;
  readonly values: NumArray;
}
export interface BoolCol extends Base {
  readonly kind: 'bool';
  readonly bits: Uint8Array;
  readonly bitOffset: number;
}
export interface StrCol extends Base {
  readonly kind: 'str';
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  /** Dictionary codes per row, or null when row i is string i. */
  readonly codes: Int32Array | null;
  /** Number of strings in offsets/bytes (dictionary size, or length). */
  readonly nstrings: number;
}
export type Col = NumCol | BoolCol | StrCol;

/** True when row i holds a value. */
export function validAt(c: Col, i: number): boolean {
  const v = c.valid;
  if (v === null) return true;
  const j = c.validOffset + i;
  return ((v[j >> 3]! >> (j & 7)) & 1) === 1;
}

export function boolAt(c: BoolCol, i: number): boolean {
  const j = c.bitOffset + i;
  return ((c.bits[j >> 3]! >> (j & 7)) & 1) === 1;
}

const decoder = new TextDecoder();

/** String i of a str column's string table (not a row: use rowString for rows). */
export function stringAt(c: StrCol, s: number): string {
  return decoder.decode(c.bytes.subarray(c.offsets[s], c.offsets[s + 1]));
}

/** The string of row i (the caller checks validity). */
export function rowString(c: StrCol, i: number): string {
  return stringAt(c, c.codes === null ? i : c.codes[i]!);
}

/** The string-table index of row i. */
export function rowStringIndex(c: StrCol, i: number): number {
  return c.codes === null ? i : c.codes[i]!;
}

/** A column's single Data node (the table must have one batch; see singleBatch). */
export function dataOf(table: Table, name: string): Data {
  const idx = table.schema.fields.findIndex((f) => f.name === name);
  if (idx < 0)
    throw new ColumnNotFoundError(
      name,
      table.schema.fields.map((f) => f.name),
      'a partition',
    );
  const batch = table.batches[0];
  if (batch === undefined) throw new Error('dataOf: the table has no record batch (use singleBatch first)');
  return batch.data.children[idx]!;
}

export function columnOf(table: Table, name: string): Col {
  return colOfData(dataOf(table, name), name);
}

export function colOfData(d: Data, name: string): Col {
  const dtype = requireDType(d.type, name);
  const base = {
    length: d.length,
    valid: d.nullCount === 0 ? null : (d.nullBitmap ?? null),
    validOffset: d.offset,
    nullCount: d.nullCount,
  };
  if (dtype === 'bool') return { ...base, kind: 'bool', bits: d.values as Uint8Array, bitOffset: d.offset };
  if (dtype === 'string') {
    if (d.typeId === Type.Dictionary) {
      const dict = d.dictionary!.data;
      if (dict.length !== 1) throw new Error(`column '${name}': a dictionary in several chunks is not supported`);
      const dd = dict[0]!;
      return {
        ...base,
        kind: 'str',
        offsets: dd.valueOffsets as Int32Array,
        bytes: dd.values as Uint8Array,
        codes: (d.values as Int32Array).subarray(0, d.length),
        nstrings: dd.length,
      };
    }
    return {
      ...base,
      kind: 'str',
      offsets: d.valueOffsets as Int32Array,
      bytes: d.values as Uint8Array,
      codes: null,
      nstrings: d.length,
    };
  }
  if (d.typeId === Type.Int && (d.type as unknown as { bitWidth: number }).bitWidth === 64) {
    return {
      ...base,
      kind: 'num',
      dtype: 'float64',
      values: bigToFloat((d.values as BigInt64Array | BigUint64Array).subarray(0, d.length)),
    };
  }
  // Builders may leave padding after the last value: views are cut to the rows.
  return { ...base, kind: 'num', dtype, values: (d.values as NumArray).subarray(0, d.length) };
}

function bigToFloat(v: BigInt64Array | BigUint64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number(v[i]!);
  return out;
}

/** Row i of a column as a JS value (null for a missing value); for tests, CSV output and describe. */
export function valueAt(c: Col, i: number): number | boolean | string | null {
  if (!validAt(c, i)) return null;
  if (c.kind === 'num') return c.values[i]!;
  if (c.kind === 'bool') return boolAt(c, i);
  return rowString(c, i);
}
