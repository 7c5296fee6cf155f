import { afterAll, describe, expect, test } from 'vitest';
import type * as Fixture from '../../fixtures/delayed-functions.mjs';
import { execFileSync } from 'node:child_process';
import { compute, config, delayed, Delayed, persist, visualize, type SchedulerHooks } from '../../../src/index.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';

afterAll(async () => {
  await closeThreadPools();
  await closeProcessPools();
});

const schedulers = ['sync', 'threads', 'processes'] as const;

describe.each(schedulers)('Delayed on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };

  test('the API example: add(inc(1), inc(2)) is 5', async () => {
    const inc = delayed((x: number) => x + 1);
    const add = delayed((a: number, b: number) => a + b, { name: 'add', pure: true });
    const total = add(inc(1), inc(2));
    expect(total).toBeInstanceOf(Delayed);
    expect(total.key.startsWith('add-')).toBe(true);
    expect(await total.compute(opts)).toBe(5);
  });

  test('compute of several values returns them in order', async () => {
    const inc = delayed((x: number) => x + 1);
    expect(await compute(inc(1), inc(2), opts)).toEqual([2, 3]);
  });

  test('Delayed values nested in arrays and objects are arguments too', async () => {
    const inc = delayed((x: number) => x + 1);
    const total = delayed((o: { xs: number[]; y: number }) => o.xs.reduce((s, v) => s + v, 0) * o.y)({
      xs: [inc(1), inc(2), 10],
      y: inc(0),
    });
    expect(await total.compute(opts)).toBe(15);
  });

  test('nout splits a result into items that can be destructured', async () => {
    const pair = delayed((x: number) => [x, x * 2] as [number, number], { nout: 2 })(3);
    const [a, b] = pair;
    expect(await compute(pair[0], pair[1], a, b, opts)).toEqual([3, 6, 3, 6]);
  });

  test('get builds an item-access task', async () => {
    const obj = delayed({ a: 1, b: [4, 5] });
    expect(await obj.get('a').compute(opts)).toBe(1);
    const arr = delayed((n: number) => [n, n + 1, n + 2])(7);
    expect(await arr.get(2).compute(opts)).toBe(9);
  });

  test('a long chain of 5,000 calls computes', async () => {
    const inc = delayed((x: number) => x + 1);
    let x = inc(0);
    for (let i = 1; i < 5000; i++) x = inc(x);
    expect(await x.compute(opts)).toBe(5000);
  });

  test('exported functions ship by module reference', async () => {
    const mod = (await import('../../fixtures/delayed-functions.mjs')) as { triple: (x: number) => number };
    const triple = delayed(mod.triple, {
      module: new URL('../../fixtures/delayed-functions.mjs', import.meta.url).href,
    });
    expect(await triple(delayed(4)).compute(opts)).toBe(12);
  });

  test('persist returns a Delayed backed by its value', async () => {
    let calls = 0;
    const counted = delayed(() => {
      calls += 1;
      return 42;
    });
    if (scheduler === 'sync') {
      const [p] = await persist(counted(), opts);
      expect(p.node.kind).toBe('data');
      expect(await p.compute(opts)).toBe(42);
      expect(calls).toBe(1);
    } else {
      const [p] = await persist(delayed((x: number) => x * 2)(21), opts);
      expect(p.node.kind).toBe('data');
      expect(await p.compute(opts)).toBe(42);
    }
  });
});

describe.each(['threads', 'processes'] as const)('stacks of shipped functions on %s', (scheduler) => {
  test("a failing task's stack names the function and the file and line that handed it over", async () => {
    const line = Number(/:(\d+):\d+/.exec(new Error().stack!.split('\n')[1]!)![1]) + 1;
    const f = delayed(function failing(x: number): number {
      if (x > 0) throw new RangeError(`too big: ${x}`);
      return x;
    });
    const err = await f(5)
      .compute({ scheduler, numWorkers: 1 })
      .catch((e: unknown) => e);
    const stack = (err as Error).stack ?? '';
    const frame = stack.split('\n').find((l) => l.includes('at failing'));
    // 'at failing (task:failing@/.../delayed.test.ts:LINE:2:…)': line 2 of the function's own text.
    expect(frame).toMatch(new RegExp(`at failing \\(task:failing@\\S*delayed\\.test\\.ts:${line}:2:\\d+\\)`));
    expect(stack).not.toContain('eval at');
  });
});

