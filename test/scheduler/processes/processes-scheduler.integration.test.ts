import { afterAll, describe, expect, test } from 'vitest';
import { processesScheduler } from '../../../scheduler/processes/processes-scheduler.js';
import { closeProcessPools, getProcessPool } from '../../../scheduler/processes/process-pool.js';
import { DataNode, Task, TaskRef, type Graph, type GraphNode } from '../../../src/core/graph/task.js';
import { KilledWorker, SerializationError, TaskError } from '../../../src/core/errors.js';
import * as da from '../../../src/array.js';
import { delayed } from '../../../src/index.js';
import { treeReduction } from '../../helpers/graphs.js';

const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const opts = { numWorkers: 2 };

afterAll(async () => {
  await closeProcessPools();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('processes scheduler', () => {
  test('a tree reduction runs in two child processes', async () => {
    const { graph, root, expected } = treeReduction(2000, 4);
    expect(await processesScheduler.get(graph, [root], opts)).toEqual([expected]);
    const pids = getProcessPool(2).pids;
    expect(pids.length).toBe(2);
    expect(pids.every((p) => p > 0 && p !== process.pid && alive(p))).toBe(true);
  });

  test('typed arrays from shared memory, ndarrays and Delayed values cross processes', async () => {
    const x = da.fromArray(
      Float64Array.from({ length: 1000 }, (_, i) => i),
      { chunks: 100 },
    );
    expect(await x.mul(2).sum().compute({ scheduler: 'processes', numWorkers: 2 })).toBe(999_000);
    const m = fromDense(await x.reshape([10, 100]).T.compute({ scheduler: 'processes', numWorkers: 2 }));
    expect(m.slice(0, 3)).toEqual([0, 100, 200]);
    const inc = delayed((v: number) => v + 1);
    expect(await inc(inc(1)).compute({ scheduler: 'processes', numWorkers: 2 })).toBe(3);
  });

  test.each([
    ['a Symbol', () => Symbol('s'), 'a Symbol'],
    ['a WeakMap', () => new WeakMap(), 'a WeakMap'],
    ['a function', () => (x: number) => x, 'a function'],
    ['an instance of a class no codec handles', () => new (class Point {})(), 'an instance of Point'],
  ])(
    'a result holding %s fails its own task with SerializationError naming it; no child dies',
    async (_what, make, named) => {
      const pids = getProcessPool(2).pids;
      const g = graphOf(new Task('fine', (x: number) => x + 1, [1]), new Task('odd', make, []));
      const err = await processesScheduler.get(g, ['fine', 'odd'], opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).message).toContain(`task odd returned a value that cannot be sent back`);
      expect((err as SerializationError).message).toContain(`: ${named}.`);
      expect(getProcessPool(2).pids).toEqual(pids);
      expect(pids.every(alive)).toBe(true);
      expect(
        await processesScheduler.get(graphOf(new Task('next', (x: number) => x * 2, [21])), ['next'], opts),
      ).toEqual([42]);
    },
  );

  test('a task error keeps its name, message and stack; the pool goes on', async () => {
    function failing(v: number): number {
      throw new RangeError(`no ${v}`);
    }
    const err = await processesScheduler
      .get(graphOf(new DataNode('x', 4), new Task('failing-1', failing, [new TaskRef('x')])), ['failing-1'], opts)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).originalName).toBe('RangeError');
    expect((err as TaskError).message).toContain('no 4');
    expect((err as TaskError).stack).toMatch(/at failing/);
    expect(await processesScheduler.get(graphOf(new Task('ok', () => 1, [])), ['ok'], opts)).toEqual([1]);
  });

  test('a child killed with SIGKILL while it holds a task fails that task with KilledWorker and is replaced', async () => {
    const pool = getProcessPool(2);
    const before = pool.pids;
    const slow = new Task('wait-for-kill', () => new Promise((resolve) => setTimeout(resolve, 60_000)), []);
    const pending = processesScheduler.get(graphOf(slow), ['wait-for-kill'], opts).catch((e: unknown) => e);
    // get() hands the batch to a child synchronously; kill that child while it holds the task
    const victim = pool.processingOn('wait-for-kill')!;
    expect(before).toContain(victim);
    process.kill(victim, 'SIGKILL');
    const err = await pending;
    expect(err).toBeInstanceOf(KilledWorker);
    expect((err as KilledWorker).key).toBe('wait-for-kill');
    expect((err as KilledWorker).message).toContain('SIGKILL');
    const after = pool.pids;
    expect(after).not.toContain(victim);
    expect(after.filter((p) => before.includes(p)).length).toBe(1);
    expect(await processesScheduler.get(graphOf(new Task('again', () => 2, [])), ['again'], opts)).toEqual([2]);
  });

  test('close() leaves no child process behind', async () => {
    const pids = getProcessPool(2).pids;
    await closeProcessPools();
    expect(pids.some(alive)).toBe(false);
  });
});

function fromDense(r: unknown): number[] {
  const n = r as { data: ArrayLike<number>; size: number };
  return Array.from(n.data).slice(0, n.size);
}
