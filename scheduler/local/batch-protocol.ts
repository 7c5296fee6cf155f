/*
 * The task hot path between the loop and a worker (a thread or a child process): one message
 * per batch of ready tasks, never one per task. All the batch's args travel in one flat array
 * (with offsets), since structured clone pays per object: a thousand one-number arg lists cost
 * far more to clone than one array of a thousand numbers.
 *
 * Functions travel once per worker: the main side numbers every distinct function reference
 * (FnTable) and a batch carries definitions only for the numbers that worker has not seen. A
 * task is then a function number and its args. TaskRefs in args are replaced by the dependency
 * values; inline sub-tasks (fused chains) travel as InlineSpec records the worker evaluates first.
 * Per task, `flags` says whether args need unpacking (codec'd objects such as ndarrays) or hold
 * inline specs, so tasks with plain literal args (the common tiny task) cost a structured clone
 * of a few numbers and nothing else.
 */
import { Task, TaskRef, type Key, type TaskFunction } from '../../src/core/graph/task.js';
import { isPlainContainer } from '../../src/core/graph/plain-container.js';
import { allPrimitive } from '../../src/core/graph/unique-list.js';
import { fnRefOf, type FnRef } from '../../src/core/serialize/fn-ref.js';
import { packValue, unpackValue } from '../../src/core/serialize/pack-value.js';
import { decodeError } from '../../src/core/serialize/error-codec.js';
import { SerializationError } from '../../src/core/errors.js';
import { describeUnsendable, findUnsendable, type SendRules } from '../../src/core/serialize/unsendable.js';
import type { BatchLookup, BatchOutcome } from './executor.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';

export const FLAG_UNPACK = 1;
export const FLAG_INLINE = 2;

/** An inline sub-task inside a shipped task's args. */
export interface InlineSpec {
  readonly __daskInline: number;
  readonly args: unknown[];
}

export interface BatchMessage {
  readonly type: 'batch';
  readonly id: number;
  /** [function number, reference] pairs the worker has not seen yet. */
  readonly defs: readonly (readonly [number, FnRef])[];
  readonly fns: Int32Array;
  readonly flags: Uint8Array;
  /** Every task's args, concatenated: task i's are args[argStart[i] .. argStart[i+1]). */
  readonly argStart: Int32Array;
  readonly args: readonly unknown[];
}

export interface BatchReply {
  readonly type: 'done';
  readonly id: number;
  /** Results in task order; packed (codec records) when `packed` is true. */
  readonly results: unknown[];
  readonly packed: boolean;
  /**
   * The first task that failed. `unsendable` is set instead of a thrown error's record when the
   * task ran but its result could not travel back ("a WeakMap at .cache"); the main side names the
   * task's key in the SerializationError it builds from it.
   */
  readonly error?: { readonly index: number; readonly record: ErrorRecord; readonly unsendable?: string };
  /** Wall time the worker spent on the batch, for batch sizing. */
  readonly ms: number;
}

/** Numbers distinct function references, shared by every pool in this process. */
export class FnTable {
  private readonly byFn = new WeakMap<TaskFunction, number>();
  private readonly byRef = new Map<string, number>();
  readonly refs: FnRef[] = [];

  /** The number of `fn`; throws SerializationError if it cannot be shipped. */
  idOf(fn: TaskFunction): number {
    let id = this.byFn.get(fn);
    if (id !== undefined) return id;
    const ref = fnRefOf(fn);
    const name = ref.kind === 'module' ? `m:${ref.module}#${ref.export}` : `s:${ref.source}`;
    id = this.byRef.get(name);
    if (id === undefined) {
      id = this.refs.length;
      this.refs.push(ref);
      this.byRef.set(name, id);
    }
    this.byFn.set(fn, id);
    return id;
  }
}

export const fnTable = new FnTable();

