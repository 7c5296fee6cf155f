/*
 * The binary layout of one distributed message (one WebSocket message): a small fixed prefix
 * announcing sizes, the JSON header, then raw frames, each section starting at a multiple of 8
 * bytes so that Float64Array frames can be viewed in place on arrival.
 *
 *   u32 headerBytes | u32 frameCount | u32[frameCount] frameBytes | pad8 | header | pad8
 *   | frame 0 | pad8 | frame 1 | pad8 | ...
 *
 * decodeWire reads the announced sizes first and checks them against the limits (protocol.ts)
 * and against the bytes actually received, before it slices anything; frames are views over the
 * received buffer, not copies. Values become header + frames through serialize/frames.ts.
 */
import { checkFrameSizes, FRAME_LIMITS, type FrameLimits } from './protocol.js';

const pad8 = (n: number): number => (n + 7) & ~7;

/** The parts of one message, to write with a single send (Buffer.concat or a writev). */
export function encodeWire(header: string, frames: readonly Uint8Array[]): Buffer {
  const headerBytes = Buffer.from(header, 'utf8');
  const prefix = 8 + 4 * frames.length;
  let total = pad8(prefix) + pad8(headerBytes.length);
  for (const f of frames) total += pad8(f.byteLength);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(headerBytes.length, 0);
  out.writeUInt32LE(frames.length, 4);
  frames.forEach((f, i) => out.writeUInt32LE(f.byteLength, 8 + 4 * i));
  let at = pad8(prefix);
  headerBytes.copy(out, at);
  at += pad8(headerBytes.length);
  for (const f of frames) {
    out.set(f, at);
    at += pad8(f.byteLength);
  }
  return out;
}

export type Decoded = { ok: true; header: string; frames: Uint8Array[] } | { ok: false; error: string };

/** Splits a received message into header text and frame views, refusing bad sizes first. */
export function decodeWire(data: Uint8Array, limits: FrameLimits = FRAME_LIMITS): Decoded {
  if (data.byteLength < 8)
    return { ok: false, error: `message of ${data.byteLength} bytes is shorter than its 8-byte prefix` };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerBytes = view.getUint32(0, true);
  const frameCount = view.getUint32(4, true);
  if (frameCount > limits.maxFrames)
    return { ok: false, error: `message announces ${frameCount} frames; at most ${limits.maxFrames} are accepted` };
  const prefix = 8 + 4 * frameCount;
  if (data.byteLength < prefix) return { ok: false, error: 'message is shorter than its frame table' };
  const sizes: number[] = [];
  for (let i = 0; i < frameCount; i++) sizes.push(view.getUint32(8 + 4 * i, true));
  const refused = checkFrameSizes(headerBytes, sizes, limits);
  if (refused !== undefined) return { ok: false, error: refused };
  let need = pad8(prefix) + pad8(headerBytes);
  for (const s of sizes) need += pad8(s);
  if (need > data.byteLength)
    return { ok: false, error: `message announces ${need} bytes but ${data.byteLength} arrived` };
  let at = pad8(prefix);
  const header = Buffer.from(data.buffer, data.byteOffset + at, headerBytes).toString('utf8');
  at += pad8(headerBytes);
  const frames = sizes.map((s) => {
    const f = new Uint8Array(data.buffer, data.byteOffset + at, s);
    at += pad8(s);
    return f;
  });
  return { ok: true, header, frames };
}
