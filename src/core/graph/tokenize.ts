/*
 * tokenize(): a deterministic content hash, used to name collections built from pure operations
 * (Dask's dask.base.tokenize). Equal content gives the same 32-hex-digit token in every process
 * and run, so recomputing the same thing reuses the same keys.
 *
 * Algorithm: values are written into an MD5 stream as a prefix-free encoding: every item starts
 * with a one-letter tag, strings and names are length-prefixed, containers give their size first,
 * so two different values can never produce the same byte stream. Small items are batched into a
 * text buffer and flushed in 64 KiB pieces; typed arrays and buffers are fed to the hash as they
 * are (their dtype name and byte length first), with no copy.
 *
 *   number   -0 and NaN are told apart (String() would merge -0 and 0)
 *   object   plain objects by sorted keys; class instances by constructor name + own enumerable
 *            props; `__daskTokenize()` (collections) and TaskRef (its key) speak for themselves
 *   Map/Set  order-insensitive: entries sorted by the encoding of their key / element
 *   function name + source text (`fn.toString()`)
 *
 * The walk is iterative (a stack of frames, one per open container), so deeply nested data cannot
 * overflow the call stack. A container that contains itself is written as a back-reference to the
 * depth of its open ancestor, so cycles terminate; shared (acyclic) sub-objects are written in
 * full each time, so equal content hashes equally however it is shared.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { ValueError } from '../errors.js';
import { TaskRef } from './task.js';
import { isPlainContainer } from './plain-container.js';

/** The content token of `values`: 32 lowercase hex digits. */
export function tokenize(...values: unknown[]): string {
  const out = new Encoder();
  encode(values, out, new Map());
  return out.digest();
}

const FLUSH_AT = 1 << 16;
/** Sub-encodings (Map keys, Set elements) longer than this are hashed rather than kept as text. */
const INLINE_LIMIT = 256;

