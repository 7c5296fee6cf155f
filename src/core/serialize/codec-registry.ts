/*
 * The one codec registry. A codec turns a value that structured clone or JSON would mangle (an
 * ndarray loses its class, an Arrow table its methods, a DaskError its class and code) into a JSON
 * header plus raw byte buffers, and back. Both transports use it: pack-value.ts for threads
 * (buffers go through structured clone, shared memory stays shared) and frames.ts for processes
 * and sockets (buffers become frames).
 *
 * `findCodec` asks each codec's `canHandle` in registration order, user codecs after the built-in
 * ones; registering a codec under an existing name replaces it in place. The built-in codecs are
 * registered by `registerBuiltinCodecs()`, which the transports call on first use, so importing
 * this module has no side effects.
 */
import { arrowCodec } from './arrow-codec.js';
import { errorCodec } from './error-codec.js';
import { ndarrayCodec } from './ndarray-codec.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface EncodedValue {
  /** Everything but the bulk bytes; must survive JSON.stringify/parse unchanged. */
  readonly header: JsonValue;
  /** Bulk data, sent without copying where the transport allows. */
  readonly buffers: readonly ArrayBufferView[];
}

export interface Codec<T = unknown> {
  /** Unique name, sent with every encoded value to pick the decoder on the other side. */
  readonly name: string;
  canHandle(value: unknown): value is T;
  encode(value: T): EncodedValue;
  /** `buffers` are the encoded buffers' bytes; views over them are fine, they belong to the value now. */
  decode(header: JsonValue, buffers: readonly Uint8Array[]): T;
}

const codecs: Codec[] = [];
const byName = new Map<string, Codec>();
let builtinsRegistered = false;

/** Adds a codec, or replaces the codec of the same name keeping its position. */
export function registerCodec<T>(codec: Codec<T>): void {
  if (typeof codec.name !== 'string' || codec.name === '') throw new TypeError('a codec needs a non-empty name');
  ensureBuiltinCodecs();
  const c = codec as unknown as Codec;
  const existing = byName.get(codec.name);
  if (existing === undefined) codecs.push(c);
  else codecs[codecs.indexOf(existing)] = c;
  byName.set(codec.name, c);
}

/** The first codec that can handle `value`, if any. */
export function findCodec(value: unknown): Codec | undefined {
  ensureBuiltinCodecs();
  for (const c of codecs) if (c.canHandle(value)) return c;
  return undefined;
}

/** The codec registered under `name`, if any. */
export function codecByName(name: string): Codec | undefined {
  ensureBuiltinCodecs();
  return byName.get(name);
}

/** Registers the ndarray, Arrow table and Error codecs (idempotent). */
export function registerBuiltinCodecs(): void {
  builtinsRegistered = true;
  for (const c of [errorCodec, ndarrayCodec, arrowCodec] as Codec[]) if (!byName.has(c.name)) registerCodec(c);
}

function ensureBuiltinCodecs(): void {
  if (!builtinsRegistered) registerBuiltinCodecs();
}
