/*
 * Values for processes and sockets: one JSON header plus raw byte frames. The header is the value
 * tree written as JSON, where anything JSON cannot say exactly is a small tagged object:
 *   finite number (not -0), string, boolean, null   themselves
 *   NaN, ±Infinity, -0                               {"$":"n","v":"NaN"|"Infinity"|"-Infinity"|"-0"}
 *   undefined (also array holes)                     {"$":"u"}
 *   bigint                                           {"$":"b","v":"<decimal digits>"}
 *   Date                                             {"$":"d","v":<epoch ms>|null}
 *   RegExp                                           {"$":"re","s":<source>,"fl":<flags>}
 *   typed array / DataView / (Shared)ArrayBuffer     {"$":"t","k":<kind>,"f":<frame>} / {"$":"dv",..}
 *                                                    / {"$":"ab","f":<frame>}
 *   value some codec handles                         {"$":"c","c":<codec>,"h":<header>,"f":[frames]}
 *   Map / Set                                        {"$":"m","v":[[k,v],...]} / {"$":"s","v":[...]}
 *   array                                            [ ...items ]
 *   plain object                                     { ...fields }, or {"$":"o","v":{...}} when it
 *                                                    has its own "$" key
 * Frames are Uint8Array views of the original memory (no copy on the way out; the same typed array
 * met twice is sent once). On the way in, typed arrays are views over the received frames when the
 * frame's byte offset suits the element size (8 bytes for Float64Array / BigInt64Array) and aligned
 * copies otherwise, so a sender can pack frames back to back without padding. Anything else (a
 * function, a symbol, an instance of an unregistered class) is refused with a SerializationError.
 */
import { SerializationError } from '../errors.js';
import { isPlainContainer } from '../graph/plain-container.js';
import { codecByName, findCodec } from './codec-registry.js';
import type { JsonValue } from './codec-registry.js';
import {
  bytesOf,
  isArrayBuffer,
  isSharedArrayBuffer,
  isTypedArrayKind,
  typedArrayKind,
  viewAs,
} from './typed-arrays.js';

export interface Frames {
  /** JSON text describing the value; `frames` are referenced by index. */
  readonly header: string;
  readonly frames: Uint8Array[];
}

type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 1000;
const UNDEFINED: JsonObject = { $: 'u' };

