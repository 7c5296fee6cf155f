/*
 * The nodes of a task graph. A graph maps string keys to nodes:
 *   Task     {key, fn, args}  call fn(...args) once the keys its args refer to are computed
 *   DataNode {key, value}     a literal value
 *   Alias    {key, target}    the value of another key under a second name
 * Inside a Task's args, a TaskRef stands for the computed value of another key, and a Task stands
 * for an inline sub-call evaluated just before the outer call (this is how fused chains and nested
 * calls are written). Arrays and plain objects in args are walked; anything else is passed as is.
 * A task's dependencies are found once, when it is built, so schedulers never walk args to learn
 * them.
 */

/** A graph key. Chunk keys are built by `key(name, ...index)`, see keys.ts. */
export type Key = string;

/** Any callable a task may hold; it is only ever invoked through `callTask`. */
export type TaskFunction = (...args: never[]) => unknown;

import { allPrimitive, UniqueList } from './unique-list.js';
import { callSettled } from './settle.js';
import { isPlainContainer } from './plain-container.js';

const EMPTY: readonly Key[] = Object.freeze([]);

/** The computed value of another key, used inside a task's args. */
export class TaskRef {
  readonly key: Key;
  constructor(key: Key) {
    this.key = key;
  }
}

export class Task {
  readonly kind = 'task' as const;
  readonly key: Key;
  readonly fn: TaskFunction;
  readonly args: readonly unknown[];
  /** Keys this task needs, without repeats, in the order they first appear in args. */
  readonly deps: readonly Key[];
  /** True when args hold no TaskRef and no inline Task, so they are passed as they are. */
  readonly literalArgs: boolean;
  /** True when args hold an inline Task (evaluated first; it may return a Promise). */
  readonly inline: boolean;
  /** Scratch for planGraph; see GraphNode. */
  planEpoch = 0;
  planId = 0;
  /**
   * `knownDeps` lets a caller that has just built `args` (Delayed does) skip the scan: it must be
   * exactly the keys of the TaskRefs in args, without repeats, and args must hold no inline Task.
   */
  constructor(key: Key, fn: TaskFunction, args: readonly unknown[], knownDeps?: readonly Key[]) {
    this.key = key;
    this.fn = fn;
    this.args = args;
    if (knownDeps !== undefined) {
      this.deps = knownDeps.length === 0 ? EMPTY : knownDeps;
      this.literalArgs = knownDeps.length === 0;
      this.inline = false;
    } else {
      const scan = scanArgs(args);
      this.deps = scan.deps;
      this.literalArgs = !scan.refs;
      this.inline = scan.inline;
    }
  }
}

export class DataNode {
  readonly kind = 'data' as const;
  readonly key: Key;
  readonly value: unknown;
  readonly deps: readonly Key[] = EMPTY;
  /** Scratch for planGraph; see GraphNode. */
  planEpoch = 0;
  planId = 0;
  constructor(key: Key, value: unknown) {
    this.key = key;
    this.value = value;
  }
}

export class Alias {
  readonly kind = 'alias' as const;
  readonly key: Key;
  readonly target: Key;
  readonly deps: readonly Key[];
  /** Scratch for planGraph; see GraphNode. */
  planEpoch = 0;
  planId = 0;
  constructor(key: Key, target: Key) {
    this.key = key;
    this.target = target;
    this.deps = [target];
  }
}

export type GraphNode = Task | DataNode | Alias;

/*
 * planGraph (plan.ts) marks nodes while it walks a graph, in two mutable slots every node class
 * carries: `planEpoch` says which walk wrote `planId`. Planning runs synchronously to the end, so
 * a walk never sees another walk's marks as its own, and nothing after planning reads them. This
 * spares a Map lookup per node, which dominates the cost of planning a million tasks.
 */

/** A materialised (low-level) graph. */
export type Graph = Map<Key, GraphNode>;

// scanArgs collects into these module-level scratch slots (one thread, never re-entered), so
// building a task allocates nothing beyond its deps list: graphs reach millions of tasks.
let scanDeps: UniqueList<Key> | undefined;
let scanRefs = false;
let scanInline = false;

const LITERAL_SCAN = { deps: EMPTY, refs: false, inline: false };
const identityKey = (k: Key): Key => k;

function scanArgs(args: readonly unknown[]): { deps: readonly Key[]; refs: boolean; inline: boolean } {
  if (allPrimitive(args)) return LITERAL_SCAN;
  scanDeps = new UniqueList(identityKey);
  scanRefs = false;
  scanInline = false;
  for (let i = 0; i < args.length; i++) visitArg(args[i]);
  const deps = scanDeps.items.length === 0 ? EMPTY : scanDeps.items;
  scanDeps = undefined;
  return { deps, refs: scanRefs, inline: scanInline };
}

function addDep(k: Key): void {
  scanDeps!.add(k);
}

function visitArg(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof TaskRef) {
    addDep(value.key);
    scanRefs = true;
  } else if (value instanceof Task) {
    for (const d of value.deps) addDep(d);
    scanRefs = true;
    scanInline = true;
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visitArg(value[i]);
  } else if (isPlainContainer(value)) {
    for (const k in value) visitArg(value[k]);
  }
}

/**
 * Replaces every TaskRef in `value` by `lookup(key)` and evaluates inline Tasks, walking arrays and
 * plain objects. Values without references come back unchanged (same object), so literal args
 * cost nothing.
 */
export function substitute(value: unknown, lookup: (key: Key) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof TaskRef) return lookup(value.key);
  if (value instanceof Task) return callTask(value, lookup);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = substitute(v, lookup);
      if (s !== v && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(s);
    }
    return out ?? value;
  }
  if (isPlainContainer(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = value[k];
      const s = substitute(v, lookup);
      if (s !== v) out ??= { ...value };
      if (out !== undefined) out[k] = s;
    }
    return out ?? value;
  }
  return value;
}

/**
 * Runs one task in this thread: substitutes its args, then calls its function. When an inline
 * sub-task returned a Promise, the call waits for it (settle.ts) and returns a Promise.
 */
export function callTask(task: Task, lookup: (key: Key) => unknown): unknown {
  const fn = task.fn as (...a: unknown[]) => unknown;
  if (task.literalArgs) return fn(...(task.args as unknown[]));
  const args = substitute(task.args, lookup) as unknown[];
  return task.inline ? callSettled(fn, args) : fn(...args);
}
