import { describe, expect, test } from 'vitest';
import { ArrayExpr } from '../../../collections/array/array-expr.js';
import { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import * as da from '../../../src/array.js';

describe('ArrayExpr', () => {
  test('shape, ndim, size, numblocks and nbytes follow from the chunks', () => {
    const e = new ArrayExpr(new HighLevelGraph([]), 'x', [[2, 3], [4], [1, 1, 1]], 'float32');
    expect(e.shape).toEqual([5, 4, 3]);
    expect(e.ndim).toBe(3);
    expect(e.size).toBe(60);
    expect(e.numblocks).toEqual([2, 1, 3]);
    expect(e.nbytes).toBe(60 * 4);
  });

  test('a 0-d expression has one element and no axes', () => {
    const e = new ArrayExpr(new HighLevelGraph([]), 's', [], 'int16');
    expect([e.shape, e.ndim, e.size, e.numblocks, e.nbytes]).toEqual([[], 0, 1, [], 2]);
  });

  test('isExpr knows an expression by its registered brand, not by class, and a DaskArray is not one', () => {
    const e = new ArrayExpr(new HighLevelGraph([]), 'x', [[3]], 'float64');
    const foreign = { [Symbol.for('dask-ts/ArrayExpr')]: true };
    expect(ArrayExpr.isExpr(e)).toBe(true);
    expect(ArrayExpr.isExpr(foreign)).toBe(true);
    expect(ArrayExpr.isExpr(da.zeros(3))).toBe(false);
    expect(ArrayExpr.isExpr({ name: 'x', chunks: [[3]] })).toBe(false);
    expect(ArrayExpr.isExpr(null)).toBe(false);
  });
});
