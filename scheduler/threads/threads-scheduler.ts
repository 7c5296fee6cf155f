/*
 * The threads scheduler: the one-machine loop (get-async.ts) with a ThreadPool executor.
 *
 * Batch size adapts per computation: each reply reports how long its tasks took, an average per
 * task is kept (exponential, half weight to the newest batch), and the next batch carries about
 * 2 ms of work, so a tiny task shares its message with hundreds of others while a long task
 * travels alone and the threads stay balanced. A batch never takes more than its share of the
 * ready tasks, so every thread gets work. Two batches per thread may be outstanding, so a thread
 * finds its next batch waiting when it finishes one.
 */
import { availableParallelism } from 'node:os';
import type { Graph, Key, Task } from '../../src/core/graph/task.js';
import type { GetOptions, SchedulerLike } from '../../src/core/scheduler-types.js';
import type { BatchLookup, BatchOutcome, Executor } from '../local/executor.js';
import { getAsync } from '../local/get-async.js';
import { getThreadPool, type ThreadPool } from './thread-pool.js';

const TARGET_BATCH_MS = 2;
const MAX_BATCH = 128;

export class ThreadsExecutor implements Executor {
  readonly slots: number;
  private msPerTask = Number.NaN;
  constructor(private readonly pool: ThreadPool) {
    this.slots = pool.size * 2;
  }
  batchSize(ready: number): number {
    const share = Math.ceil(ready / this.pool.size);
    if (Number.isNaN(this.msPerTask)) return 1;
    const byTime = Math.floor(TARGET_BATCH_MS / Math.max(this.msPerTask, 1e-6));
    return Math.max(1, Math.min(share, byTime, MAX_BATCH));
  }
  run(tasks: readonly Task[], lookup: BatchLookup, done: (outcome: BatchOutcome) => void): void {
    this.pool.submit(tasks, lookup, (outcome, ms) => {
      if (outcome.error === undefined && tasks.length > 0) {
        const per = ms / tasks.length;
        this.msPerTask = Number.isNaN(this.msPerTask) ? per : (this.msPerTask + per) / 2;
      }
      done(outcome);
    });
  }
}

export const threadsScheduler: SchedulerLike = {
  name: 'threads',
  get(graph: Graph, keys: readonly Key[], options: GetOptions = {}): Promise<unknown[]> {
    const pool = getThreadPool(options.numWorkers ?? availableParallelism());
    return getAsync(graph, keys, new ThreadsExecutor(pool), options);
  },
};
