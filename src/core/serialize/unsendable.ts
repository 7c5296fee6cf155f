/*
 * findUnsendable: where a value cannot travel to another thread or process, and what stands
 * there. Both transports fail on some values with errors that name neither the value nor the
 * place (structured clone: "#<Object> could not be cloned"; a process or socket would otherwise
 * die), so when sending fails the sender walks the value once more with this and reports the first
 * offending part by type and path ("a WeakMap at [1].cache"). It is only run after a send failed:
 * the hot path never pays for it.
 *
 * The rules follow the transports:
 *   'clone'  (worker threads: structured clone after pack-value.ts) refuses symbols, functions,
 *            WeakMap/WeakSet/WeakRef/FinalizationRegistry, Promises and other host objects; class
 *            instances travel as their own fields, so their fields are walked;
 *   'frames' (processes, sockets: frames.ts) refuses the same, and also instances of classes no
 *            codec handles (frames.ts keeps only plain data and registered codecs).
 * Values a codec handles (ndarrays, Arrow tables, errors) are always sendable.
 */
import { isPlainContainer } from '../graph/plain-container.js';
import { findCodec } from './codec-registry.js';

export type SendRules = 'clone' | 'frames';

export interface Unsendable {
  /** What stands there: 'a Symbol', 'a function', 'a WeakMap', 'an instance of Foo'. */
  readonly what: string;
  /** Where, from the value's root: '' for the value itself, '[2].cache', '.a.b'. */
  readonly path: string;
}

const REFUSED_CLASSES = ['WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Promise'] as const;
const MAX_DEPTH = 1000;

/** The first part of `value` the transport of `rules` cannot send, or undefined if it all can. */
export function findUnsendable(value: unknown, rules: SendRules): Unsendable | undefined {
  return walk(value, rules, '', 0, new Set());
}

/** "a WeakMap at [1].cache" / "a Symbol". */
export function describeUnsendable(u: Unsendable): string {
  return u.path === '' ? u.what : `${u.what} at ${u.path}`;
}

function walk(v: unknown, rules: SendRules, path: string, depth: number, seen: Set<object>): Unsendable | undefined {
  if (typeof v === 'symbol') return { what: 'a Symbol', path };
  if (typeof v === 'function') return { what: 'a function', path };
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH || seen.has(v)) return undefined;
  seen.add(v);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return undefined;
  if (v instanceof Date || v instanceof RegExp) return undefined;
  if (Array.isArray(v)) return walkEntries(v.entries(), rules, path, depth, seen, (i) => `[${String(i)}]`);
  if (v instanceof Map) {
    let i = 0;
    for (const [k, x] of v) {
      const at = `${path}.get(#${i++})`;
      const found = walk(k, rules, `${at} key`, depth + 1, seen) ?? walk(x, rules, at, depth + 1, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (v instanceof Set) return walkEntries([...v].entries(), rules, path, depth, seen, (i) => `{#${String(i)}}`);
  if (findCodec(v) !== undefined) return undefined;
  const name = className(v);
  if (REFUSED_CLASSES.some((c) => name === c)) return { what: `a ${name}`, path };
  if (!isPlainContainer(v)) {
    if (v instanceof Error) return undefined;
    if (rules === 'frames') return { what: `an instance of ${name ?? 'an unnamed class'}`, path };
  }
  return walkEntries(Object.entries(v), rules, path, depth, seen, (k) => `.${String(k)}`);
}

function walkEntries<K>(
  entries: Iterable<[K, unknown]>,
  rules: SendRules,
  path: string,
  depth: number,
  seen: Set<object>,
  step: (k: K) => string,
): Unsendable | undefined {
  for (const [k, x] of entries) {
    const found = walk(x, rules, path + step(k), depth + 1, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

function className(v: object): string | undefined {
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : undefined;
}
