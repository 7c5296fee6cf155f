import { describe, expect, test } from 'vitest';
import { ArrayExpr } from '../../../collections/array/array-expr.js';
import * as da from '../../../src/array.js';
import { fromResult } from '../../helpers/dense.js';

// The built package is a second copy of every module: its DaskArray is another class with the
// same registered brand, as an array made in another realm would be (npm test builds it first).
const distArray = new URL('../../../dist/src/array.js', import.meta.url).href;

describe('DaskArray over ArrayExpr', () => {
  test('methods and da.* functions return DaskArrays wrapping the expression the operation built', () => {
    const x = da.fromArray(Float64Array.from([1, 2, 3, 4]), { chunks: 2 });
    const results = [x.add(1), x.sum(), x.slice('1:'), da.where(x.gt(2), x, 0), da.concatenate([x, x]), da.dot(x, x)];
    for (const r of results) {
      expect(r).toBeInstanceOf(da.DaskArray);
      expect(ArrayExpr.isExpr(r.expr)).toBe(true);
      expect(r.name).toBe(r.expr.name);
      expect(r.chunks).toBe(r.expr.chunks);
    }
  });

  test('a fused chain records the leaf expressions it reads, not the DaskArrays', () => {
    const x = da.fromArray(Float64Array.from([1, 2, 3, 4]), { chunks: 2 });
    const y = x.add(1).mul(2).sub(x);
    expect(y.expr.fused?.inputs).toEqual([x.expr]);
    expect(y.expr.fused?.inputs[0]).toBe(x.expr);
  });

  test('an operation that changes nothing hands back the same DaskArray', () => {
    const x = da.fromArray(Float64Array.from([1, 2, 3, 4, 5, 6]), { chunks: 3 });
    expect(x.rechunk(3)).toBe(x);
    expect(x.astype('float64')).toBe(x);
    expect(x.reshape([6])).toBe(x);
    expect(x.T).toBe(x);
    expect(x.rechunk(2)).not.toBe(x);
  });

  test('a DaskArray from another copy of the package is accepted wherever one from this copy is', async () => {
    const other = (await import(distArray)) as typeof da;
    const x = da.fromArray(Float64Array.from([1, 2, 3, 4]), { chunks: 2 });
    const y = other.fromArray(Float64Array.from([10, 20, 30, 40]), { chunks: 2 });
    expect(y).not.toBeInstanceOf(da.DaskArray);
    expect(da.DaskArray.isArray(y)).toBe(true);
    const opts = { scheduler: 'sync' } as const;
    expect(fromResult(await x.add(y).compute(opts)).data).toEqual([11, 22, 33, 44]);
    expect(fromResult(await da.concatenate([x, y]).compute(opts)).data).toEqual([1, 2, 3, 4, 10, 20, 30, 40]);
    expect(await x.dot(y).compute(opts)).toBe(300);
    expect(fromResult(await da.where(x.gt(2), y, x).compute(opts)).data).toEqual([1, 2, 30, 40]);
  });
});
