/*
 * Schema combinators for protocol.ts: each Check looks at one value found at a path and returns
 * what is wrong with it ("<path> must be ..., got ...") or undefined. Strings, arrays and records
 * are checked against MessageLimits before anything else is read, so an oversize field is named,
 * not processed. `shape` checks an object's fields (and refuses unexpected ones), `tagged` picks a
 * shape by a tag field, `json` accepts bounded JSON data.
 */
import type { JsonValue } from '../../src/core/serialize/codec-registry.js';

/** Size caps checked by validateMessage (string lengths in UTF-16 units). */
export interface MessageLimits {
  /** Task keys. */
  readonly maxKeyLength: number;
  /** Addresses, names, ids, versions, tokens, type names, error names and codes. */
  readonly maxNameLength: number;
  /** Error messages and stacks, refusal reasons. */
  readonly maxTextLength: number;
  /** Function sources, module URLs, EncodedValue headers. */
  readonly maxSourceLength: number;
  /** Elements of any array, entries of any record. */
  readonly maxItems: number;
}

/** Checks a value found at `path`. The phantom `admits` ties a check to the field type it guards. */
export interface Check<T> {
  (value: unknown, path: string, limits: MessageLimits): string | undefined;
  readonly admits?: T;
  readonly optional?: true;
}
export type Fields<T> = { readonly [K in keyof T]-?: Check<T[K]> };

const at = (path: string, field: string): string => (path === '' ? field : `${path}.${field}`);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

export const mustBe = (path: string, what: string, v: unknown): string =>
  `${path === '' ? 'the message' : path} must be ${what}, got ${describe(v)}`;

export function str(limit: 'maxKeyLength' | 'maxNameLength' | 'maxTextLength' | 'maxSourceLength'): Check<string> {
  return (v, p, l) =>
    typeof v === 'string' && v.length <= l[limit]
      ? undefined
      : mustBe(p, `a string of at most ${l[limit]} characters`, v);
}
export const whole: Check<number> = (v, p) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : mustBe(p, 'a whole number >= 0', v);
export const finite: Check<number> = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : mustBe(p, 'a finite number', v);
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? undefined : mustBe(p, 'true or false', v));
export function oneOf<T extends string>(...values: T[]): Check<T> {
  return (v, p) =>
    (values as unknown[]).includes(v) ? undefined : mustBe(p, values.map((x) => JSON.stringify(x)).join(' or '), v);
}

export function opt<T>(check: Check<T>): Check<T | undefined> {
  return Object.assign((v: unknown, p: string, l: MessageLimits) => check(v, p, l), { optional: true as const });
}

export function list<T>(item: Check<T>): Check<readonly T[]> {
  return (v, p, l) => {
    if (!Array.isArray(v)) return mustBe(p, 'an array', v);
    if (v.length > l.maxItems) return `${p} has ${v.length} items, more than the limit of ${l.maxItems}`;
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${p}[${i}]`, l);
      if (e !== undefined) return e;
    }
    return undefined;
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record keyed by task keys. */
export function dict<T>(value: Check<T>): Check<Readonly<Record<string, T>>> {
  return (v, p, l) => {
    if (!isRecord(v)) return mustBe(p, 'an object', v);
    const ks = Object.keys(v);
    if (ks.length > l.maxItems) return `${p} has ${ks.length} entries, more than the limit of ${l.maxItems}`;
    for (const k of ks) {
      if (k.length > l.maxKeyLength)
        return `${p} has a key of ${k.length} characters, more than the limit of ${l.maxKeyLength}`;
      const e = value(v[k], `${p}[${JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}...` : k)}]`, l);
      if (e !== undefined) return e;
    }
    return undefined;
  };
}

export function shape<T>(fields: Fields<T>, skip: readonly string[] = []): Check<T> {
  const checks = Object.entries<Check<unknown>>(fields as Readonly<Record<string, Check<unknown>>>);
  return (v, p, l) => {
    if (!isRecord(v)) return mustBe(p, 'an object', v);
    for (const k of Object.keys(v)) {
      if (!Object.hasOwn(fields, k) && !skip.includes(k))
        return `${at(p, k.length > 64 ? `${k.slice(0, 64)}...` : k)} is not an expected field`;
    }
    for (const [k, check] of checks) {
      const x = v[k];
      if (x === undefined) {
        if (check.optional !== true) return `${at(p, k)} is missing`;
        continue;
      }
      const e = check(x, at(p, k), l);
      if (e !== undefined) return e;
    }
    return undefined;
  };
}

/** One of several shapes, chosen by the string in field `tag`. */
export function tagged<T>(tag: string, variants: Readonly<Record<string, Check<T>>>): Check<T> {
  return (v, p, l) => {
    const t = isRecord(v) ? v[tag] : undefined;
    const variant = typeof t === 'string' && Object.hasOwn(variants, t) ? variants[t] : undefined;
    if (!isRecord(v)) return mustBe(p, 'an object', v);
    if (variant === undefined)
      return mustBe(
        at(p, tag),
        Object.keys(variants)
          .map((x) => JSON.stringify(x))
          .join(' or '),
        t,
      );
    return variant(v, p, l);
  };
}

const MAX_JSON_DEPTH = 16;
export const json: Check<JsonValue> = (v, p, l) => jsonAt(v, p, l, 0);
function jsonAt(v: unknown, p: string, l: MessageLimits, depth: number): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean')
    return typeof v === 'string' && v.length > l.maxTextLength
      ? mustBe(p, `a string of at most ${l.maxTextLength} characters`, v)
      : undefined;
  if (typeof v === 'number') return finite(v, p, l);
  if (depth >= MAX_JSON_DEPTH) return `${p} is nested more than ${MAX_JSON_DEPTH} levels deep`;
  if (Array.isArray(v)) return list<JsonValue>((x, q, m) => jsonAt(x, q, m, depth + 1))(v, p, l);
  if (isRecord(v)) return dict<JsonValue>((x, q, m) => jsonAt(x, q, m, depth + 1))(v, p, l);
  return mustBe(p, 'JSON data', v);
}
