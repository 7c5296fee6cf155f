/*
 * WorkerRuntime: the task-running side of the batch protocol, independent of the transport (a
 * worker thread's port, a child process's IPC channel). It keeps the functions it was sent, by
 * number, resolving each reference once (source evaluated, module imported), runs a batch's
 * tasks in order and replies with their results or the first error.
 *
 * Before each task it writes (batch id, task index) into a small shared progress array, so that
 * if the task kills the thread (process.exit, out of memory) the pool still knows which task did.
 * The index is cleared only when the reply is built, so a task that kills the thread after an
 * await is still blamed on its batch.
 * A task returning a Promise is awaited (the batch then finishes asynchronously), and so is an
 * inline sub-task's Promise before the outer call runs (settle.ts). Results are
 * packed with their plain buffers transferred: the worker does not keep them. A result that cannot
 * travel back (a Symbol, a WeakMap, a function) fails its own task as unsendable
 * (withoutUnsendable), whether packing refuses it here or the transport when the reply is sent.
 */
import type { TaskFunction } from '../../src/core/graph/task.js';
import { callSettled } from '../../src/core/graph/settle.js';
import { resolveFnRef } from '../../src/core/serialize/fn-ref.js';
import { packValue, unpackValue } from '../../src/core/serialize/pack-value.js';
import { encodeError } from '../../src/core/serialize/error-codec.js';
import { describeUnsendable, findUnsendable, type SendRules } from '../../src/core/serialize/unsendable.js';
import { FLAG_INLINE, FLAG_UNPACK, type BatchMessage, type BatchReply, type InlineSpec } from './batch-protocol.js';

type Call = (...args: unknown[]) => unknown;

/** Slots of a worker thread's shared progress array (written here, read by the pool's thread endpoint). */
export const PROGRESS = { batch: 0, task: 1, loaded: 2, length: 3 } as const;

/** A reply and the buffers to transfer with it. */
export interface Outgoing {
  readonly reply: BatchReply;
  readonly transfer: ArrayBuffer[];
}

export class WorkerRuntime {
  private readonly fns: Call[] = [];
  /** Why a function could not be resolved, by number: its tasks fail with this. */
  private readonly broken = new Map<number, unknown>();
  /** Settles when every function sent so far is resolved (undefined when none is loading). */
  private loading: Promise<void> | undefined;
  constructor(private readonly progress: Int32Array | undefined) {}

  /** Number of functions this worker holds. */
  get functionCount(): number {
    return this.fns.filter((f) => f !== undefined).length;
  }

  /**
   * Runs a batch; returns the reply, or a Promise of it when something had to be awaited. Never
   * throws: a function that cannot be resolved fails each task that calls it.
   */
  run(msg: BatchMessage): Outgoing | Promise<Outgoing> {
    const defined = this.define(msg.defs);
    if (defined !== undefined) {
      // Later batches may use these functions without resending them: they wait too.
      const all = this.loading === undefined ? defined : Promise.all([this.loading, defined]).then(() => undefined);
      this.loading = all;
      void all.then(() => {
        if (this.loading === all) this.loading = undefined;
      });
    }
    if (this.loading !== undefined) return this.loading.then(() => this.execute(msg));
    return this.execute(msg);
  }

