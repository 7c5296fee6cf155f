// Test helpers for real clusters: one LocalCluster (2 workers × 1 thread, no dashboard) and a
// connected Client per test file, waits on scheduler events, and process/port checks.
import { afterAll, beforeAll } from 'vitest';
import { createServer } from 'node:net';
import { Client, LocalCluster } from '../../src/distributed.js';

/** Starts a cluster and a client before the file's tests and closes both after; read them through the getters. */
export function useCluster(): { readonly cluster: LocalCluster; readonly client: Client } {
  let cluster: LocalCluster | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, dashboardAddress: null });
    client = await Client.connect(cluster);
  });
  afterAll(async () => {
    await client?.close();
    await cluster?.close();
  });
  return {
    get cluster(): LocalCluster {
      return cluster!;
    },
    get client(): Client {
      return client!;
    },
  };
}

/** Resolves once `cluster`'s scheduler has at least `n` workers registered. */
export function workersRegistered(cluster: LocalCluster, n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (cluster.server.workers().length < n) return;
      cluster.server.off('worker-added', check);
      resolve();
    };
    cluster.server.on('worker-added', check);
    check();
  });
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when 127.0.0.1:port can be bound again. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
