import ndarray from 'ndarray';
import { bestTime } from '../../../helpers/random.js';
import { chunk } from '../../../helpers/chunks.js';
import { describe, expect, test } from 'vitest';
import { chunkOf, type Chunk } from '../../../../collections/array/chunk.js';
import type { DType } from '../../../../collections/array/dtype.js';
import {
  elementwise,
  exprInputs,
  exprKey,
  type BinaryOp,
  type Expr,
  type UnaryOp,
} from '../../../../collections/array/kernels/elementwise.js';
import { kernelCompileCount } from '../../../../collections/array/kernels/elementwise-loops.js';
import { ValueError } from '../../../../src/core/errors.js';
import { fnRefOf } from '../../../../src/core/serialize/fn-ref.js';

const x0: Expr = { op: 'input', index: 0 };
const x1: Expr = { op: 'input', index: 1 };
const k = (value: number): Expr => ({ op: 'const', value });
const bin = (op: BinaryOp, a: Expr, b: Expr): Expr => ({ op, a, b });
const un = (op: UnaryOp, a: Expr): Expr => ({ op, a });

/** Applies `expr` to same-dtype inputs and returns the output values. */
function run(expr: Expr, dtypes: DType[], outDtype: DType, ...inputs: Chunk[]): number[] {
  return Array.from(elementwise({ expr, inputDtypes: dtypes, outDtype }, ...inputs).data);
}

const A = [-7, -3.5, -1, -0.5, 0, 0.5, 1, 2, 3, 7.25, NaN, Infinity, -Infinity];
const B = [3, -2, 0, 2, -3, 0.25, -0.5, 2, 0, -3, 1, 2, -Infinity];

/** Python/NumPy float floor division and modulo (npy_divmod). */
function pyMod(a: number, b: number): number {
  if (b === 0) return NaN;
  const m = a % b;
  if (m === 0) return b < 0 ? -0 : 0;
  return b < 0 !== m < 0 ? m + b : m;
}
function pyFloorDiv(a: number, b: number): number {
  if (b === 0) return a / b;
  const m = a % b;
  let d = (a - m) / b;
  if (m !== 0 && b < 0 !== m < 0) d -= 1;
  if (d === 0) return Object.is(a / b, -0) || a / b < 0 ? -0 : 0;
  const f = Math.floor(d);
  return d - f > 0.5 ? f + 1 : f;
}

const FLOAT_REF: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  floordiv: pyFloorDiv,
  mod: pyMod,
  pow: (a, b) => (a === 1 || b === 0 ? 1 : a === -1 && !Number.isFinite(b) && !Number.isNaN(b) ? 1 : a ** b),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  lt: (a, b) => Number(a < b),
  le: (a, b) => Number(a <= b),
  gt: (a, b) => Number(a > b),
  ge: (a, b) => Number(a >= b),
  eq: (a, b) => Number(a === b),
  ne: (a, b) => Number(a !== b),
  and: (a, b) => Number(a !== 0 && b !== 0),
  or: (a, b) => Number(a !== 0 || b !== 0),
};

