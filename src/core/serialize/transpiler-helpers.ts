/*
 * Stand-ins for the helper functions that transpilers (esbuild under tsx and vite, TypeScript's
 * own emit) insert into compiled code and then reference from inside user functions. When such a
 * function is shipped as source text, its `toString()` mentions e.g. `__name(inner, "inner")` or
 * `__async(this, null, function* () {...})` while the helper itself stayed behind in the module
 * that defined it. A source function is therefore evaluated in a scope that binds each helper name
 * (see `resolveFnRef` in fn-ref.ts), and free-variable checking lets these names through.
 *
 * Each helper is written here from the contract of the code that calls it:
 *   __name(target, value)                 set target.name, return target
 *   __awaiter(thisArg, args, P, gen)      TypeScript async lowering: run generator `gen` as an
 *                                         async function, each `yield` awaiting its value
 *   __async(thisArg, args, gen)           the same for esbuild's lowering
 *   __publicField(obj, key, value)        define an own enumerable data property, return value
 *   __spreadValues(a, b)                  copy b's own enumerable properties (symbols too) onto a
 *   __spreadProps(a, b)                   define b's own property descriptors on a
 *   __objRest(source, exclude)            own enumerable properties of source not in exclude
 *   __require(id)                         CommonJS require, for code bundled with require calls
 */
import { createRequire } from 'node:module';

type GeneratorFunction = (this: unknown, ...args: unknown[]) => Generator<unknown, unknown, unknown>;
type PromiseLikeConstructor = new (
  executor: (resolve: (v: unknown) => void, reject: (e: unknown) => void) => void,
) => PromiseLike<unknown>;

/** Drives a generator as an async function: each yielded value is awaited and sent back in. */
function drive(gen: Generator<unknown, unknown, unknown>, P: PromiseLikeConstructor): PromiseLike<unknown> {
  return new P((resolve, reject) => {
    const step = (mode: 'next' | 'throw', input: unknown): void => {
      let result: IteratorResult<unknown, unknown>;
      try {
        result = mode === 'next' ? gen.next(input) : gen.throw(input);
      } catch (e) {
        reject(e);
        return;
      }
      if (result.done === true) resolve(result.value);
      else
        Promise.resolve(result.value).then(
          (v) => step('next', v),
          (e: unknown) => step('throw', e),
        );
    };
    step('next', undefined);
  });
}

function argList(args: unknown): unknown[] {
  return args === null || args === undefined ? [] : Array.from(args as ArrayLike<unknown>);
}

function defineValue(obj: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

function ownEnumerableKeys(source: object): PropertyKey[] {
  return Reflect.ownKeys(source).filter((k) => Object.prototype.propertyIsEnumerable.call(source, k));
}

const __name = (target: object, value: string): object => {
  Object.defineProperty(target, 'name', { value, configurable: true });
  return target;
};

const __awaiter = (
  thisArg: unknown,
  args: unknown,
  P: PromiseLikeConstructor | undefined,
  generator: GeneratorFunction,
): PromiseLike<unknown> => drive(generator.apply(thisArg, argList(args)), P ?? Promise);

const __async = (thisArg: unknown, args: unknown, generator: GeneratorFunction): PromiseLike<unknown> =>
  drive(generator.apply(thisArg, argList(args)), Promise);

const __publicField = (obj: object, key: PropertyKey, value: unknown): unknown => {
  defineValue(obj, typeof key === 'symbol' ? key : String(key), value);
  return value;
};

const __spreadValues = (a: Record<PropertyKey, unknown>, b: unknown): object => {
  if (b === null || b === undefined) return a;
  const source = Object(b) as Record<PropertyKey, unknown>;
  for (const k of ownEnumerableKeys(source)) defineValue(a, k, source[k]);
  return a;
};

const __spreadProps = (a: object, b: object): object => Object.defineProperties(a, Object.getOwnPropertyDescriptors(b));

const __objRest = (source: unknown, exclude: readonly PropertyKey[]): Record<PropertyKey, unknown> => {
  const out: Record<PropertyKey, unknown> = {};
  if (source === null || source === undefined) return out;
  const from = Object(source) as Record<PropertyKey, unknown>;
  for (const k of ownEnumerableKeys(from)) if (!exclude.includes(k)) out[k] = from[k];
  return out;
};

let requireFn: NodeJS.Require | undefined;
const __require = (id: string): unknown => (requireFn ??= createRequire(import.meta.url))(id);

/** Names of the helpers, in the order of `HELPER_VALUES`. */
export const HELPER_NAMES: readonly string[] = Object.freeze([
  '__name',
  '__awaiter',
  '__publicField',
  '__async',
  '__spreadValues',
  '__spreadProps',
  '__objRest',
  '__require',
]);

/** The helper functions, bound to `HELPER_NAMES` when a source function is evaluated. */
export const HELPER_VALUES: readonly unknown[] = Object.freeze([
  __name,
  __awaiter,
  __publicField,
  __async,
  __spreadValues,
  __spreadProps,
  __objRest,
  __require,
]);
