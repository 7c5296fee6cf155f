// Worker deaths on a real LocalCluster: kill -9 of a worker process in the middle of a
// computation, and a task that ends its worker every time it runs (KilledWorker).
import { describe, expect, test } from 'vitest';
import { asCompleted, Client, LocalCluster } from '../../../src/distributed.js';
import { KilledWorker } from '../../../src/core/errors.js';
import { useCluster, workersRegistered } from '../../helpers/cluster.js';

const env = useCluster();

const workersRegisteredHere = (n: number): Promise<void> => workersRegistered(env.cluster, n);

describe('worker deaths', () => {
  test('kill -9 of a worker during a computation: the result is still correct', async () => {
    const slowInc = (x: number): Promise<number> => new Promise((r) => setTimeout(() => r(x + 1), 20));
    const xs = Array.from({ length: 60 }, (_, i) => i);
    const as = env.client.map(slowInc, xs);
    const bs = env.client.map((a: number) => a * 2, as);
    const total = env.client.submit((...vs: number[]) => vs.reduce((s, v) => s + v, 0), ...bs);
    let expected = 0;
    for (const x of xs) expected += 2 * (x + 1);
    // Once some results exist on both workers, kill one of them outright.
    let seen = 0;
    for await (const _f of asCompleted(as)) if (++seen === 10) break;
    const victim = env.cluster.workers[0]!;
    const removed = new Promise<string>((resolve) =>
      env.cluster.server.once('worker-removed', (address) => resolve(address)),
    );
    process.kill(victim.pid, 'SIGKILL');
    expect(await removed).toBe(victim.address);
    expect(await total.result()).toBe(expected);
    expect(await env.client.gather(bs)).toEqual(xs.map((x) => 2 * (x + 1)));
    await workersRegisteredHere(2); // the cluster replaced the dead worker
  });

  test('a task that ends its worker fails with KilledWorker after allowedFailures deaths, and the cluster still computes', async () => {
    const deadly = env.client.submit((code: number): number => process.exit(code), 3);
    const err = await deadly.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilledWorker);
    const kw = err as KilledWorker;
    expect(kw.key).toBe(deadly.key);
    expect(kw.message).toMatch(/4 workers died while running it \(allowedFailures is 3\)/);
    await workersRegisteredHere(2);
    expect(await env.client.submit((x: number) => x * 3, 14).result()).toBe(42);
    const fs = env.client.map((x: number) => x + 1, [1, 2, 3, 4]);
    expect(await env.client.gather(fs)).toEqual([2, 3, 4, 5]);
  });
});

describe('heartbeats', () => {
  test('a worker that stops answering (SIGSTOP) is removed after the TTL; its work is done elsewhere', async () => {
    const c = await LocalCluster.start({ nWorkers: 2, scheduler: { workerTtlMs: 2500 } });
    const cl = await Client.connect(c, { setAsDefault: false });
    try {
      const [frozen, alive] = c.workers;
      const removed = new Promise<[string, string]>((resolve) =>
        c.server.once('worker-removed', (address, why) => resolve([address, why])),
      );
      process.kill(frozen!.pid, 'SIGSTOP');
      const [address, why] = await removed;
      expect(address).toBe(frozen!.address);
      expect(why).toMatch(/no heartbeat for 2500 ms/);
      const fs = cl.map((x: number) => x * 2, [1, 2, 3, 4, 5, 6]);
      expect(await cl.gather(fs)).toEqual([2, 4, 6, 8, 10, 12]);
      expect(c.server.workers().map((w) => w.address)).toContain(alive!.address);
      // Woken up, the removed worker finds its scheduler connection gone and exits; the cluster replaces it.
      const exited = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          try {
            process.kill(frozen!.pid, 0);
          } catch {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      });
      process.kill(frozen!.pid, 'SIGCONT');
      await exited;
    } finally {
      await cl.close();
      await c.close();
    }
  });
});
