/*
 * The threads scheduler: the one-machine loop (get-async.ts) running batches on a pool of worker
 * threads (thread-pool.ts), sized by os.availableParallelism() unless numWorkers says otherwise.
 * Batch sizing is PoolExecutor's (local/pool-executor.ts).
 */
import { availableParallelism } from 'node:os';
import type { Graph, Key } from '../../src/core/graph/task.js';
import type { GetOptions, SchedulerLike } from '../../src/core/scheduler-types.js';
import { getAsync } from '../local/get-async.js';
import { PoolExecutor } from '../local/pool-executor.js';
import { getThreadPool } from './thread-pool.js';

export const threadsScheduler: SchedulerLike = {
  name: 'threads',
  get(graph: Graph, keys: readonly Key[], options: GetOptions = {}): Promise<unknown[]> {
    const pool = getThreadPool(options.numWorkers ?? availableParallelism());
    return getAsync(graph, keys, new PoolExecutor(pool), options);
  },
};
