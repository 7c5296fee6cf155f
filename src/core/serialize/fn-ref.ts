/*
 * Function references: how a task's function travels to another thread, process or machine.
 *
 *   {kind: 'module', module, export}  an ES module URL and export name. Functions are marked as
 *       such with `registerModuleFunction` (every built-in kernel is). Worker threads of Node 20
 *       cannot import `.ts`, so a `.ts` URL inside this package's src/, collections/ or scheduler/
 *       is mapped to the compiled `dist/<same path>.js` (`loadableModuleUrl`).
 *   {kind: 'source', source, name}  the function's own text, for self-contained lambdas. Before a
 *       source ref is handed out, free-variables.ts lists the names the function uses without
 *       declaring; any that is not a standard global or a transpiler helper means the function
 *       depends on its closure, which does not travel, and a SerializationError names the variable
 *       and the two fixes. The source is also compiled once here, so a broken one fails early.
 *
 * Both directions are cached: `fnRefOf` per function object (WeakMap) and per source text (a
 * lambda re-created on every call is analysed once), `resolveFnRef` per thread by source text or
 * by module URL + export. A received source is parsed first and must be exactly one function
 * (methods rewritten to function expressions), so resolving it runs nothing; it is then evaluated
 * as `(function (<helper names>) { "use strict"; return (<source>) })` (vm.Script) called with the helpers of
 * transpiler-helpers.ts, so `__name(...)` and friends inside transpiled code resolve (sloppy mode
 * only if strict mode rejects it). A module ref resolves asynchronously the first time (dynamic
 * import), synchronously after.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { SerializationError } from '../errors.js';
import type { TaskFunction } from '../graph/task.js';
import { parseFunctionSource } from './free-variables.js';
import { HELPER_NAMES, HELPER_VALUES } from './transpiler-helpers.js';

export type FnRef =
  | { readonly kind: 'module'; readonly module: string; readonly export: string }
  | {
      readonly kind: 'source';
      readonly source: string;
      readonly name: string;
      /** Where user code handed the function over ('file:///app.mjs:12'), when known (noteOrigin). */
      readonly origin?: string;
    };

/** Names a shipped function may use without declaring: standard globals and transpiler helpers. */
const ALLOWED_FREE_NAMES: ReadonlySet<string> = new Set([
  // ECMAScript value properties and functions
  'globalThis',
  'undefined',
  'NaN',
  'Infinity',
  'eval',
  'isNaN',
  'isFinite',
  'parseInt',
  'parseFloat',
  'encodeURI',
  'encodeURIComponent',
  'decodeURI',
  'decodeURIComponent',
  'escape',
  'unescape',
  'arguments',
  // ECMAScript constructors and namespaces
  'Object',
  'Function',
  'Array',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'BigInt',
  'Date',
  'RegExp',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'Promise',
  'Proxy',
  'Reflect',
  'Math',
  'JSON',
  'Intl',
  'Atomics',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Iterator',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'WebAssembly',
  // host globals present in every Node thread
  'console',
  'queueMicrotask',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'structuredClone',
  'TextEncoder',
  'TextDecoder',
  'URL',
  'URLSearchParams',
  'performance',
  'process',
  'Buffer',
  'crypto',
  'atob',
  'btoa',
  'AbortController',
  'AbortSignal',
  'Event',
  'EventTarget',
  'DOMException',
  'Blob',
  'fetch',
  'Headers',
  'Request',
  'Response',
  'FormData',
  'MessageChannel',
  'MessagePort',
  'BroadcastChannel',
  ...HELPER_NAMES,
]);

const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;
const SOURCE_CACHE_LIMIT = 10_000;

const moduleFunctions = new WeakMap<TaskFunction, { module: string; exportName: string }>();
/** Where user code handed each function to dask-ts, for the stacks of its tasks (noteOrigin). */
const origins = new WeakMap<TaskFunction, string>();
const refs = new WeakMap<TaskFunction, FnRef>();
/** Source refs by name + NUL + toString() text, so a lambda re-created per call is analysed once. */
const refsBySource = new Map<string, FnRef>();
/** Per-thread compiled sources, keyed by name + NUL + source text. */
const compiled = new Map<string, TaskFunction>();
/** Per-thread imported module functions, keyed by module URL + '#' + export. */
const imported = new Map<string, TaskFunction>();
const importing = new Map<string, Promise<TaskFunction>>();
/** functionForRef's stand-ins, by reference text. */
const stubs = new Map<string, TaskFunction>();

