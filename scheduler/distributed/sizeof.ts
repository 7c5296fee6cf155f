/*
 * sizeOf: about how many bytes a task result holds, for the scheduler's memory accounting and
 * placement (Dask's `sizeof`). Buffers count their byte length (a typed array, an ndarray's data,
 * an Arrow table's column buffers); numbers and booleans 8; strings 2 per character; arrays, Maps,
 * Sets and plain objects the sum of their parts plus a small overhead, walking at most 10,000
 * elements and extrapolating beyond that, so sizing a huge list stays cheap. typeName: the label
 * a value goes by in key-in-memory messages and scattered keys.
 */
const SAMPLE = 10_000;
const OVERHEAD = 16;

interface HasByteLength {
  readonly byteLength: number;
}
interface ArrowLike {
  readonly batches: readonly { readonly data: { readonly byteLength: number } }[];
}
interface NdArrayLike {
  readonly data: unknown;
  readonly shape: readonly number[];
}

/** The class name of a value (at most 100 characters), else its typeof; 'null' for null. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'object';
}

/** Approximate size of `value` in bytes (0 for undefined and null). */
export function sizeOf(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    case 'string':
      return OVERHEAD + 2 * value.length;
    case 'object':
      return value === null ? 0 : objectSize(value, depth);
    default:
      return 0;
  }
}

function objectSize(v: object, depth: number): number {
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer))
    return (v as HasByteLength).byteLength;
  if (depth > 32) return OVERHEAD;
  if (isArrow(v)) return v.batches.reduce((n, b) => n + b.data.byteLength, OVERHEAD);
  if (isNdArray(v)) return sizeOf(v.data, depth + 1) + OVERHEAD;
  if (Array.isArray(v)) return OVERHEAD + sampled(v as unknown[], depth);
  if (v instanceof Map) return OVERHEAD + sampled([...v.keys()], depth) + sampled([...v.values()], depth);
  if (v instanceof Set) return OVERHEAD + sampled([...v], depth);
  let n = OVERHEAD;
  let seen = 0;
  for (const k in v) {
    if (++seen > SAMPLE) break;
    n += 2 * k.length + sizeOf((v as Record<string, unknown>)[k], depth + 1);
  }
  return n;
}

function sampled(items: readonly unknown[], depth: number): number {
  const m = Math.min(items.length, SAMPLE);
  let n = 0;
  for (let i = 0; i < m; i++) n += sizeOf(items[i], depth + 1);
  return m === items.length ? n : Math.round((n / m) * items.length);
}

function isArrow(v: object): v is ArrowLike {
  const b = (v as Partial<ArrowLike>).batches;
  return Array.isArray(b) && (v as { schema?: unknown }).schema !== undefined;
}

function isNdArray(v: object): v is NdArrayLike {
  const n = v as Partial<NdArrayLike>;
  return Array.isArray(n.shape) && ArrayBuffer.isView(n.data);
}
