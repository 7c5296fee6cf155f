// A real LocalCluster: a scheduler in this process, two worker processes, WebSockets on
// loopback. The tutorial flow, collections on the cluster, errors, and what close() leaves.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { asCompleted, Client, Future, LocalCluster, progress, submitOptions, wait } from '../../../src/distributed.js';
import { CancelledError, SerializationError, TaskError } from '../../../src/core/errors.js';
import * as da from '../../../src/array.js';
import * as dd from '../../../src/dataframe.js';
import { delayed } from '../../../src/index.js';
import { seededRandom } from '../../helpers/random.js';
import { isAlive, portIsFree, useCluster } from '../../helpers/cluster.js';

setFlagsFromString('--expose-gc'); // for the collection test below (a real full GC)
const env = useCluster();

describe('the tutorial flow', () => {
  test('LocalCluster starts the workers it was asked for, each its own process', () => {
    const workers = env.cluster.workers;
    expect(workers).toHaveLength(2);
    for (const w of workers) {
      expect(w.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(w.pid).not.toBe(process.pid);
    }
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
    expect(env.cluster.schedulerAddress).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  test('submit(fn, x).result() runs fn on a worker', async () => {
    const future = env.client.submit((x: number) => x + 1, 10);
    expect(typeof future.key).toBe('string');
    expect(await future.result()).toBe(11);
    expect(future.status).toBe('finished');
    expect(future.done()).toBe(true);
    expect(await future.exception()).toBeUndefined();
  });

  test('a Future nobody else holds is not collected while its result() is awaited', async () => {
    // `client.submit(f, x).result()` keeps no variable for the Future. A garbage collection
    // during the wait must not release its key (which cancelled the wait: seen once in CI).
    const gc = runInNewContext('gc') as () => void;
    const waiting = env.client
      .submit(
        (ms: number) => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
          return ms;
        },
        600,
        submitOptions({ pure: false }),
      )
      .result();
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      gc();
    }
    expect(await waiting).toBe(600);
  });

  test('map and gather keep the order of the inputs', async () => {
    const fs = env.client.map((x: number) => x * x, [1, 2, 3]);
    expect(await env.client.gather(fs)).toEqual([1, 4, 9]);
    const ys = Array.from({ length: 200 }, (_, i) => i);
    expect(
      await env.client.gather(
        env.client.map(
          (a: number, b: number) => a - b,
          ys,
          ys.map((y) => 2 * y),
        ),
      ),
    ).toEqual(ys.map((y) => y - 2 * y));
  });

  test('futures are arguments: the value is used where it lives', async () => {
    const [a, b] = env.client.map((x: number) => x * 10, [1, 2]);
    const total = env.client.submit((x: number, y: number) => x + y, a!, b!);
    expect(await total.result()).toBe(30);
    const nested = env.client.submit((o: { xs: number[] }) => o.xs.reduce((s, v) => s + v, 0), {
      xs: [a!, b!, 5],
    } as unknown as { xs: number[] });
    expect(await nested.result()).toBe(35);
  });

  test('scatter puts data on a worker once, and tasks read it there', async () => {
    const data = Float64Array.from({ length: 100_000 }, (_, i) => i % 7);
    let expected = 0;
    for (const v of data) expected += v;
    const big = await env.client.scatter(data);
    expect(Future.isFuture(big)).toBe(true);
    const sums = env.client.map(
      (d: Float64Array, scale: number) => d.reduce((s, v) => s + v, 0) * scale,
      [big, big],
      [1, 2],
    );
    expect(await env.client.gather(sums)).toEqual([expected, 2 * expected]);
    const back = await big.result();
    expect(back).toEqual(data);
  });

  test('asCompleted yields every future once, as it finishes; wait splits done from not done', async () => {
    const fs = env.client.map((ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), [60, 1, 30]);
    const order: number[] = [];
    for await (const f of asCompleted(fs)) order.push(await f.result());
    expect([...order].sort((x, y) => x - y)).toEqual([1, 30, 60]);
    const { done, notDone } = await wait(fs);
    expect(done).toHaveLength(3);
    expect(notDone).toHaveLength(0);
  });

  test('progress draws a bar that ends at 100%', async () => {
    let text = '';
    const fs = env.client.map((x: number) => x + 1, [1, 2, 3, 4]);
    await progress(fs, { out: { write: (s: string) => (text += s) } });
    expect(text).toContain('100% Completed');
    expect(text.endsWith('\n')).toBe(true);
  });

  test('progress over many Futures redraws on its interval, not once per Future', async () => {
    let draws = 0;
    const fs = env.client.map(
      (x: number) => x * 3,
      Array.from({ length: 500 }, (_, i) => i),
    );
    const t0 = performance.now();
    await progress(fs, { interval: 50, out: { write: (s: string) => void (draws += s.split('\r').length - 1) } });
    const ticks = Math.floor((performance.now() - t0) / 50);
    // The first line, one per tick, and the last: never one per finished Future.
    expect(draws).toBeLessThanOrEqual(ticks + 2);
    expect(await fs[499]!.result()).toBe(1497);
  });

  test('the same pure call gets the same key; pure: false gets a new one', () => {
    const f1 = env.client.submit((x: number) => x + 2, 1);
    const f2 = env.client.submit((x: number) => x + 2, 1);
    const f3 = env.client.submit((x: number) => x + 2, 1, submitOptions({ pure: false }));
    expect(f1.key).toBe(f2.key);
    expect(f3.key).not.toBe(f1.key);
  });
});

describe('collections on the cluster', () => {
  test('an array reduction equals the plain-loop result', async () => {
    const rand = seededRandom(5);
    const data = Float64Array.from({ length: 200_000 }, () => rand());
    let expected = 0;
    for (const v of data) expected += 2 * v + 1;
    const x = da.fromArray(data, { chunks: 25_000 });
    // The most recent client is the default scheduler of compute().
    const viaDefault = await x.mul(2).add(1).sum().compute();
    expect(viaDefault).toBeCloseTo(expected, 6);
    expect(await env.client.compute(x.mul(2).add(1).sum())).toBeCloseTo(expected, 6);
  });

  test('delayed graphs run on the cluster, shared pieces once', async () => {
    const inc = delayed((x: number) => x + 1);
    const add = delayed((x: number, y: number) => x + y);
    const a = inc(1);
    const total = add(a, add(a, inc(10)));
    expect(await total.compute()).toBe(2 + 2 + 11);
  });

  test('a dataframe groupby on the cluster equals a plain-loop groupby', async () => {
    const rand = seededRandom(9);
    const n = 20_000;
    const k = Int32Array.from({ length: n }, () => Math.floor(rand() * 7));
    const v = Float64Array.from({ length: n }, () => Math.round(rand() * 100));
    const sums = new Map<number, number>();
    for (let i = 0; i < n; i++) sums.set(k[i]!, (sums.get(k[i]!) ?? 0) + v[i]!);
    const table = await env.client.compute(dd.fromColumns({ k, v }, { npartitions: 4 }).groupby('k').agg({ v: 'sum' }));
    const keys = [...sums.keys()].sort((a, b) => a - b);
    expect(Array.from(table.getChild('k')!.toArray() as Int32Array)).toEqual(keys);
    expect(Array.from(table.getChild('v')!.toArray() as Float64Array)).toEqual(keys.map((key) => sums.get(key)));
  });

  test('persist keeps the chunks on the cluster and later computations use them', async () => {
    const x = da.arange(0, 10_000, { chunks: 1000 }).mul(3);
    const persisted = await env.client.persist(x);
    expect(await persisted.sum().compute()).toBe((3 * (9999 * 10_000)) / 2);
    const part = await persisted.slice('10:13').compute();
    expect(typeof part === 'number' ? part : Array.from(part.data as Float64Array)).toEqual([30, 33, 36]);
  });
});

describe('errors', () => {
  test('a task that throws rejects with its name, message, remote stack and cause; the cluster keeps working', async () => {
    const f = env.client.submit(function failing(x: number): number {
      if (x > 0) throw new RangeError(`too big: ${x}`);
      return x;
    }, 5);
    const err = await f.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    const te = err as TaskError;
    expect(te.key).toBe(f.key);
    expect(te.message).toContain('RangeError: too big: 5');
    expect(te.stack).toContain('at failing');
    expect(te.cause).toBeInstanceOf(RangeError);
    expect((te.cause as Error).message).toBe('too big: 5');
    expect(f.status).toBe('error');
    expect(await f.exception()).toBeInstanceOf(TaskError);
    // Dependents of a failed task fail with the same error.
    const g = env.client.submit((x: number) => x + 1, f);
    await expect(g.result()).rejects.toThrow(/too big: 5/);
    expect(await env.client.submit((x: number) => x * 2, 21).result()).toBe(42);
  });

  test.each<[string, () => unknown, string]>([
    ['a Symbol', () => Symbol('s'), 'a Symbol'],
    ['a WeakMap', () => new WeakMap(), 'a WeakMap'],
    ['a function', () => ({ f: (x: number) => x }), 'a function at .f'],
  ])(
    'a result holding %s fails its task with SerializationError naming it; no worker dies',
    async (_what, make, named) => {
      const pids = env.cluster.workers.map((w) => w.pid).sort();
      const f = env.client.submit(make, submitOptions({ pure: false }));
      const err = await f.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).message).toContain(`task ${f.key} returned a value that cannot be sent back`);
      expect((err as SerializationError).message).toContain(`: ${named}.`);
      expect(f.status).toBe('error');
      expect(env.cluster.workers.map((w) => w.pid).sort()).toEqual(pids);
      expect(pids.every(isAlive)).toBe(true);
      expect(await env.client.submit((x: number) => x * 2, 21).result()).toBe(42);
    },
  );

  test('retries run a failing task again', async () => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/dask-ts-retry-'));
    const flaky = (path: string): string => {
      const fs = process.getBuiltinModule('node:fs');
      const n = fs.existsSync(path) ? Number(fs.readFileSync(path, 'utf8')) : 0;
      fs.writeFileSync(path, String(n + 1));
      if (n < 2) throw new Error(`attempt ${n + 1} fails`);
      return `ok after ${n + 1}`;
    };
    expect(await env.client.submit(flaky, `${dir}/a`, submitOptions({ retries: 2 })).result()).toBe('ok after 3');
    await expect(env.client.submit(flaky, `${dir}/b`, submitOptions({ retries: 1 })).result()).rejects.toThrow(
      /attempt 2 fails/,
    );
  });

  test('cancel stops a task and what depends on it', async () => {
    const slow = env.client.submit(
      (ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms)),
      1000,
      submitOptions({ pure: false }),
    );
    const after = env.client.submit((x: number) => x + 1, slow);
    await slow.cancel();
    expect(slow.status).toBe('cancelled');
    await expect(slow.result()).rejects.toBeInstanceOf(CancelledError);
    await env.client.settled(after.key);
    expect(after.status).toBe('cancelled');
  });

  test('a function reading an outer variable is refused before it is sent, naming the variable', () => {
    const offset = 3;
    expect(() => env.client.submit((x: number) => x + offset, 1)).toThrow(/"offset"/);
  });
});

