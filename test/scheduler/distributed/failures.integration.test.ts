// The failure suite (after Dask's own): workers leaving in every way during a computation,
// the scheduler and clients disappearing, and inputs that cannot be run. Real processes and
// sockets throughout; each scenario checks that nothing is lost, nothing hangs, and the cluster
// keeps computing afterwards.
import { describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client, LocalCluster, submitOptions } from '../../../src/distributed.js';
import { useCluster, workersRegistered } from '../../helpers/cluster.js';
import { CommError, GraphError, SerializationError, TaskError, TaskTimeoutError } from '../../../src/core/errors.js';

const env = useCluster();

const CLI = new URL('../../../dist/scheduler/distributed/cli.js', import.meta.url).pathname;

/** Resolves when the scheduler reports `key` in `state`. */
async function reaches(c: LocalCluster, key: string, state: string): Promise<void> {
  while (c.server.state.tasks.get(key)?.state !== state) await new Promise((r) => setImmediate(r));
}

/** The first line a child prints on stdout. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing`)));
  });
}

const slowInc = (x: number): Promise<number> => new Promise((r) => setTimeout(() => r(x + 1), 30));

describe('workers leaving', () => {
  test('a worker closing gracefully (SIGTERM) mid-computation: every result is still right', async () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const fs = env.client.map(slowInc, xs);
    await reaches(env.cluster, fs[5]!.key, 'memory');
    const victim = env.cluster.workers[0]!;
    process.kill(victim.pid, 'SIGTERM');
    expect(await env.client.gather(fs)).toEqual(xs.map((x) => x + 1));
    await workersRegistered(env.cluster, 2);
  });

  test('a worker killed while a peer fetches data from it: the data is recomputed and the result is right', async () => {
    const c = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
    const cl = await Client.connect(c, { setAsDefault: false });
    try {
      // Fault injection: every get-data answer waits 2 s, so the kill lands mid-transfer.
      process.env.DASK_TS_FAULT_SLOW_GET_DATA_MS = '2000';
      await c.scale(0);
      await c.scale(2);
      delete process.env.DASK_TS_FAULT_SLOW_GET_DATA_MS;
      // Two root tasks in one graph go to the two idle workers, one each (least occupied first).
      const [big, small] = cl.map(
        (n: number) => new Float64Array(n).fill(n === 10 ? 2 : 1),
        [2_000_000, 10],
        submitOptions({ pure: false }),
      );
      await Promise.all([big!.result(), small!.result()]);
      const bigHolder = [...c.server.state.tasks.get(big!.key)!.whoHas][0]!.address;
      const smallHolder = [...c.server.state.tasks.get(small!.key)!.whoHas][0]!.address;
      expect(bigHolder).not.toBe(smallHolder);
      // The sum runs where the big array is and fetches the small one from its holder: kill that holder.
      const total = cl.submit(
        (a: Float64Array, b: Float64Array) => a.length + b.reduce((s, v) => s + v, 0),
        big!,
        small!,
      );
      await reaches(c, total.key, 'processing');
      const pid = c.workers.find((w) => w.address === smallHolder)!.pid;
      process.kill(pid, 'SIGKILL');
      expect(await total.result()).toBe(2_000_000 + 20);
    } finally {
      delete process.env.DASK_TS_FAULT_SLOW_GET_DATA_MS;
      await cl.close();
      await c.close();
    }
  });

  test("the scheduler cutting a worker's stream: the worker closes, the nanny restarts it, it joins again", async () => {
    const before = env.cluster.workers[1]!;
    const removed = new Promise<string>((resolve) => env.cluster.server.once('worker-removed', (a) => resolve(a)));
    const added = new Promise<string>((resolve) =>
      env.cluster.server.once('worker-added', (info) => resolve(info.address)),
    );
    expect(env.cluster.server.closeWorker(before.address)).toBe(true);
    expect(await removed).toBe(before.address);
    expect(await added).not.toBe(before.address);
    await workersRegistered(env.cluster, 2);
    expect(await env.client.gather(env.client.map((x: number) => x * 7, [1, 2, 3]))).toEqual([7, 14, 21]);
  });
});

describe('clients and the scheduler leaving', () => {
  test('a client killed mid-computation has its tasks released; the scheduler ends up empty', async () => {
    const c = await LocalCluster.start({ nWorkers: 1 });
    try {
      const script = `
        import { Client, submitOptions } from ${JSON.stringify(new URL('../../../dist/src/distributed.js', import.meta.url).href)};
        const client = await Client.connect(process.argv[1], { token: process.argv[2] });
        const fs = client.map((ms) => new Promise((r) => setTimeout(() => r(ms), ms)), [300, 300, 300, 300], submitOptions({ pure: false }));
        await fs[0].result();
        console.log('running');
        await new Promise(() => {});`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, c.schedulerAddress, c.token], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      expect(await firstLine(child)).toBe('running');
      expect(c.server.state.tasks.size).toBeGreaterThan(0);
      const gone = new Promise<void>((resolve) => c.server.once('client-removed', () => resolve()));
      child.kill('SIGKILL');
      await gone;
      expect(c.server.state.tasks.size).toBe(0);
      expect(c.server.state.clients.size).toBe(0);
    } finally {
      await c.close();
    }
  });

  test('the scheduler killed: every pending future rejects with a reason that names it', async () => {
    const scheduler = spawn(process.execPath, [CLI, 'scheduler', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [, address, token] = /at (\S+) token (\S+)/.exec(await firstLine(scheduler))!;
    const worker = spawn(
      process.execPath,
      [CLI, 'worker', address!, '--token', token!, '--nthreads', '1', '--no-nanny'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await firstLine(worker);
    const cl = await Client.connect(address!, { token: token!, setAsDefault: false });
    const done = cl.submit((x: number) => x + 1, 1);
    expect(await done.result()).toBe(2);
    const pending = cl.map((ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), [5000, 5001]);
    const workerExit = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    scheduler.kill('SIGKILL');
    for (const f of pending) {
      const err = await f.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CommError);
      expect((err as Error).message).toMatch(/lost the scheduler at ws:\/\/127\.0\.0\.1:\d+/);
    }
    expect(await workerExit).toBe(76); // the connection was lost (no clean shutdown), and there is no nanny to try again
  });
});

describe('inputs that cannot run', () => {
  test('an argument that cannot be sent fails at submit, naming it; nothing reaches the cluster', () => {
    class Opaque {
      secret = 1;
    }
    expect(() => env.client.submit((o: Opaque) => o.secret, new Opaque())).toThrow(SerializationError);
    expect(() => env.client.submit((o: Opaque) => o.secret, new Opaque())).toThrow(/Opaque/);
  });

  test('a result that cannot be sent fails that future only', async () => {
    const bad = env.client.submit(() => () => 42);
    const good = env.client.submit((x: number) => x * 2, 4);
    const err = await bad.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/could not be cloned|cannot send|function/i);
    expect(await good.result()).toBe(8);
  });

  test('an unknown key fails at once instead of waiting', async () => {
    await expect(env.client.get(new Map(), ['no-such-key'])).rejects.toBeInstanceOf(GraphError);
  });

  test('a 1 GiB payload goes to a worker and is used there', async () => {
    const n = 2 ** 30;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i += 4096) data[i] = 1;
    const remote = await env.client.scatter(data);
    const count = env.client.submit((d: Uint8Array) => {
      let s = 0;
      for (let i = 0; i < d.length; i += 4096) s += d[i]!;
      return s;
    }, remote);
    expect(await count.result()).toBe(n / 4096);
    remote.release();
  });

  test('task errors keep their stacks; a task error never takes the worker down', async () => {
    const f = env.client.submit(function deepFailure(): never {
      throw new TypeError('not a number');
    });
    const err = (await f.result().catch((e: unknown) => e)) as TaskError;
    expect(err).toBeInstanceOf(TaskError);
    expect(err.stack).toContain('deepFailure');
    expect(env.cluster.workers).toHaveLength(2);
  });
});

describe('timeouts', () => {
  test('a task past its timeout is stopped with TaskTimeoutError; the worker and cluster go on', async () => {
    const spin = (ms: number): number => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // busy: only ending the thread stops this
      }
      return ms;
    };
    const f = env.client.submit(spin, 60_000, submitOptions({ timeout: 300 }));
    const err = await f.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTimeoutError);
    expect((err as Error).message).toMatch(/ran longer than its timeout of 300 ms/);
    expect(await env.client.submit(spin, 5, submitOptions({ timeout: 5000 })).result()).toBe(5);
    expect(env.cluster.workers).toHaveLength(2);
  });
});
