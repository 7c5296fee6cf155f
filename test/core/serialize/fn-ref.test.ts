/* eslint-disable @typescript-eslint/unbound-method -- methods are shipped detached from their objects on purpose */
/* eslint-disable @typescript-eslint/no-implied-eval -- transpiler output is turned into functions from its text on purpose */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { SerializationError } from '../../../src/core/errors.js';
import {
  fnRefOf,
  loadableModuleUrl,
  packageRoot,
  registerModuleFunction,
  resolveFnRef,
  resolveFnRefSync,
} from '../../../src/core/serialize/fn-ref.js';
import type { FnRef } from '../../../src/core/serialize/fn-ref.js';
// @ts-expect-error -- a plain .mjs fixture without type declarations
import * as kernels from '../../fixtures/serialize/kernels.mjs';

type Fn = (...args: never[]) => unknown;
const fixtureUrl = new URL('../../fixtures/serialize/kernels.mjs', import.meta.url).href;
const fixtureDouble = (kernels as { double: (x: number) => number }).double;

function thrown(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SerializationError);
    return e as SerializationError;
  }
  throw new Error('expected a SerializationError, nothing was thrown');
}

/** Ships `fn` by source and rebuilds it, as a worker would. */
function roundTrip(fn: Fn): (...args: unknown[]) => unknown {
  const ref = fnRefOf(fn);
  expect(ref.kind).toBe('source');
  const rebuilt = resolveFnRefSync(JSON.parse(JSON.stringify(ref)) as FnRef) as
    ((...args: unknown[]) => unknown) | undefined;
  expect(typeof rebuilt).toBe('function');
  return rebuilt!;
}

describe('closures are refused with the variable and both fixes named', () => {
  test('a lambda reading an outer const', () => {
    const factor = 3;
    const scale = (x: number): number => x * factor;
    const err = thrown(() => fnRefOf(scale));
    expect(err.code).toBe('DASK_ERR_SERIALIZATION');
    expect(err.message).toContain('function "scale"');
    expect(err.message).toContain('reads the outer variable "factor"');
    expect(err.message).toContain('Pass "factor" as an argument (delayed(fn)(x, factor))');
    expect(err.message).toContain('export the function from a module and use delayed(fn, { module: import.meta.url })');
    // The fixes name submit and mapPartitions too, and dynamic import for imported helpers.
    expect(err.message).toContain('client.submit(fn, x, factor)');
    expect(err.message).toContain("await import('./helpers.js')");
    expect(err.message).toContain('mapPartitions takes the same { module } option');
  });

  test('several captured variables are all listed', () => {
    const a = 1;
    const b = 2;
    const err = thrown(() => fnRefOf((x: number) => x + a + b));
    expect(err.message).toContain('an anonymous function');
    expect(err.message).toContain('the outer variables "a", "b", which do not travel');
  });

  const factor = 2;
  let counter = 0;
  const key = 'k';
  const cases: [string, Fn, string][] = [
    ['inside a nested lambda', (xs: number[]) => xs.map((y) => y * factor), 'factor'],
    ['as a shorthand property', (x: number) => ({ x, factor }), 'factor'],
    ['in a default parameter', (x: number = factor) => x, 'factor'],
    ['as a computed member', (o: Record<string, number>) => o[key], 'key'],
    ['by assignment', () => (counter += 1), 'counter'],
    [
      'inside a class method',
      () =>
        class {
          m(): number {
            return factor;
          }
        },
      'factor',
    ],
    ['in a template literal', (x: number) => `${x}${key}`, 'key'],
  ];
  for (const [what, fn, name] of cases) {
    test(`captured ${what}`, () => {
      expect(thrown(() => fnRefOf(fn)).message).toContain(`"${name}"`);
    });
  }
  test('the closure bindings still work locally', () => {
    expect(counter).toBe(0);
  });
});

