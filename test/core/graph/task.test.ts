import { describe, expect, test } from 'vitest';
import { Alias, DataNode, Task, TaskRef, callTask, substitute } from '../../../src/core/graph/task.js';
import { isPlainContainer } from '../../../src/core/graph/plain-container.js';

const add = (a: number, b: number): number => a + b;

describe('Task', () => {
  test('deps are the referenced keys without repeats, in order of first appearance', () => {
    const t = new Task('t', add, [new TaskRef('b'), [new TaskRef('a'), { k: new TaskRef('b') }], 3]);
    expect(t.deps).toEqual(['b', 'a']);
    expect(t.literalArgs).toBe(false);
  });

  test('an inline task contributes its own deps', () => {
    const inner = new Task('inner', add, [new TaskRef('x'), 1]);
    const t = new Task('t', add, [inner, new TaskRef('y')]);
    expect(t.deps).toEqual(['x', 'y']);
  });

  test('args without references are literal', () => {
    const t = new Task('t', add, [1, [2], { a: 'b' }]);
    expect(t.deps).toEqual([]);
    expect(t.literalArgs).toBe(true);
  });

  test('data nodes have no deps; an alias depends on its target', () => {
    expect(new DataNode('d', 5).deps).toEqual([]);
    expect(new Alias('a', 'd').deps).toEqual(['d']);
  });
});

describe('substitute and callTask', () => {
  test('substitute replaces references inside arrays and plain objects', () => {
    const values = new Map<string, unknown>([
      ['a', 1],
      ['b', 2],
    ]);
    const out = substitute([new TaskRef('a'), { x: new TaskRef('b'), y: 7 }], (k) => values.get(k));
    expect(out).toEqual([1, { x: 2, y: 7 }]);
  });

  test('values without references come back as the same object', () => {
    const literal = [1, { a: [2] }];
    expect(substitute(literal, () => 0)).toBe(literal);
  });

  test('callTask evaluates inline tasks before the outer call', () => {
    const inner = new Task('inner', add, [new TaskRef('a'), 10]);
    const outer = new Task('outer', add, [inner, new TaskRef('a')]);
    expect(callTask(outer, () => 1)).toBe(12);
  });

  test('isPlainContainer accepts arrays and plain objects only', () => {
    expect(isPlainContainer([])).toBe(true);
    expect(isPlainContainer({})).toBe(true);
    expect(isPlainContainer(Object.create(null))).toBe(true);
    expect(isPlainContainer(new Map())).toBe(false);
    expect(isPlainContainer(new TaskRef('a'))).toBe(false);
    expect(isPlainContainer(null)).toBe(false);
  });
});
