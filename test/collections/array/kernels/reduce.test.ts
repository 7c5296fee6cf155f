import ndarray from 'ndarray';
import { bestTime, seededRandom } from '../../../helpers/random.js';
import { chunk } from '../../../helpers/chunks.js';
import { describe, expect, test } from 'vitest';
import { chunkOf, cStrides, type Chunk } from '../../../../collections/array/chunk.js';
import type { DType } from '../../../../collections/array/dtype.js';
import { elementwise, type Expr } from '../../../../collections/array/kernels/elementwise.js';
import { kernelCompileCount } from '../../../../collections/array/kernels/elementwise-loops.js';
import {
  combinePartials,
  finalizePartial,
  reduceChunk,
  type ArgPartial,
  type MomentPartial,
  type ReduceOp,
  type ReduceSpec,
  type ValuePartial,
} from '../../../../collections/array/kernels/reduce.js';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';

const x0: Expr = { op: 'input', index: 0 };
const x1: Expr = { op: 'input', index: 1 };
const k = (value: number): Expr => ({ op: 'const', value });
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const relErr = (a: number, b: number): number =>
  (Number.isNaN(a) && Number.isNaN(b)) || a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

type RefOp = ReduceOp | 'mean' | 'var';

/** Plain-loop reference with NumPy semantics: groups elements by output slot, then reduces each group. */
function reference(
  vals: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  op: RefOp,
  ddof = 0,
): { value: number[]; index: number[] } {
  const outShape = shape.map((e, d) => (axes.includes(d) ? 1 : e));
  const outStrides = cStrides(outShape);
  const groups: { v: number[]; at: number[] }[] = Array.from({ length: sizeOf(outShape) }, () => ({ v: [], at: [] }));
  const axis = axes[0] ?? 0;
  for (let i = 0; i < vals.length; i++) {
    let rest = i;
    let slot = 0;
    let along = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const idx = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      if (!axes.includes(d)) slot += idx * outStrides[d]!;
      if (d === axis) along = idx;
    }
    groups[slot]!.v.push(vals[i]!);
    groups[slot]!.at.push(along);
  }
  const value: number[] = [];
  const index: number[] = [];
  for (const { v, at } of groups) {
    const n = v.length;
    const mean = v.reduce((a, b) => a + b, 0) / n;
    switch (op) {
      case 'sum':
        value.push(v.reduce((a, b) => a + b, 0));
        break;
      case 'prod':
        value.push(v.reduce((a, b) => a * b, 1));
        break;
      case 'min':
        value.push(v.some(Number.isNaN) ? NaN : Math.min(...v));
        break;
      case 'max':
        value.push(v.some(Number.isNaN) ? NaN : Math.max(...v));
        break;
      case 'any':
        value.push(Number(v.some((x) => x !== 0)));
        break;
      case 'all':
        value.push(Number(v.every((x) => x !== 0)));
        break;
      case 'mean':
      case 'moment':
        value.push(mean);
        break;
      case 'var':
        value.push(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - ddof));
        break;
      case 'argmin':
      case 'argmax': {
        let best = 0;
        for (let j = 1; j < n; j++) {
          if (Number.isNaN(v[best]!)) break;
          if (Number.isNaN(v[j]!) || (op === 'argmin' ? v[j]! < v[best]! : v[j]! > v[best]!)) best = j;
        }
        value.push(v[best]!);
        index.push(at[best]!);
      }
    }
  }
  return { value, index };
}

function spec(op: ReduceOp, axes: number[], dtypes: DType[] = ['float64'], expr: Expr = x0): ReduceSpec {
  return { op, axes, expr, inputDtypes: dtypes, accDtype: 'float64' };
}

function finalValues(
  s: ReduceSpec,
  kind: 'mean' | 'var' | 'std' | undefined,
  p: ReturnType<typeof reduceChunk>,
  ddof = 0,
): number[] {
  const f = finalizePartial({ ...s, outDtype: 'float64', ...(kind === undefined ? {} : { kind }), ddof }, p);
  return Array.from(f.data);
}

function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (relErr(g, want[i]!) > tol) expect(g).toBe(want[i]);
  });
}

const SHAPES: number[][] = [[37], [5, 7], [3, 6, 5], [9, 1, 4]];

