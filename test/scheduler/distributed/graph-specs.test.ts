// Graphs as update-graph specs and back on a worker: TaskRefs, inline tasks, data nodes, aliases
// and Futures survive the trip through frames, and batching shifts frame numbers correctly.
import { describe, expect, test } from 'vitest';
import { Alias, callTask, DataNode, Task, TaskRef, type Graph } from '../../../src/core/graph/task.js';
import { fromFrames } from '../../../src/core/serialize/frames.js';
import { functionForRef, resolveFnRef } from '../../../src/core/serialize/fn-ref.js';
import { graphToSpecs } from '../../../scheduler/distributed/graph-specs.js';
import { shiftFrames, type TaskSpec } from '../../../scheduler/distributed/protocol.js';
import { parseBytes } from '../../../scheduler/distributed/local-cluster.js';
import { sizeOf } from '../../../scheduler/distributed/sizeof.js';

/** Runs a spec the way a worker does: decode args, rebuild the Task, substitute dependency values. */
async function runSpec(
  spec: TaskSpec,
  frames: readonly Uint8Array[],
  values: Record<string, unknown>,
): Promise<unknown> {
  const args = fromFrames(
    spec.args.header,
    spec.args.frames.map((i) => frames[i]!),
  ) as unknown[];
  const task = new Task(spec.key, functionForRef(spec.fn), args);
  expect([...task.deps].sort()).toEqual([...spec.deps].sort());
  return await callTask(task, (k) => values[k]);
}

describe('graph to specs', () => {
  test('a task with TaskRefs, an inline sub-task and a typed array runs the same on the other side', async () => {
    const add = (a: number, b: number): number => a + b;
    const sum = (xs: Float64Array, extra: number): number => xs.reduce((s, v) => s + v, 0) + extra;
    const inner = new Task('inner', add, [new TaskRef('x'), 10]);
    const graph: Graph = new Map([['t', new Task('t', sum, [Float64Array.from([1, 2, 3]), inner])]]);
    const { tasks, frames } = graphToSpecs(graph);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.deps).toEqual(['x']);
    expect(await runSpec(tasks[0]!, frames, { x: 5 })).toBe(6 + 15);
  });

  test('data nodes and aliases become identity tasks; a Future stands for its key', async () => {
    // A stand-in for the client's Future: like it, an instance of a class (a plain object would be
    // walked into as a container of arguments).
    class FakeFuture {
      readonly isFuture = true;
      readonly key = 'remote-1';
    }
    const future = new FakeFuture();
    const futureKey = (v: unknown): string | undefined =>
      typeof v === 'object' && v !== null && 'isFuture' in v ? (v as typeof future).key : undefined;
    const graph: Graph = new Map<string, DataNode | Alias | Task>([
      ['d', new DataNode('d', { n: Int32Array.from([7, 8]) })],
      ['a', new Alias('a', 'd')],
      ['p', new DataNode('p', future)],
      ['remote-1', new DataNode('remote-1', future)],
      ['u', new Task('u', (x: number, y: number) => x * y, [future, 3])],
    ]);
    const { tasks, frames } = graphToSpecs(graph, { futureKey });
    expect(tasks.map((t) => t.key)).toEqual(['d', 'a', 'p', 'u']); // the Future's own key is not resent
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    expect(await runSpec(byKey.get('d')!, frames, {})).toEqual({ n: Int32Array.from([7, 8]) });
    expect(byKey.get('a')!.deps).toEqual(['d']);
    expect(await runSpec(byKey.get('a')!, frames, { d: 'D' })).toBe('D');
    expect(byKey.get('p')!.deps).toEqual(['remote-1']);
    expect(byKey.get('u')!.deps).toEqual(['remote-1']);
    expect(await runSpec(byKey.get('u')!, frames, { 'remote-1': 4 })).toBe(12);
  });

  test('functionForRef gives the same function for the same reference, and fnRef resolves', async () => {
    const ref = { kind: 'source', source: '(x) => x * 2', name: 'double' } as const;
    expect(functionForRef(ref)).toBe(functionForRef({ ...ref }));
    expect((functionForRef(ref) as (x: number) => number)(21)).toBe(42);
    expect(((await resolveFnRef(ref)) as (x: number) => number)(4)).toBe(8);
  });

  test('shiftFrames moves every frame number of the values a message carries', () => {
    const msg = {
      op: 'compute-task',
      key: 'k',
      fn: { kind: 'source', source: '(x) => x', name: '' },
      args: { header: '[]', frames: [0, 1] },
      whoHas: {},
      priority: [0],
    } as const;
    expect(shiftFrames(msg, 3).args.frames).toEqual([3, 4]);
    const reply = {
      op: 'get-data-reply',
      id: 1,
      data: { a: { header: 'h', frames: [0] }, b: { header: 'h', frames: [1, 2] } },
      missing: [],
    } as const;
    expect(shiftFrames(reply, 2).data).toEqual({ a: { header: 'h', frames: [2] }, b: { header: 'h', frames: [3, 4] } });
    expect(reply.data.a.frames).toEqual([0]); // the original is untouched
  });
});

describe('sizes', () => {
  test('sizeOf counts buffer bytes and approximates containers', () => {
    expect(sizeOf(new Float64Array(1000))).toBe(8000);
    expect(sizeOf(42)).toBe(8);
    expect(sizeOf([new Uint8Array(10), new Uint8Array(20)])).toBeGreaterThanOrEqual(30);
    expect(sizeOf({ shape: [10], data: new Float32Array(10) })).toBeGreaterThanOrEqual(40);
  });

  test('parseBytes reads the units Dask accepts and names the fix for anything else', () => {
    expect(parseBytes('2GB')).toBe(2e9);
    expect(parseBytes('512 MiB')).toBe(512 * 1024 ** 2);
    expect(parseBytes(1234)).toBe(1234);
    expect(parseBytes('1.5e3')).toBe(1500);
    expect(() => parseBytes('lots')).toThrow(/2GB, 512MiB or 1e9/);
  });
});
