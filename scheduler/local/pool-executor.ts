/*
 * PoolExecutor: the executor for any pool of workers (threads, child processes) that runs
 * batches. Batch size adapts per computation: each reply reports how long its tasks took, an
 * average per task is kept (exponential, half weight to the newest batch), and the next batch
 * carries about 2 ms of work, at most 128 tasks, so a tiny task shares its message with many
 * others while a long task travels alone and workers stay balanced. A batch never takes more
 * than its share of the ready tasks, so every worker gets work. Two batches per worker may be
 * outstanding, so a worker finds its next batch waiting when it finishes one.
 */
import type { Task } from '../../src/core/graph/task.js';
import type { BatchLookup, BatchOutcome, Executor } from './executor.js';

const TARGET_BATCH_MS = 2;
const MAX_BATCH = 128;

/** What PoolExecutor needs of a pool. */
export interface BatchPool {
  readonly size: number;
  submit(tasks: readonly Task[], lookup: BatchLookup, done: (outcome: BatchOutcome, workerMs: number) => void): void;
}

export class PoolExecutor implements Executor {
  readonly slots: number;
  private msPerTask = Number.NaN;
  constructor(private readonly pool: BatchPool) {
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