function axisSubsets(ndim: number): number[][] {
  const out: number[][] = [];
  for (let m = 1; m < 1 << ndim; m++) out.push([...Array(ndim).keys()].filter((d) => (m >> d) & 1));
  return out;
}

describe('reduceChunk against plain loops', () => {
  for (const shape of SHAPES) {
    const rnd = seededRandom(sizeOf(shape));
    const vals = Array.from({ length: sizeOf(shape) }, () => Math.round((rnd() - 0.5) * 200) / 8);
    const c = chunk('float64', shape, vals);
    for (const axes of axisSubsets(shape.length)) {
      test(`shape (${shape.join(',')}) axes [${axes.join(',')}]: sum prod min max any all mean var keep their dims`, () => {
        const keep = shape.map((e, d) => (axes.includes(d) ? 1 : e));
        for (const op of ['sum', 'prod', 'min', 'max', 'any', 'all'] as const) {
          const p = reduceChunk(spec(op, axes), c) as ValuePartial;
          expect(p.value.shape).toEqual(keep);
          expectClose(Array.from(p.value.data), reference(vals, shape, axes, op).value, 1e-13);
        }
        const m = reduceChunk(spec('moment', axes), c) as MomentPartial;
        expect(m.mean.shape).toEqual(keep);
        expectClose(finalValues(spec('moment', axes), 'mean', m), reference(vals, shape, axes, 'mean').value, 1e-12);
        expectClose(
          finalValues(spec('moment', axes), 'var', m, 1),
          reference(vals, shape, axes, 'var', 1).value,
          1e-12,
        );
        const m1 = reduceChunk({ ...spec('moment', axes), order: 1 }, c) as MomentPartial;
        expect(m1.m2).toBeUndefined();
        expectClose(Array.from(m1.mean.data), reference(vals, shape, axes, 'mean').value, 1e-12);
      });
    }
    for (let axis = 0; axis < shape.length; axis++) {
      test(`shape (${shape.join(',')}) argmin/argmax along axis ${axis}`, () => {
        for (const op of ['argmin', 'argmax'] as const) {
          const p = reduceChunk(spec(op, [axis]), c) as ArgPartial;
          const want = reference(vals, shape, [axis], op);
          expect(Array.from(p.index.data)).toEqual(want.index);
          expect(Array.from(p.value.data)).toEqual(want.value);
        }
      });
    }
  }

  test('rows around the streaming thresholds (long rows read as segments) are exact', () => {
    for (const n of [15, 16, 129, 2047, 2048, 2049, 3000, 10_007]) {
      const rnd = seededRandom(n);
      const vals = Array.from({ length: n }, () => Math.floor(rnd() * 1000) - 500);
      vals[Math.floor(n / 2)] = -1000;
      vals[n - 1] = -1000; // a later tie for argmin
      vals[Math.floor(n / 3)] = 999;
      const c = chunk('float64', [n], vals);
      for (const op of ['sum', 'min', 'max', 'argmin', 'argmax', 'prod', 'any', 'all'] as const) {
        const data = op === 'prod' ? vals.map((v) => 1 + v / 1e6) : vals;
        const p = reduceChunk(spec(op, [0]), chunk('float64', [n], data));
        const want = reference(data, [n], [0], op);
        if (op === 'argmin' || op === 'argmax') expect(Array.from((p as ArgPartial).index.data)).toEqual(want.index);
        else expectClose(Array.from((p as ValuePartial).value.data), want.value, op === 'prod' ? 1e-12 : 0);
      }
      const m = reduceChunk(spec('moment', [0]), c);
      expectClose(finalValues(spec('moment', [0]), 'var', m), reference(vals, [n], [0], 'var').value, 1e-12);
      expect(finalValues(spec('moment', [0]), 'mean', m)[0]).toBeCloseTo(
        reference(vals, [n], [0], 'mean').value[0]!,
        10,
      );
    }
  });

  test('long rows under an outer kept axis, and column reductions with a remainder of rows', () => {
    const shape = [3, 4099];
    const rnd = seededRandom(7);
    const vals = Array.from({ length: sizeOf(shape) }, () => rnd() * 10 - 5);
    const c = chunk('float64', shape, vals);
    for (const axes of [[1], [0]]) {
      for (const op of ['sum', 'min', 'max'] as const) {
        expectClose(
          Array.from((reduceChunk(spec(op, axes), c) as ValuePartial).value.data),
          reference(vals, shape, axes, op).value,
          1e-12,
        );
      }
      expectClose(
        finalValues(spec('moment', axes), 'var', reduceChunk(spec('moment', axes), c)),
        reference(vals, shape, axes, 'var').value,
        1e-12,
      );
      expect(Array.from((reduceChunk(spec('argmax', axes), c) as ArgPartial).index.data)).toEqual(
        reference(vals, shape, axes, 'argmax').index,
      );
    }
  });
});

