import ndarray from 'ndarray';
import { describe, expect, test } from 'vitest';
import { SerializationError } from '../../../src/core/errors.js';
import { fromFrames, toFrames } from '../../../src/core/serialize/codec.js';

/** Sends a value the way a socket would: header as text, frames as bytes. */
function roundTrip(value: unknown): unknown {
  const { header, frames } = toFrames(value);
  expect(typeof header).toBe('string');
  return fromFrames(header, frames);
}

/** Copies all frames back to back into one buffer starting at `start`, like bytes read off a socket. */
function packed(frames: readonly Uint8Array[], start: number): Uint8Array[] {
  const total = frames.reduce((n, f) => n + f.byteLength, start);
  const blob = new Uint8Array(total);
  const out: Uint8Array[] = [];
  let at = start;
  for (const f of frames) {
    blob.set(f, at);
    out.push(blob.subarray(at, at + f.byteLength));
    at += f.byteLength;
  }
  return out;
}

describe('toFrames / fromFrames round trips', () => {
  test('numbers, including the ones JSON cannot write', () => {
    const nums = [0, 1.5, -7, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, -0];
    const back = roundTrip(nums) as number[];
    expect(back).toHaveLength(nums.length);
    nums.forEach((n, i) => expect(Object.is(back[i], n)).toBe(true));
    expect(Object.is(back[8], 0)).toBe(false);
  });

  test('strings, booleans, null, undefined, bigint and array holes', () => {
    const sparse: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const value = ['', 'ünïcödé ✓ "quotes"', true, false, null, undefined, 2n ** 70n, -5n, sparse];
    const back = roundTrip(value) as unknown[];
    expect(back).toEqual(['', 'ünïcödé ✓ "quotes"', true, false, null, undefined, 2n ** 70n, -5n, [1, undefined, 3]]);
    expect(back[6]).toBe(1180591620717411303424n);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip('plain')).toBe('plain');
  });

  test('plain objects, a "$" key, a "__proto__" key, Dates, RegExps, Maps and Sets', () => {
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const value = {
      nested: { a: [1, { b: 'c' }] },
      tagged: { $: 'n', v: 'NaN' },
      proto,
      when: new Date(Date.UTC(2024, 1, 29, 12)),
      never: new Date(NaN),
      re: /a+b/giu,
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', { deep: [NaN] }],
      ]),
      set: new Set([1, 'two', 3n]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back.nested).toEqual({ a: [1, { b: 'c' }] });
    expect(back.tagged).toEqual({ $: 'n', v: 'NaN' });
    expect(Object.getPrototypeOf(back.proto)).toBe(Object.prototype);
    expect(Object.keys(back.proto)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(back.when).toBeInstanceOf(Date);
    expect(back.when.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(Number.isNaN(back.never.getTime())).toBe(true);
    expect(back.re.source).toBe('a+b');
    expect(back.re.flags).toBe('giu');
    expect(back.map.get(1)).toBe('one');
    expect(back.map.get('k')).toEqual({ deep: [NaN] });
    expect([...back.set]).toEqual([1, 'two', 3n]);
  });

  test('every typed array kind, DataView and ArrayBuffers travel as frames, not in the header', () => {
    const ab = new ArrayBuffer(40);
    const value = {
      i8: Int8Array.of(-1, 2),
      u8: Uint8Array.of(255, 0),
      u8c: Uint8ClampedArray.of(7),
      i16: Int16Array.of(-300),
      u16: Uint16Array.of(60000),
      i32: Int32Array.of(-70000),
      u32: Uint32Array.of(4000000000),
      f32: Float32Array.of(1.5),
      f64: new Float64Array(ab, 8, 3).fill(Math.PI),
      i64: BigInt64Array.of(-(2n ** 62n)),
      u64: BigUint64Array.of(2n ** 63n),
      dv: new DataView(ab, 4, 4),
      ab: Uint8Array.of(1, 2, 3).buffer,
      sab: new SharedArrayBuffer(2),
    };
    value.dv.setInt32(0, 123456);
    const { header, frames } = toFrames(value);
    expect(header.length).toBeLessThan(600);
    expect(header).not.toContain('3.14159');
    expect(frames).toHaveLength(14);
    const back = fromFrames(header, frames) as typeof value;
    for (const k of ['i8', 'u8', 'u8c', 'i16', 'u16', 'i32', 'u32', 'f32', 'f64', 'i64', 'u64'] as const) {
      expect(back[k].constructor).toBe(value[k].constructor);
      expect([...(back[k] as Iterable<unknown>)]).toEqual([...(value[k] as Iterable<unknown>)]);
    }
    expect(back.dv).toBeInstanceOf(DataView);
    expect(back.dv.getInt32(0)).toBe(123456);
    expect(back.ab).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(back.ab)]).toEqual([1, 2, 3]);
    expect(back.sab.byteLength).toBe(2);
  });

  test('aligned frames are viewed, not copied', () => {
    const f64 = new Float64Array(new ArrayBuffer(64), 16, 4).fill(2.5);
    const { header, frames } = toFrames({ f64 });
    expect(frames[0]!.buffer).toBe(f64.buffer);
    const back = fromFrames(header, frames) as { f64: Float64Array };
    expect(back.f64.buffer).toBe(f64.buffer);
    expect(back.f64.byteOffset).toBe(16);
    f64[0] = -1;
    expect(back.f64[0]).toBe(-1);

    const received = packed(frames, 8);
    const fromSocket = fromFrames(header, received) as { f64: Float64Array };
    expect(fromSocket.f64.buffer).toBe(received[0]!.buffer);
    expect([...fromSocket.f64]).toEqual([-1, 2.5, 2.5, 2.5]);
  });

  test('misaligned frames are copied into aligned memory with values intact', () => {
    const value = {
      f64: Float64Array.of(1.25, -2, Math.E),
      i64: BigInt64Array.of(-3n, 2n ** 60n),
      i32: Int32Array.of(7, -8),
      u16: Uint16Array.of(9),
      u8: Uint8Array.of(1, 2, 3),
    };
    const { header, frames } = toFrames(value);
    for (const start of [1, 3, 5, 7]) {
      const received = packed(frames, start);
      const back = fromFrames(header, received) as typeof value;
      expect(back.f64.byteOffset % 8).toBe(0);
      expect(back.i64.byteOffset % 8).toBe(0);
      expect(back.i32.byteOffset % 4).toBe(0);
      expect([...back.f64]).toEqual([1.25, -2, Math.E]);
      expect([...back.i64]).toEqual([-3n, 2n ** 60n]);
      expect([...back.i32]).toEqual([7, -8]);
      expect([...back.u16]).toEqual([9]);
      expect([...back.u8]).toEqual([1, 2, 3]);
      expect(back.u8.buffer).toBe(received[0]!.buffer);
    }
  });

  test('the same typed array twice is sent once', () => {
    const t = Float64Array.of(1, 2);
    const { frames } = toFrames([t, { again: t }]);
    expect(frames).toHaveLength(1);
  });

  test('an ndarray keeps its class, dtype, layout and values', () => {
    const a = ndarray(Float32Array.of(0, 1, 2, 3, 4, 5), [2, 3]).transpose(1, 0);
    const back = roundTrip({ chunk: a }) as { chunk: typeof a };
    expect(back.chunk.dtype).toBe('float32');
    expect(back.chunk.shape).toEqual([3, 2]);
    expect(back.chunk.stride).toEqual([1, 3]);
    expect(back.chunk.get(2, 1)).toBe(5);
    expect(back.chunk.get(1, 0)).toBe(1);
  });

  test('values without a faithful encoding are refused', () => {
    class Opaque {
      x = 1;
    }
    expect(() => toFrames({ f: () => 1 })).toThrow(SerializationError);
    expect(() => toFrames([Symbol('s')])).toThrow(/cannot send a symbol/);
    expect(() => toFrames(new Opaque())).toThrow(/instance of Opaque/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toFrames(cyclic)).toThrow(/cycle/);
  });

  test('malformed input is a SerializationError', () => {
    expect(() => fromFrames('{', [])).toThrow(SerializationError);
    expect(() => fromFrames('{"$":"t","k":"Float64Array","f":0}', [])).toThrow(/frame 0 is missing/);
    expect(() => fromFrames('{"$":"t","k":"Float64Array","f":0}', [new Uint8Array(3)])).toThrow(/whole number/);
    expect(() => fromFrames('{"$":"zz"}', [])).toThrow(/unknown tag/);
    expect(() => fromFrames('{"$":"c","c":"nope","h":null,"f":[]}', [])).toThrow(/unknown codec/);
  });
});
