import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { describe, expect, test } from 'vitest';
import { SerializationError } from '../../../src/core/errors.js';
import {
  codecByName,
  findCodec,
  fromFrames,
  packValue,
  registerCodec,
  toFrames,
  unpackValue,
} from '../../../src/core/serialize/codec.js';
import type { Codec, JsonValue } from '../../../src/core/serialize/codec.js';

/** What a worker would receive: the packed value after structured clone. */
function viaClone(value: unknown): unknown {
  return unpackValue(structuredClone(packValue(value).packed));
}

describe('packValue / unpackValue for threads', () => {
  test('values no codec handles come back as the very same object', () => {
    const plain = {
      a: 1,
      b: [1, 'x', null, { c: true }],
      t: new Float64Array(3),
      d: new Date(0),
      m: new Map([[1, 2]]),
    };
    const { packed, transfer } = packValue(plain);
    expect(packed).toBe(plain);
    expect(transfer).toEqual([]);
    expect(unpackValue(plain)).toBe(plain);
    expect(packValue(5).packed).toBe(5);
    expect(packValue('s').packed).toBe('s');
    expect(packValue(null).packed).toBeNull();
  });

  test('an ndarray becomes a tagged record, leaving the original untouched, and comes back as an ndarray', () => {
    const a = ndarray(Int32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const args = [1, { chunk: a }, 'k'];
    const { packed } = packValue(args);
    expect(packed).not.toBe(args);
    expect(args[1]).toEqual({ chunk: a });
    const record = (packed as [number, { chunk: Record<string, unknown> }, string])[1].chunk;
    expect(record.__daskCodec).toBe('ndarray');
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    const back = unpackValue(structuredClone(packed)) as [number, { chunk: NdArray<Int32Array> }, string];
    expect(back[0]).toBe(1);
    expect(back[2]).toBe('k');
    expect(back[1].chunk.dtype).toBe('int32');
    expect(back[1].chunk.shape).toEqual([3, 2]);
    expect(back[1].chunk.get(2, 1)).toBe(6);
  });

  test('a view over a larger buffer keeps its offset and strides', () => {
    const base = ndarray(
      Float64Array.from({ length: 12 }, (_, i) => i),
      [3, 4],
    );
    const view = base.hi(2, 4).lo(1, 1).step(1, 2);
    const back = viaClone(view) as typeof view;
    expect(back.shape).toEqual(view.shape);
    expect([back.get(0, 0), back.get(0, 1)]).toEqual([view.get(0, 0), view.get(0, 1)]);
    expect([back.get(0, 0), back.get(0, 1)]).toEqual([5, 7]);
  });

  test('a plain object with its own __daskCodec key is escaped, not decoded', () => {
    const tricky = { __daskCodec: 'ndarray', header: null, buffers: [] };
    expect(viaClone(tricky)).toEqual(tricky);
    expect(viaClone([{ __daskCodec: '', value: 1 }])).toEqual([{ __daskCodec: '', value: 1 }]);
  });

  test('with transfer: true, owned ArrayBuffers are listed and moved, shared ones never', () => {
    const owned = Float64Array.of(1, 2, 3);
    const shared = new Float64Array(new SharedArrayBuffer(24));
    const chunk = ndarray(new Float32Array(4), [4]);
    const pooled = Buffer.from('tiny');
    const raw = new ArrayBuffer(8);
    const { packed, transfer } = packValue({ owned, shared, chunk, pooled, raw, again: owned }, { transfer: true });
    expect(new Set(transfer)).toEqual(new Set([owned.buffer, chunk.data.buffer, raw]));
    expect(transfer).toHaveLength(3);
    const back = unpackValue(structuredClone(packed, { transfer })) as {
      owned: Float64Array;
      chunk: NdArray<Float32Array>;
    };
    expect(owned.byteLength).toBe(0);
    expect([...back.owned]).toEqual([1, 2, 3]);
    expect(back.chunk.shape).toEqual([4]);
    expect(packValue({ owned: Float64Array.of(1) }).transfer).toEqual([]);
  });

  test('functions cannot be sent as values', () => {
    expect(() => packValue({ f: () => 1 })).toThrow(SerializationError);
    expect(() => packValue(() => 1)).toThrow(/cannot send a function/);
  });

  test('a record for an unknown codec is an error', () => {
    expect(() => unpackValue({ __daskCodec: 'martian', header: null, buffers: [] })).toThrow(/unknown codec "martian"/);
  });
});

describe('the codec registry', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
      readonly tags: Uint16Array,
    ) {}
  }
  const pointCodec = {
    name: 'test-point',
    canHandle: (v: unknown): v is Point => v instanceof Point,
    encode: (p: Point) => ({ header: { x: p.x, y: p.y }, buffers: [p.tags] }),
    decode: (h: JsonValue, buffers: readonly Uint8Array[]) => {
      const { x, y } = h as { x: number; y: number };
      const b = buffers[0]!;
      return new Point(x, y, new Uint16Array(b.slice().buffer));
    },
  };

  test('a registered codec is used by both transports', () => {
    registerCodec(pointCodec);
    const p = new Point(1, -2, Uint16Array.of(5, 6));
    expect(findCodec(p)).toBe(pointCodec);
    expect(codecByName('test-point')).toBe(pointCodec);
    const cloned = viaClone({ p }) as { p: Point };
    expect(cloned.p).toBeInstanceOf(Point);
    expect([cloned.p.x, cloned.p.y, [...cloned.p.tags]]).toEqual([1, -2, [5, 6]]);
    const { header, frames } = toFrames([p]);
    const framed = (fromFrames(header, frames) as Point[])[0]!;
    expect(framed).toBeInstanceOf(Point);
    expect([...framed.tags]).toEqual([5, 6]);
  });

  test('registering under an existing name replaces the codec', () => {
    const replacement: Codec<Point> = { ...pointCodec, decode: () => new Point(9, 9, new Uint16Array(0)) };
    registerCodec(replacement);
    expect(codecByName('test-point')).toBe(replacement);
    expect((viaClone(new Point(0, 0, new Uint16Array(0))) as Point).x).toBe(9);
  });

  test('built-in codecs are present', () => {
    expect(codecByName('ndarray')).toBeDefined();
    expect(codecByName('arrow-table')).toBeDefined();
    expect(codecByName('error')).toBeDefined();
    expect(findCodec({ data: [1, 2], shape: [2], stride: [1], offset: 0, dtype: 'array' })).toBeUndefined();
  });
});
