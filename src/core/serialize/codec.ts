/*
 * The serialize folder's face for values: the codec registry and the two transports built on it.
 *   threads              packValue / unpackValue (pack-value.ts): structured clone does the copying,
 *                        codecs restore the classes it drops, shared memory stays shared;
 *   processes, sockets   toFrames / fromFrames (frames.ts): a JSON header plus raw byte frames.
 * Codecs (codec-registry.ts) turn class instances into {header, buffers}; the built-in ones cover
 * ndarray chunks, Arrow tables and Errors and are registered lazily on first use.
 */
export { codecByName, findCodec, registerBuiltinCodecs, registerCodec } from './codec-registry.js';
export type { Codec, EncodedValue, JsonValue } from './codec-registry.js';
export { packValue, unpackValue } from './pack-value.js';
export type { PackOptions, PackedValue } from './pack-value.js';
export { fromFrames, toFrames } from './frames.js';
export type { Frames } from './frames.js';