function tooDeep(): never {
  throw new SerializationError(`value is nested more than ${MAX_DEPTH} levels deep (does it contain a cycle?)`);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function encodeNumber(v: number): JsonValue {
  if (Number.isFinite(v)) return Object.is(v, -0) ? { $: 'n', v: '-0' } : v;
  return { $: 'n', v: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}

class FrameEncoder {
  readonly frames: Uint8Array[] = [];
  private readonly seen = new Map<object, number>();

  private frame(source: ArrayBufferView | ArrayBufferLike): number {
    let i = this.seen.get(source);
    if (i === undefined) {
      i = this.frames.push(ArrayBuffer.isView(source) ? bytesOf(source) : new Uint8Array(source)) - 1;
      this.seen.set(source, i);
    }
    return i;
  }

  node(v: unknown, depth: number): JsonValue {
    switch (typeof v) {
      case 'number':
        return encodeNumber(v);
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return UNDEFINED;
      case 'bigint':
        return { $: 'b', v: v.toString() };
      case 'object':
        return v === null ? null : this.object(v, depth);
      default:
        throw new SerializationError(`cannot send a ${typeof v} to another process`);
    }
  }

  private object(v: object, depth: number): JsonValue {
    if (depth > MAX_DEPTH) tooDeep();
    if (Array.isArray(v)) {
      const out: JsonValue[] = new Array<JsonValue>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = this.node((v as unknown[])[i], depth + 1);
      return out;
    }
    if (ArrayBuffer.isView(v)) {
      const kind = typedArrayKind(v);
      return kind === undefined ? { $: 'dv', f: this.frame(v) } : { $: 't', k: kind, f: this.frame(v) };
    }
    if (isArrayBuffer(v) || isSharedArrayBuffer(v)) return { $: 'ab', f: this.frame(v) };
    if (isPlainContainer(v)) {
      const out: JsonObject = {};
      const fields = v;
      for (const k in fields) setOwn(out, k, this.node(fields[k], depth + 1));
      return Object.hasOwn(fields, '$') ? { $: 'o', v: out } : out;
    }
    if (v instanceof Date) {
      const t = v.getTime();
      return { $: 'd', v: Number.isNaN(t) ? null : t };
    }
    const codec = findCodec(v);
    if (codec !== undefined) {
      const { header, buffers } = codec.encode(v);
      return { $: 'c', c: codec.name, h: header, f: buffers.map((b) => this.frame(b)) };
    }
    if (v instanceof Map) {
      return { $: 'm', v: [...v].map(([k, x]) => [this.node(k, depth + 1), this.node(x, depth + 1)]) };
    }
    if (v instanceof Set) return { $: 's', v: [...v].map((x) => this.node(x, depth + 1)) };
    if (v instanceof RegExp) return { $: 're', s: v.source, fl: v.flags };
    const name = (v.constructor as { name?: unknown } | undefined)?.name;
    throw new SerializationError(
      `cannot send an instance of ${typeof name === 'string' && name !== '' ? name : 'an unknown class'} to another process: no codec handles it (see registerCodec)`,
    );
  }
}

/** Splits a value into a JSON header and the raw byte frames it refers to (no copies). */
export function toFrames(value: unknown): Frames {
  const enc = new FrameEncoder();
  const root = enc.node(value, 0);
  return { header: JSON.stringify(root), frames: enc.frames };
}

function bad(what: string): never {
  throw new SerializationError(`received a malformed frame header: ${what}`);
}

class FrameDecoder {
  constructor(private readonly frames: readonly Uint8Array[]) {}

  private frame(i: JsonValue | undefined): Uint8Array {
    if (typeof i !== 'number') return bad('frame index is not a number');
    return this.frames[i] ?? bad(`frame ${i} is missing`);
  }

  node(j: JsonValue | undefined, depth: number): unknown {
    if (j === undefined) return bad('missing value');
    if (typeof j !== 'object' || j === null) return j;
    if (depth > MAX_DEPTH) tooDeep();
    if (Array.isArray(j)) return j.map((x) => this.node(x, depth + 1));
    const tag = j.$;
    if (tag === undefined) return this.fields(j, depth);
    switch (tag) {
      case 'u':
        return undefined;
      case 'n':
        return j.v === '-0'
          ? -0
          : j.v === 'NaN'
            ? NaN
            : j.v === 'Infinity'
              ? Infinity
              : j.v === '-Infinity'
                ? -Infinity
                : bad('number');
      case 'b':
        return typeof j.v === 'string' ? BigInt(j.v) : bad('bigint');
      case 'd':
        return new Date(typeof j.v === 'number' ? j.v : NaN);
      case 're':
        return typeof j.s === 'string' && typeof j.fl === 'string' ? new RegExp(j.s, j.fl) : bad('regexp');
      case 't':
        return isTypedArrayKind(j.k) ? viewAs(j.k, this.frame(j.f)) : bad('typed array kind');
      case 'dv': {
        const f = this.frame(j.f);
        return new DataView(f.buffer, f.byteOffset, f.byteLength);
      }
      case 'ab':
        return ownBuffer(this.frame(j.f));
      case 'o':
        return typeof j.v === 'object' && j.v !== null && !Array.isArray(j.v) ? this.fields(j.v, depth) : bad('object');
      case 'm':
        return new Map(this.list(j.v, depth).map((e) => (Array.isArray(e) ? [e[0], e[1]] : bad('map entry'))));
      case 's':
        return new Set(this.list(j.v, depth));
      case 'c':
        return this.codec(j);
      default:
        return bad(`unknown tag ${JSON.stringify(tag)}`);
    }
  }

  private list(v: JsonValue | undefined, depth: number): unknown[] {
    return Array.isArray(v) ? v.map((x) => this.node(x, depth + 1)) : bad('list');
  }

  private fields(j: JsonObject, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(j)) setOwn(out, k, this.node(j[k], depth + 1));
    return out;
  }

  private codec(j: JsonObject): unknown {
    const name = j.c;
    const codec = typeof name === 'string' ? codecByName(name) : undefined;
    if (codec === undefined) return bad(`unknown codec ${JSON.stringify(name ?? null)}`);
    const f = j.f;
    if (!Array.isArray(f)) return bad('codec frames');
    return codec.decode(
      j.h ?? null,
      f.map((i) => this.frame(i)),
    );
  }
}

/** The bytes of a frame as an ArrayBuffer of their own: the frame's buffer when it is exactly that, else a copy. */
function ownBuffer(f: Uint8Array): ArrayBuffer {
  if (f.byteOffset === 0 && f.byteLength === f.buffer.byteLength && isArrayBuffer(f.buffer)) return f.buffer;
  const copy = new Uint8Array(f.byteLength);
  copy.set(f);
  return copy.buffer;
}

/** Rebuilds a value from `toFrames` output; typed arrays view the frames' memory where aligned. */
export function fromFrames(header: string, frames: readonly Uint8Array[]): unknown {
  let root: JsonValue;
  try {
    root = JSON.parse(header) as JsonValue;
  } catch {
    return bad('not JSON');
  }
  return new FrameDecoder(frames).node(root, 0);
}
