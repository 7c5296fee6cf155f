/*
 * ProcessPool: the WorkerPool (local/worker-pool.ts) of child processes, each a ProcessEndpoint
 * running dist/scheduler/processes/worker-entry.js with the same worker body as the threads.
 * getProcessPool keeps one shared pool per size for the processes scheduler (a pool that gave up
 * on starting children is replaced by a fresh one on next use).
 */
import { builtEntry } from '../local/spawn-node.js';
import { WorkerPool } from '../local/worker-pool.js';
import { ProcessEndpoint } from './process-endpoint.js';

export class ProcessPool extends WorkerPool<ProcessEndpoint> {
  constructor(size: number) {
    const entry = builtEntry('scheduler/processes/worker-entry.js', 'the process pool');
    super(size, {
      spawn: (events) => new ProcessEndpoint(entry, events),
      whyNotStarted: (last, times) =>
        `worker processes failed to start ${times} times in a row (the last ${last}; its stderr above says why). Check the Node options children take from this process (${JSON.stringify(process.execArgv)}) and the built entry file ${entry} (\`npm run build\`).`,
    });
  }

  /** Process ids of the children (for tests and introspection). */
  get pids(): number[] {
    return this.endpoints.map((e) => e.process.pid ?? -1);
  }

  /** Process id of the child holding task `key` (sent and not yet answered), if any. */
  processingOn(key: string): number | undefined {
    return this.holding(key)?.process.pid;
  }
}

const pools = new Map<number, ProcessPool>();

export function getProcessPool(size: number): ProcessPool {
  let pool = pools.get(size);
  if (pool === undefined || pool.broken) {
    pool = new ProcessPool(size);
    pools.set(size, pool);
  }
  return pool;
}

export async function closeProcessPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
