/*
 * What a scheduler is, seen from the core: something that computes keys of a materialised graph.
 * Schedulers live in scheduler/ and are found by name through the registry in compute.ts, so the
 * core never imports them. Hooks are Dask's callbacks (start, pretask, posttask, finish); progress
 * bars and tests observe a computation through them.
 */
import type { Graph, Key } from './graph/task.js';

/** Counters of a running computation, shared with hooks (read them, do not keep the object). */
export interface LoopState {
  /** Tasks in the computation (after culling). */
  readonly total: number;
  /** Tasks finished. */
  readonly done: number;
  /** Tasks sent to an executor and not yet finished. */
  readonly running: number;
  /** Results held in memory right now: finished tasks whose value is still needed. */
  readonly live: number;
}

export interface SchedulerHooks {
  start?(graph: Graph, keys: readonly Key[]): void;
  pretask?(key: Key, state: LoopState): void;
  posttask?(key: Key, result: unknown, state: LoopState): void;
  finish?(state: LoopState, error: unknown): void;
}

export interface GetOptions {
  /** Worker threads or processes to use; defaults to os.availableParallelism(). */
  numWorkers?: number;
  hooks?: readonly SchedulerHooks[];
}

/** Anything that can run a graph: a built-in scheduler or a distributed Client. */
export interface SchedulerLike {
  readonly name: string;
  get(graph: Graph, keys: readonly Key[], options?: GetOptions): Promise<unknown[]>;
}
