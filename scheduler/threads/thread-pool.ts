/*
 * ThreadPool: the WorkerPool (local/worker-pool.ts) of worker threads, each a ThreadEndpoint
 * running dist/scheduler/threads/worker-entry.js. getThreadPool keeps one shared pool per size for
 * the threads scheduler (a pool that gave up on starting threads is replaced by a fresh one on next
 * use); the distributed worker makes its own.
 */
import { pathToFileURL } from 'node:url';
import { builtEntry } from '../local/spawn-node.js';
import { WorkerPool } from '../local/worker-pool.js';
import type { WorkerInfo } from './worker-control.js';
import { ThreadEndpoint, type ThreadEndpointOptions } from './thread-endpoint.js';

export type ThreadPoolOptions = ThreadEndpointOptions;

export class ThreadPool extends WorkerPool<ThreadEndpoint> {
  constructor(size: number, options: ThreadPoolOptions = {}) {
    const entry = pathToFileURL(builtEntry('scheduler/threads/worker-entry.js', 'the thread pool'));
    super(size, {
      spawn: (events) => new ThreadEndpoint(entry, options, events),
      whyNotStarted: (last, times) =>
        `worker threads failed to start ${times} times in a row (last: ${last}). Check the heap limit (maxHeapMb: ${options.maxHeapMb ?? 'none'}), the Node options threads take from this process (${JSON.stringify(process.execArgv)}) and the built entry file ${entry.href} (\`npm run build\`).`,
    });
  }

  /** What each thread reports about itself (via the comlink control plane). */
  info(): Promise<WorkerInfo[]> {
    return Promise.all(this.endpoints.map((e) => e.info()));
  }
}

const pools = new Map<number, ThreadPool>();

/** The shared pool with `size` threads, started on first use. */
export function getThreadPool(size: number): ThreadPool {
  let pool = pools.get(size);
  if (pool === undefined || pool.broken) {
    pool = new ThreadPool(size);
    pools.set(size, pool);
  }
  return pool;
}

/** Closes every shared pool (tests and orderly shutdown). */
export async function closeThreadPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
