// Memory limits on a real LocalCluster: data three times the workers' memory is spilled to disk
// and read back, workers stay under their limit, and a task that allocates past the terminate
// threshold gets its worker restarted by the nanny until it fails with KilledWorker.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client, LocalCluster } from '../../../src/distributed.js';
import { KilledWorker } from '../../../src/core/errors.js';
import * as da from '../../../src/array.js';

const LIMIT = 300e6;

describe('memory limits', () => {
  test('1.6 GB persisted on two 300 MB workers spills to disk, reduces correctly, and leaves no spill files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dask-ts-spill-'));
    const cluster = await LocalCluster.start({
      nWorkers: 2,
      threadsPerWorker: 1,
      memoryLimit: LIMIT,
      localDirectory: dir,
      dashboardAddress: null,
    });
    const client = await Client.connect(cluster, { setAsDefault: false });
    const removed: string[] = [];
    cluster.server.on('worker-removed', (address) => removed.push(address));
    let peakRss = 0;
    let spilled = 0;
    const sample = (): void => {
      for (const ws of cluster.server.state.workers.values()) {
        peakRss = Math.max(peakRss, ws.metrics.rss ?? 0);
        spilled = Math.max(spilled, ws.metrics.spilled ?? 0);
      }
    };
    const sampler = setInterval(sample, 100);
    try {
      const n = 200_000_000; // 1.6 GB of float64 in 8 MB chunks
      const x = await client.persist(da.arange(0, n, { chunks: 1_000_000 }));
      sample();
      const mean = Number(await client.compute(x.mean()));
      const expected = (n - 1) / 2;
      expect(Math.abs(mean - expected) / expected).toBeLessThan(1e-12);
      expect(spilled).toBeGreaterThan(LIMIT); // one worker alone had more on disk than its whole memory limit
      expect(peakRss).toBeGreaterThan(0);
      expect(peakRss).toBeLessThan(LIMIT); // as reported by the workers' heartbeats
      expect(removed).toEqual([]); // no worker was restarted for memory
      console.log(
        `spill test: peak worker RSS ${(peakRss / 1e6).toFixed(0)} MB of ${LIMIT / 1e6} MB; ${(spilled / 1e6).toFixed(0)} MB spilled on one worker`,
      );
    } finally {
      clearInterval(sampler);
      await client.close();
      await cluster.close();
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a task allocating past terminate gets its worker restarted by the nanny, ends in KilledWorker, and the cluster keeps computing', async () => {
    const cluster = await LocalCluster.start({
      nWorkers: 2,
      threadsPerWorker: 1,
      memoryLimit: LIMIT,
      dashboardAddress: null,
    });
    const client = await Client.connect(cluster, { setAsDefault: false });
    try {
      const hog = client.submit((bytes: number) => {
        const block = new Uint8Array(bytes).fill(1); // touched, so resident
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000); // hold it until the nanny acts
        return block.length;
      }, 400e6);
      const err = await hog.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KilledWorker);
      expect((err as KilledWorker).key).toBe(hog.key);
      expect(await client.submit((x: number) => x + 1, 41).result()).toBe(42);
    } finally {
      await client.close();
      await cluster.close();
    }
  });
});
