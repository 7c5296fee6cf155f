/*
 * Arrow tables for the serialize tests: one with many column types (nulls, dictionary, nested,
 * 64-bit) in two record batches, and one whose numeric columns live in SharedArrayBuffers.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
} from 'apache-arrow';

function batch(offset: number): Table {
  return new Table({
    i: vectorFromArray([1 + offset, null, -3, 2147483647], new Int32()),
    f: vectorFromArray([0.5, -1e300, NaN, offset], new Float64()),
    s: vectorFromArray(['a', null, 'ccc', `row-${offset}`], new Utf8()),
    d: vectorFromArray(['red', 'blue', null, 'red'], new Dictionary(new Utf8(), new Int32())),
    b: vectorFromArray([true, false, null, true], new Bool()),
    l: vectorFromArray([[1, 2], [], null, [offset]], new List(new Field('item', new Int32(), true))),
    st: vectorFromArray(
      [{ a: 1, b: 'x' }, null, { a: 3, b: null }, { a: offset, b: 'z' }],
      new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
    ),
    ts: vectorFromArray([0, 1700000000000, null, 86400000], new TimestampMillisecond()),
    big: vectorFromArray([2n ** 62n, -1n, null, BigInt(offset)], new Int64()),
  });
}

/** A table of every common column type, in two record batches, with metadata. */
export function sampleTable(): Table {
  const t = batch(0).concat(batch(100));
  const schema = new Schema(t.schema.fields, new Map([['origin', 'test']]));
  return new Table(schema, t.batches);
}

/** Rows as JSON text (bigints written as "<n>n"), for comparing table contents. */
export function rowsJson(t: Table): string {
  return JSON.stringify(t.toArray(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** x: Float64 and k: Int32 in SharedArrayBuffers (x[i] = i / 2, k[i] = i), plus a plain utf8 column. */
export function sharedTable(n: number): Table {
  const x = new Float64Array(new SharedArrayBuffer(n * 8));
  const k = new Int32Array(new SharedArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) {
    x[i] = i / 2;
    k[i] = i;
  }
  return new Table({
    x: makeVector(makeData({ type: new Float64(), data: x, length: n })),
    k: makeVector(makeData({ type: new Int32(), data: k, length: n })),
    name: vectorFromArray(
      Array.from({ length: n }, (_, i) => `n${i}`),
      new Utf8(),
    ),
  });
}
