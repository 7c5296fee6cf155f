import { describe, expect, test } from 'vitest';
import { fuse } from '../../../src/core/graph/fuse.js';
import {
  Alias,
  DataNode,
  Task,
  TaskRef,
  callTask,
  type Graph,
  type GraphNode,
  type Key,
} from '../../../src/core/graph/task.js';
import { ValueError } from '../../../src/core/errors.js';

const inc = (x: number): number => x + 1;
const double = (x: number): number => 2 * x;
const add = (...xs: number[]): number => xs.reduce((s, x) => s + x, 0);
const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const ref = (k: Key): TaskRef => new TaskRef(k);

/** Computes `key` one task at a time (an explicit stack, so long chains are fine). */
function evaluate(graph: Graph, key: Key): unknown {
  const values = new Map<Key, unknown>();
  const stack: Key[] = [key];
  while (stack.length > 0) {
    const k = stack[stack.length - 1]!;
    if (values.has(k)) {
      stack.pop();
      continue;
    }
    const node = graph.get(k)!;
    const pending = node.deps.filter((d) => !values.has(d));
    if (pending.length > 0) {
      stack.push(...pending);
      continue;
    }
    stack.pop();
    if (node.kind === 'data') values.set(k, node.value);
    else if (node.kind === 'alias') values.set(k, values.get(node.target));
    else
      values.set(
        k,
        callTask(node, (d) => values.get(d)),
      );
  }
  return values.get(key);
}

function chain(n: number): Graph {
  const g: Graph = new Map();
  g.set('x0', new Task('x0', () => 0, []));
  for (let i = 1; i < n; i++) g.set(`x${i}`, new Task(`x${i}`, inc, [ref(`x${i - 1}`)]));
  return g;
}

describe('fuse', () => {
  test('a chain a -> b -> c with output c becomes one task c computing the same value', () => {
    const g = graphOf(new Task('a', () => 3, []), new Task('b', inc, [ref('a')]), new Task('c', double, [ref('b')]));
    const out = fuse(g, ['c']);
    expect([...out.keys()]).toEqual(['c']);
    const c = out.get('c') as Task;
    expect(c.fn).toBe(double);
    expect(c.deps).toEqual([]);
    const b = c.args[0] as Task;
    expect(b.key).toBe('b');
    expect((b.args[0] as Task).key).toBe('a');
    expect(callTask(c, () => undefined)).toBe(8);
    expect(evaluate(out, 'c')).toBe(evaluate(g, 'c'));
  });

  test('data inputs stay and become the fused task dependency', () => {
    const g = graphOf(new DataNode('x', 10), new Task('a', inc, [ref('x')]), new Task('b', double, [ref('a')]));
    const out = fuse(g, ['b']);
    expect([...out.keys()]).toEqual(['x', 'b']);
    expect(out.get('x')).toBe(g.get('x'));
    expect(out.get('b')!.deps).toEqual(['x']);
    expect(evaluate(out, 'b')).toBe(22);
  });

  test('a diamond is not fused across its branch point or its join', () => {
    const g = graphOf(
      new Task('a', () => 1, []),
      new Task('b', inc, [ref('a')]),
      new Task('c', double, [ref('a')]),
      new Task('d', add, [ref('b'), ref('c')]),
      new Task('e', inc, [ref('d')]),
    );
    const out = fuse(g, ['e']);
    expect([...out.keys()]).toEqual(['a', 'b', 'c', 'e']);
    for (const k of ['a', 'b', 'c']) expect(out.get(k)).toBe(g.get(k));
    expect(out.get('e')!.deps).toEqual(['b', 'c']);
    expect(evaluate(out, 'e')).toBe(5);
  });

  test('outputs are never fused away, even in the middle of a chain', () => {
    const g = graphOf(
      new Task('a', () => 1, []),
      new Task('b', inc, [ref('a')]),
      new Task('c', inc, [ref('b')]),
      new Task('d', inc, [ref('c')]),
    );
    const out = fuse(g, ['b', 'd']);
    expect([...out.keys()]).toEqual(['b', 'd']);
    expect(out.get('d')!.deps).toEqual(['b']);
    expect(evaluate(out, 'b')).toBe(2);
    expect(evaluate(out, 'd')).toBe(4);
  });

  test('data nodes and aliases are not fused', () => {
    const g = graphOf(
      new DataNode('x', 1),
      new Task('a', inc, [ref('x')]),
      new Alias('b', 'a'),
      new Task('c', inc, [ref('b')]),
    );
    const out = fuse(g, ['c']);
    expect([...out.keys()]).toEqual(['x', 'a', 'b', 'c']);
    for (const [k, node] of out) expect(node).toBe(g.get(k));
  });

  test('a dependency read twice by its dependent is not inlined (it would run twice)', () => {
    let calls = 0;
    const g = graphOf(new Task('a', () => ++calls, []), new Task('b', add, [ref('a'), ref('a')]));
    const out = fuse(g, ['b']);
    expect([...out.keys()]).toEqual(['a', 'b']);
    expect(evaluate(out, 'b')).toBe(2);
    expect(calls).toBe(1);
  });

  test('references inside plain objects and inline tasks are fused too', () => {
    const pick = (o: { v: number }): number => o.v;
    const g = graphOf(
      new Task('a', () => 5, []),
      new Task('b', pick, [{ v: ref('a') }]),
      new Task('c', double, [new Task('inner', inc, [ref('b')])]),
    );
    const out = fuse(g, ['c']);
    expect([...out.keys()]).toEqual(['c']);
    expect(evaluate(out, 'c')).toBe(12);
  });

  test('unrelated tasks keep their node objects and a new Map is returned', () => {
    const g = graphOf(new Task('a', () => 1, []), new Task('b', inc, [ref('a')]), new Task('z', () => 9, []));
    const out = fuse(g, ['b', 'z']);
    expect(out).not.toBe(g);
    expect(out.get('z')).toBe(g.get('z'));
    const none = fuse(graphOf(new Task('z', () => 9, [])), ['z']);
    expect([...none.keys()]).toEqual(['z']);
  });

  test('a chain of 100,000 tasks fuses into ceil(n / maxChain) tasks that compute the same value', () => {
    const n = 100_000;
    const g = chain(n);
    const out = fuse(g, [`x${n - 1}`]);
    expect(out.size).toBe(Math.ceil(n / 64));
    expect(out.has(`x${n - 1}`)).toBe(true);
    expect(out.has('x63')).toBe(true); // the first segment ends after 64 tasks
    expect(evaluate(out, `x${n - 1}`)).toBe(n - 1);
    const short = fuse(g, [`x${n - 1}`], { maxChain: 10 });
    expect(short.size).toBe(n / 10);
    expect(evaluate(short, `x${n - 1}`)).toBe(n - 1);
  });

  test('fusing a fused graph again respects maxChain', () => {
    const g = chain(1000);
    const once = fuse(g, ['x999'], { maxChain: 8 });
    const twice = fuse(once, ['x999'], { maxChain: 8 });
    expect([...twice.keys()]).toEqual([...once.keys()]);
    const merged = fuse(once, ['x999'], { maxChain: 16 });
    expect(merged.size).toBe(Math.ceil(1000 / 16));
    expect(evaluate(merged, 'x999')).toBe(999);
  });

  test('maxChain 1 disables fusion; a non-positive maxChain is a ValueError', () => {
    const g = chain(5);
    expect([...fuse(g, ['x4'], { maxChain: 1 }).keys()]).toEqual([...g.keys()]);
    expect(() => fuse(g, ['x4'], { maxChain: 0 })).toThrow(ValueError);
  });
});