describe('self-contained functions are shipped by source and work after rebuilding', () => {
  function fact(n: number): number {
    return n <= 1 ? 1 : n * fact(n - 1);
  }
  const cases: [string, Fn, unknown[]][] = [
    [
      'globals only',
      (x: number) => Math.sqrt(x) + Number.parseInt('1', 10) + Math.max(0, JSON.parse('2') as number),
      [16],
    ],
    [
      'destructuring and rest params',
      ({ a, b: [c, ...d] }: { a: number; b: number[] }, ...rest: number[]) => a + (c ?? 0) + d.length + rest.length,
      [{ a: 1, b: [10, 0, 0] }, 7, 7],
    ],
    [
      'defaults reading earlier params',
      (a: number, b: number = a * 2, { c = b + 1 }: { c?: number } = {}) => a + b + c,
      [1],
    ],
    [
      'hoisted inner function',
      (x: number) => {
        return helper(x);
        function helper(y: number): number {
          return y + 1;
        }
      },
      [4],
    ],
    [
      'var hoisted out of a block',
      (x: boolean) => {
        if (x) {
          // eslint-disable-next-line no-var -- var hoisting is what is tested
          var y: number | undefined = 1;
        }
        return y;
      },
      [true],
    ],
    [
      'shorthand props of locals',
      (x: number) => {
        const y = 2;
        return { x, y };
      },
      [1],
    ],
    [
      'catch parameters',
      (s: string) => {
        try {
          return JSON.parse(s) as unknown;
        } catch (err) {
          return err instanceof SyntaxError;
        }
      },
      ['{'],
    ],
    [
      'labels',
      (n: number) => {
        let hits = 0;
        outer: for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            if (j > i) continue outer;
            if (i > 3) break outer;
            hits++;
          }
        }
        return hits;
      },
      [6],
    ],
    [
      'property keys and members',
      (o: { bar: number; baz?: number }) => ({ foo: o.bar, ['k' + String(1)]: o?.baz }),
      [{ bar: 1, baz: 2 }],
    ],
    [
      'a local class',
      (x: number) => {
        class Acc {
          total = 0;
          add(v: number): this {
            this.total += v;
            return this;
          }
        }
        return new Acc().add(x).add(1).total;
      },
      [4],
    ],
    [
      'for-of destructuring',
      (pairs: [number, number][]) => {
        let s = 0;
        for (const [k, v] of pairs) s += k * v;
        return s;
      },
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ],
    [
      'switch-scoped declarations',
      (x: number) => {
        switch (x) {
          case 1: {
            const y = 2;
            return y;
          }
          default: {
            const z = 3;
            return z + x;
          }
        }
      },
      [5],
    ],
    [
      'arguments',
      function (this: unknown, ..._xs: number[]) {
        return arguments.length;
      },
      [1, 2, 3],
    ],
    ['a self-recursive function declaration', fact, [5]],
    ['a template literal', (x: number) => `v=${x}`, [3]],
  ];
  for (const [what, fn, args] of cases) {
    test(what, () => {
      const rebuilt = roundTrip(fn);
      expect(rebuilt).not.toBe(fn);
      expect(rebuilt(...args)).toEqual((fn as (...a: unknown[]) => unknown)(...args));
    });
  }

  test('concrete results, so the comparison above is not vacuous', () => {
    expect(roundTrip(fact)(5)).toBe(120);
    expect(
      roundTrip((x: number) => {
        if (x) {
          // eslint-disable-next-line no-var -- var hoisting is what is tested
          var y: number | undefined = 1;
        }
        return y;
      })(1),
    ).toBe(1);
    // TypeScript cannot type a destructured catch parameter, so this one is written as text.
    const destructuredCatch = new Function(
      'return () => { try { throw new RangeError("r"); } catch ({ message }) { return message; } }',
    ) as () => Fn;
    expect(roundTrip(destructuredCatch())()).toBe('r');
  });

  test('async arrows and async generators', async () => {
    const rebuilt = roundTrip(async (x: number) => {
      await Promise.resolve();
      return x * 2;
    });
    await expect(rebuilt(21)).resolves.toBe(42);
    const gen = roundTrip(async function* numbers(n: number) {
      for (let i = 0; i < n; i++) yield await Promise.resolve(i);
    });
    const seen: unknown[] = [];
    for await (const v of gen(3) as AsyncIterable<unknown>) seen.push(v);
    expect(seen).toEqual([0, 1, 2]);
  });

  test('method shorthand forms are rewritten into function expressions', () => {
    const o = {
      inc(x: number) {
        return x + 1;
      },
      *gen() {
        yield 1;
        yield 2;
      },
      ['com' + 'puted'](x: number) {
        return x * 3;
      },
      'quoted name'(x: number) {
        return -x;
      },
      delete(x: number) {
        return x - 1;
      },
      get size() {
        return 7;
      },
    };
    expect(roundTrip(o.inc)(1)).toBe(2);
    expect([...(roundTrip(o.gen)() as Iterable<number>)]).toEqual([1, 2]);
    expect(roundTrip(o.computed as Fn)(2)).toBe(6);
    expect(roundTrip(o['quoted name'])(2)).toBe(-2);
    expect(roundTrip(o.delete)(2)).toBe(1);
    const getter = Object.getOwnPropertyDescriptor(o, 'size')!.get!;
    expect(roundTrip(getter)()).toBe(7);
    const ref = fnRefOf(o.inc);
    expect(ref).toMatchObject({ kind: 'source', name: 'inc' });
    expect((ref as { source: string }).source.startsWith('function')).toBe(true);
  });

  test('async methods and class methods', async () => {
    class K {
      async twice(x: number): Promise<number> {
        await Promise.resolve();
        return 2 * x;
      }
    }
    await expect(roundTrip(K.prototype.twice)(4)).resolves.toBe(8);
  });

  test('a received source that is not exactly one function is refused before anything runs', () => {
    const g = globalThis as { pwned?: number };
    for (const source of ['(x) => x), (globalThis.pwned = 1), ((y) => y', 'globalThis.pwned = 1', 'class A {}']) {
      expect(() => resolveFnRefSync({ kind: 'source', source, name: 'evil' })).toThrow(SerializationError);
    }
    expect(g.pwned).toBeUndefined();
  });

  test('a raw method source can be resolved directly and keeps its name', () => {
    const fn = resolveFnRefSync({ kind: 'source', source: 'triple(x) {\n return 3 * x; }', name: 'triple' }) as
      ((x: number) => unknown) | undefined;
    expect(fn!(2)).toBe(6);
    expect(fn!.name).toBe('triple');
  });

  test('references and rebuilt functions are cached', () => {
    const f = (x: number): number => x + 1;
    const ref = fnRefOf(f);
    expect(fnRefOf(f)).toBe(ref);
    expect(resolveFnRefSync(ref)).toBe(resolveFnRef(ref));
  });

  test('a lambda re-created on every call is analysed once', () => {
    const make = (): ((x: number) => number) => (x: number) => x * 2;
    const first = make();
    const second = make();
    expect(first).not.toBe(second);
    expect(fnRefOf(second)).toBe(fnRefOf(first));
  });
});

