import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { tokenize } from '../../../src/core/graph/tokenize.js';
import { TaskRef } from '../../../src/core/graph/task.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PINNED_INPUT = "1, 'a', [1.5, -0, NaN], { b: 2n, a: null }, new Float64Array([1, 2])";
const pinned = (): string => tokenize(1, 'a', [1.5, -0, NaN], { b: 2n, a: null }, new Float64Array([1, 2]));

describe('tokenize is deterministic', () => {
  test('the same input gives the same 32-hex-digit token', () => {
    expect(tokenize({ x: [1, 2, 3] })).toMatch(/^[0-9a-f]{32}$/);
    expect(tokenize({ x: [1, 2, 3] })).toBe(tokenize({ x: [1, 2, 3] }));
  });

  test('a pinned value does not change between runs or releases', () => {
    expect(pinned()).toBe('ee3e72d2e06d6f6468d12defb6749717');
  });

  test('the pinned value is the MD5 of the documented encoding', () => {
    const bytes = Buffer.from(new Float64Array([1, 2]).buffer);
    const text = 'a5;d1;s1:aa3;d1.5;d-0;dNaN;o2;s1:ans1:bi2;T12:Float64Array16;';
    const md5 = createHash('md5').update(text).update(bytes).digest('hex');
    expect(pinned()).toBe(md5);
  });

  test('another process computes the same token', () => {
    const code = `import { tokenize } from './src/core/graph/tokenize.ts'; process.stdout.write(tokenize(${PINNED_INPUT}));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toBe(pinned());
  });
});

describe('tokenize tells values apart', () => {
  test('1, "1", [1], true, 1n, null and undefined all differ', () => {
    const tokens = [1, '1', [1], true, 1n, null, undefined].map((v) => tokenize(v));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  test('-0 differs from 0, and NaN is stable', () => {
    expect(tokenize(-0)).not.toBe(tokenize(0));
    expect(tokenize(NaN)).toBe(tokenize(Number('x')));
    expect(tokenize(NaN)).not.toBe(tokenize('NaN'));
  });

  test('several arguments differ from one array argument, and strings do not run together', () => {
    expect(tokenize(1, 2)).not.toBe(tokenize([1, 2]));
    expect(tokenize('ab', 'c')).not.toBe(tokenize('a', 'bc'));
  });

  test('plain objects ignore key order but not keys or values', () => {
    expect(tokenize({ a: 1, b: 2 })).toBe(tokenize({ b: 2, a: 1 }));
    expect(tokenize({ a: 1, b: 2 })).not.toBe(tokenize({ a: 2, b: 1 }));
    expect(tokenize({ a: 1 })).not.toBe(tokenize(new Map([['a', 1]])));
  });

  test('Map and Set ignore insertion order', () => {
    expect(
      tokenize(
        new Map<unknown, number>([
          ['a', 1],
          [2, 2],
        ]),
      ),
    ).toBe(
      tokenize(
        new Map<unknown, number>([
          [2, 2],
          ['a', 1],
        ]),
      ),
    );
    expect(tokenize(new Set([1, 'x', [2]]))).toBe(tokenize(new Set([[2], 'x', 1])));
    expect(tokenize(new Set([1, 2]))).not.toBe(tokenize(new Set([1, 3])));
  });

  test('typed arrays hash dtype and content, not the buffer they sit in', () => {
    expect(tokenize(new Float64Array([1, 2]))).not.toBe(tokenize(new Float32Array([1, 2])));
    expect(tokenize(new Float64Array([1, 2]))).not.toBe(tokenize(new Float64Array([1, 3])));
    const big = new Float64Array([9, 1, 2, 9]);
    expect(tokenize(big.subarray(1, 3))).toBe(tokenize(new Float64Array([1, 2])));
    const shared = new Float64Array(new SharedArrayBuffer(16));
    shared.set([1, 2]);
    expect(tokenize(shared)).toBe(tokenize(new Float64Array([1, 2])));
    expect(tokenize(Buffer.from([1, 2]))).toBe(tokenize(new Uint8Array([1, 2])));
    expect(tokenize(new Uint8Array([1, 2]).buffer)).not.toBe(tokenize(new Uint8Array([1, 2])));
  });

  test('dates, functions, TaskRefs and self-tokenizing objects', () => {
    expect(tokenize(new Date(0))).toBe(tokenize(new Date(0)));
    expect(tokenize(new Date(0))).not.toBe(tokenize(new Date(1)));
    expect(tokenize((x: number) => x + 1)).toBe(tokenize((x: number) => x + 1));
    expect(tokenize((x: number) => x + 1)).not.toBe(tokenize((x: number) => x + 2));
    expect(tokenize(new TaskRef('a[0]'))).toBe(tokenize(new TaskRef('a[0]')));
    expect(tokenize(new TaskRef('a[0]'))).not.toBe(tokenize('a[0]'));
    const collection = { __daskTokenize: (): string => 'array-1234', other: Math.random() };
    expect(tokenize(collection)).toBe(tokenize({ __daskTokenize: (): string => 'array-1234' }));
  });

  test('class instances hash their class name and own properties', () => {
    class A {
      constructor(readonly x: number) {}
    }
    class B {
      constructor(readonly x: number) {}
    }
    expect(tokenize(new A(1))).toBe(tokenize(new A(1)));
    expect(tokenize(new A(1))).not.toBe(tokenize(new A(2)));
    expect(tokenize(new A(1))).not.toBe(tokenize(new B(1)));
    expect(tokenize(new A(1))).not.toBe(tokenize({ x: 1 }));
  });
});

describe('tokenize on awkward structures', () => {
  test('cycles terminate, and equal cycles hash equally', () => {
    const make = (): unknown => {
      const o: { v: number; self?: unknown; list: unknown[] } = { v: 1, list: [] };
      o.self = o;
      o.list.push(o);
      return o;
    };
    expect(tokenize(make())).toBe(tokenize(make()));
    const s = new Set<unknown>([1]);
    s.add(s);
    const m = new Map<unknown, unknown>();
    m.set(m, m);
    expect(tokenize(s)).toMatch(/^[0-9a-f]{32}$/);
    expect(tokenize(m)).toMatch(/^[0-9a-f]{32}$/);
  });

  test('shared sub-objects hash by content', () => {
    const x = { a: [1, 2] };
    expect(tokenize([x, x])).toBe(tokenize([x, { a: [1, 2] }]));
  });

  test('nesting 100,000 deep does not overflow the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(tokenize(deep)).toMatch(/^[0-9a-f]{32}$/);
  });
});