/** Marks `fn` as importable from `module` (usually `import.meta.url`) under `exportName`. */
export function registerModuleFunction(fn: TaskFunction, module: string, exportName: string = fn.name): void {
  if (typeof fn !== 'function') throw new SerializationError('registerModuleFunction expects a function');
  if (typeof module !== 'string' || module === '') {
    throw new SerializationError(
      `registerModuleFunction(${describe(fn)}): the module URL is empty; pass import.meta.url`,
    );
  }
  if (typeof exportName !== 'string' || exportName === '') {
    throw new SerializationError(
      `registerModuleFunction(${describe(fn)}): the export name is empty (an anonymous function); pass the name it is exported under`,
    );
  }
  moduleFunctions.set(fn, { module, exportName });
  refs.delete(fn);
}

/** The reference that lets another thread or process obtain `fn`. Throws SerializationError if none can. */
export function fnRefOf(fn: TaskFunction): FnRef {
  const hit = refs.get(fn);
  if (hit !== undefined) return hit;
  const reg = moduleFunctions.get(fn);
  const ref: FnRef = Object.freeze(
    reg !== undefined
      ? { kind: 'module' as const, module: loadableModuleUrl(reg.module), export: reg.exportName }
      : sourceRefOf(fn),
  );
  refs.set(fn, ref);
  return ref;
}

function describe(fn: TaskFunction): string {
  return fn.name === '' ? 'an anonymous function' : `function "${fn.name}"`;
}

/**
 * Remembers where user code handed `fn` to dask-ts: the first stack frame outside this package's
 * library folders, as 'file:line'. A worker compiling the function's source names that place in
 * its stack frames (`//# sourceURL`), so a failing task points at the user's file, not at the
 * evaluator. Called by delayed(), submit() and the like; once per function object.
 */
export function noteOrigin(fn: TaskFunction): void {
  if (origins.has(fn) || moduleFunctions.has(fn) || refs.has(fn)) return;
  const where = callerOutsidePackage(new Error().stack ?? '');
  if (where !== undefined) origins.set(fn, where);
}

const FRAME = /\(?((?:file:\/\/|\/)[^()\s]+?):(\d+):\d+\)?$/;

function callerOutsidePackage(stack: string): string | undefined {
  let base: string;
  try {
    base = packageRoot();
  } catch {
    return undefined;
  }
  const library = [...COMPILED_FOLDERS, 'dist'].map((d) => join(base, d) + sep);
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (m === null) continue;
    const path = m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!;
    if (library.some((dir) => path.startsWith(dir)) || path.includes(`${sep}node_modules${sep}`)) continue;
    return `${m[1]!}:${m[2]!}`;
  }
  return undefined;
}

function sourceRefOf(fn: TaskFunction): FnRef {
  const text = Function.prototype.toString.call(fn);
  const key = `${fn.name}\u0000${origins.get(fn) ?? ''}\u0000${text}`;
  const hit = refsBySource.get(key);
  if (hit !== undefined) return hit;
  const ref = analyseSource(fn, text);
  remember(refsBySource, key, ref);
  return ref;
}

