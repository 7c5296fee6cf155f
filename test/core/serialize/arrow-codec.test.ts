import { Field, Float64, Int32, Schema, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { SerializationError } from '../../../src/core/errors.js';
import { arrowCodec } from '../../../src/core/serialize/arrow-codec.js';
import { fromFrames, packValue, toFrames, unpackValue } from '../../../src/core/serialize/codec.js';
import { rowsJson, sampleTable, sharedTable } from './arrow-tables.js';

function viaFrames(t: Table): Table {
  const { header, frames } = toFrames(t);
  return fromFrames(header, frames) as Table;
}

function viaClone(t: Table): Table {
  return unpackValue(structuredClone(packValue(t).packed)) as Table;
}

function expectSameTable(back: Table, t: Table): void {
  expect(back).toBeInstanceOf(Table);
  expect(back.numRows).toBe(t.numRows);
  expect(back.batches).toHaveLength(t.batches.length);
  expect(String(back.schema)).toBe(String(t.schema));
  expect(back.schema.fields.map((f) => f.nullable)).toEqual(t.schema.fields.map((f) => f.nullable));
  expect(rowsJson(back)).toBe(rowsJson(t));
}

describe('Arrow tables', () => {
  const t = sampleTable();

  test('the sample really has nulls, a dictionary and two batches', () => {
    expect(t.batches).toHaveLength(2);
    expect(t.numRows).toBe(8);
    expect(t.getChild('i')!.nullCount).toBe(2);
    expect(String(t.getChild('d')!.type)).toBe('Dictionary<Int32, Utf8>');
    expect(t.getChild('s')!.get(3)).toBe('row-0');
  });

  test.each([
    ['frames', viaFrames],
    ['structured clone', viaClone],
  ] as const)(
    'int32, float64, utf8, nulls, dictionary, bool, list, struct, timestamp and int64 columns survive %s',
    (_name, send) => {
      const back = send(t);
      expectSameTable(back, t);
      expect(back.schema.metadata.get('origin')).toBe('test');
      expect(back.getChild('i')!.get(1)).toBeNull();
      expect(back.getChild('f')!.get(1)).toBe(-1e300);
      expect(Number.isNaN(back.getChild('f')!.get(2))).toBe(true);
      expect(back.getChild('s')!.get(7)).toBe('row-100');
      expect(back.getChild('d')!.get(1)).toBe('blue');
      expect(back.getChild('d')!.get(2)).toBeNull();
      expect(back.getChild('big')!.get(0)).toBe(2n ** 62n);
      expect((back.getChild('l')!.get(4) as { toArray(): Int32Array }).toArray()).toEqual(Int32Array.of(1, 2));
    },
  );

  test('buffers are not copied: decoded columns view the original memory', () => {
    const f = t.getChild('f')!.data[0]!.values as Float64Array;
    for (const back of [viaFrames(t), unpackValue(packValue(t).packed) as Table]) {
      const g = back.getChild('f')!.data[0]!.values as Float64Array;
      expect(g.buffer).toBe(f.buffer);
      expect(g.byteOffset).toBe(f.byteOffset);
    }
  });

  test('each dictionary is encoded once, also when batches share it', () => {
    const dicts = (table: Table): unknown[] => (arrowCodec.encode(table).header as { dicts: unknown[] }).dicts;
    expect(dicts(t)).toHaveLength(2);
    const one = new Table(t.schema, [t.batches[0]!]);
    const twice = one.concat(one);
    expect(twice.batches).toHaveLength(2);
    expect(dicts(twice)).toHaveLength(1);
    const back = viaFrames(twice);
    expect(back.batches[0]!.getChild('d')!.data[0]!.dictionary).toBe(
      back.batches[1]!.getChild('d')!.data[0]!.dictionary,
    );
    expect(rowsJson(back)).toBe(rowsJson(twice));
  });

  test('empty tables keep their schema', () => {
    const schema = new Schema([new Field('a', new Int32(), false), new Field('s', new Utf8(), true)]);
    for (const empty of [new Table(schema), new Table()]) {
      const back = viaFrames(empty);
      expect(back).toBeInstanceOf(Table);
      expect(back.numRows).toBe(0);
      expect(String(back.schema)).toBe(String(empty.schema));
    }
    const noRows = new Table({ a: vectorFromArray([], new Float64()) });
    expectSameTable(viaClone(noRows), noRows);
  });

  test('sliced tables keep their offsets', () => {
    const sliced = t.slice(2, 7);
    expectSameTable(viaFrames(sliced), sliced);
  });

  test('a SharedArrayBuffer column stays shared through structured clone', () => {
    const shared = sharedTable(5);
    const back = viaClone(shared);
    expectSameTable(back, shared);
    const values = back.getChild('x')!.data[0]!.values as Float64Array;
    expect(Object.prototype.toString.call(values.buffer)).toBe('[object SharedArrayBuffer]');
    values[1] = 42;
    expect(shared.getChild('x')!.get(1)).toBe(42);
  });

  test('the Arrow IPC fallback decodes to an equal table', () => {
    const back = arrowCodec.decode({ ipc: true }, [tableToIPC(t, 'stream')]);
    expectSameTable(back, t);
  });

  test('malformed headers are SerializationErrors', () => {
    const { header, buffers } = arrowCodec.encode(t);
    const h = header as { batches: { c: unknown[] }[] };
    h.batches[0]!.c.pop();
    expect(() =>
      arrowCodec.decode(
        header,
        buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      ),
    ).toThrow(SerializationError);
    expect(() =>
      arrowCodec.decode(
        { schema: { fields: [{ name: 'a', nullable: true, type: { t: 999 } }] }, batches: [], dicts: [] },
        [],
      ),
    ).toThrow(/unknown type id 999/);
  });
});
