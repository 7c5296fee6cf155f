/*
 * What the Client does with the values users hand it and the errors the scheduler reports:
 * Futures found in (and replaced within) nested arrays and plain objects, a collection's key tree
 * filled with Futures, and a task's ErrorRecord turned into the error users see.
 */
import { DaskError, TaskError } from '../../src/core/errors.js';
import type { Key } from '../../src/core/graph/task.js';
import { mapLeaves } from '../../src/core/graph/map-leaves.js';
import { decodeError, type ErrorRecord } from '../../src/core/serialize/error-codec.js';
import { Future } from './future.js';

/** The type gather() returns: Futures replaced by their values, arrays and objects walked. */
export type Gathered<T> =
  T extends Future<infer V>
    ? V
    : T extends readonly unknown[]
      ? { [I in keyof T]: Gathered<T[I]> }
      : T extends Record<string, unknown>
        ? { [K in keyof T]: Gathered<T[K]> }
        : T;

/** Appends the key of every Future in `v` (arrays and plain objects walked) to `into`. */
export function collectKeys(v: unknown, into: Key[]): void {
  mapLeaves(v, (x) => {
    if (Future.isFuture(x)) into.push(x.key);
    return x;
  });
}

/** `v` with every Future replaced by `f(future)` (arrays and plain objects copied where they change). */
export function mapFutures(v: unknown, f: (x: Future) => unknown): unknown {
  return mapLeaves(v, (x) => (Future.isFuture(x) ? f(x) : x));
}

/** A key tree with each key replaced by its Future. */
export function arrange(tree: unknown, byKey: ReadonlyMap<Key, Future>): unknown {
  return typeof tree === 'string' ? byKey.get(tree) : (tree as unknown[]).map((t) => arrange(t, byKey));
}

/** A task's error as users see it: DaskErrors as themselves, anything else as a TaskError with the original as cause. */
export function errorFor(key: Key, rec: ErrorRecord | undefined): Error {
  if (rec === undefined) return new TaskError(key, { name: 'Error', message: 'the task failed' });
  const original = decodeError(rec);
  if (original instanceof DaskError) return original;
  return new TaskError(key, { name: rec.name, message: rec.message, stack: rec.stack }, original);
}