function analyseSource(fn: TaskFunction, text: string): FnRef {
  const parsed = parseFunctionSource(text);
  const what = describe(fn);
  if (parsed === undefined) {
    if (NATIVE_SOURCE.test(text)) {
      throw new SerializationError(
        `cannot ship ${what} to a worker: built-in and bound functions have no source text to send. ` +
          'Wrap it in a lambda that calls it, e.g. (x) => Math.sqrt(x).',
      );
    }
    throw new SerializationError(`cannot ship ${what} to a worker: its source text does not parse as a function`);
  }
  if (parsed.form === 'class') {
    throw new SerializationError(
      `cannot ship ${what} to a worker: it is a class, and a task calls its function without new. ` +
        'Export a function that builds it from a module and use delayed(fn, { module: import.meta.url }).',
    );
  }
  const captured = parsed.free.filter((name) => !ALLOWED_FREE_NAMES.has(name));
  if (captured.length > 0) throw capturedError(what, captured);
  const origin = origins.get(fn);
  const ref: FnRef = {
    kind: 'source',
    source: parsed.expression,
    name: fn.name,
    ...(origin !== undefined ? { origin } : {}),
  };
  compileSource(ref.source, ref.name, true, ref.origin);
  return ref;
}

function capturedError(what: string, names: readonly string[]): SerializationError {
  const quoted = names.map((n) => `"${n}"`).join(', ');
  const one = names.length === 1;
  const reads = one ? `the outer variable ${quoted}, which does not` : `the outer variables ${quoted}, which do not`;
  const pass = one ? `Pass ${quoted} as an argument` : `Pass ${quoted} as arguments`;
  return new SerializationError(
    `cannot ship ${what} to a worker: it reads ${reads} travel with it. ` +
      `${pass} (delayed(fn)(x, ${names.join(', ')})) or to submit (client.submit(fn, x, ${names.join(', ')})); ` +
      `for an imported helper, import it inside the function (const { helper } = await import('./helpers.js')); ` +
      'or export the function from a module and use delayed(fn, { module: import.meta.url }) ' +
      '(mapPartitions takes the same { module } option).',
  );
}

/**
 * A function standing for `ref` in this thread, for code that received a reference and must hand
 * a TaskFunction on (a distributed worker building Tasks for its thread pool): fnRefOf gives `ref`
 * back, and calling it resolves the reference (a Promise while a module is still importing).
 * The same reference text gives the same function.
 */
export function functionForRef(ref: FnRef): TaskFunction {
  const key = ref.kind === 'module' ? `m:${ref.module}#${ref.export}` : `s:${ref.name}\u0000${ref.source}`;
  const hit = stubs.get(key);
  if (hit !== undefined) return hit;
  const frozen: FnRef = Object.freeze({ ...ref });
  const stub = (...args: unknown[]): unknown => {
    const fn = resolveFnRef(frozen);
    const call = (f: TaskFunction): unknown => (f as (...a: unknown[]) => unknown)(...args);
    return fn instanceof Promise ? fn.then(call) : call(fn);
  };
  Object.defineProperty(stub, 'name', { value: ref.kind === 'module' ? ref.export : ref.name, configurable: true });
  refs.set(stub, frozen);
  remember(stubs, key, stub);
  return stub;
}

/** Resolves a reference in this thread: synchronously when cached or source, else via import(). */
export function resolveFnRef(ref: FnRef): TaskFunction | Promise<TaskFunction> {
  if (ref.kind === 'source') return compileSource(ref.source, ref.name, false, ref.origin);
  const key = `${ref.module}#${ref.export}`;
  const hit = imported.get(key);
  if (hit !== undefined) return hit;
  let pending = importing.get(key);
  if (pending === undefined) {
    pending = importFunction(ref.module, ref.export).then(
      (fn) => {
        imported.set(key, fn);
        importing.delete(key);
        return fn;
      },
      (e: unknown) => {
        importing.delete(key);
        throw e;
      },
    );
    importing.set(key, pending);
  }
  return pending;
}

/** The function if it can be had without waiting: any source ref, or a module ref already imported. */
export function resolveFnRefSync(ref: FnRef): TaskFunction | undefined {
  if (ref.kind === 'source') return compileSource(ref.source, ref.name, false, ref.origin);
  return imported.get(`${ref.module}#${ref.export}`);
}

async function importFunction(module: string, exportName: string): Promise<TaskFunction> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(module)) as Record<string, unknown>;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const hint = /\.ts$/.test(module) ? ' (worker threads cannot import .ts files: run npm run build)' : '';
    throw new SerializationError(`cannot load module "${module}" for function "${exportName}": ${reason}${hint}`);
  }
  if (!(exportName in namespace)) {
    throw new SerializationError(`module "${module}" has no export "${exportName}"`);
  }
  const fn = namespace[exportName];
  if (typeof fn !== 'function') {
    throw new SerializationError(`export "${exportName}" of module "${module}" is not a function but ${typeof fn}`);
  }
  return fn as TaskFunction;
}

