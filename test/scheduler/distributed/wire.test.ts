import { describe, expect, test } from 'vitest';
import { decodeWire, encodeWire } from '../../../scheduler/distributed/wire.js';
import { fromFrames, toFrames } from '../../../src/core/serialize/frames.js';
import { frameLimits } from '../../../scheduler/distributed/protocol.js';

describe('wire layout', () => {
  test('a value with typed arrays round-trips, and float64 frames arrive as aligned views', () => {
    const value = { op: 'data', a: Float64Array.from([1.5, -2, 3]), b: 'text', c: [1, 2, { d: Int32Array.from([7]) }] };
    const { header, frames } = toFrames(value);
    const bytes = encodeWire(header, frames);
    const copy = new Uint8Array(bytes.byteLength + 8).subarray(8); // an 8-aligned receive buffer
    copy.set(bytes);
    const decoded = decodeWire(copy);
    if (!decoded.ok) throw new Error(decoded.error);
    const back = fromFrames(decoded.header, decoded.frames) as typeof value;
    expect(back).toEqual(value);
    expect(back.a.buffer).toBe(copy.buffer); // a view over the received bytes, not a copy
  });

  test('sizes are checked against the limits and the bytes received before anything is sliced', () => {
    const bytes = encodeWire('{"op":"x"}', [new Uint8Array(100)]);
    const small = frameLimits({ maxTotalBytes: 50 });
    const refused = decodeWire(bytes, small);
    expect(refused.ok).toBe(false);
    const truncated = decodeWire(bytes.subarray(0, bytes.byteLength - 40));
    expect(truncated).toEqual({
      ok: false,
      error: expect.stringMatching(/announces \d+ bytes but \d+ arrived/) as unknown,
    });
    const lying = Buffer.from(bytes);
    lying.writeUInt32LE(0xffffffff, 4); // four billion frames announced
    expect(decodeWire(lying).ok).toBe(false);
    expect(decodeWire(new Uint8Array(3))).toEqual({
      ok: false,
      error: 'message of 3 bytes is shorter than its 8-byte prefix',
    });
  });
});
