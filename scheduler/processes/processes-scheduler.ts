/*
 * The processes scheduler: the one-machine loop (get-async.ts) running batches on a pool of child
 * processes (process-pool.ts) with the same worker runtime and codecs as threads; values cross as
 * header + frames. Useful when tasks hold a thread's event loop or need separate heaps.
 */
import { availableParallelism } from 'node:os';
import type { Graph, Key } from '../../src/core/graph/task.js';
import type { GetOptions, SchedulerLike } from '../../src/core/scheduler-types.js';
import { getAsync } from '../local/get-async.js';
import { PoolExecutor } from '../local/pool-executor.js';
import { getProcessPool } from './process-pool.js';

export const processesScheduler: SchedulerLike = {
  name: 'processes',
  get(graph: Graph, keys: readonly Key[], options: GetOptions = {}): Promise<unknown[]> {
    const pool = getProcessPool(options.numWorkers ?? availableParallelism());
    return getAsync(graph, keys, new PoolExecutor(pool), options);
  },
};
