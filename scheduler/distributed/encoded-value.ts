/*
 * Values inside messages (protocol.ts EncodedValue): a frames.ts header plus the numbers of its
 * frames in the message's shared frame list. encodeValue appends a value's frames to that list;
 * decodeValue reads a value back from it (views over the received bytes, no copy).
 */
import { fromFrames, toFrames } from '../../src/core/serialize/frames.js';
import type { EncodedValue } from './protocol.js';

/** `value` encoded, its frames appended to `frames`. */
export function encodeValue(frames: Uint8Array[], value: unknown): EncodedValue {
  const f = toFrames(value);
  const at = frames.length;
  for (const x of f.frames) frames.push(x);
  return { header: f.header, frames: f.frames.map((_, i) => at + i) };
}

export function decodeValue(enc: EncodedValue, frames: readonly Uint8Array[]): unknown {
  return fromFrames(
    enc.header,
    enc.frames.map((i) => frames[i]!),
  );
}