describe('reductions of fused expressions', () => {
  test('((x + 1) * 2 - x).mean() is the mean of x + 2, in one kernel', () => {
    const n = 10_000;
    const vals = Array.from({ length: n }, (_, i) => Math.sin(i));
    const e: Expr = { op: 'sub', a: { op: 'mul', a: { op: 'add', a: x0, b: k(1) }, b: k(2) }, b: x0 };
    const s: ReduceSpec = { ...spec('moment', [0], ['float64'], e), order: 1 };
    const m = reduceChunk(s, chunk('float64', [n], vals)) as MomentPartial;
    const want = vals.reduce((a, v) => a + ((v + 1) * 2 - v), 0) / n;
    expect(relErr(m.mean.data[0]!, want)).toBeLessThan(1e-14);
    expect(m.n).toBe(n);
  });

  test('a reduction broadcasts its inputs: sum over axis 1 of x(3,1) * y(1,4)', () => {
    const p = reduceChunk(
      spec('sum', [1], ['float64', 'int32'], { op: 'mul', a: x0, b: x1 }),
      chunk('float64', [3, 1], [1, 2, 3]),
      chunk('int32', [1, 4], [1, 2, 3, 4]),
    ) as ValuePartial;
    expect(p.value.shape).toEqual([3, 1]);
    expect(Array.from(p.value.data)).toEqual([10, 20, 30]);
    const q = reduceChunk(
      spec('max', [0], ['float64', 'int32'], { op: 'mul', a: x0, b: x1 }),
      chunk('float64', [3, 1], [1, -2, 3]),
      chunk('int32', [1, 4], [1, 2, 3, 4]),
    ) as ValuePartial;
    expect(q.value.shape).toEqual([1, 4]);
    expect(Array.from(q.value.data)).toEqual([3, 6, 9, 12]);
  });

  test('any/all of a comparison, and integer and bool inputs', () => {
    const c = chunk('int32', [2, 3], [1, 5, 9, -4, 0, 7]);
    const gt = (s: ReduceOp, axes: number[]): number[] =>
      Array.from((reduceChunk(spec(s, axes, ['int32'], { op: 'gt', a: x0, b: k(4) }), c) as ValuePartial).value.data);
    expect(gt('any', [1])).toEqual([1, 1]);
    expect(gt('all', [0])).toEqual([0, 0, 1]);
    expect(
      Array.from(
        (reduceChunk(spec('sum', [0], ['bool']), chunk('bool', [4], [1, 0, 1, 1])) as ValuePartial).value.data,
      ),
    ).toEqual([3]);
    const big = chunk('int32', [1000], new Array<number>(1000).fill(2147483647));
    expect((reduceChunk(spec('sum', [0], ['int32']), big) as ValuePartial).value.data[0]).toBe(2147483647000);
    const wrapped = reduceChunk(
      { ...spec('sum', [0], ['int32']), accDtype: 'int32' },
      chunk('int32', [2], [2147483647, 1]),
    ) as ValuePartial;
    expect(Array.from(wrapped.value.data)).toEqual([-2147483648]);
  });

  test('strided inputs (a transpose) reduce through their strides', () => {
    const t = ndarray(Float64Array.of(1, 2, 3, 4, 5, 6), [3, 2], [1, 3], 0) as Chunk; // [[1,4],[2,5],[3,6]]
    expect(Array.from((reduceChunk(spec('sum', [0]), t) as ValuePartial).value.data)).toEqual([6, 15]);
    expect(Array.from((reduceChunk(spec('sum', [1]), t) as ValuePartial).value.data)).toEqual([5, 7, 9]);
    expect(Array.from((reduceChunk(spec('argmax', [1]), t) as ArgPartial).index.data)).toEqual([1, 1, 1]);
  });
});