describe('code emitted by transpilers', () => {
  test('esbuild keepNames output (as tsx emits it) with __name', () => {
    // Verbatim from `tsx` for: const f = (x: number) => { function inner(y: number) {...}; const g = ...
    const src = 'x=>{function inner(y){return y+1}__name(inner,"inner");const g=__name(z=>z,"g");return inner(x)+g(x)}';
    const made = new Function('__name', `return (${src});`) as (n: unknown) => Fn;
    const original = made((t: unknown) => t);
    const rebuilt = roundTrip(original);
    expect(rebuilt(10)).toBe(21);
  });

  test('esbuild async / rest / spread lowering', async () => {
    const src =
      '(x) => __async(null, null, function* () { const _a = x, { a } = _a, r = __objRest(_a, ["a"]); ' +
      'yield new Promise((res) => setTimeout(res, 1)); return __spreadProps(__spreadValues({}, r), { a: a * 10 }); })';
    const made = new Function(
      '__async',
      '__objRest',
      '__spreadProps',
      '__spreadValues',
      `return (${src});`,
    ) as () => Fn;
    const rebuilt = roundTrip(made());
    await expect(rebuilt({ a: 1, b: 2, c: 3 })).resolves.toEqual({ b: 2, c: 3, a: 10 });
  });

  test('TypeScript __awaiter lowering and esbuild __publicField', async () => {
    const src =
      'function (x) { return __awaiter(this, void 0, void 0, function* () { const y = yield Promise.resolve(x); ' +
      'class P { constructor() { __publicField(this, "k", y); } } return new P().k * 2; }); }';
    const made = new Function('__awaiter', '__publicField', `return (${src});`) as () => Fn;
    const rebuilt = roundTrip(made());
    await expect(rebuilt(21)).resolves.toBe(42);
  });

  test('__awaiter rejects when the body throws', async () => {
    const src =
      'function () { return __awaiter(this, void 0, void 0, function* () { yield 1; throw new TypeError("bad"); }); }';
    const rebuilt = roundTrip((new Function('__awaiter', `return (${src});`) as () => Fn)());
    await expect(rebuilt()).rejects.toThrow(TypeError);
  });
});

describe('functions that cannot travel by source', () => {
  test('built-in functions', () => {
    const err = thrown(() => fnRefOf(Math.sqrt));
    expect(err.message).toContain('built-in');
    expect(err.message).toContain('(x) => Math.sqrt(x)');
  });

  test('bound functions', () => {
    const bound = ((x: number) => x).bind(null);
    expect(thrown(() => fnRefOf(bound)).message).toContain('bound functions');
  });

  test('classes', () => {
    class Point {}
    expect(thrown(() => fnRefOf(Point as unknown as Fn)).message).toContain('it is a class');
  });
});