/** A text buffer in front of an MD5 stream; the stream starts at the first flush. */
class Encoder {
  private text = '';
  private hash: Hash | undefined;
  write(s: string): void {
    this.text += s;
    if (this.text.length >= FLUSH_AT) this.flush();
  }
  bytes(view: ArrayBufferView): void {
    this.flush();
    (this.hash as Hash).update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  private flush(): void {
    this.hash ??= createHash('md5');
    this.hash.update(this.text, 'utf8');
    this.text = '';
  }
  /** The hex digest of everything written. */
  digest(): string {
    this.flush();
    return (this.hash as Hash).digest('hex');
  }
  /** A short self-delimiting stand-in: the text itself when short, else its digest. */
  summary(): string {
    if (this.hash === undefined && this.text.length <= INLINE_LIMIT) {
      return `e${this.text.length}:${this.text}`;
    }
    return `h${this.digest()}`;
  }
}

interface Frame {
  readonly obj: object;
  readonly items: readonly unknown[];
  i: number;
}

/** Writes `root` into `out`. `open` maps each container on the current path to its depth. */
function encode(root: unknown, out: Encoder, open: Map<object, number>): void {
  const frames: Frame[] = [];
  let value = root;
  for (;;) {
    const items = encodeOne(value, out, open);
    if (items !== undefined) {
      open.set(value as object, open.size);
      frames.push({ obj: value as object, items, i: 0 });
    }
    let top = frames[frames.length - 1];
    while (top !== undefined && top.i >= top.items.length) {
      frames.pop();
      open.delete(top.obj);
      top = frames[frames.length - 1];
    }
    if (top === undefined) return;
    value = top.items[top.i];
    top.i += 1;
  }
}

/** Writes one value; for a container, writes its header and returns the items to write next. */
function encodeOne(value: unknown, out: Encoder, open: Map<object, number>): readonly unknown[] | undefined {
  switch (typeof value) {
    case 'string':
      out.write(`s${value.length}:${value}`);
      return undefined;
    case 'number':
      out.write(Object.is(value, -0) ? 'd-0;' : `d${String(value)};`);
      return undefined;
    case 'boolean':
      out.write(value ? 't' : 'f');
      return undefined;
    case 'undefined':
      out.write('u');
      return undefined;
    case 'bigint':
      out.write(`i${value.toString()};`);
      return undefined;
    case 'symbol': {
      const name = value.description ?? '';
      out.write(`y${name.length}:${name}`);
      return undefined;
    }
    case 'function':
      return encodeObject(value, out, open);
    case 'object':
      if (value === null) {
        out.write('n');
        return undefined;
      }
      return encodeObject(value, out, open);
  }
}

interface SelfTokenizing {
  __daskTokenize(): unknown;
}

function hasOwnToken(value: object): value is SelfTokenizing {
  return typeof (value as Partial<SelfTokenizing>).__daskTokenize === 'function';
}

function encodeObject(value: object, out: Encoder, open: Map<object, number>): readonly unknown[] | undefined {
  const depth = open.get(value);
  if (depth !== undefined) {
    out.write(`c${depth};`);
    return undefined;
  }
  if (hasOwnToken(value)) {
    const token = value.__daskTokenize();
    if (typeof token !== 'string') throw new ValueError(`__daskTokenize() must return a string, got ${typeof token}`);
    out.write(`x${token.length}:${token}`);
    return undefined;
  }
  if (typeof value === 'function') {
    const name = value.name;
    const source = Function.prototype.toString.call(value);
    out.write(`F${name.length}:${name}${source.length}:${source}`);
    return undefined;
  }
  if (Array.isArray(value)) {
    out.write(`a${value.length};`);
    return value as unknown[];
  }
  if (value instanceof TaskRef) {
    out.write(`r${value.key.length}:${value.key}`);
    return undefined;
  }
  if (ArrayBuffer.isView(value)) {
    writeBytes(value, out);
    return undefined;
  }
  if (isPlainContainer(value)) return objectItems(value, out);
  return encodeBuiltin(value, out, open);
}

/** Typed arrays and DataViews by element type, length and bytes. */
function writeBytes(view: ArrayBufferView, out: Encoder): void {
  const tag = ((view as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] as string | undefined) ?? 'DataView';
  out.write(`T${tag.length}:${tag}${view.byteLength};`);
  out.bytes(view);
}

function encodeBuiltin(value: object, out: Encoder, open: Map<object, number>): readonly unknown[] | undefined {
  if (
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
  ) {
    // Shared or not, the same bytes are the same content.
    out.write(`B${value.byteLength};`);
    out.bytes(new Uint8Array(value));
    return undefined;
  }
  if (value instanceof Date) {
    out.write(`D${String(value.getTime())};`);
    return undefined;
  }
  if (value instanceof RegExp) {
    const s = String(value);
    out.write(`R${s.length}:${s}`);
    return undefined;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    out.write('P');
    return [value.valueOf()];
  }
  if (value instanceof Map) {
    const entries: [string, unknown][] = [];
    open.set(value, open.size);
    for (const [k, v] of value as Map<unknown, unknown>) entries.push([summarize(k, open), v]);
    open.delete(value);
    entries.sort(byFirst);
    out.write(`M${entries.length};`);
    const items: unknown[] = [];
    for (const [k, v] of entries) items.push(k, v);
    return items;
  }
  if (value instanceof Set) {
    const elements: string[] = [];
    open.set(value, open.size);
    for (const v of value as Set<unknown>) elements.push(summarize(v, open));
    open.delete(value);
    elements.sort();
    out.write(`S${elements.length};${elements.join('')}`);
    return undefined;
  }
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  const name = typeof ctor?.name === 'string' ? ctor.name : '?';
  out.write(`C${name.length}:${name}`);
  return objectItems(value, out);
}

/** Writes an own-enumerable-keys header and returns [key, value, key, value, ...] in key order. */
function objectItems(value: object, out: Encoder): unknown[] {
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  const items: unknown[] = [];
  for (const k of keys) items.push(k, record[k]);
  out.write(`o${keys.length};`);
  return items;
}

/** The encoding of one value as a short string, for sorting Map keys and Set elements. */
function summarize(value: unknown, open: Map<object, number>): string {
  const sub = new Encoder();
  encode(value, sub, open);
  return sub.summary();
}

function byFirst(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
