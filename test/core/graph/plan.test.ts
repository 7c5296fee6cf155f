import { describe, expect, test } from 'vitest';
import { planGraph, planRanks } from '../../../src/core/graph/plan.js';
import { order, sinks } from '../../../src/core/graph/order.js';
import { validate } from '../../../src/core/graph/validate.js';
import { Alias, DataNode, Task, TaskRef, type Graph, type GraphNode } from '../../../src/core/graph/task.js';
import { GraphError } from '../../../src/core/errors.js';

const add = (a: number, b: number): number => a + b;
const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const t = (k: string, ...deps: string[]): Task =>
  new Task(
    k,
    add,
    deps.map((d) => new TaskRef(d)),
  );

function caught(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error('expected a GraphError');
}

describe('validation', () => {
  test('a cycle is reported with its path', () => {
    const g = graphOf(t('a', 'b'), t('b', 'c'), t('c', 'a'), t('out', 'a'));
    const err = caught(() => planGraph(g, ['out']));
    expect(err.code).toBe('DASK_ERR_GRAPH');
    expect(err.cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(err.message).toContain('a -> b -> c -> a');
  });

  test('a self-loop is a cycle of one', () => {
    const err = caught(() => validate(graphOf(t('x', 'x'))));
    expect(err.cycle).toEqual(['x', 'x']);
  });

  test('a missing dependency names the key and the task that needs it', () => {
    const err = caught(() => validate(graphOf(t('a', 'ghost'))));
    expect(err.key).toBe('ghost');
    expect(err.message).toContain('task a depends on ghost');
  });

  test('an unknown output key is refused', () => {
    const err = caught(() => planGraph(graphOf(t('a')), ['nope']));
    expect(err.key).toBe('nope');
  });

  test('a 200,000-long chain plans without recursion', () => {
    const g: Graph = new Map();
    g.set('k0', new DataNode('k0', 0));
    for (let i = 1; i < 200_000; i++) g.set(`k${i}`, t(`k${i}`, `k${i - 1}`));
    const plan = planGraph(g, ['k199999']);
    expect(plan.keys.length).toBe(200_000);
    expect(plan.keys[0]).toBe('k0');
  });
});

describe('order', () => {
  test('a diamond runs its dependencies in argument order before the join', () => {
    // a → b, a → c, (b, c) → d
    const g = graphOf(t('d', 'b', 'c'), t('b', 'a'), t('c', 'a'), t('a'));
    expect([...order(g).entries()]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  test('a tree reduction finishes each branch before opening the next (depth first)', () => {
    // leaves x0..x3, pairs s01 = x0+x1, s23 = x2+x3, total = s01 + s23
    const g = graphOf(
      t('total', 's01', 's23'),
      t('s01', 'x0', 'x1'),
      t('s23', 'x2', 'x3'),
      t('x0'),
      t('x1'),
      t('x2'),
      t('x3'),
    );
    const o = order(g);
    expect([...o.keys()]).toEqual(['x0', 'x1', 's01', 'x2', 'x3', 's23', 'total']);
  });

  test('order culls to the requested keys and every dependency comes first', () => {
    const g = graphOf(t('a'), t('b', 'a'), t('unrelated'), new Alias('c', 'b'));
    const o = order(g, ['c']);
    expect([...o.keys()]).toEqual(['a', 'b', 'c']);
    expect(sinks(g)).toEqual(['unrelated', 'c']);
  });

  test('the plan records dependents for the loop', () => {
    const g = graphOf(t('a'), t('b', 'a'), t('c', 'a'), t('d', 'b', 'c'));
    const p = planGraph(g, ['d']);
    const ia = planRanks(p).get('a')!;
    const dependents = Array.from(p.dependents.subarray(p.dependentStart[ia], p.dependentStart[ia + 1])).map(
      (i) => p.keys[i],
    );
    expect(dependents.sort()).toEqual(['b', 'c']);
  });
});
