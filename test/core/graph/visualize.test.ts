import { describe, expect, test } from 'vitest';
import { visualize } from '../../../src/core/graph/visualize.js';
import { Alias, DataNode, Task, TaskRef, type Graph, type GraphNode } from '../../../src/core/graph/task.js';
import { ValueError } from '../../../src/core/errors.js';

function inc(x: number): number {
  return x + 1;
}
const graphOf = (...nodes: GraphNode[]): Graph => new Map(nodes.map((n) => [n.key, n]));

/** a (data) -> b = inc(a); (b, a) -> c = an anonymous function. */
function threeTasks(): Graph {
  return graphOf(
    new DataNode('a', 1),
    new Task('b', inc, [new TaskRef('a')]),
    new Task('c', (x: number, y: number) => x + y, [new TaskRef('b'), new TaskRef('a')]),
  );
}

describe('visualize', () => {
  test('DOT: function circles, key boxes, fn -> key and dependency -> fn edges', () => {
    expect(visualize(threeTasks()).split('\n')).toEqual([
      'digraph {',
      '  graph [rankdir=TB];',
      '  n0 [label="a", shape=box];',
      '  n1 [label="inc", shape=circle];',
      '  n2 [label="b", shape=box];',
      '  n3 [label="lambda", shape=circle];',
      '  n4 [label="c", shape=box];',
      '  n1 -> n2;',
      '  n0 -> n1;',
      '  n3 -> n4;',
      '  n2 -> n3;',
      '  n0 -> n3;',
      '}',
      '',
    ]);
  });

  test('Mermaid: the same picture as a flowchart', () => {
    expect(visualize(threeTasks(), { format: 'mermaid', rankdir: 'LR' }).split('\n')).toEqual([
      'flowchart LR',
      '  n0["a"]',
      '  n1(("inc"))',
      '  n2["b"]',
      '  n3(("lambda"))',
      '  n4["c"]',
      '  n1 --> n2',
      '  n0 --> n1',
      '  n3 --> n4',
      '  n2 --> n3',
      '  n0 --> n3',
      '',
    ]);
  });

  test('aliases are dashed edges and missing dependencies dashed boxes', () => {
    const g = graphOf(new Task('x', inc, [new TaskRef('gone')]), new Alias('y', 'x'));
    expect(visualize(g).split('\n')).toEqual([
      'digraph {',
      '  graph [rankdir=TB];',
      '  n0 [label="inc", shape=circle];',
      '  n1 [label="x", shape=box];',
      '  n2 [label="y", shape=box];',
      '  n3 [label="gone", shape=box, style=dashed];',
      '  n0 -> n1;',
      '  n3 -> n0;',
      '  n1 -> n2 [style=dashed];',
      '}',
      '',
    ]);
    const mermaid = visualize(g, { format: 'mermaid' }).split('\n');
    expect(mermaid).toContain('  n1 -.-> n2');
    expect(mermaid).toContain('  n3["gone"]:::missing');
    expect(mermaid).toContain('  classDef missing stroke-dasharray: 5 5');
  });

  test('labels with quotes, brackets and backslashes are escaped; ids stay n0, n1, ...', () => {
    const g = graphOf(new DataNode('x["q",1]\\', 0), new DataNode('<b>#1', 0));
    expect(visualize(g).split('\n')).toContain('  n0 [label="x[\\"q\\",1]\\\\", shape=box];');
    const mermaid = visualize(g, { format: 'mermaid' }).split('\n');
    expect(mermaid).toContain('  n0["x[#quot;q#quot;,1]#92;"]');
    expect(mermaid).toContain('  n1["#lt;b#gt;#35;1"]');
  });

  test('a graph over maxNodes is refused with a hint', () => {
    const g = graphOf(...Array.from({ length: 5 }, (_, i) => new DataNode(`k${i}`, i)));
    expect(() => visualize(g, { maxNodes: 4 })).toThrow(ValueError);
    expect(() => visualize(g, { maxNodes: 4 })).toThrow(/smaller piece/);
    expect(visualize(g, { maxNodes: 5 })).toContain('n4 [label="k4", shape=box];');
  });
});
