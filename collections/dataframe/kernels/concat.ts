/*
 * Concatenation of partitions (or of the record batches of one table) into a one-batch Table.
 * Numbers are copied block by block (mixed numeric dtypes promote to float64), validity bits one
 * by one where there are nulls. Strings: when every piece shares one dictionary its codes are
 * concatenated and the dictionary kept; when some pieces are dictionary-encoded the dictionaries
 * are unified (each distinct string interned once, codes remapped); plain Utf8 pieces are copied
 * with their offsets shifted.
 */
import { RecordBatch, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { Data } from 'apache-arrow';
import { allocBytes, allocInt32, allocNumeric, promote, type NumericDType } from '../dtype.js';
import { BitmapBuilder, boolData, dictData, numData, tableOf, utf8Data } from './build.js';
import { boolAt, colOfData, validAt, type BoolCol, type Col, type NumCol, type StrCol } from './columns.js';
import { ByteInterner } from './hash-tables.js';

function copyValidity(cols: readonly Col[], nulls: BitmapBuilder): void {
  let at = 0;
  for (const c of cols) {
    if (c.valid !== null) for (let i = 0; i < c.length; i++) if (!validAt(c, i)) nulls.setNull(at + i);
    at += c.length;
  }
}

function concatNum(cols: readonly NumCol[], n: number): Data {
  const dtype = cols.reduce<NumericDType>((d, c) => promote(d, c.dtype), cols[0]!.dtype);
  const out = allocNumeric(dtype, n);
  let at = 0;
  for (const c of cols) {
    if (c.values.constructor === out.constructor) (out as Float64Array).set(c.values, at);
    else for (let i = 0; i < c.length; i++) out[at + i] = c.values[i]!;
    at += c.length;
  }
  const nulls = new BitmapBuilder(n);
  copyValidity(cols, nulls);
  return numData(dtype, out, nulls.bits, nulls.nulls);
}

function concatBool(cols: readonly BoolCol[], n: number): Data {
  const bits = allocBytes((n + 7) >> 3);
  let at = 0;
  for (const c of cols) {
    for (let i = 0; i < c.length; i++) if (boolAt(c, i)) bits[(at + i) >> 3]! |= 1 << ((at + i) & 7);
    at += c.length;
  }
  const nulls = new BitmapBuilder(n);
  copyValidity(cols, nulls);
  return boolData(bits, n, nulls.bits, nulls.nulls);
}

function concatStr(cols: readonly StrCol[], n: number): Data {
  const nulls = new BitmapBuilder(n);
  copyValidity(cols, nulls);
  const first = cols[0]!;
  if (cols.every((c) => c.codes !== null && c.bytes === first.bytes && c.offsets === first.offsets)) {
    const codes = allocInt32(n);
    let at = 0;
    for (const c of cols) {
      codes.set(c.codes!.subarray(0, c.length), at);
      at += c.length;
    }
    return dictData(codes, first.offsets, first.bytes, nulls.bits, nulls.nulls);
  }
  if (cols.some((c) => c.codes !== null)) return unifyDictionaries(cols, n, nulls);
  let bytes = 0;
  for (const c of cols) bytes += c.offsets[c.length]! - c.offsets[0]!;
  const offsets = allocInt32(n + 1);
  const data = allocBytes(bytes);
  let at = 0;
  let pos = 0;
  for (const c of cols) {
    const base = c.offsets[0]!;
    const end = c.offsets[c.length]!;
    data.set(c.bytes.subarray(base, end), pos);
    for (let i = 1; i <= c.length; i++) offsets[at + i] = pos + c.offsets[i]! - base;
    at += c.length;
    pos += end - base;
  }
  return utf8Data(offsets, data, nulls.bits, nulls.nulls);
}

function unifyDictionaries(cols: readonly StrCol[], n: number, nulls: BitmapBuilder): Data {
  const interner = new ByteInterner(1024);
  const codes = allocInt32(n);
  let at = 0;
  for (const c of cols) {
    const map = c.codes === null ? undefined : new Int32Array(c.nstrings).fill(-1);
    for (let i = 0; i < c.length; i++) {
      if (c.valid !== null && !validAt(c, i)) continue;
      const s = c.codes === null ? i : c.codes[i]!;
      let code = map === undefined ? -1 : map[s]!;
      if (code < 0) {
        code = interner.intern(c.bytes, c.offsets[s]!, c.offsets[s + 1]!);
        if (map !== undefined) map[s] = code;
      }
      codes[at + i] = code;
    }
    at += c.length;
  }
  const dict = interner.finish();
  return dictData(codes, dict.offsets, dict.bytes, nulls.bits, nulls.nulls);
}

/** One column made of the same column of several pieces. */
export function concatCols(cols: readonly Col[]): Data {
  const n = cols.reduce((s, c) => s + c.length, 0);
  const kind = cols[0]!.kind;
  if (cols.some((c) => c.kind !== kind))
    throw new Error(
      `concat: a column is ${kind} in one partition and ${cols.find((c) => c.kind !== kind)!.kind} in another`,
    );
  if (kind === 'num') return concatNum(cols as NumCol[], n);
  if (kind === 'bool') return concatBool(cols as BoolCol[], n);
  return concatStr(cols as StrCol[], n);
}

/** Tables with the same column names (in the first table's order) as one one-batch Table. */
export function concatTables(tables: readonly Table[]): Table {
  const pieces = tables.flatMap((t) => t.batches.map((b) => ({ schema: t.schema, batch: b })));
  if (pieces.length === 0) return tables[0] ?? tableOf([], [], 0);
  if (pieces.length === 1) {
    const only = tables.find((t) => t.batches.length === 1)!;
    return only;
  }
  const names = tables[0]!.schema.fields.map((f) => f.name);
  const columns = names.map((name) =>
    concatCols(
      pieces.map(({ schema, batch }) => {
        const idx = schema.fields.findIndex((f) => f.name === name);
        if (idx < 0) throw new Error(`concat: column '${name}' is missing from a partition`);
        return colOfData(batch.data.children[idx]!, name);
      }),
    ),
  );
  return tableOf(names, columns);
}

/** The table with exactly one record batch (an empty one for a table without batches). */
export function singleBatch(table: Table): Table {
  if (table.batches.length === 1) return table;
  if (table.batches.length === 0) {
    const empty = new RecordBatch(table.schema);
    return new Table(table.schema, [empty]);
  }
  return concatTables([table]);
}

/** Task form of concatTables: the partitions given, as one partition. */
export function concatParts(tables: readonly Table[]): Table {
  return singleBatch(concatTables(tables));
}

registerModuleFunction(concatParts, import.meta.url, 'concatParts');