describe('NaN, empty reductions and accuracy', () => {
  test('NaN propagates through min/max and wins argmin/argmax, as NumPy', () => {
    const c = chunk('float64', [2, 3], [1, NaN, 3, 4, 5, 6]);
    expect(Array.from((reduceChunk(spec('max', [0, 1]), c) as ValuePartial).value.data)).toEqual([NaN]);
    expect(Array.from((reduceChunk(spec('min', [0]), c) as ValuePartial).value.data)).toEqual([1, NaN, 3]);
    expect(Array.from((reduceChunk(spec('min', [1]), c) as ValuePartial).value.data)).toEqual([NaN, 4]);
    expect(
      Array.from((reduceChunk(spec('argmax', [0]), chunk('float64', [2], [1, NaN])) as ArgPartial).index.data),
    ).toEqual([1]);
    expect(
      Array.from((reduceChunk(spec('argmin', [0]), chunk('float64', [4], [3, NaN, -1, NaN])) as ArgPartial).index.data),
    ).toEqual([1]);
    expect(
      Array.from(
        (reduceChunk(spec('argmin', [0]), chunk('float64', [3], [Infinity, Infinity, Infinity])) as ArgPartial).index
          .data,
      ),
    ).toEqual([0]);
    expect(
      Array.from((reduceChunk(spec('argmin', [0]), chunk('float64', [4], [2, 1, 5, 1])) as ArgPartial).index.data),
    ).toEqual([1]);
  });

  test("empty reductions: sum 0, prod 1, any false, all true, mean NaN; min/max/argmin throw NumPy's error", () => {
    const e = chunk('float64', [0], []);
    const v = (op: ReduceOp): number[] => Array.from((reduceChunk(spec(op, [0]), e) as ValuePartial).value.data);
    expect(v('sum')).toEqual([0]);
    expect(v('prod')).toEqual([1]);
    expect(v('any')).toEqual([0]);
    expect(v('all')).toEqual([1]);
    expect(finalValues(spec('moment', [0]), 'mean', reduceChunk(spec('moment', [0]), e))).toEqual([NaN]);
    expect(() => reduceChunk(spec('min', [0]), e)).toThrow(
      'zero-size array to reduction operation minimum which has no identity',
    );
    expect(() => reduceChunk(spec('max', [0]), e)).toThrow(
      'zero-size array to reduction operation maximum which has no identity',
    );
    expect(() => reduceChunk(spec('argmin', [0]), e)).toThrow('attempt to get argmin of an empty sequence');
    expect(() => reduceChunk(spec('max', [1]), chunk('float64', [3, 0], []))).toThrow(ValueError);
    const none = reduceChunk(spec('max', [1]), chunk('float64', [0, 3], [])) as ValuePartial;
    expect(none.value.shape).toEqual([0, 1]);
    const sums = reduceChunk(spec('sum', [0]), chunk('float64', [0, 3], [])) as ValuePartial;
    expect(sums.value.shape).toEqual([1, 3]);
    expect(Array.from(sums.value.data)).toEqual([0, 0, 0]);
  });

  test('float32 sum of 1e6 values keeps NumPy-like (pairwise) accuracy or better', () => {
    const n = 1_000_000;
    const rnd = seededRandom(42);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rnd();
    let exact = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      const t = exact + data[i]!;
      comp += Math.abs(exact) >= Math.abs(data[i]!) ? exact - t + data[i]! : data[i]! - t + exact;
      exact = t;
    }
    exact += comp;
    let naive32 = 0;
    for (let i = 0; i < n; i++) naive32 = Math.fround(naive32 + data[i]!);
    const c = chunkOf(data, [n]);
    const acc64 = (reduceChunk(spec('sum', [0], ['float32']), c) as ValuePartial).value.data[0]!;
    const acc32 = (reduceChunk({ ...spec('sum', [0], ['float32']), accDtype: 'float32' }, c) as ValuePartial).value
      .data[0]!;
    expect(relErr(acc64, exact)).toBeLessThan(1e-13);
    expect(relErr(acc32, exact)).toBeLessThan(1e-7);
    expect(relErr(naive32, exact)).toBeGreaterThan(1e-6); // why pairwise matters
  });

  test('float64 sums are pairwise: 1e6 times 0.1 is off by far less than a sequential sum', () => {
    const n = 1_000_000;
    const c = chunk('float64', [n], new Array<number>(n).fill(0.1));
    let seq = 0;
    for (let i = 0; i < n; i++) seq += 0.1;
    const got = (reduceChunk(spec('sum', [0]), c) as ValuePartial).value.data[0]!;
    expect(Math.abs(got - 100000)).toBeLessThan(Math.abs(seq - 100000) / 100);
  });
});

