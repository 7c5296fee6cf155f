/*
 * The sync scheduler: every task runs in this thread, in priority order, calling the task's
 * function object directly (nothing is serialised). It is the reference the other schedulers are
 * tested against, and the one to use with a debugger. A task that returns a Promise is awaited.
 */
import { callTask, type Graph, type Key, type Task } from '../src/core/graph/task.js';
import type { GetOptions, SchedulerLike } from '../src/core/scheduler-types.js';
import type { BatchLookup, BatchOutcome, Executor } from './local/executor.js';
import { getAsync } from './local/get-async.js';

const noLookup = (): never => {
  throw new Error('a task without dependencies looked one up');
};

const inlineExecutor: Executor = {
  slots: 1,
  batchSize: (ready) => Math.min(ready, 16),
  run(tasks: readonly Task[], lookup: BatchLookup, done: (outcome: BatchOutcome) => void): void {
    const results: unknown[] = [];
    let pending: Promise<void>[] | undefined;
    let failure: { index: number; error: unknown } | undefined;
    for (let i = 0; i < tasks.length; i++) {
      let value: unknown;
      try {
        const task = tasks[i]!;
        value = callTask(task, task.literalArgs ? noLookup : (k) => lookup(i, k));
      } catch (error) {
        done({ results, error: { index: i, error } });
        return;
      }
      results.push(value);
      if (value instanceof Promise) {
        const settle = (value as Promise<unknown>).then(
          (v) => void (results[i] = v),
          (error: unknown) =>
            void (failure = failure !== undefined && failure.index < i ? failure : { index: i, error }),
        );
        (pending ??= []).push(settle);
      }
    }
    if (pending === undefined) done({ results });
    else void Promise.all(pending).then(() => done(failure === undefined ? { results } : { results, error: failure }));
  },
};

export const syncScheduler: SchedulerLike = {
  name: 'sync',
  get(graph: Graph, keys: readonly Key[], options?: GetOptions): Promise<unknown[]> {
    return getAsync(graph, keys, inlineExecutor, options);
  },
};