describe('elementwise: every op on float64', () => {
  for (const op of Object.keys(FLOAT_REF) as BinaryOp[]) {
    test(`${op} matches the NumPy reference elementwise`, () => {
      const out = COMPARE.has(op) ? 'bool' : 'float64';
      const got = run(
        bin(op, x0, x1),
        ['float64', 'float64'],
        out,
        chunk('float64', [A.length], A),
        chunk('float64', [B.length], B),
      );
      const want = A.map((a, i) => FLOAT_REF[op](a, B[i]!));
      expect(got).toEqual(want);
    });
  }

  const UNARY: Record<UnaryOp, (a: number) => number> = {
    neg: (a) => -a,
    abs: Math.abs,
    exp: Math.exp,
    log: Math.log,
    sqrt: Math.sqrt,
    sin: Math.sin,
    cos: Math.cos,
    tan: Math.tan,
    floor: Math.floor,
    ceil: Math.ceil,
    not: (a) => Number(a === 0),
    isnan: (a) => Number(Number.isNaN(a)),
  };
  for (const op of Object.keys(UNARY) as UnaryOp[]) {
    test(`${op} matches Math and NumPy`, () => {
      const out = op === 'not' || op === 'isnan' ? 'bool' : 'float64';
      expect(run(un(op, x0), ['float64'], out, chunk('float64', [A.length], A))).toEqual(A.map(UNARY[op]));
    });
  }

  test('a fused chain is one kernel giving ((x + 1) * 2 - x)', () => {
    const e = bin('sub', bin('mul', bin('add', x0, k(1)), k(2)), x0);
    const xs = [1, 2.5, -3, 1e300];
    expect(run(e, ['float64'], 'float64', chunk('float64', [2, 2], xs))).toEqual(xs.map((x) => (x + 1) * 2 - x));
  });

  test('where picks a where cond != 0, NaN counting as true', () => {
    const e: Expr = { op: 'where', cond: x0, a: x1, b: k(-1) };
    expect(
      run(
        e,
        ['float64', 'float64'],
        'float64',
        chunk('float64', [4], [0, 1, NaN, -0]),
        chunk('float64', [4], [10, 20, 30, 40]),
      ),
    ).toEqual([-1, 20, 30, -1]);
  });

  test('maximum and minimum propagate NaN from either side', () => {
    const a = chunk('float64', [3], [NaN, 1, 2]);
    const b = chunk('float64', [3], [1, NaN, 3]);
    expect(run(bin('maximum', x0, x1), ['float64', 'float64'], 'float64', a, b)).toEqual([NaN, NaN, 3]);
    expect(run(bin('minimum', x0, x1), ['float64', 'float64'], 'float64', a, b)).toEqual([NaN, NaN, 2]);
  });

  test('comparisons with NaN are false except ne', () => {
    const a = chunk('float64', [2], [NaN, 1]);
    const b = chunk('float64', [2], [NaN, NaN]);
    for (const op of ['lt', 'le', 'gt', 'ge', 'eq'] as const)
      expect(run(bin(op, x0, x1), ['float64', 'float64'], 'bool', a, b)).toEqual([0, 0]);
    expect(run(bin('ne', x0, x1), ['float64', 'float64'], 'bool', a, b)).toEqual([1, 1]);
  });
});

const COMPARE = new Set<BinaryOp>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or']);

