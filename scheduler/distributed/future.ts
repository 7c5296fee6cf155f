/*
 * Future: a handle on one key of a cluster, held by the client that made it (Dask's Future).
 * Its status follows the scheduler's reports: pending → finished | error | cancelled, and back to
 * pending when a finished result is lost with its worker and is being recomputed.
 *
 * The client counts the live Futures of every key; when the last one is released (explicitly with
 * release(), or when it is garbage-collected, through a FinalizationRegistry) the client tells the
 * scheduler it no longer wants the key, so the cluster can forget it. While someone awaits a
 * Future's result or exception, the pending promise holds the Future itself: in
 * `client.submit(f, x).result()` nothing else does, and a collection mid-wait would release the
 * key and cancel the very wait.
 *
 * A Future is deliberately not a thenable: every Promise that resolves to a thenable adopts its
 * value, so `await client.scatter(x)` or an async function returning a Future could never hand the
 * Future itself back. Await `future.result()` instead.
 */
import type { Key } from '../../src/core/graph/task.js';

export type FutureStatus = 'pending' | 'finished' | 'error' | 'cancelled';

/** What a Future needs of its client. */
export interface FutureHost {
  statusOf(key: Key): FutureStatus;
  /** Resolves when the key is no longer pending. */
  settled(key: Key): Promise<void>;
  resultOf(key: Key): Promise<unknown>;
  exceptionOf(key: Key): Promise<Error | undefined>;
  cancelKeys(keys: readonly Key[]): Promise<void>;
  retain(key: Key): void;
  release(key: Key): void;
}

const BRAND = Symbol.for('dask-ts/Future');

/** `promise`, keeping `future` reachable until it settles (through the handler's closure). */
function holding<P>(future: Future, promise: Promise<P>): Promise<P> {
  return promise.finally(() => future.key);
}

const finalizer = new FinalizationRegistry<{ host: FutureHost; key: Key }>(({ host, key }) => host.release(key));

export class Future<T = unknown> {
  readonly [BRAND] = true;
  private released = false;

  constructor(
    readonly key: Key,
    private readonly host: FutureHost,
  ) {
    host.retain(key);
    finalizer.register(this, { host, key }, this);
  }

  /** True for a Future from any copy of this module (realm-safe). */
  static isFuture(value: unknown): value is Future {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[BRAND] === true;
  }

  get status(): FutureStatus {
    return this.host.statusOf(this.key);
  }

  /** True once the key is finished, erred or cancelled. */
  done(): boolean {
    return this.status !== 'pending';
  }

  /** The value, fetched from the worker holding it; rejects with the task's error (TaskError, KilledWorker, CancelledError). */
  result(): Promise<T> {
    return holding(this, this.host.resultOf(this.key) as Promise<T>);
  }

  /** The error the task ended with, or undefined once it finished; waits until it is done. */
  exception(): Promise<Error | undefined> {
    return holding(this, this.host.exceptionOf(this.key));
  }

  /** Cancels the task and, recursively, what depends on it. */
  cancel(): Promise<void> {
    return this.host.cancelKeys([this.key]);
  }

  /** Lets go of the key now rather than at garbage collection. */
  release(): void {
    if (this.released) return;
    this.released = true;
    finalizer.unregister(this);
    this.host.release(this.key);
  }

  /** Futures of the same key hash alike (see tokenize.ts). */
  __daskTokenize(): string {
    return `future:${this.key}`;
  }

  toString(): string {
    return `Future(${this.key}, ${this.status})`;
  }
}