describe('combinePartials and finalizePartial', () => {
  const n = 30;
  const shape = [n, 4];
  const rnd = seededRandom(3);
  const vals = Array.from({ length: n * 4 }, () => Math.round(rnd() * 40) / 4 + 100);
  vals[4 * 7 + 2] = -5; // a tie across two blocks along axis 0, column 2
  vals[4 * 21 + 2] = -5;
  const splits = [0, 7, 8, 19, 30];
  const blocks = splits.slice(1).map((end, b) => ({
    start: splits[b]!,
    c: chunk('float64', [end - splits[b]!, 4], vals.slice(splits[b]! * 4, end * 4)),
  }));

  test('partials of split data combine to the reduction of the whole (sum, prod, min, max, any, all)', () => {
    for (const op of ['sum', 'prod', 'min', 'max', 'any', 'all'] as const) {
      const data = op === 'prod' ? vals.map((v) => v / 1e6) : vals;
      const parts = splits
        .slice(1)
        .map((end, b) =>
          reduceChunk(spec(op, [0]), chunk('float64', [end - splits[b]!, 4], data.slice(splits[b]! * 4, end * 4))),
        );
      const combined = combinePartials(spec(op, [0]), [
        combinePartials(spec(op, [0]), parts.slice(0, 2)),
        combinePartials(spec(op, [0]), parts.slice(2)),
      ]);
      const final = finalizePartial({ ...spec(op, [0]), outDtype: 'float64' }, combined);
      expect(final.shape).toEqual([1, 4]);
      expectClose(Array.from(final.data), reference(data, shape, [0], op).value, 1e-13);
    }
  });

  test('argmin/argmax with offsets: global indices, ties to the first, in any order of partials', () => {
    for (const op of ['argmin', 'argmax'] as const) {
      const parts = blocks.map(({ start, c }) => reduceChunk({ ...spec(op, [0]), argOffset: [start] }, c));
      const want = reference(vals, shape, [0], op).index;
      for (const order of [parts, [...parts].reverse()]) {
        const idx = finalizePartial({ ...spec(op, [0]), outDtype: 'int32' }, combinePartials(spec(op, [0]), order));
        expect(Array.from(idx.data)).toEqual(want);
        expect(idx.data).toBeInstanceOf(Int32Array);
      }
    }
    expect(reference(vals, shape, [0], 'argmin').index[2]).toBe(7);
  });

  test('argmin partials with NaN: the first NaN wins whatever the order of the partials', () => {
    const s = spec('argmin', [0]);
    const p1 = reduceChunk({ ...s, argOffset: [0] }, chunk('float64', [3], [5, 1, 2]));
    const p2 = reduceChunk({ ...s, argOffset: [3] }, chunk('float64', [3], [0, NaN, 7]));
    const p3 = reduceChunk({ ...s, argOffset: [6] }, chunk('float64', [2], [NaN, -9]));
    for (const order of [
      [p1, p2, p3],
      [p3, p2, p1],
      [p2, p3, p1],
    ]) {
      expect(Array.from(finalizePartial({ ...s, outDtype: 'int32' }, combinePartials(s, order)).data)).toEqual([4]);
    }
  });

  test("moments combine with Chan's formula: var and std with ddof 0 and 1 match two passes to 1e-12", () => {
    const parts = blocks.map(({ c }) => reduceChunk(spec('moment', [0]), c));
    const combined = combinePartials(spec('moment', [0]), [
      parts[3]!,
      parts[0]!,
      combinePartials(spec('moment', [0]), [parts[1]!, parts[2]!]),
    ]) as MomentPartial;
    expect(combined.n).toBe(n);
    expectClose(finalValues(spec('moment', [0]), 'mean', combined), reference(vals, shape, [0], 'mean').value, 1e-14);
    for (const ddof of [0, 1]) {
      const want = reference(vals, shape, [0], 'var', ddof).value;
      expectClose(finalValues(spec('moment', [0]), 'var', combined, ddof), want, 1e-12);
      expectClose(finalValues(spec('moment', [0]), 'std', combined, ddof), want.map(Math.sqrt), 1e-12);
    }
    // a large offset (mean 1e6, std ~3: condition number ~1e11) costs digits in the partials' means
    const far = vals.map((v) => v + 1e6);
    const farParts = blocks.map(({ start, c }) =>
      reduceChunk(spec('moment', [0]), chunk('float64', c.shape, far.slice(start * 4, start * 4 + c.size))),
    );
    expectClose(
      finalValues(spec('moment', [0]), 'var', combinePartials(spec('moment', [0]), farParts)),
      reference(far, shape, [0], 'var').value,
      1e-9,
    );
    const one = reduceChunk(spec('moment', [0]), chunk('float64', [1, 2], [5, 6]));
    expect(finalValues(spec('moment', [0]), 'var', one, 1)).toEqual([NaN, NaN]);
  });

  test('row moments (one pass) combine across chunks too, with an empty chunk skipped', () => {
    const rows = blocks.map(({ c }) => reduceChunk(spec('moment', [0, 1]), c));
    const empty = reduceChunk(spec('moment', [0, 1]), chunk('float64', [0, 4], []));
    const all = combinePartials(spec('moment', [0, 1]), [empty, ...rows]);
    expectClose(
      finalValues(spec('moment', [0, 1]), 'var', all, 1),
      reference(vals, shape, [0, 1], 'var', 1).value,
      1e-12,
    );
  });

  test('finalize casts into the output dtype and checks the kind', () => {
    const s = spec('sum', [0]);
    const p = reduceChunk(s, chunk('float64', [3], [1.5, 2.5, -10.25]));
    expect(Array.from(finalizePartial({ ...s, outDtype: 'int32' }, p).data)).toEqual([-6]);
    expect(Array.from(finalizePartial({ ...s, outDtype: 'bool' }, p).data)).toEqual([1]);
    expect(() => finalizePartial({ ...s, outDtype: 'float64', kind: 'var' }, p)).toThrow(ValueError);
    const m1 = reduceChunk({ ...spec('moment', [0]), order: 1 }, chunk('float64', [2], [1, 2]));
    expect(() => finalizePartial({ ...spec('moment', [0]), outDtype: 'float64', kind: 'var' }, m1)).toThrow(/needs m2/);
    expect(() => combinePartials(s, [])).toThrow(ValueError);
  });

  test('partials survive the trip to a worker (packValue + structured clone)', async () => {
    const { packValue, unpackValue } = await import('../../../../src/core/serialize/codec.js');
    const parts = blocks.map(({ c }) => reduceChunk(spec('moment', [0]), c));
    const travelled = unpackValue(structuredClone(packValue(parts).packed)) as MomentPartial[];
    const a = finalValues(spec('moment', [0]), 'var', combinePartials(spec('moment', [0]), travelled));
    expectClose(a, reference(vals, shape, [0], 'var').value, 1e-12);
  });
});

