/*
 * The package root, `import { delayed, compute, ... } from 'dask-ts'`: Delayed, the compute /
 * persist / visualize functions that work on every collection, config, errors and hooks.
 * Importing it registers the built-in schedulers by name as lazy import()s, so a scheduler's code
 * (and its worker threads) loads only when first used.
 */
import { Delayed } from '../collections/delayed/delayed.js';
import { delayed } from '../collections/delayed/delayed-function.js';
import {
  COMPUTE_OPTION_NAMES,
  computeAll,
  isDaskCollection,
  persistAll,
  type ComputeOptions,
  type DaskCollection,
} from './core/compute.js';
import { checkOptions, closest } from './core/options.js';
import { registerBuiltinSchedulers } from './builtin-schedulers.js';
import { visualize as graphToText, type VisualizeOptions } from './core/graph/visualize.js';
import { type Graph } from './core/graph/task.js';
import { isPlainContainer } from './core/graph/plain-container.js';

registerBuiltinSchedulers();

/**
 * The trailing options object of compute/persist, if the last argument is one: a plain object
 * whose names are all options. One whose names are all options or near misses of them (a typo,
 * `{ sceduler: 'sync' }`) is refused rather than computed as a value.
 */
function splitOptions(args: readonly unknown[], where: string): { items: unknown[]; options: ComputeOptions } {
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainContainer(last) && !Array.isArray(last) && !isDaskCollection(last)) {
    const names = Object.keys(last);
    const known = (n: string): boolean => COMPUTE_OPTION_NAMES.includes(n);
    if (names.length > 0 && names.every(known)) return { items: args.slice(0, -1), options: last };
    if (names.length > 0 && names.every((n) => known(n) || closest(n, COMPUTE_OPTION_NAMES) !== undefined))
      checkOptions(last, COMPUTE_OPTION_NAMES, where);
  }
  return { items: [...args], options: {} };
}

/** `args` without a trailing options object (an object whose names are all compute options). */
export type WithoutOptions<T extends readonly unknown[]> = T extends readonly [...infer I, infer L]
  ? L extends object
    ? L extends DaskCollection | readonly unknown[]
      ? T
      : keyof L extends keyof ComputeOptions
        ? I
        : T
    : T
  : T;

type Mutable<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] };

/** What compute() gives for each argument. */
export type ComputedAll<T extends readonly unknown[]> = { -readonly [K in keyof T]: Computed<T[K]> };

/** What compute() gives for one argument: a collection's result; arrays of them element by element. */
export type Computed<T> =
  T extends DaskCollection<infer R>
    ? R
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Computed<T[K]> }
      : T;

/** Arrays and plain objects holding Delayed values become one Delayed of the container. */
function lift(item: unknown): unknown {
  if (isDaskCollection(item) || !isPlainContainer(item)) return item;
  const lifted = delayed(item);
  return lifted.dependencies.length > 0 ? lifted : item;
}

/**
 * Computes several collections at once, sharing their common tasks:
 * `await compute(a, b)` → `[aValue, bValue]`; a trailing `{ scheduler, progress, ... }` is options.
 */
export function compute<const T extends readonly unknown[]>(...args: T): Promise<ComputedAll<WithoutOptions<T>>>;
export async function compute(...args: unknown[]): Promise<unknown[]> {
  const { items, options } = splitOptions(args, 'compute()');
  return computeAll(items.map(lift), options);
}

/** Computes collections and returns them backed by their results. */
export function persist<const T extends readonly unknown[]>(...args: T): Promise<Mutable<WithoutOptions<T>>>;
export async function persist(...args: unknown[]): Promise<unknown[]> {
  const { items, options } = splitOptions(args, 'persist()');
  return persistAll(items.map(lift), options);
}

/** The graph of one or more collections as DOT text (or Mermaid with { format: 'mermaid' }). */
export function visualize(collection: DaskCollection | readonly DaskCollection[], options?: VisualizeOptions): string {
  const list = Array.isArray(collection) ? (collection as readonly DaskCollection[]) : [collection as DaskCollection];
  const graph: Graph = new Map();
  for (const c of list) for (const [k, v] of c.__daskGraph().toGraph()) graph.set(k, v);
  return graphToText(graph, options);
}

export { delayed, Delayed };
export type {
  DelayedOptions,
  DelayedLike,
  DelayedArgs,
  DelayedTuple,
} from '../collections/delayed/delayed-function.js';
export { config, type DaskConfig } from './core/config.js';
export { isDaskCollection, type ComputeOptions, type DaskCollection, type KeyTree } from './core/compute.js';
export { progressBar, type ProgressBarOptions } from './core/progress-bar.js';
export type { LoopState, SchedulerHooks, SchedulerLike, GetOptions } from './core/scheduler-types.js';
export {
  DaskError,
  GraphError,
  TaskError,
  SerializationError,
  KilledWorker,
  CancelledError,
  ValueError,
  CommError,
  TaskTimeoutError,
  type DaskErrorCode,
} from './core/errors.js';
export { HighLevelGraph, MaterializedLayer, type Layer } from './core/graph/high-level-graph.js';
export { Task, TaskRef, DataNode, Alias, type Graph, type GraphNode, type Key } from './core/graph/task.js';
export { key } from './core/graph/keys.js';
export { tokenize } from './core/graph/tokenize.js';
export { order } from './core/graph/order.js';
export { cull } from './core/graph/cull.js';
export { fuse } from './core/graph/fuse.js';
export { validate } from './core/graph/validate.js';
export type { VisualizeOptions } from './core/graph/visualize.js';
