/*
 * Messages between the parent and a child process: any value as a JSON header plus raw byte
 * frames (serialize/frames.ts), over Node's IPC channel with 'advanced' serialization, which
 * carries the frames as binary. Shared memory cannot cross processes, so frames that are views of
 * a SharedArrayBuffer are copied into plain buffers on the way out (the only copy).
 */
import { fromFrames, toFrames } from '../../src/core/serialize/frames.js';

export interface WireMessage {
  readonly header: string;
  readonly frames: Uint8Array[];
}

/** What a child sends once its entry file has loaded, before any reply. */
export interface ReadyMessage {
  readonly ready: true;
}

export function isReady(message: WireMessage | ReadyMessage): message is ReadyMessage {
  return 'ready' in message;
}

export function toWire(value: unknown): WireMessage {
  const { header, frames } = toFrames(value);
  return { header, frames: frames.map((f) => (f.buffer instanceof SharedArrayBuffer ? f.slice() : f)) };
}

export function fromWire(message: WireMessage): unknown {
  return fromFrames(message.header, message.frames);
}
