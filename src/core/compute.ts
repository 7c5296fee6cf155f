/*
 * The collection protocol and compute(): collection → graph → optimise → scheduler.get(graph, keys).
 *
 * A collection (Delayed, Array, DataFrame) exposes its HighLevelGraph, its output keys as a
 * nested key tree, its optimiser, and how to turn computed values (arranged like the key tree)
 * into the user's result. compute(...) groups collections that share an optimiser so their graphs
 * are optimised together, merges everything into one graph so shared tasks run once, runs it on
 * the resolved scheduler (scheduler-registry.ts) and hands each collection its values back.
 * Arguments that are not collections are returned unchanged, as in Dask.
 */
import { config } from './config.js';
import { HighLevelGraph } from './graph/high-level-graph.js';
import type { Graph, Key } from './graph/task.js';
import { checkOptions } from './options.js';
import { progressBar } from './progress-bar.js';
import { resolveScheduler } from './scheduler-registry.js';
import type { GetOptions, SchedulerHooks, SchedulerLike } from './scheduler-types.js';

export const COLLECTION = Symbol.for('dask-ts/Collection');

export type KeyTree = Key | readonly KeyTree[];

export type Optimizer = (graph: HighLevelGraph, keys: readonly Key[]) => Graph;

export interface DaskCollection<R = unknown> {
  readonly [COLLECTION]: true;
  __daskGraph(): HighLevelGraph;
  __daskKeys(): KeyTree;
  __daskOptimize: Optimizer;
  /** The user's result from the computed values, arranged like __daskKeys(). */
  __daskPostcompute(values: unknown): R;
  /** The same collection backed by computed values (persist). */
  __daskPostpersist(values: unknown): DaskCollection<R>;
  /**
   * True when __daskPostpersist only stores the values it is given (in DataNodes) without reading
   * them, so a distributed Client may hand it Futures and keep the data on the cluster.
   */
  readonly __daskPersistsOpaque?: boolean;
}

/** The built-in schedulers' names (a distributed Client may be passed instead, or a registered name). */
export type SchedulerName = 'sync' | 'threads' | 'processes';

export interface ComputeOptions extends GetOptions {
  /** A scheduler name ('sync', 'threads', 'processes') or a Client; see scheduler-registry.ts. */
  scheduler?: SchedulerName | (string & {}) | SchedulerLike;
  /** Run the collections' optimisers (cull, fusion); true by default. */
  optimize?: boolean;
  /** Draw a terminal progress bar while computing. */
  progress?: boolean;
}

export function isDaskCollection(value: unknown): value is DaskCollection {
  return (
    typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[COLLECTION] === true
  );
}

export function flattenKeys(tree: KeyTree, into: Key[] = []): Key[] {
  if (typeof tree === 'string') into.push(tree);
  else for (const t of tree) flattenKeys(t, into);
  return into;
}

/** Arranges the values of `tree`'s keys like `tree`. */
function unflatten(tree: KeyTree, values: ReadonlyMap<Key, unknown>): unknown {
  if (typeof tree === 'string') return values.get(tree);
  return tree.map((t) => unflatten(t, values));
}

/** One optimised graph for several collections (read-only: it may be shared), and their keys. */
export function collectionsToGraph(
  collections: readonly DaskCollection[],
  optimize = true,
): { graph: Graph; keys: Key[] } {
  const groups = new Map<Optimizer, DaskCollection[]>();
  for (const c of collections) {
    const g = groups.get(c.__daskOptimize);
    if (g === undefined) groups.set(c.__daskOptimize, [c]);
    else g.push(c);
  }
  const keys: Key[] = [];
  const graphs: Graph[] = [];
  for (const [optimizer, members] of groups) {
    const groupKeys = members.flatMap((c) => flattenKeys(c.__daskKeys()));
    for (const k of groupKeys) keys.push(k);
    const hlg = HighLevelGraph.merge(members.map((c) => c.__daskGraph()));
    graphs.push(optimize ? optimizer(hlg, groupKeys) : hlg.toGraph());
  }
  // An optimiser may hand back a graph a collection still holds: merge into a new Map, never into it.
  if (graphs.length === 1) return { graph: graphs[0]!, keys };
  const graph: Graph = new Map();
  for (const g of graphs) for (const [k, node] of g) graph.set(k, node);
  return { graph, keys };
}

function hooksFor(options: ComputeOptions): SchedulerHooks[] {
  const hooks = [...(options.hooks ?? [])];
  if (options.progress === true) hooks.push(progressBar());
  return hooks;
}

/** Every option compute() and persist() take, for checkOptions. */
export const COMPUTE_OPTION_NAMES: readonly string[] = ['scheduler', 'optimize', 'progress', 'numWorkers', 'hooks'];

/** Runs the graph of `collections` and returns their raw values, arranged like each key tree. */
async function run(collections: readonly DaskCollection[], options: ComputeOptions): Promise<unknown[]> {
  checkOptions(options, COMPUTE_OPTION_NAMES, 'compute()');
  if (collections.length === 0) return [];
  const { graph, keys } = collectionsToGraph(collections, options.optimize ?? true);
  const scheduler = await resolveScheduler(options.scheduler);
  const numWorkers = options.numWorkers ?? config.get('numWorkers');
  const getOptions: GetOptions = { hooks: hooksFor(options), ...(numWorkers !== undefined ? { numWorkers } : {}) };
  const values = await scheduler.get(graph, keys, getOptions);
  // `keys` are grouped by optimiser, not in the collections' order: look values up by key.
  const byKey = new Map<Key, unknown>();
  for (let i = 0; i < keys.length; i++) byKey.set(keys[i]!, values[i]);
  return collections.map((c) => unflatten(c.__daskKeys(), byKey));
}

/** Computes several collections at once; non-collections pass through. */
export async function computeAll(items: readonly unknown[], options: ComputeOptions = {}): Promise<unknown[]> {
  const collections = items.filter(isDaskCollection);
  const values = await run(collections, options);
  let j = 0;
  return items.map((item) => (isDaskCollection(item) ? item.__daskPostcompute(values[j++]) : item));
}

/** Computes several collections and returns them backed by their values. */
export async function persistAll(items: readonly unknown[], options: ComputeOptions = {}): Promise<unknown[]> {
  const collections = items.filter(isDaskCollection);
  const values = await run(collections, options);
  let j = 0;
  return items.map((item) => (isDaskCollection(item) ? item.__daskPostpersist(values[j++]) : item));
}
