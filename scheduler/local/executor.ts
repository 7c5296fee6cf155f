/*
 * Executor: what the one-machine loop (get-async.ts) hands tasks to. The loop decides what runs
 * and when; an executor only runs batches of ready tasks and reports back. sync runs a batch
 * inline, threads posts it to a worker thread, processes to a child process.
 */
import type { Key, Task } from '../../src/core/graph/task.js';

export interface BatchOutcome {
  /** Results of the batch's tasks in order; on error, those before `error.index` are valid. */
  readonly results: readonly unknown[];
  readonly error?: { readonly index: number; readonly error: unknown };
}

/** The value of dependency `key` of the batch's task number `task`. */
export type BatchLookup = (task: number, key: Key) => unknown;

export interface Executor {
  /** How many batches may be outstanding at once. */
  readonly slots: number;
  /** How many of `ready` tasks the next batch should take (at least 1). */
  batchSize(ready: number): number;
  /**
   * Runs `tasks`, reading dependency values through `lookup`, and calls `done` once (possibly
   * before returning, for inline executors).
   */
  run(tasks: readonly Task[], lookup: BatchLookup, done: (outcome: BatchOutcome) => void): void;
}
