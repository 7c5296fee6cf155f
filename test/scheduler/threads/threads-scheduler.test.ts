import { afterAll, describe, expect, test } from 'vitest';
import type * as Fixture from '../../fixtures/delayed-functions.mjs';
import { threadsScheduler } from '../../../scheduler/threads/threads-scheduler.js';
import { PoolExecutor } from '../../../scheduler/local/pool-executor.js';
import { closeThreadPools, getThreadPool, ThreadPool } from '../../../scheduler/threads/thread-pool.js';
import { getAsync } from '../../../scheduler/local/get-async.js';
import { DataNode, Task, TaskRef, type Graph, type GraphNode } from '../../../src/core/graph/task.js';
import { KilledWorker, SerializationError, TaskError } from '../../../src/core/errors.js';
import type { LoopState, SchedulerHooks } from '../../../src/core/scheduler-types.js';
import { treeReduction } from '../../helpers/graphs.js';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';

const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const opts = { numWorkers: 2 };

afterAll(async () => {
  await closeThreadPools();
});

describe('threads scheduler', () => {
  test('computes a tree reduction on worker threads with few live intermediates', async () => {
    const { graph, root, expected } = treeReduction(10_000, 4);
    let maxLive = 0;
    const hooks: SchedulerHooks = {
      posttask: (_k: string, _v: unknown, s: LoopState) => void (maxLive = Math.max(maxLive, s.live)),
    };
    const [value] = await threadsScheduler.get(graph, [root], { ...opts, hooks: [hooks] });
    expect(value).toBe(expected);
    // At most 4 batches are in flight (2 threads × 2 slots) of at most 128 tasks each; their
    // finished inputs and outputs stay live until the next group runs. The bound depends on the
    // batch limits, not on the graph's size: 10,000 leaves stay under it, as would a million.
    expect(maxLive).toBeLessThanOrEqual(800);
  });

  test('tasks really run on other threads', async () => {
    const fixture = new URL('../../fixtures/delayed-functions.mjs', import.meta.url).href;
    const { currentThreadId } = (await import(fixture)) as typeof Fixture;
    registerModuleFunction(currentThreadId, fixture);
    const g = graphOf(...Array.from({ length: 8 }, (_, i) => new Task(`t[${i}]`, currentThreadId, [])));
    const ids = await threadsScheduler.get(g, [...g.keys()], opts);
    const info = await getThreadPool(2).info();
    expect(ids.every((id) => info.some((w) => w.threadId === id))).toBe(true);
    expect(ids).not.toContain(0);
  });

  test('typed arrays and nested references cross threads intact', async () => {
    const g = graphOf(
      new DataNode('x', Float64Array.from([1, 2, 3])),
      new Task('y', (a: Float64Array, k: { by: number }) => a.map((v) => v * k.by), [new TaskRef('x'), { by: 10 }]),
      new Task('z', (a: Float64Array) => a.reduce((s, v) => s + v, 0), [new TaskRef('y')]),
    );
    expect(await threadsScheduler.get(g, ['z', 'y'], opts)).toEqual([60, Float64Array.from([10, 20, 30])]);
  });

  test("a task error keeps the user's name, message and stack line; the pool keeps working", async () => {
    function explode(x: number): number {
      if (x > 1) throw new TypeError(`bad input ${x}`);
      return x;
    }
    const g = graphOf(new Task('explode-1', explode, [5]));
    const err = await threadsScheduler.get(g, ['explode-1'], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    const te = err as TaskError;
    expect(te.key).toBe('explode-1');
    expect(te.originalName).toBe('TypeError');
    expect(te.message).toContain('bad input 5');
    expect(te.cause).toBeInstanceOf(TypeError);
    expect(te.stack).toMatch(/at explode/);
    const ok = await threadsScheduler.get(graphOf(new Task('fine', (a: number) => a + 1, [1])), ['fine'], opts);
    expect(ok).toEqual([2]);
  });

  test('a closure is refused before it ships, naming the captured variable', async () => {
    const factor = 3;
    const g = graphOf(new Task('scale', (x: number) => x * factor, [2]));
    const err = await threadsScheduler.get(g, ['scale'], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).message).toContain('"factor"');
  });

  test.each([
    ['a Symbol', () => Symbol('s'), 'a Symbol'],
    ['a WeakMap', () => new WeakMap(), 'a WeakMap'],
    ['a function inside an object', () => ({ a: [1, (x: number) => x] }), 'a function at .a[1]'],
    ['a Promise inside a Map', () => new Map([['p', Promise.resolve(1)]]), 'a Promise at .get(#0)'],
  ])(
    'a result holding %s fails its own task with SerializationError naming it; no thread dies',
    async (_what, make, named) => {
      const pool = getThreadPool(2);
      const before = (await pool.info()).map((w) => w.threadId).sort();
      const g = graphOf(new Task('fine', (x: number) => x + 1, [1]), new Task('odd', make, []));
      const err = await threadsScheduler.get(g, ['fine', 'odd'], opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).code).toBe('DASK_ERR_SERIALIZATION');
      expect((err as SerializationError).message).toContain(`task odd returned a value that cannot be sent back`);
      expect((err as SerializationError).message).toContain(`: ${named}.`);
      expect((await pool.info()).map((w) => w.threadId).sort()).toEqual(before);
      expect(await threadsScheduler.get(graphOf(new Task('next', (x: number) => x * 2, [21])), ['next'], opts)).toEqual(
        [42],
      );
    },
  );

  test('an argument that cannot be sent fails with SerializationError naming the task, before anything runs', async () => {
    const g = graphOf(new Task('sym-arg', (x: unknown) => String(x), [{ tag: Symbol('t') }]));
    const err = await threadsScheduler.get(g, ['sym-arg'], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).message).toContain(
      'task sym-arg has an argument that cannot be sent to its worker: a Symbol at [0].tag',
    );
  });

  test('a task that kills its thread fails with KilledWorker and the thread is replaced', async () => {
    const pool = getThreadPool(2);
    const before = (await pool.info()).map((w) => w.threadId);
    const g = graphOf(new Task('fine-a', (x: number) => x, [1]), new Task('suicide-1', () => process.exit(7), []));
    const err = await threadsScheduler.get(g, ['fine-a', 'suicide-1'], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilledWorker);
    const kw = err as KilledWorker;
    expect(kw.code).toBe('DASK_ERR_KILLED_WORKER');
    expect(kw.key).toBe('suicide-1');
    expect(kw.message).toContain('exited with code 7');
    const after = (await pool.info()).map((w) => w.threadId);
    expect(after.length).toBe(2);
    expect(after.filter((id) => !before.includes(id)).length).toBe(1);
    const { graph, root, expected } = treeReduction(100, 4);
    expect(await threadsScheduler.get(graph, [root], opts)).toEqual([expected]);
  });

  test('a task that runs its thread out of memory fails with KilledWorker; the pool goes on', async () => {
    const pool = new ThreadPool(1, { maxHeapMb: 48 });
    try {
      const hog = new Task(
        'hog-1',
        () => {
          const keep: number[][] = [];
          for (;;) keep.push(new Array<number>(1e6).fill(1.5));
        },
        [],
      );
      const err = await getAsync(graphOf(hog), ['hog-1'], new PoolExecutor(pool)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KilledWorker);
      expect((err as KilledWorker).key).toBe('hog-1');
      expect((err as KilledWorker).message).toMatch(/out of memory|ERR_WORKER_OUT_OF_MEMORY/i);
      const ok = await getAsync(
        graphOf(new Task('after', (x: number) => x * 2, [21])),
        ['after'],
        new PoolExecutor(pool),
      );
      expect(ok).toEqual([42]);
    } finally {
      await pool.close();
    }
  });

  test('an async task that kills its thread after an await is still caught', async () => {
    const g = graphOf(
      new Task(
        'late-exit',
        async () => {
          await new Promise((r) => setTimeout(r, 5));
          process.exit(3);
        },
        [],
      ),
    );
    const err = await threadsScheduler.get(g, ['late-exit'], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KilledWorker);
    expect((err as KilledWorker).key).toBe('late-exit');
  });
});
