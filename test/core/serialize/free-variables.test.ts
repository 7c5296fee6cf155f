import { describe, expect, test } from 'vitest';
import { parseFunctionSource } from '../../../src/core/serialize/free-variables.js';

function free(source: string): readonly string[] {
  const parsed = parseFunctionSource(source);
  if (parsed === undefined) throw new Error(`did not parse: ${source}`);
  return parsed.free;
}

describe('free variables of function source text', () => {
  test('names read but not declared are free, in order of first use, once each', () => {
    expect(free('(a) => b + a + c + b')).toEqual(['b', 'c']);
  });

  test('hoisted declarations are visible before they appear', () => {
    expect(free('() => { f(); return v; function f() {} var v = 1; }')).toEqual([]);
  });

  test('block-scoped declarations are not visible outside their block', () => {
    expect(free('() => { { let x = 1; const y = 2; class Z {} } return [x, y, Z]; }')).toEqual(['x', 'y', 'Z']);
  });

  test('loop variables are scoped to the loop', () => {
    expect(free('() => { for (let i = 0; i < 3; i++) {} return i; }')).toEqual(['i']);
    expect(free('(o) => { for (const k in o) {} for (const [a, b] of o) {} return a; }')).toEqual(['a']);
  });

  test('assignment targets that are not declared are free', () => {
    expect(free('() => { for (x of y) {} ({ p: q, ...r } = {}); [s] = []; }')).toEqual(['x', 'y', 'q', 'r', 's']);
  });

  test('class names, methods, fields and static blocks', () => {
    expect(
      free('() => { const C = class D { static s = D; f = g; m() { return D; } static { let t = h; } }; return C; }'),
    ).toEqual(['g', 'h']);
  });

  test('computed keys are read, plain keys and members are not', () => {
    expect(free('(o) => ({ a: o.b, [c]: o[d], e, "f": 1, 2: 3, m() { return z; } })')).toEqual(['c', 'd', 'e', 'z']);
  });

  test('function names, params with defaults and destructuring, and catch params', () => {
    expect(
      free('function f({ a = b, c: [d] }, e = a + d, ...rest) { try { f(e, rest); } catch ({ m = n }) { return m; } }'),
    ).toEqual(['b', 'n']);
  });

  test('labels, this, new.target and arguments are not variables', () => {
    expect(free('function () { l: { break l; } return [this, new.target, arguments]; }')).toEqual(['arguments']);
  });

  test('a switch shares one scope across its cases', () => {
    expect(free('(x) => { switch (x) { case 1: let y = 1; break; default: return y + w; } }')).toEqual(['w']);
  });

  test('tagged templates, optional chains, spreads, await and yield', () => {
    expect(free('async function* g(a) { yield* t`${a?.[k]}`; await [...u]; }')).toEqual(['t', 'k', 'u']);
  });
});

describe('shapes of source text', () => {
  test('arrows and function expressions are kept as they are', () => {
    expect(parseFunctionSource('x => x')).toEqual({ expression: 'x => x', form: 'arrow', free: [] });
    expect(parseFunctionSource('async function f() {}')?.form).toBe('function');
  });

  test('method shorthand becomes an anonymous function expression', () => {
    expect(parseFunctionSource('async *gen(a) { yield a; }')).toEqual({
      expression: 'async function* (a) { yield a; }',
      form: 'method',
      free: [],
    });
    expect(parseFunctionSource('get size() { return n; }')).toEqual({
      expression: 'function () { return n; }',
      form: 'method',
      free: ['n'],
    });
    expect(parseFunctionSource('[key](a) { return a; }')?.free).toEqual(['key']);
  });

  test('classes are recognised', () => {
    expect(parseFunctionSource('class A { m() {} }')?.form).toBe('class');
  });

  test('native code, partial expressions and trailing text do not parse', () => {
    expect(parseFunctionSource('function () { [native code] }')).toBeUndefined();
    expect(parseFunctionSource('function max() { [native code] }')).toBeUndefined();
    expect(parseFunctionSource('x => x) + (evil')).toBeUndefined();
    expect(parseFunctionSource('f() {}, g() {}')).toBeUndefined();
    expect(parseFunctionSource('42')).toBeUndefined();
  });
});