describe('elementwise: integers, division and signs as NumPy', () => {
  test('int32 arithmetic wraps like NumPy, products included', () => {
    const a = chunk('int32', [3], [2147483647, -2147483648, 65537]);
    const b = chunk('int32', [3], [1, -1, 65537]);
    expect(run(bin('add', x0, x1), ['int32', 'int32'], 'int32', a, b)).toEqual([-2147483648, 2147483647, 131074]);
    // 65537 * 65537 = 4295098369 = 2^32 + 131073: only the low 32 bits survive, exactly
    expect(run(bin('mul', x0, x1), ['int32', 'int32'], 'int32', a, b)).toEqual([2147483647, -2147483648, 131073]);
  });

  test('intermediates wrap in their dtype before a comparison (int8 100 + 100 is -56)', () => {
    const e = bin('gt', bin('add', x0, x0), k(0));
    expect(run(e, ['int8'], 'bool', chunk('int8', [2], [100, 10]))).toEqual([0, 1]);
  });

  test('uint8 and int8 wrap: 0 - 1 = 255, -(-128) = -128, abs(-128) = -128', () => {
    expect(run(bin('sub', x0, k(1)), ['uint8'], 'uint8', chunk('uint8', [2], [0, 5]))).toEqual([255, 4]);
    expect(run(un('neg', x0), ['int8'], 'int8', chunk('int8', [2], [-128, 5]))).toEqual([-128, -5]);
    expect(run(un('abs', x0), ['int8'], 'int8', chunk('int8', [3], [-128, -5, 7]))).toEqual([-128, 5, 7]);
    expect(run(un('neg', x0), ['uint8'], 'uint8', chunk('uint8', [2], [1, 0]))).toEqual([255, 0]);
  });

  test('integer floordiv and mod take the sign of the divisor, and give 0 for a zero divisor', () => {
    const a = chunk('int32', [6], [-7, 7, -7, 7, 5, -5]);
    const b = chunk('int32', [6], [3, -3, -3, 3, 0, 0]);
    expect(run(bin('floordiv', x0, x1), ['int32', 'int32'], 'int32', a, b)).toEqual([-3, -3, 2, 2, 0, 0]);
    expect(run(bin('mod', x0, x1), ['int32', 'int32'], 'int32', a, b)).toEqual([2, -2, -1, 1, 0, 0]);
  });

  test('float floordiv and mod follow Python: mod(7., -3.) = -2, 1 // 0.1 = 9, x / 0 = ±inf or nan', () => {
    const a = chunk('float64', [5], [7, 1, 1, -1, 0]);
    const b = chunk('float64', [5], [-3, 0.1, 0, 0, 0]);
    expect(run(bin('mod', x0, x1), ['float64', 'float64'], 'float64', a, b)).toEqual([
      -2,
      0.09999999999999995,
      NaN,
      NaN,
      NaN,
    ]);
    expect(run(bin('floordiv', x0, x1), ['float64', 'float64'], 'float64', a, b)).toEqual([
      -3,
      9,
      Infinity,
      -Infinity,
      NaN,
    ]);
    expect(run(bin('div', x0, x1), ['float64', 'float64'], 'float64', a, b)).toEqual([
      7 / -3,
      10,
      Infinity,
      -Infinity,
      NaN,
    ]);
  });

  test('integer true division gives floats, infinities for a zero divisor', () => {
    expect(
      run(
        bin('div', x0, x1),
        ['int32', 'int32'],
        'float64',
        chunk('int32', [3], [1, -1, 7]),
        chunk('int32', [3], [0, 0, 2]),
      ),
    ).toEqual([Infinity, -Infinity, 3.5]);
  });

  test('integer pow stays exact modulo 2^32 and refuses negative exponents', () => {
    expect(
      run(
        bin('pow', x0, x1),
        ['int32', 'int32'],
        'int32',
        chunk('int32', [4], [3, 2, -2, 7]),
        chunk('int32', [4], [4, 31, 3, 0]),
      ),
    ).toEqual([81, -2147483648, -8, 1]);
    expect(run(bin('pow', x0, k(2)), ['uint8'], 'uint8', chunk('uint8', [2], [16, 3]))).toEqual([0, 9]);
    expect(() =>
      run(bin('pow', x0, x1), ['int32', 'int32'], 'int32', chunk('int32', [1], [2]), chunk('int32', [1], [-1])),
    ).toThrow('Integers to negative integer powers are not allowed.');
  });

  test('float pow has C semantics at the edges: 1 ** nan = 1, nan ** 0 = 1, (-1) ** inf = 1', () => {
    expect(
      run(
        bin('pow', x0, x1),
        ['float64', 'float64'],
        'float64',
        chunk('float64', [4], [1, NaN, -1, -8]),
        chunk('float64', [4], [NaN, 0, Infinity, 1 / 3]),
      ),
    ).toEqual([1, 1, 1, NaN]);
  });

  test('bool arithmetic: add is or, comparisons and logic give 0/1', () => {
    const a = chunk('bool', [4], [0, 0, 1, 1]);
    const b = chunk('bool', [4], [0, 1, 0, 1]);
    expect(run(bin('add', x0, x1), ['bool', 'bool'], 'bool', a, b)).toEqual([0, 1, 1, 1]);
    expect(run(bin('and', x0, x1), ['bool', 'bool'], 'bool', a, b)).toEqual([0, 0, 0, 1]);
    expect(run(bin('or', x0, x1), ['bool', 'bool'], 'bool', a, b)).toEqual([0, 1, 1, 1]);
    expect(run(un('not', x0), ['bool'], 'bool', a)).toEqual([1, 1, 0, 0]);
    expect(() => run(bin('sub', x0, x1), ['bool', 'bool'], 'bool', a, b)).toThrow(/boolean subtract/);
    expect(() => run(un('neg', x0), ['bool'], 'bool', a)).toThrow(/boolean negative/);
  });
});