describe('Delayed semantics', () => {
  test('shared tasks run once (counted with the sync scheduler)', async () => {
    const calls = new Map<number, number>();
    const inc = delayed((x: number) => {
      calls.set(x, (calls.get(x) ?? 0) + 1);
      return x + 1;
    });
    const add = delayed((a: number, b: number) => a + b);
    const shared = inc(1);
    const left = add(shared, 10);
    const right = add(shared, 20);
    expect(await compute(left, right, shared, { scheduler: 'sync' })).toEqual([12, 22, 2]);
    expect(calls.get(1)).toBe(1);
  });

  test('pure calls with equal arguments share one key; impure calls do not', () => {
    const f = (x: number): number => x * 2;
    const pure = delayed(f, { pure: true });
    const impure = delayed(f);
    expect(pure(3).key).toBe(pure(3).key);
    expect(pure(3).key).not.toBe(pure(4).key);
    expect(impure(3).key).not.toBe(impure(3).key);
  });

  test('pure keys are the same in another process', () => {
    const double = function double(x: number): number {
      return x * 2;
    };
    const here = delayed(double, { pure: true })(21).key;
    const distIndex = new URL('../../../dist/src/index.js', import.meta.url).href;
    const script = `const { delayed } = await import(${JSON.stringify(distIndex)});
      const double = ${double.toString()};
      process.stdout.write(delayed(double, { pure: true })(21).key);`;
    const there = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(there).toBe(here);
  });

  test('config chooses the default scheduler and restores it', async () => {
    const seen: string[] = [];
    const hook: SchedulerHooks = { start: () => seen.push('start') };
    const restore = config.set({ scheduler: 'sync' });
    try {
      const fixture = new URL('../../fixtures/delayed-functions.mjs', import.meta.url).href;
      const { currentThreadId } = (await import(fixture)) as typeof Fixture;
      const threadId = delayed(currentThreadId, { module: fixture })();
      expect(await threadId.compute({ hooks: [hook] })).toBe(0);
    } finally {
      restore();
    }
    expect(config.get('scheduler')).toBeUndefined();
    expect(seen).toEqual(['start']);
    expect(() => config.set({ numWorkers: 0 })).toThrow(/positive integer/);
    await expect(delayed(1).compute({ scheduler: 'nope' })).rejects.toThrow(/unknown scheduler "nope"/);
  });

  test('progress: true draws a bar that reaches 100%', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => writes.push(String(chunk)) > 0;
    try {
      const inc = delayed((x: number) => x + 1);
      await compute(...Array.from({ length: 50 }, (_, i) => inc(i)), { scheduler: 'sync', progress: true });
    } finally {
      process.stderr.write = original;
    }
    expect(writes.at(-1)).toMatch(/\[#{40}\] \| 100% Completed \| [\d.]+s\n/);
  });

  test('visualize gives DOT and Mermaid text naming the tasks', () => {
    const inc = delayed(function inc(x: number) {
      return x + 1;
    });
    const y = inc(inc(1));
    const dot = y.visualize();
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot).toContain(y.key);
    const mermaid = visualize(y, { format: 'mermaid' });
    expect(mermaid).toMatch(/^flowchart/);
    expect(mermaid).toContain('inc');
  });

  test('bad nout is refused at once', () => {
    expect(() => delayed((x: number) => x, { nout: -1 })).toThrow(/nout must be a non-negative integer/);
  });
});