describe('fused reductions agree with materialise-then-reduce', () => {
  test('random shapes, broadcasting, axes and ops', () => {
    const rnd = seededRandom(2024);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const e: Expr = { op: 'sub', a: { op: 'mul', a: { op: 'add', a: x0, b: k(1) }, b: x1 }, b: x0 };
    for (let trial = 0; trial < 60; trial++) {
      const nd = 1 + Math.floor(rnd() * 4);
      const shape = Array.from({ length: nd }, () => pick([1, 2, 3, 5, 8, 17]));
      const bshape = shape.slice(Math.floor(rnd() * nd)).map((d) => (rnd() < 0.4 ? 1 : d));
      const a = chunk(
        'float64',
        shape,
        Array.from({ length: sizeOf(shape) }, () => Math.round(rnd() * 64) / 8 - 4),
      );
      const b = chunk(
        'int16',
        bshape,
        Array.from({ length: sizeOf(bshape) }, () => Math.floor(rnd() * 7) - 3),
      );
      const full = elementwise({ expr: e, inputDtypes: ['float64', 'int16'], outDtype: 'float64' }, a, b);
      const axes = [...Array(nd).keys()].filter(() => rnd() < 0.5);
      if (axes.length === 0) axes.push(Math.floor(rnd() * nd));
      const vals = Array.from(full.data);
      for (const op of ['sum', 'max', 'moment', 'argmin'] as const) {
        const ax = op === 'argmin' ? [axes[0]!] : axes;
        const fused = reduceChunk(
          { op, axes: ax, expr: e, inputDtypes: ['float64', 'int16'], accDtype: 'float64' },
          a,
          b,
        );
        const plain = reduceChunk(spec(op, ax), full);
        if (op === 'argmin') {
          expect(Array.from((fused as ArgPartial).index.data)).toEqual(Array.from((plain as ArgPartial).index.data));
          expect(Array.from((fused as ArgPartial).index.data)).toEqual(reference(vals, full.shape, ax, 'argmin').index);
        } else if (op === 'moment') {
          expectClose(finalValues(spec(op, ax), 'var', fused), reference(vals, full.shape, ax, 'var').value, 1e-10);
        } else {
          expectClose(Array.from((fused as ValuePartial).value.data), reference(vals, full.shape, ax, op).value, 1e-12);
        }
      }
    }
  });
});