describe('module references', () => {
  test('a registered function travels as {module, export} and resolves by import', async () => {
    registerModuleFunction(fixtureDouble, fixtureUrl);
    const ref = fnRefOf(fixtureDouble);
    expect(ref).toEqual({ kind: 'module', module: fixtureUrl, export: 'double' });
    const fresh: FnRef = { kind: 'module', module: fixtureUrl, export: 'slowAdd' };
    expect(resolveFnRefSync(fresh)).toBeUndefined();
    const slowAdd = (await resolveFnRef(fresh)) as (a: number, b: number) => Promise<number>;
    await expect(slowAdd(2, 3)).resolves.toBe(5);
    expect(resolveFnRefSync(fresh)).toBe(slowAdd);
    const dbl = (await resolveFnRef(ref)) as (x: number) => number;
    expect(dbl(21)).toBe(42);
  });

  test('a missing export or a non-function export is a SerializationError', async () => {
    const missing = resolveFnRef({ kind: 'module', module: fixtureUrl, export: 'nope' });
    await expect(missing).rejects.toThrow(SerializationError);
    await expect(missing).rejects.toThrow(`module "${fixtureUrl}" has no export "nope"`);
    await expect(resolveFnRef({ kind: 'module', module: fixtureUrl, export: 'notAFunction' })).rejects.toThrow(
      /is not a function/,
    );
    const gone = new URL('../../fixtures/serialize/does-not-exist.mjs', import.meta.url).href;
    await expect(resolveFnRef({ kind: 'module', module: gone, export: 'x' })).rejects.toThrow(/cannot load module/);
  });

  test('registration needs an export name', () => {
    const err = thrown(() => registerModuleFunction(() => 1, fixtureUrl));
    expect(err.code).toBe('DASK_ERR_SERIALIZATION');
    expect(err.message).toContain('export name is empty');
    expect(() => registerModuleFunction(fixtureDouble, '')).toThrow(SerializationError);
  });

  test('registering wins over an earlier source reference', () => {
    function later(x: number): number {
      return x;
    }
    expect(fnRefOf(later).kind).toBe('source');
    registerModuleFunction(later, fixtureUrl, 'double');
    expect(fnRefOf(later)).toEqual({ kind: 'module', module: fixtureUrl, export: 'double' });
  });
});

describe('loadable module URLs', () => {
  const root = packageRoot();
  const url = (p: string): string => pathToFileURL(join(root, p)).href;

  test('packageRoot is the folder of the dask-ts package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('dask-ts');
    expect(existsSync(join(root, 'src', 'core', 'serialize', 'fn-ref.ts'))).toBe(true);
  });

  test('.ts files under src, collections and scheduler map to dist .js', () => {
    expect(loadableModuleUrl(url('src/core/serialize/fn-ref.ts'))).toBe(url('dist/src/core/serialize/fn-ref.js'));
    expect(loadableModuleUrl(url('collections/array/kernels/sum.ts'))).toBe(
      url('dist/collections/array/kernels/sum.js'),
    );
    expect(loadableModuleUrl(url('scheduler/threads/worker.mts'))).toBe(url('dist/scheduler/threads/worker.mjs'));
  });

  test('everything else is left alone', () => {
    for (const u of [
      url('test/core/serialize/fn-ref.test.ts'),
      url('src/core/serialize/fn-ref.js'),
      url('src/types.d.ts'),
      'file:///elsewhere/src/x.ts',
      'https://example.com/src/x.ts',
      'node:path',
    ]) {
      expect(loadableModuleUrl(u)).toBe(u);
    }
  });

  test('a kernel registered with a src .ts URL resolves from the build', async () => {
    function kernel(): void {}
    registerModuleFunction(kernel, url('src/core/serialize/fn-ref.ts'), 'fnRefOf');
    const ref = fnRefOf(kernel);
    expect(ref).toEqual({ kind: 'module', module: url('dist/src/core/serialize/fn-ref.js'), export: 'fnRefOf' });
    expect(existsSync(join(root, 'dist/src/core/serialize/fn-ref.js')), 'run npm run build first').toBe(true);
    const fn = await resolveFnRef(ref);
    expect(fn.name).toBe('fnRefOf');
    expect(fn).not.toBe(fnRefOf);
  });
});
