import { describe, expect, test } from 'vitest';
import { cull } from '../../../src/core/graph/cull.js';
import { Alias, DataNode, Task, TaskRef, type Graph, type GraphNode } from '../../../src/core/graph/task.js';
import { GraphError } from '../../../src/core/errors.js';

const add = (...xs: number[]): number => xs.reduce((s, x) => s + x, 0);
const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));
const t = (k: string, ...deps: string[]): Task =>
  new Task(
    k,
    add,
    deps.map((d) => new TaskRef(d)),
  );

/** a -> b, a -> c, (b, c) -> d, plus the unrelated e -> f. */
function diamondPlusUnrelated(): Graph {
  return graphOf(new DataNode('a', 1), t('e'), t('b', 'a'), t('f', 'e'), t('c', 'a'), t('d', 'b', 'c'));
}

describe('cull', () => {
  test('keeps exactly the tasks the requested key needs, in graph order', () => {
    const g = diamondPlusUnrelated();
    const out = cull(g, ['d']);
    expect([...out.keys()]).toEqual(['a', 'b', 'c', 'd']);
    for (const [k, node] of out) expect(node).toBe(g.get(k));
  });

  test('an inner key keeps only its own ancestors', () => {
    expect([...cull(diamondPlusUnrelated(), ['b']).keys()]).toEqual(['a', 'b']);
  });

  test('several keys (with repeats) keep the union of what they need', () => {
    expect([...cull(diamondPlusUnrelated(), ['f', 'c', 'f']).keys()]).toEqual(['a', 'e', 'f', 'c']);
  });

  test('returns the same graph when every task is needed', () => {
    const g = diamondPlusUnrelated();
    expect(cull(g, ['d', 'f'])).toBe(g);
  });

  test('walks through aliases to their targets', () => {
    const g = graphOf(t('x'), t('y'), new Alias('z', 'x'));
    expect([...cull(g, ['z']).keys()]).toEqual(['x', 'z']);
  });

  test('a key that is not in the graph throws GraphError naming it', () => {
    let err: unknown;
    try {
      cull(diamondPlusUnrelated(), ['d', 'nope[0,1]']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphError);
    const ge = err as GraphError;
    expect(ge.code).toBe('DASK_ERR_GRAPH');
    expect(ge.key).toBe('nope[0,1]');
    expect(ge.message).toContain('"nope[0,1]"');
  });

  test('a missing dependency is left for validation, not reported here', () => {
    const g = graphOf(t('x', 'ghost'), t('y'));
    expect([...cull(g, ['x']).keys()]).toEqual(['x']);
  });

  test('a chain of 100,000 tasks is culled without recursion', () => {
    const n = 100_000;
    const g: Graph = new Map();
    g.set('unused', t('unused'));
    g.set('c0', t('c0'));
    for (let i = 1; i < n; i++) g.set(`c${i}`, t(`c${i}`, `c${i - 1}`));
    const out = cull(g, [`c${n - 1}`]);
    expect(out.size).toBe(n);
    expect(out.has('unused')).toBe(false);
  });
});