describe('closing', () => {
  test('a client that leaves has its tasks released by the scheduler', async () => {
    const other = await Client.connect(env.cluster, { setAsDefault: false });
    const f = other.submit(
      (ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms)),
      20,
      submitOptions({ pure: false }),
    );
    await f.result();
    expect(env.cluster.server.state.tasks.has(f.key)).toBe(true);
    const removed = new Promise<void>((resolve) => env.cluster.server.once('client-removed', () => resolve()));
    await other.close();
    await removed;
    expect(env.cluster.server.state.tasks.has(f.key)).toBe(false);
  });

  test('scale adds and removes worker processes', async () => {
    const c = await LocalCluster.start({ nWorkers: 1 });
    try {
      await c.scale(3);
      expect(c.workers).toHaveLength(3);
      expect(c.server.workers()).toHaveLength(3);
      const gone = c.workers.slice(1).map((w) => w.pid);
      await c.scale(1);
      expect(c.workers).toHaveLength(1);
      for (const pid of gone) expect(isAlive(pid)).toBe(false);
    } finally {
      await c.close();
    }
  });

  test('the dashboard link reaches clients, whether they connect by cluster or by address', async () => {
    const c = await LocalCluster.start({ nWorkers: 1, dashboardAddress: ':0', quiet: true });
    try {
      expect(c.dashboardLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status/);
      const byCluster = await Client.connect(c, { setAsDefault: false });
      const byAddress = await Client.connect(c.schedulerAddress, { token: c.token, setAsDefault: false });
      expect(byCluster.dashboardLink).toBe(c.dashboardLink);
      expect(byAddress.dashboardLink).toBe(c.dashboardLink);
      await byCluster.close();
      await byAddress.close();
    } finally {
      await c.close();
    }
  });

  test('after close() no worker process remains and the scheduler port is free', async () => {
    const c = await LocalCluster.start({ nWorkers: 2 });
    const pids = c.workers.map((w) => w.pid);
    const port = Number(new URL(c.schedulerAddress).port);
    const cl = await Client.connect(c, { setAsDefault: false });
    expect(await cl.submit((x: number) => x - 1, 1).result()).toBe(0);
    await cl.close();
    await c.close();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await expect(portIsFree(port)).resolves.toBe(true);
  });
});
