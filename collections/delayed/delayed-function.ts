/*
 * delayed(): wraps a function so calling it builds a task instead of running it, or wraps a value
 * so it can join a graph. Arguments may be Delayed values, also inside arrays and plain objects;
 * they become TaskRefs and their Delayed objects become the new node's dependencies.
 *
 * Keys: `name-token`. The name is options.name, else the function's name, else 'lambda'. With
 * `pure: true` the token is a content hash of the function and its arguments, so equal calls
 * share one key (and run once); otherwise it is unique per call (uniqueToken), like Dask's
 * default. A wrapped value gets a content-hash key (`typename-token`), also like Dask.
 * With `nout: n` the result has items 0..n-1 and can be destructured.
 */
import { tokenKey, uniqueToken } from '../../src/core/graph/keys.js';
import { DataNode, Task, TaskRef, type TaskFunction } from '../../src/core/graph/task.js';
import { isPlainContainer } from '../../src/core/graph/plain-container.js';
import { tokenize } from '../../src/core/graph/tokenize.js';
import { ValueError } from '../../src/core/errors.js';
import { allPrimitive, UniqueList } from '../../src/core/graph/unique-list.js';
import { noteOrigin, registerModuleFunction } from '../../src/core/serialize/fn-ref.js';
import { Delayed } from './delayed.js';
import { identity } from './kernels.js';

export interface DelayedOptions {
  /** Key prefix; the function's name by default. */
  name?: string;
  /** Same function + same arguments → same key, computed once. Default false. */
  pure?: boolean;
  /** The call returns this many items; the Delayed can be indexed and destructured. */
  nout?: number;
  /** Ship the function to workers as an export of this module (usually import.meta.url). */
  module?: string;
  /** The export name, when it differs from the function's name. */
  export?: string;
}

/** A value, a Delayed of it, or (for arrays and plain objects) a container of such. */
export type DelayedLike<T> =
  | T
  | Delayed<T>
  | (T extends readonly (infer U)[]
      ? readonly DelayedLike<U>[]
      : T extends Record<string, unknown>
        ? { [K in keyof T]: DelayedLike<T[K]> }
        : never);
export type DelayedArgs<A extends readonly unknown[]> = { [I in keyof A]: DelayedLike<A[I]> };
export type DelayedTuple<R> = Delayed<R> & { readonly [i: number]: Delayed<unknown> } & Iterable<Delayed<unknown>>;

export function delayed<A extends unknown[], R>(
  fn: (...args: A) => R,
  options: DelayedOptions & { nout: number },
): (...args: DelayedArgs<A>) => DelayedTuple<Awaited<R>>;
export function delayed<A extends unknown[], R>(
  fn: (...args: A) => R,
  options?: DelayedOptions,
): (...args: DelayedArgs<A>) => Delayed<Awaited<R>>;
export function delayed<T>(value: DelayedLike<T>, options?: Pick<DelayedOptions, 'name'>): Delayed<T>;
export function delayed(target: unknown, options: DelayedOptions = {}): unknown {
  if (typeof target === 'function') return delayedFunction(target as TaskFunction, options);
  return delayedValue(target, options.name);
}

function delayedFunction(fn: TaskFunction, options: DelayedOptions): (...args: unknown[]) => Delayed {
  const { nout } = options;
  if (nout !== undefined && (!Number.isInteger(nout) || nout < 0)) {
    throw new ValueError(`delayed nout must be a non-negative integer, got ${String(nout)}`);
  }
  if (options.module !== undefined) registerModuleFunction(fn, options.module, options.export ?? fn.name);
  else noteOrigin(fn);
  const name = options.name ?? (fn.name !== '' ? fn.name : 'lambda');
  const pure = options.pure ?? false;
  return (...args: unknown[]): Delayed => {
    const { taskArgs, deps } = toTaskArgs(args);
    const key = tokenKey(name, pure ? tokenize(fn, args) : uniqueToken());
    const d = new Delayed(key, new Task(key, fn, taskArgs, depKeys(deps)), deps);
    return nout === undefined ? d : withItems(d, nout);
  };
}

function delayedValue(value: unknown, name: string | undefined): Delayed {
  if (Delayed.isDelayed(value)) return value;
  const { taskArgs, deps } = toTaskArgs([value]);
  const prefix = name ?? typeName(value);
  const key = tokenKey(prefix, tokenize(value));
  if (deps.length === 0) return new Delayed(key, new DataNode(key, value));
  return new Delayed(key, new Task(key, identity, taskArgs, depKeys(deps)), deps);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object')
    return (value.constructor as { name?: string } | undefined)?.name?.toLowerCase() || 'object';
  return typeof value;
}

// toTaskArgs collects the Delayed it meets here (one thread, never re-entered): no closure per
// call, which matters when a loop builds a million tasks.
let found: UniqueList<Delayed> | undefined;
/** Whether the last toTaskArgs met a raw graph Task or TaskRef among the arguments. */
let sawTask = false;
const delayedKey = (d: Delayed): string => d.key;

/** args with Delayed replaced by TaskRefs (inside arrays and plain objects too), and those Delayed. */
export function toTaskArgs(args: unknown[]): { taskArgs: unknown[]; deps: Delayed[] } {
  sawTask = false;
  if (allPrimitive(args)) return { taskArgs: args, deps: [] };
  found = new UniqueList(delayedKey);
  const taskArgs = replaceDelayed(args) as unknown[];
  const deps = found.items;
  found = undefined;
  return { taskArgs, deps };
}

function replaceDelayed(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Delayed.isDelayed(v)) {
    found!.add(v);
    return new TaskRef(v.key);
  }
  if (v instanceof Task || v instanceof TaskRef) {
    sawTask = true;
    return v;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = replaceDelayed(v[i]);
      if (w !== v[i]) out ??= v.slice();
      if (out !== undefined) out[i] = w;
    }
    return out ?? v;
  }
  if (isPlainContainer(v)) {
    let out: Record<string, unknown> | undefined;
    for (const k in v) {
      const w = replaceDelayed(v[k]);
      if (w !== v[k]) out ??= { ...v };
      if (out !== undefined) out[k] = w;
    }
    return out ?? v;
  }
  return v;
}

const NO_KEYS: readonly string[] = Object.freeze([]);

/** The keys of `deps` for Task's knownDeps, or undefined (scan the args) if args held a raw Task. */
function depKeys(deps: readonly Delayed[]): readonly string[] | undefined {
  if (sawTask) return undefined;
  return deps.length === 0 ? NO_KEYS : deps.map((d) => d.key);
}

/** Gives `d` items 0..n-1 (each a getitem task) and makes it iterable over them. */
function withItems(d: Delayed, n: number): DelayedTuple<unknown> {
  const items: Delayed[] = [];
  for (let i = 0; i < n; i++) {
    Object.defineProperty(d, i, { get: () => (items[i] ??= d.get(i)), enumerable: true });
  }
  Object.defineProperty(d, Symbol.iterator, {
    value: function* (): Generator<Delayed> {
      for (let i = 0; i < n; i++) yield (items[i] ??= d.get(i));
    },
  });
  return d as DelayedTuple<unknown>;
}
