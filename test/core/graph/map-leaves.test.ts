import { describe, expect, test } from 'vitest';
import { mapLeaves } from '../../../src/core/graph/map-leaves.js';

class Box {
  constructor(readonly n: number) {}
}
const double = (v: object): unknown => (v instanceof Box ? new Box(v.n * 2) : v);

describe('mapLeaves', () => {
  test('replaces leaves inside nested arrays and plain objects, copying only what changed', () => {
    const untouched = { a: [1, 'x', null], b: { c: true } };
    const value = { keep: untouched, change: [0, { box: new Box(2) }], top: new Box(5) };
    const out = mapLeaves(value, double) as typeof value;
    expect(out).not.toBe(value);
    expect(out.keep).toBe(untouched);
    expect((out.change[1] as { box: Box }).box).toEqual(new Box(4));
    expect(out.top).toEqual(new Box(10));
    // The input is not modified.
    expect((value.change[1] as { box: Box }).box.n).toBe(2);
    expect(value.top.n).toBe(5);
  });

  test('a value with nothing to replace comes back as itself', () => {
    const value = [1, [2, { a: 'b' }], { c: [undefined] }];
    expect(mapLeaves(value, double)).toBe(value);
    expect(mapLeaves(7, double)).toBe(7);
    expect(mapLeaves(null, double)).toBe(null);
  });

  test('null-prototype objects are walked; class instances, typed arrays and maps are leaves', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: new Box(1) });
    expect((mapLeaves(bare, double) as { x: Box }).x).toEqual(new Box(2));
    const seen: unknown[] = [];
    const leaves = [new Float64Array(2), new Map([[1, new Box(1)]]), new Box(3)];
    mapLeaves({ leaves }, (v) => (seen.push(v), v));
    expect(seen).toEqual(leaves);
  });
});