/**
 * Builds the message for `tasks`, adding definitions for functions not in `known` (which it
 * updates). Nothing is transferred: dependency values stay with the main side (shared memory
 * is shared, anything else is copied by structured clone).
 */
export function encodeBatch(id: number, tasks: readonly Task[], lookup: BatchLookup, known: Set<number>): BatchMessage {
  const defs: (readonly [number, FnRef])[] = [];
  const need = (fn: TaskFunction): number => {
    const f = fnTable.idOf(fn);
    if (!known.has(f)) {
      known.add(f);
      defs.push([f, fnTable.refs[f]!]);
    }
    return f;
  };
  const n = tasks.length;
  const fns = new Int32Array(n);
  const flags = new Uint8Array(n);
  const argStart = new Int32Array(n + 1);
  const args: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const t = tasks[i]!;
    fns[i] = need(t.fn);
    argStart[i] = args.length;
    let taskArgs = t.args;
    if (!(t.literalArgs && allPrimitive(taskArgs))) {
      const state = { inline: false };
      const shipped = shipArgs(taskArgs, (k) => lookup(i, k), need, state);
      taskArgs = packValue(shipped).packed as unknown[];
      flags[i] = (taskArgs !== shipped ? FLAG_UNPACK : 0) | (state.inline ? FLAG_INLINE : 0);
    }
    for (let k = 0; k < taskArgs.length; k++) args.push(taskArgs[k]);
  }
  argStart[n] = args.length;
  return { type: 'batch', id, defs, fns, flags, argStart, args };
}

/** args with TaskRefs replaced by values and inline Tasks by InlineSpecs. */
function shipArgs(
  args: readonly unknown[],
  lookup: (key: Key) => unknown,
  need: (fn: TaskFunction) => number,
  state: { inline: boolean },
): unknown[] {
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof TaskRef) return lookup(v.key);
    if (v instanceof Task) {
      state.inline = true;
      const spec: InlineSpec = { __daskInline: need(v.fn), args: v.args.map(walk) };
      return spec;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainContainer(v)) {
      const out: Record<string, unknown> = {};
      for (const k in v) out[k] = walk(v[k]);
      return out;
    }
    return v;
  };
  return args.map(walk);
}

/** A worker's reply as the outcome the loop expects: results unpacked, the error rebuilt. */
export function decodeReply(reply: BatchReply, tasks: readonly Task[]): BatchOutcome {
  const results = reply.packed ? (unpackValue(reply.results) as unknown[]) : reply.results;
  const failed = reply.error;
  if (failed === undefined) return { results };
  if (failed.unsendable === undefined)
    return { results, error: { index: failed.index, error: decodeError(failed.record) } };
  const key = tasks[failed.index]?.key ?? '(unknown)';
  return { results, error: { index: failed.index, error: unsendableResult(key, failed.unsendable) } };
}

/**
 * Why `msg` (for `tasks`) could not be posted: the first argument the channel's `rules` refuse,
 * as a SerializationError naming its task; undefined when no argument explains the failure.
 */
export function unsendableArgs(
  msg: BatchMessage,
  tasks: readonly Task[],
  rules: SendRules,
): SerializationError | undefined {
  for (let t = 0; t < tasks.length; t++) {
    const found = findUnsendable(msg.args.slice(msg.argStart[t], msg.argStart[t + 1]), rules);
    if (found === undefined) continue;
    return new SerializationError(
      `task ${tasks[t]!.key} has an argument that cannot be sent to its worker: ${describeUnsendable(found)}. ` +
        'Pass plain data, or create the value inside the task',
    );
  }
  return undefined;
}

/** The error of a task whose result could not be sent back from its worker. */
export function unsendableResult(key: Key, what: string): SerializationError {
  return new SerializationError(
    `task ${key} returned a value that cannot be sent back from its worker: ${what}. Return plain data ` +
      '(numbers, strings, arrays, plain objects, typed arrays, Maps, Sets, Dates), or register a codec ' +
      'for the class (registerCodec)',
  );
}
