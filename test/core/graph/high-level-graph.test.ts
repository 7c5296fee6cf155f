import { describe, expect, test } from 'vitest';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { DataNode, Task, TaskRef } from '../../../src/core/graph/task.js';

const inc = (x: number): number => x + 1;

function base(): HighLevelGraph {
  return HighLevelGraph.fromLayer(new MaterializedLayer('x', [new DataNode('x[0]', 1), new DataNode('x[1]', 2)]));
}

describe('HighLevelGraph', () => {
  test('a layer on top of its inputs materialises every task', () => {
    const x = base();
    const y = HighLevelGraph.fromLayer(
      new MaterializedLayer(
        'y',
        [new Task('y[0]', inc, [new TaskRef('x[0]')]), new Task('y[1]', inc, [new TaskRef('x[1]')])],
        ['x'],
      ),
      [x],
    );
    expect([...y.layers.keys()]).toEqual(['x', 'y']);
    expect([...y.toGraph().keys()]).toEqual(['x[0]', 'x[1]', 'y[0]', 'y[1]']);
    expect(y.dependencies()).toEqual(
      new Map([
        ['x', []],
        ['y', ['x']],
      ]),
    );
  });

  test('merging shares layers and keeps each once', () => {
    const x = base();
    const a = HighLevelGraph.fromLayer(new MaterializedLayer('a', [new Task('a', inc, [new TaskRef('x[0]')])], ['x']), [
      x,
    ]);
    const b = HighLevelGraph.fromLayer(new MaterializedLayer('b', [new Task('b', inc, [new TaskRef('x[1]')])], ['x']), [
      x,
    ]);
    const merged = HighLevelGraph.merge([a, b]);
    expect([...merged.layers.keys()]).toEqual(['x', 'a', 'b']);
    expect(merged.layers.get('x')).toBe(x.layers.get('x'));
    expect(HighLevelGraph.merge([a])).toBe(a);
  });

  test('dependencies only name layers present in the graph', () => {
    const orphan = HighLevelGraph.fromLayer(new MaterializedLayer('y', [new DataNode('y', 0)], ['gone']));
    expect(orphan.dependencies().get('y')).toEqual([]);
  });

  test('a materialized layer lists its output keys', () => {
    const layer = new MaterializedLayer('x', new Map([['k', new DataNode('k', 1)]]));
    expect([...layer.outputKeys()]).toEqual(['k']);
  });
});
