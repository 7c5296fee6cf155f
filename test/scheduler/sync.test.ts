import { describe, expect, test } from 'vitest';
import { syncScheduler } from '../../scheduler/sync.js';
import { DataNode, Task, TaskRef, Alias, type Graph, type GraphNode } from '../../src/core/graph/task.js';
import { TaskError, GraphError } from '../../src/core/errors.js';
import type { LoopState, SchedulerHooks } from '../../src/core/scheduler-types.js';
import { treeReduction } from '../helpers/graphs.js';

const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const add = (a: number, b: number): number => a + b;

describe('sync scheduler', () => {
  test('computes a diamond, aliases and data nodes', async () => {
    const g = graphOf(
      new DataNode('x', 10),
      new Task('a', (x: number) => x + 1, [new TaskRef('x')]),
      new Task('b', (x: number) => x * 2, [new TaskRef('x')]),
      new Task('c', add, [new TaskRef('a'), new TaskRef('b')]),
      new Alias('out', 'c'),
    );
    expect(await syncScheduler.get(g, ['out', 'a'])).toEqual([31, 11]);
  });

  test('nested references in arrays and objects, and inline tasks, are resolved', async () => {
    const inner = new Task('inner', (x: number) => x * 100, [new TaskRef('x')]);
    const g = graphOf(
      new DataNode('x', 2),
      new Task('y', (o: { list: number[]; v: number }) => o.list[0]! + o.list[1]! + o.v, [
        { list: [new TaskRef('x'), 3], v: inner },
      ]),
    );
    expect(await syncScheduler.get(g, ['y'])).toEqual([205]);
  });

  test('async task functions are awaited', async () => {
    const g = graphOf(
      new Task('a', async (x: number) => Promise.resolve(x + 1), [1]),
      new Task('b', add, [new TaskRef('a'), 1]),
    );
    expect(await syncScheduler.get(g, ['b'])).toEqual([3]);
  });

  test('a throwing task rejects with TaskError carrying the original error', async () => {
    const g = graphOf(
      new Task(
        'bad-1',
        () => {
          throw new RangeError('out of range!');
        },
        [],
      ),
    );
    const err = await syncScheduler.get(g, ['bad-1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    const te = err as TaskError;
    expect(te.code).toBe('DASK_ERR_TASK');
    expect(te.key).toBe('bad-1');
    expect(te.originalName).toBe('RangeError');
    expect(te.message).toContain('out of range!');
    expect(te.cause).toBeInstanceOf(RangeError);
  });

  test('a graph error rejects before any task runs', async () => {
    let ran = 0;
    const g = graphOf(new Task('a', () => ran++, []), new Task('b', add, [new TaskRef('a'), new TaskRef('missing')]));
    await expect(syncScheduler.get(g, ['b'])).rejects.toBeInstanceOf(GraphError);
    expect(ran).toBe(0);
  });

  test('a 10,000-leaf tree reduction keeps few intermediate results alive', async () => {
    const { graph, root, expected } = treeReduction(10_000, 4);
    let maxLive = 0;
    let tasks = 0;
    const hooks: SchedulerHooks = {
      posttask(_k: string, _v: unknown, s: LoopState) {
        tasks += 1;
        maxLive = Math.max(maxLive, s.live);
      },
    };
    const [value] = await syncScheduler.get(graph, [root], { hooks: [hooks] });
    expect(value).toBe(expected);
    expect(tasks).toBe(graph.size);
    // depth-first order holds at most one partial group per tree level (7 levels × 4) plus a batch
    expect(maxLive).toBeLessThanOrEqual(48);
  });
});

describe('hooks that throw', () => {
  test('a throwing posttask hook rejects the computation instead of escaping', async () => {
    const { threadsScheduler } = await import('../../scheduler/threads/threads-scheduler.js');
    const { closeThreadPools } = await import('../../scheduler/threads/thread-pool.js');
    const g = new Map([['a', new Task('a', (x: number) => x + 1, [1])]]);
    const hook: SchedulerHooks = {
      posttask() {
        throw new Error('hook failed');
      },
    };
    try {
      await expect(threadsScheduler.get(g, ['a'], { numWorkers: 1, hooks: [hook] })).rejects.toThrow('hook failed');
      await expect(syncScheduler.get(g, ['a'], { hooks: [hook] })).rejects.toThrow('hook failed');
    } finally {
      await closeThreadPools();
    }
  });
});

describe('async inline sub-tasks', () => {
  test('a fused chain whose inner call is async is awaited before the outer call, on sync and threads', async () => {
    const { threadsScheduler } = await import('../../scheduler/threads/threads-scheduler.js');
    const { closeThreadPools } = await import('../../scheduler/threads/thread-pool.js');
    const { fuse } = await import('../../src/core/graph/fuse.js');
    const g = graphOf(
      new DataNode('x', 20),
      new Task('fetch', async (x: number) => Promise.resolve(x + 1), [new TaskRef('x')]),
      new Task(
        'double',
        (v: number) => {
          if (typeof v !== 'number') throw new TypeError(`double got ${typeof v}`);
          return v * 2;
        },
        [new TaskRef('fetch')],
      ),
    );
    const fused = fuse(g, ['double']);
    expect(fused.has('fetch')).toBe(false); // the async task is now inline in 'double'
    try {
      expect(await syncScheduler.get(fused, ['double'])).toEqual([42]);
      expect(await threadsScheduler.get(fused, ['double'], { numWorkers: 1 })).toEqual([42]);
    } finally {
      await closeThreadPools();
    }
  });
});