describe('reduction kernels: validation, cache and registration', () => {
  test('bad specs fail with ValueError', () => {
    const c = chunk('float64', [2, 2], [1, 2, 3, 4]);
    expect(() => reduceChunk(spec('median' as ReduceOp, [0]), c)).toThrow(/unknown reduction op/);
    expect(() => reduceChunk(spec('sum', [2]), c)).toThrow('axis 2 is out of bounds for array of dimension 2');
    expect(() => reduceChunk(spec('sum', [1, 0]), c)).toThrow(/sorted/);
    expect(() => reduceChunk(spec('argmin', [0, 1]), c)).toThrow(/exactly one axis/);
  });

  test('the same reduction compiles once', () => {
    const s = spec('sum', [1], ['float64'], { op: 'mul', a: x0, b: k(7.5) });
    reduceChunk(s, chunk('float64', [2, 3], [1, 2, 3, 4, 5, 6]));
    const before = kernelCompileCount();
    reduceChunk(s, chunk('float64', [4, 8], new Array<number>(32).fill(1)));
    reduceChunk(s, chunk('float64', [3, 5], new Array<number>(15).fill(2)).transpose(0, 1).transpose(0, 1));
    expect(kernelCompileCount()).toBe(before);
  });

  test('kernels are registered for workers by module reference', () => {
    expect(fnRefOf(reduceChunk)).toMatchObject({ kind: 'module', export: 'reduceChunk' });
    expect(fnRefOf(combinePartials)).toMatchObject({ kind: 'module', export: 'combinePartials' });
    expect(fnRefOf(finalizePartial)).toMatchObject({ kind: 'module', export: 'finalizePartial' });
  });

  test('timing note: plain float64 sum vs a 4-accumulator loop (printed, not asserted)', () => {
    const n = 5_000_000;
    const data = new Float64Array(new SharedArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) data[i] = (i % 1000) / 7;
    const c = chunkOf(data, [n]);
    const s = spec('sum', [0]);
    const base4 = (): number => {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let i = 0; i + 4 <= n; i += 4) {
        s0 += data[i]!;
        s1 += data[i + 1]!;
        s2 += data[i + 2]!;
        s3 += data[i + 3]!;
      }
      return s0 + s1 + (s2 + s3);
    };
    const time = (f: () => unknown): number => bestTime(f, 7);
    const kernel = time(() => reduceChunk(s, c));
    const loop = time(base4);
    console.log(`sum of 5M float64: reduceChunk ${kernel.toFixed(2)} ms, 4-accumulator loop ${loop.toFixed(2)} ms`);
    expect(relErr((reduceChunk(s, c) as ValuePartial).value.data[0]!, base4())).toBeLessThan(1e-12);
  });
});