  private define(defs: BatchMessage['defs']): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const [id, ref] of defs) {
      try {
        const fn = resolveFnRef(ref);
        if (fn instanceof Promise) {
          const settle = fn.then(
            (f: TaskFunction) => void (this.fns[id] = f as Call),
            (error: unknown) => void this.broken.set(id, error),
          );
          (waits ??= []).push(settle);
        } else this.fns[id] = fn as Call;
      } catch (error) {
        this.broken.set(id, error);
      }
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }

  private execute(msg: BatchMessage): Outgoing | Promise<Outgoing> {
    const start = performance.now();
    const n = msg.fns.length;
    const results: unknown[] = new Array<unknown>(n);
    const progress = this.progress;
    const flat = msg.args;
    if (progress !== undefined) progress[PROGRESS.batch] = msg.id;
    let awaiting: Promise<void>[] | undefined;
    let failure: { index: number; error: unknown } | undefined;
    for (let i = 0; i < n; i++) {
      if (progress !== undefined) progress[PROGRESS.task] = i;
      try {
        const flags = msg.flags[i]!;
        const fn = this.fnFor(msg.fns[i]!);
        const a = msg.argStart[i]!;
        const count = msg.argStart[i + 1]! - a;
        let value: unknown;
        if (flags === 0 && count <= 2) {
          value = count === 0 ? fn() : count === 1 ? fn(flat[a]) : fn(flat[a], flat[a + 1]);
        } else {
          let args = flat.slice(a, a + count);
          if (flags & FLAG_UNPACK) args = unpackValue(args) as unknown[];
          if (flags & FLAG_INLINE) args = this.evaluateInline(args) as unknown[];
          value = flags & FLAG_INLINE ? callSettled(fn, args) : fn(...args);
        }
        results[i] = value;
        if (value instanceof Promise) {
          const settle = (value as Promise<unknown>).then(
            (v) => void (results[i] = v),
            (error: unknown) =>
              void (failure = failure !== undefined && failure.index < i ? failure : { index: i, error }),
          );
          (awaiting ??= []).push(settle);
        }
      } catch (error) {
        failure = { index: i, error };
        break;
      }
    }
    if (awaiting === undefined) return this.reply(msg.id, results, failure, start);
    return Promise.all(awaiting).then(() => this.reply(msg.id, results, failure, start));
  }

  private fnFor(id: number): Call {
    const fn = this.fns[id];
    if (fn !== undefined) return fn;
    const why = this.broken.get(id);
    if (why instanceof Error) throw why;
    throw new Error(
      why === undefined
        ? `function #${id} was never sent to this worker`
        : `function #${id} could not be loaded: ${JSON.stringify(why)}`,
    );
  }

  private evaluateInline(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.evaluateInline(v));
    const spec = value as Partial<InlineSpec>;
    if (typeof spec.__daskInline === 'number' && Array.isArray(spec.args)) {
      const args = spec.args.map((v) => this.evaluateInline(v));
      return callSettled(this.fnFor(spec.__daskInline), args);
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.evaluateInline(v);
      return out;
    }
    return value;
  }

  private reply(
    id: number,
    results: unknown[],
    failure: { index: number; error: unknown } | undefined,
    start: number,
  ): Outgoing {
    if (this.progress !== undefined) this.progress[PROGRESS.task] = -1;
    const ms = performance.now() - start;
    const kept = failure === undefined ? results : results.slice(0, failure.index);
    // Empty buffers (Arrow gives each column without nulls an empty validity bitmap) are copied,
    // not transferred: a transfer detaches its ArrayBuffer, and after the first detach in a thread
    // V8 checks for detached buffers on every typed-array access of optimised code (group-by
    // loops ran ~30% slower for the rest of the thread's life). Copying an empty buffer is free.
    let packedAll: ReturnType<typeof packValue>;
    try {
      packedAll = packValue(kept, { transfer: true });
    } catch (error) {
      // A result that cannot be sent (a function, say) fails its own task only.
      const unpacked: BatchReply = { type: 'done', id, results: kept, packed: false, ms };
      return withoutUnsendable({ reply: unpacked, transfer: [] }, 'clone', error);
    }
    const { packed, transfer: all } = packedAll;
    const transfer = all.filter((b) => b.byteLength > 0);
    const base = { type: 'done' as const, id, results: packed as unknown[], packed: packed !== kept, ms };
    if (failure === undefined) return { reply: base, transfer };
    return { reply: { ...base, error: { index: failure.index, record: encodeError(failure.error) } }, transfer };
  }
}

/**
 * `out` after sending it failed with `error`: its results are cut before the first one the
 * transport (`rules`) cannot send, and that task fails as unsendable, naming what stands in the
 * way; the tasks before it keep their results. When no result explains the failure, the batch
 * fails from its first task with `error`. Nothing is transferred: the results kept are copied.
 */
export function withoutUnsendable(out: Outgoing, rules: SendRules, error: unknown): Outgoing {
  const reply = out.reply;
  const results = reply.packed ? (unpackValue(reply.results) as unknown[]) : reply.results;
  for (let i = 0; i < results.length; i++) {
    const found = findUnsendable(results[i], rules);
    if (found === undefined) continue;
    const kept = packValue(results.slice(0, i)).packed as unknown[];
    const failed = { index: i, record: encodeError(error), unsendable: describeUnsendable(found) };
    return { reply: { ...reply, results: kept, packed: true, error: failed }, transfer: [] };
  }
  const failed = { index: 0, record: encodeError(error) };
  return { reply: { ...reply, results: [], packed: false, error: failed }, transfer: [] };
}
