/*
 * Keys. A collection's chunk keys are built from its name and block index by `key(name, ...index)`
 * as `name[i,j]` (Dask writes the tuple ('name', i, j)); a key without an index is just the name.
 * Names made by dask-ts are `prefix-token`, where the token is either a content hash (pure, see
 * tokenize.ts) or unique to this process: a random session id plus a counter, which is unique
 * across processes and machines yet costs only a string concatenation per key.
 */
import { randomBytes } from 'node:crypto';
import type { Key } from './task.js';

/** The key of block `index` of collection `name`; `key('x-1a2b', 0, 3)` is `x-1a2b[0,3]`. */
export function key(name: string, ...index: readonly number[]): Key {
  return index.length === 0 ? name : `${name}[${index.join(',')}]`;
}

/**
 * `${name}-${token}`, as a flat string. Template literals longer than 12 characters make V8 rope
 * strings, which are flattened (copied) again on first hashing or comparison; flattening once
 * here, while the string is new, halves the cost of the Map insertions and comparisons that
 * every key goes through in a million-task graph.
 */
export function tokenKey(name: string, token: string): Key {
  const k = `${name}-${token}`;
  k.charCodeAt(0);
  return k;
}

/** The name part of a key: `keyName('x-1a2b[0,3]')` is `x-1a2b`. */
export function keyName(k: Key): string {
  const bracket = k.indexOf('[');
  return bracket < 0 ? k : k.slice(0, bracket);
}

/** The block index of a key, empty for a key without one. */
export function keyIndex(k: Key): number[] {
  const bracket = k.indexOf('[');
  if (bracket < 0 || !k.endsWith(']')) return [];
  return k
    .slice(bracket + 1, -1)
    .split(',')
    .map(Number);
}

/** The prefix of a name, for grouping in progress bars and pictures: `inc-9f3a...` gives `inc`. */
export function keyPrefix(k: Key): string {
  const name = keyName(k);
  const dash = name.lastIndexOf('-');
  return dash <= 0 ? name : name.slice(0, dash);
}

const session = randomBytes(6).toString('hex');
let counter = 0;

/** A token unique to this call in this process and, with high probability, across processes. */
export function uniqueToken(): string {
  counter += 1;
  // counter first: keys then differ within a few characters, which makes comparing them cheap
  return `${counter.toString(36)}${session}`;
}
