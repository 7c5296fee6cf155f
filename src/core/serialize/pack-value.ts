/*
 * Values for worker threads. `postMessage` uses structured clone, which already copies numbers,
 * strings, plain objects, arrays, Dates, Maps and typed arrays, and which shares (never copies) a
 * SharedArrayBuffer. What it gets wrong is class instances: an ndarray, an Arrow table or a
 * DaskError arrives as a bare object. `packValue` therefore walks arrays and plain objects and
 * replaces each value some codec handles by a tagged plain record
 *     { __daskCodec: <codec name>, header: <JSON>, buffers: <Uint8Array views of the same memory> }
 * and `unpackValue` turns such records back into values. Everything else is left to structured
 * clone untouched. Both walks copy a container only when something inside it changed, so the
 * common case (numbers, strings, typed arrays, containers of those) allocates nothing and returns
 * the very same object. A plain object that itself owns a `__daskCodec` key is escaped as
 * { __daskCodec: '', value: <object> } so it cannot be mistaken for a record.
 *
 * Transfer: with `{ transfer: true }` the non-shared ArrayBuffers under the value (behind typed
 * arrays, ArrayBuffers and codec buffers) are listed for postMessage's transfer list, which moves
 * them instead of copying and detaches them on the sending side. Shared buffers are never listed,
 * and neither is the slab behind a small Node Buffer (it belongs to Node's pool, not to the value).
 * Only arrays and plain objects are walked: a codec value inside a Map or Set is not converted.
 */
import { SerializationError } from '../errors.js';
import { isPlainContainer } from '../graph/plain-container.js';
import { codecByName, findCodec } from './codec-registry.js';
import type { JsonValue } from './codec-registry.js';
import { bytesOf, isArrayBuffer, isSharedArrayBuffer, typedArrayKind } from './typed-arrays.js';

export interface PackOptions {
  /** List the value's own ArrayBuffers for transfer (they become unusable here). Default false. */
  readonly transfer?: boolean;
}

export interface PackedValue {
  /** What to post: the value with codec-handled objects replaced by tagged records. */
  readonly packed: unknown;
  /** The transfer list for postMessage (empty unless `transfer: true`). */
  readonly transfer: ArrayBuffer[];
}

const TAG = '__daskCodec';
const MAX_DEPTH = 1000;

interface CodecRecord {
  [TAG]: string;
  header?: JsonValue;
  buffers?: Uint8Array[];
  value?: unknown;
}

function tooDeep(): never {
  throw new SerializationError(`value is nested more than ${MAX_DEPTH} levels deep (does it contain a cycle?)`);
}

/** Sets an own property, also for the key "__proto__" (which plain assignment would treat as the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

class Packer {
  private readonly transferSet: Set<ArrayBuffer> | undefined;
  constructor(transfer: boolean) {
    this.transferSet = transfer ? new Set() : undefined;
  }

  get transfer(): ArrayBuffer[] {
    return this.transferSet === undefined ? [] : [...this.transferSet];
  }

  private note(view: ArrayBufferView): void {
    if (this.transferSet === undefined) return;
    const buffer = view.buffer;
    if (isSharedArrayBuffer(buffer) || !isArrayBuffer(buffer)) return;
    if (Buffer.isBuffer(view) && view.byteLength !== buffer.byteLength) return;
    this.transferSet.add(buffer);
  }

  pack(value: unknown, depth: number): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function') {
        throw new SerializationError(
          'cannot send a function as a value to a worker; make it a task function or pass data instead',
        );
      }
      return value;
    }
    if (depth > MAX_DEPTH) tooDeep();
    if (ArrayBuffer.isView(value)) {
      this.note(value);
      return value;
    }
    if (isArrayBuffer(value)) {
      if (this.transferSet !== undefined) this.transferSet.add(value);
      return value;
    }
    if (Array.isArray(value)) return this.packArray(value as unknown[], depth);
    if (isPlainContainer(value)) {
      const fields = value;
      if (Object.hasOwn(fields, TAG)) return { [TAG]: '', value: this.packFields(fields, depth, true) };
      return this.packFields(fields, depth, false);
    }
    const codec = findCodec(value);
    if (codec === undefined) return value;
    const { header, buffers } = codec.encode(value);
    const bytes = buffers.map((b) => {
      this.note(b);
      return bytesOf(b);
    });
    const record: CodecRecord = { [TAG]: codec.name, header, buffers: bytes };
    return record;
  }

  private packArray(value: unknown[], depth: number): unknown[] {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const p = this.pack(v, depth + 1);
      if (p !== v && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(p);
    }
    return out ?? value;
  }

  private packFields(value: Record<string, unknown>, depth: number, forceCopy: boolean): Record<string, unknown> {
    let out: Record<string, unknown> | undefined = forceCopy ? { ...value } : undefined;
    for (const k in value) {
      const v = value[k];
      const p = this.pack(v, depth + 1);
      if (p !== v) out ??= { ...value };
      if (out !== undefined) setOwn(out, k, p);
    }
    return out ?? value;
  }
}

/** Prepares a value for `postMessage` to a worker thread. */
export function packValue(value: unknown, options?: PackOptions): PackedValue {
  if (typeof value !== 'object' || value === null) {
    if (typeof value !== 'function') return { packed: value, transfer: [] };
  }
  const packer = new Packer(options?.transfer === true);
  const packed = packer.pack(value, 0);
  return { packed, transfer: packer.transfer };
}

/** Rebuilds a value received from `postMessage` that `packValue` prepared. */
export function unpackValue(packed: unknown): unknown {
  return unpack(packed, 0);
}

function unpack(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) tooDeep();
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const u = unpack(v, depth + 1);
      if (u !== v && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(u);
    }
    return out ?? value;
  }
  if (!isPlainContainer(value)) return value;
  const fields = value;
  if (Object.hasOwn(fields, TAG)) return unpackRecord(fields as unknown as CodecRecord, depth);
  return unpackFields(fields, depth);
}

function unpackFields(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    const v = value[k];
    const u = unpack(v, depth + 1);
    if (u !== v) out ??= { ...value };
    if (out !== undefined) setOwn(out, k, u);
  }
  return out ?? value;
}

function unpackRecord(record: CodecRecord, depth: number): unknown {
  const name = record[TAG];
  if (name === '') {
    const inner = record.value;
    if (!isPlainContainer(inner) || Array.isArray(inner))
      throw new SerializationError('received a malformed escaped object');
    return unpackFields(inner, depth);
  }
  const codec = typeof name === 'string' ? codecByName(name) : undefined;
  if (codec === undefined) throw new SerializationError(`received a value for unknown codec "${String(name)}"`);
  const buffers = record.buffers;
  if (!Array.isArray(buffers) || !buffers.every((b) => typedArrayKind(b) === 'Uint8Array')) {
    throw new SerializationError(`received a malformed "${name}" value: buffers must be Uint8Arrays`);
  }
  return codec.decode(record.header ?? null, buffers);
}
