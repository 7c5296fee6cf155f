/*
 * Gathers: new columns made of chosen rows of old ones, the one primitive behind filter, sort,
 * join and group outputs. `indices[j]` is the source row of output row j, or -1 for a null (the
 * unmatched side of an outer join). Dictionary strings keep their dictionary and gather codes
 * only; plain strings are copied byte range by byte range. `takeEither` gathers from two columns
 * of the same dtype family (join keys: the left value where there is one, else the right).
 */
import type { Data, Table } from 'apache-arrow';
import { allocBytes, allocInt32, allocNumeric, promote, type NumericDType } from '../dtype.js';
import { BitmapBuilder, boolData, dictData, numData, StringBuilder, tableOf, utf8Data } from './build.js';
import { boolAt, colOfData, validAt, type Col, type StrCol } from './columns.js';

export function takeCol(c: Col, indices: Int32Array): Data {
  const n = indices.length;
  const nulls = new BitmapBuilder(n);
  if (c.kind === 'num') {
    const out = allocNumeric(c.dtype, n);
    const v = c.values;
    for (let j = 0; j < n; j++) {
      const i = indices[j]!;
      if (i < 0 || (c.valid !== null && !validAt(c, i))) nulls.setNull(j);
      else out[j] = v[i]!;
    }
    return numData(c.dtype, out, nulls.bits, nulls.nulls);
  }
  if (c.kind === 'bool') {
    const bits = allocBytes((n + 7) >> 3);
    for (let j = 0; j < n; j++) {
      const i = indices[j]!;
      if (i < 0 || !validAt(c, i)) nulls.setNull(j);
      else if (boolAt(c, i)) bits[j >> 3]! |= 1 << (j & 7);
    }
    return boolData(bits, n, nulls.bits, nulls.nulls);
  }
  return takeStr(c, indices, nulls);
}

function takeStr(c: StrCol, indices: Int32Array, nulls: BitmapBuilder): Data {
  const n = indices.length;
  if (c.codes !== null) {
    const codes = allocInt32(n);
    for (let j = 0; j < n; j++) {
      const i = indices[j]!;
      if (i < 0 || !validAt(c, i)) nulls.setNull(j);
      else codes[j] = c.codes[i]!;
    }
    return dictData(codes, c.offsets, c.bytes, nulls.bits, nulls.nulls);
  }
  const sb = new StringBuilder(n);
  for (let j = 0; j < n; j++) {
    const i = indices[j]!;
    if (i < 0 || !validAt(c, i)) {
      nulls.setNull(j);
      sb.appendEmpty();
    } else sb.appendBytes(c.bytes, c.offsets[i]!, c.offsets[i + 1]!);
  }
  const { offsets, bytes } = sb.finish();
  return utf8Data(offsets, bytes, nulls.bits, nulls.nulls);
}

/** The rows `indices` of every column of `table`. */
export function takeTable(table: Table, indices: Int32Array): Table {
  const batch = table.batches[0];
  const names = table.schema.fields.map((f) => f.name);
  if (batch === undefined) return table;
  return tableOf(
    names,
    names.map((name, k) => takeCol(colOfData(batch.data.children[k]!, name), indices)),
    indices.length,
  );
}

/** Row j from `a` at ia[j] when ia[j] >= 0, else from `b` at ib[j] (null when both are -1). */
export function takeEither(a: Col, ia: Int32Array, b: Col, ib: Int32Array): Data {
  const n = ia.length;
  const nulls = new BitmapBuilder(n);
  if (a.kind === 'num' && b.kind === 'num') {
    const dtype: NumericDType = promote(a.dtype, b.dtype);
    const out = allocNumeric(dtype, n);
    for (let j = 0; j < n; j++) {
      const i = ia[j]!;
      const k = ib[j]!;
      if (i >= 0 && validAt(a, i)) out[j] = a.values[i]!;
      else if (i < 0 && k >= 0 && validAt(b, k)) out[j] = b.values[k]!;
      else nulls.setNull(j);
    }
    return numData(dtype, out, nulls.bits, nulls.nulls);
  }
  if (a.kind === 'str' && b.kind === 'str') {
    const sb = new StringBuilder(n);
    for (let j = 0; j < n; j++) {
      const i = ia[j]!;
      const k = ib[j]!;
      const [c, r] = i >= 0 ? [a, i] : [b, k];
      if (r < 0 || !validAt(c, r)) {
        nulls.setNull(j);
        sb.appendEmpty();
      } else {
        const s = c.codes === null ? r : c.codes[r]!;
        sb.appendBytes(c.bytes, c.offsets[s]!, c.offsets[s + 1]!);
      }
    }
    const { offsets, bytes } = sb.finish();
    return utf8Data(offsets, bytes, nulls.bits, nulls.nulls);
  }
  if (a.kind === 'bool' && b.kind === 'bool') {
    const bits = allocBytes((n + 7) >> 3);
    for (let j = 0; j < n; j++) {
      const i = ia[j]!;
      const [c, r] = i >= 0 ? [a, i] : [b, ib[j]!];
      if (r < 0 || !validAt(c, r)) nulls.setNull(j);
      else if (boolAt(c, r)) bits[j >> 3]! |= 1 << (j & 7);
    }
    return boolData(bits, n, nulls.bits, nulls.nulls);
  }
  throw new Error(`takeEither: cannot combine ${a.kind} and ${b.kind} columns`);
}