describe('elementwise: dtypes and casts', () => {
  test('mixed dtypes promote as NumPy: int8 + float32 computes in float32', () => {
    const a = chunk('int8', [2], [1, 3]);
    const b = chunk('float32', [2], [0.1, 1e8]);
    const got = run(bin('add', x0, x1), ['int8', 'float32'], 'float32', a, b);
    expect(got).toEqual([Math.fround(1 + Math.fround(0.1)), Math.fround(3 + 1e8)]);
  });

  test('float32 chains round at every step like NumPy float32', () => {
    const x = Math.fround(16777216); // 2^24: x + 1 rounds back to x in float32
    const e = bin('sub', bin('add', x0, k(1)), x0);
    expect(run(e, ['float32'], 'float32', chunk('float32', [1], [x]))).toEqual([0]);
    expect(run(e, ['float64'], 'float64', chunk('float64', [1], [x]))).toEqual([1]);
  });

  test('int16 with uint16 promotes to int32 (no wrap)', () => {
    expect(
      run(
        bin('add', x0, x1),
        ['int16', 'uint16'],
        'int32',
        chunk('int16', [1], [32767]),
        chunk('uint16', [1], [65535]),
      ),
    ).toEqual([98302]);
  });

  test('cast to ints truncates toward zero and wraps; to bool is x != 0; to float32 rounds', () => {
    const xs = [-2.7, 2.7, 300.5, -1.5, NaN, 3e9, -0];
    const c = chunk('float64', [xs.length], xs);
    const cast = (dtype: DType): number[] => run({ op: 'cast', dtype, a: x0 }, ['float64'], dtype, c);
    expect(cast('int32')).toEqual([-2, 2, 300, -1, 0, 3e9 - 2 ** 32, 0]);
    expect(cast('uint8')).toEqual([254, 2, 44, 255, 0, 3e9 % 256, 0]);
    expect(cast('int8')).toEqual([-2, 2, 44, -1, 0, 0, 0]);
    expect(cast('bool')).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(run({ op: 'cast', dtype: 'float32', a: x0 }, ['float64'], 'float64', chunk('float64', [1], [0.1]))).toEqual([
      Math.fround(0.1),
    ]);
    expect(run({ op: 'cast', dtype: 'int8', a: x0 }, ['int32'], 'int32', chunk('int32', [2], [200, -129]))).toEqual([
      -56, 127,
    ]);
  });

  test('a cast inside the expression matters: int32(x) * 2 differs from x * 2 for floats', () => {
    const c = chunk('float64', [2], [2.5, -2.5]);
    expect(run(bin('mul', { op: 'cast', dtype: 'int32', a: x0 }, k(2)), ['float64'], 'float64', c)).toEqual([4, -4]);
    expect(run(bin('mul', x0, k(2)), ['float64'], 'float64', c)).toEqual([5, -5]);
  });

  test('storing into the output dtype converts like astype', () => {
    expect(run(x0, ['float64'], 'int32', chunk('float64', [3], [1.9, -1.9, NaN]))).toEqual([1, -1, 0]);
    expect(run(x0, ['float64'], 'bool', chunk('float64', [3], [0, 0.1, NaN]))).toEqual([0, 1, 1]);
  });

  test('a declared dtype must match the chunk data', () => {
    expect(() => run(x0, ['float64'], 'float64', chunk('float32', [1], [1]))).toThrow(ValueError);
    expect(() => run(x0, ['float64', 'float64'], 'float64', chunk('float64', [1], [1]))).toThrow(
      /one input dtype per input chunk/,
    );
  });

  test('the output lives in shared memory', () => {
    const out = elementwise({ expr: x0, inputDtypes: ['float64'], outDtype: 'float64' }, chunk('float64', [2], [1, 2]));
    expect(out.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('elementwise: broadcasting', () => {
  const add = (a: Chunk, b: Chunk): Chunk =>
    elementwise({ expr: bin('add', x0, x1), inputDtypes: ['float64', 'float64'], outDtype: 'float64' }, a, b);
  const seq = (n: number, start = 0): number[] => Array.from({ length: n }, (_, i) => start + i);

  test('(2,3) + (3,) stretches the row', () => {
    const r = add(chunk('float64', [2, 3], seq(6)), chunk('float64', [3], [10, 20, 30]));
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([10, 21, 32, 13, 24, 35]);
  });

  test('(3,1) + (1,4) gives an outer sum', () => {
    const r = add(chunk('float64', [3, 1], [0, 10, 20]), chunk('float64', [1, 4], [1, 2, 3, 4]));
    expect(r.shape).toEqual([3, 4]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  });

  test('a scalar-like (1,) input and a 0-d input broadcast everywhere', () => {
    expect(Array.from(add(chunk('float64', [2, 2], [1, 2, 3, 4]), chunk('float64', [1], [100])).data)).toEqual([
      101, 102, 103, 104,
    ]);
    const zeroD = chunkOf(Float64Array.of(5), []);
    const r = add(zeroD, chunk('float64', [3], [1, 2, 3]));
    expect(r.shape).toEqual([3]);
    expect(Array.from(r.data)).toEqual([6, 7, 8]);
    expect(add(zeroD, zeroD).shape).toEqual([]);
  });

  test('fewer dims align at the end: (2,3,4) + (3,1) and (2,1,4) + (3,4)', () => {
    const a = chunk('float64', [2, 3, 4], seq(24));
    const b = chunk('float64', [3, 1], [100, 200, 300]);
    const r = add(a, b);
    expect(r.shape).toEqual([2, 3, 4]);
    for (let i = 0; i < 24; i++) expect(r.data[i]).toBe(i + 100 * ((Math.floor(i / 4) % 3) + 1));
    const r2 = add(chunk('float64', [2, 1, 4], seq(8)), chunk('float64', [3, 4], seq(12, 1000)));
    expect(r2.shape).toEqual([2, 3, 4]);
    for (let i = 0; i < 24; i++) {
      const [p, q, s] = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4];
      expect(r2.data[i]).toBe(p * 4 + s + 1000 + q * 4 + s);
    }
  });

  test('4-d broadcasting with a size-1 middle dimension', () => {
    const a = chunk('float64', [2, 1, 3, 2], seq(12));
    const b = chunk('float64', [4, 1, 1], [0, 100, 200, 300]);
    const r = add(a, b);
    expect(r.shape).toEqual([2, 4, 3, 2]);
    for (let i = 0; i < 48; i++) {
      const [p, q, s, t] = [Math.floor(i / 24), Math.floor(i / 6) % 4, Math.floor(i / 2) % 3, i % 2];
      expect(r.data[i]).toBe(p * 6 + s * 2 + t + q * 100);
    }
  });

  test("mismatched shapes fail with NumPy's message", () => {
    const err = (() => {
      try {
        add(chunk('float64', [2, 3], seq(6)), chunk('float64', [4], seq(4)));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValueError);
    expect((err as ValueError).code).toBe('DASK_ERR_VALUE');
    expect((err as ValueError).message).toBe('operands could not be broadcast together with shapes (2,3) (4,)');
  });

  test('zero-size dimensions broadcast with 1 and give an empty result', () => {
    const r = add(chunk('float64', [0, 3], []), chunk('float64', [1, 3], [1, 2, 3]));
    expect(r.shape).toEqual([0, 3]);
    expect(r.data.length).toBe(0);
    expect(() => add(chunk('float64', [0], []), chunk('float64', [3], [1, 2, 3]))).toThrow(
      'operands could not be broadcast together with shapes (0,) (3,)',
    );
  });

  test('non-contiguous views (a transpose) are read through their strides', () => {
    const t = ndarray(Float64Array.of(1, 2, 3, 4, 5, 6), [3, 2], [1, 3], 0) as Chunk; // transpose of [[1,2,3],[4,5,6]]
    const r = add(t, chunk('float64', [2], [0, 100]));
    expect(Array.from(r.data)).toEqual([1, 104, 2, 105, 3, 106]);
    const sliced = ndarray(Float64Array.of(9, 9, 1, 2, 3), [3], [1], 2) as Chunk;
    expect(Array.from(add(sliced, sliced).data)).toEqual([2, 4, 6]);
  });
});

describe('elementwise: random broadcasting against index arithmetic', () => {
  test('random shapes up to 5-d with stretched and missing dimensions', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const strides = (shape: readonly number[]): number[] => {
      const st: number[] = [];
      let p = 1;
      for (let d = shape.length - 1; d >= 0; d--) {
        st[d] = p;
        p *= shape[d]!;
      }
      return st;
    };
    for (let trial = 0; trial < 80; trial++) {
      const nd = Math.floor(rnd() * 6);
      const out = Array.from({ length: nd }, () => [1, 2, 3, 4, 7][Math.floor(rnd() * 5)]!);
      const shapes = [0, 1, 2].map(() => out.slice(Math.floor(rnd() * (nd + 1))).map((d) => (rnd() < 0.35 ? 1 : d)));
      const chunks = shapes.map((s, i) =>
        chunk(
          'float64',
          s,
          Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, j) => j * 10 ** i),
        ),
      );
      const expr: Expr = { op: 'add', a: { op: 'add', a: x0, b: x1 }, b: { op: 'input', index: 2 } };
      const r = elementwise({ expr, inputDtypes: ['float64', 'float64', 'float64'], outDtype: 'float64' }, ...chunks);
      const want = shapes.reduce<number[]>((acc, s) => (s.length > acc.length ? [...s] : acc), []);
      const full = want.map((_, d) => Math.max(...shapes.map((s) => s[d - (want.length - s.length)] ?? 1)));
      expect(r.shape).toEqual(full);
      const n = full.reduce((a, b) => a * b, 1);
      for (let i = 0; i < n; i++) {
        let rest = i;
        const idx = full.map(() => 0);
        for (let d = full.length - 1; d >= 0; d--) {
          idx[d] = rest % full[d]!;
          rest = Math.floor(rest / full[d]!);
        }
        let expected = 0;
        shapes.forEach((s, c) => {
          const st = strides(s);
          const lead = full.length - s.length;
          const flat = s.reduce((p, e, d) => p + (e === 1 ? 0 : idx[d + lead]!) * st[d]!, 0);
          expected += flat * 10 ** c;
        });
        expect(r.data[i]).toBe(expected);
      }
    }
  });
});

describe('elementwise: expressions, validation and the compile cache', () => {
  test('exprInputs counts inputs up to the highest index; exprKey is canonical', () => {
    expect(exprInputs(bin('add', x0, k(1)))).toBe(1);
    expect(exprInputs({ op: 'where', cond: x1, a: k(1), b: { op: 'input', index: 3 } })).toBe(4);
    expect(exprInputs(k(1))).toBe(0);
    const e1 = bin('mul', bin('add', x0, k(1)), k(-0));
    const e2 = JSON.parse(JSON.stringify(e1)) as Expr;
    (e2 as { b: { value: number } }).b.value = -0;
    expect(exprKey(e1)).toBe(exprKey(e2));
    expect(exprKey(bin('mul', x0, k(0)))).not.toBe(exprKey(bin('mul', x0, k(-0))));
    expect(exprKey(bin('add', x0, k(NaN)))).toBe('add($0,#NaN)');
  });

  test('malformed expressions are refused before any code is generated', () => {
    const bad: unknown[] = [
      { op: 'add); process.exit(1); (', a: x0, b: x0 },
      { op: 'const', value: '1; throw 1' },
      { op: 'input', index: -1 },
      { op: 'input', index: 1.5 },
      { op: 'cast', dtype: 'int64', a: x0 },
      { op: 'add', a: x0 },
      null,
    ];
    for (const expr of bad) {
      expect(() =>
        elementwise({ expr: expr as Expr, inputDtypes: ['float64'], outDtype: 'float64' }, chunk('float64', [1], [1])),
      ).toThrow(ValueError);
    }
    expect(() =>
      elementwise({ expr: x1, inputDtypes: ['float64'], outDtype: 'float64' }, chunk('float64', [1], [1])),
    ).toThrow(/reads input 1/);
  });

  test('kernels compile once per expression, dtypes and layout pattern', () => {
    const expr = bin('add', bin('mul', x0, k(3.25)), k(0.125));
    const spec = { expr, inputDtypes: ['float64' as DType], outDtype: 'float64' as DType };
    const before = kernelCompileCount();
    elementwise(spec, chunk('float64', [3], [1, 2, 3]));
    expect(kernelCompileCount()).toBe(before + 1);
    elementwise(spec, chunk('float64', [50], new Array<number>(50).fill(1)));
    elementwise(spec, chunk('float64', [4, 5], new Array<number>(20).fill(1)));
    elementwise({ ...spec, expr: JSON.parse(JSON.stringify(expr)) as Expr }, chunk('float64', [2], [1, 2]));
    expect(kernelCompileCount()).toBe(before + 1);
    elementwise({ ...spec, inputDtypes: ['float32'] }, chunk('float32', [3], [1, 2, 3]));
    expect(kernelCompileCount()).toBe(before + 2);
    const spec2 = {
      expr: bin('add', bin('mul', x0, k(3.25)), x1),
      inputDtypes: ['float64', 'float64'] as DType[],
      outDtype: 'float64' as DType,
    };
    elementwise(spec2, chunk('float64', [2, 2], [1, 2, 3, 4]), chunk('float64', [2], [1, 2]));
    elementwise(spec2, chunk('float64', [5, 3], new Array<number>(15).fill(1)), chunk('float64', [3], [1, 2, 3]));
    expect(kernelCompileCount()).toBe(before + 3);
  });

  test('elementwise is registered for workers by module reference', () => {
    expect(fnRefOf(elementwise)).toMatchObject({ kind: 'module', export: 'elementwise' });
  });

  test('timing note: fused ((x + 1) * 2 - x) vs a hand-written loop (printed, not asserted)', () => {
    const n = 2_000_000;
    const x = chunkOf(
      Float64Array.from({ length: n }, (_, i) => i * 0.5),
      [n],
    );
    const expr = bin('sub', bin('mul', bin('add', x0, k(1)), k(2)), x0);
    const spec = { expr, inputDtypes: ['float64' as DType], outDtype: 'float64' as DType };
    const out = new Float64Array(n);
    const time = (f: () => unknown): number => bestTime(f, 5);
    const kernel = time(() => elementwise(spec, x));
    const hand = time(() => {
      const d = x.data;
      for (let i = 0; i < n; i++) out[i] = (d[i]! + 1) * 2 - d[i]!;
    });
    console.log(
      `elementwise 2M float64: kernel ${kernel.toFixed(2)} ms (incl. a fresh shared output), hand loop ${hand.toFixed(2)} ms (reused output)`,
    );
    expect(out[3]).toBe(elementwise(spec, x).data[3]);
  });
});