/**
 * The function a source ref stands for, compiled once per thread. A source received from elsewhere
 * (`checked` false) is first parsed, so it can only ever define one function expression (method
 * shorthand rewritten): nothing in it runs until the task calls it.
 */
function compileSource(source: string, name: string, checked: boolean, origin?: string): TaskFunction {
  const key = `${name}\u0000${origin ?? ''}\u0000${source}`;
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  const what = name === '' ? 'an anonymous function' : `function "${name}"`;
  let expression = source;
  if (!checked) {
    const parsed = parseFunctionSource(source);
    if (parsed === undefined || parsed.form === 'class') {
      throw new SerializationError(`cannot rebuild ${what}: its source text is not a single function`);
    }
    expression = parsed.expression;
  }
  // One word, as stack frames show it: 'task:failing@file:///app.mjs:12'.
  const url = `task:${name === '' ? 'anonymous' : name}${origin !== undefined ? `@${origin}` : ''}`.replace(/\s/g, '_');
  const fn = evaluate(expression, true, url) ?? evaluate(expression, false, url);
  if (fn === undefined)
    throw new SerializationError(`cannot rebuild ${what} from its source text: it does not compile`);
  if (name !== '' && fn.name !== name) Object.defineProperty(fn, 'name', { value: name, configurable: true });
  remember(compiled, key, fn);
  return fn;
}

/** Adds to a cache of at most SOURCE_CACHE_LIMIT entries, dropping the oldest when full. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= SOURCE_CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(key, value);
}

/**
 * Evaluates `(source)` in the helper scope, in strict mode (as module code is) or not; undefined on
 * a syntax error. It is compiled as a script named `name` (vm.Script), with the function's first
 * line as line 1, so stack frames read 'at f (task:f@file:///a.mjs:3:2:9)': the function, where it
 * was handed over, then the line and column within the function's own text, instead of
 * 'eval at evaluate (fn-ref.js...)'.
 */
function evaluate(source: string, strict: boolean, name: string): TaskFunction | undefined {
  let script: Script;
  try {
    const code = `(function (${HELPER_NAMES.join(', ')}) {${strict ? ' "use strict";' : ''}\nreturn (${source}\n);\n})`;
    script = new Script(code, { filename: name, lineOffset: -1 });
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
  const factory = script.runInThisContext() as (...helpers: unknown[]) => unknown;
  const fn = factory(...HELPER_VALUES);
  if (typeof fn !== 'function')
    throw new SerializationError('a source function reference did not evaluate to a function');
  return fn as TaskFunction;
}

let root: string | undefined;

/** Absolute directory of the dask-ts package (the one holding its package.json). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isPackageDir(dir)) return (root = dir);
    if (dirname(dir) === dir) break;
  }
  throw new SerializationError(`cannot find the dask-ts package.json in any folder above ${start}`);
}

function isPackageDir(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === 'dask-ts';
  } catch {
    return false;
  }
}

const COMPILED_FOLDERS = new Set(['src', 'collections', 'scheduler']);

/** Maps a `.ts` file URL inside this package's compiled folders to its `dist/` `.js` twin. */
export function loadableModuleUrl(url: string): string {
  if (!url.startsWith('file:')) return url;
  const match = /\.(m?)ts$/.exec(url.replace(/[?#].*$/, ''));
  if (match === null || url.endsWith('.d.ts')) return url;
  let path: string;
  let base: string;
  try {
    path = fileURLToPath(url);
    base = packageRoot();
  } catch {
    return url;
  }
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return url;
  const top = rel.split(sep)[0];
  if (top === undefined || !COMPILED_FOLDERS.has(top)) return url;
  const js = `${rel.slice(0, -match[0].length)}.${match[1] ?? ''}js`;
  return pathToFileURL(join(base, 'dist', js)).href;
}
