/*
 * Error classes shared by every layer. Each has a stable `code` (DASK_ERR_...) that tests and users
 * match on, because messages may be improved over time. Errors cross threads, processes and sockets
 * as plain records ({name, message, stack, code, key}, see serialize/error-codec.ts) and are rebuilt
 * here on the other side, so every class can be constructed from such a record.
 */

export type DaskErrorCode =
  | 'DASK_ERR_GRAPH'
  | 'DASK_ERR_TASK'
  | 'DASK_ERR_SERIALIZATION'
  | 'DASK_ERR_KILLED_WORKER'
  | 'DASK_ERR_CANCELLED'
  | 'DASK_ERR_CONFIG'
  | 'DASK_ERR_VALUE'
  | 'DASK_ERR_COMM'
  | 'DASK_ERR_TIMEOUT';

/** Base class of every error dask-ts raises on purpose. */
export class DaskError extends Error {
  readonly code: DaskErrorCode;
  constructor(code: DaskErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'DaskError';
  }
}

/** The graph itself is wrong: a missing dependency, a cycle, a key that is not in the graph. */
export class GraphError extends DaskError {
  /** For a cycle: the keys on it, first key repeated at the end. */
  readonly cycle: readonly string[] | undefined;
  /** For a missing dependency or an unknown key: that key. */
  readonly key: string | undefined;
  constructor(message: string, details: { cycle?: readonly string[]; key?: string } = {}) {
    super('DASK_ERR_GRAPH', message);
    this.name = 'GraphError';
    this.cycle = details.cycle;
    this.key = details.key;
  }
}

/**
 * A task threw. `name` and `message` are the user's own (a `RangeError` stays a `RangeError` in
 * `originalName`), `key` names the task, `stack` is the stack of the thread or process that ran it,
 * and `cause` is the rebuilt original error.
 */
export class TaskError extends DaskError {
  readonly key: string;
  readonly originalName: string;
  constructor(key: string, original: { name: string; message: string; stack?: string | undefined }, cause?: unknown) {
    super('DASK_ERR_TASK', `task ${key} failed: ${original.name}: ${original.message}`, { cause: cause ?? original });
    this.name = 'TaskError';
    this.key = key;
    this.originalName = original.name;
    if (original.stack !== undefined) {
      this.stack = `TaskError: task ${key} failed\n    remote ${original.stack}`;
    }
  }
}

/** A value or function cannot be shipped to another thread, process or machine. */
export class SerializationError extends DaskError {
  constructor(message: string) {
    super('DASK_ERR_SERIALIZATION', message);
    this.name = 'SerializationError';
  }
}

/** A task was running on a worker (thread, process or machine) that died. */
export class KilledWorker extends DaskError {
  readonly key: string;
  readonly worker: string;
  constructor(key: string, worker: string, detail: string) {
    super('DASK_ERR_KILLED_WORKER', `task ${key} was running on ${worker}, which died: ${detail}`);
    this.name = 'KilledWorker';
    this.key = key;
    this.worker = worker;
  }
}

/** The computation was cancelled before it finished. */
export class CancelledError extends DaskError {
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super('DASK_ERR_CANCELLED', message);
    this.name = 'CancelledError';
    this.key = key;
  }
}

/** A bad argument or option from the user, named with its fix. */
export class ValueError extends DaskError {
  constructor(message: string) {
    super('DASK_ERR_VALUE', message);
    this.name = 'ValueError';
  }
}

/** A connection to a scheduler or worker failed, was refused or closed (the reason says which and why). */
export class CommError extends DaskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DASK_ERR_COMM', message, options);
    this.name = 'CommError';
  }
}

/** A task ran longer than the `timeout` it was given; its thread was stopped. */
export class TaskTimeoutError extends DaskError {
  readonly key: string;
  constructor(key: string, timeoutMs: number) {
    super('DASK_ERR_TIMEOUT', `task ${key} ran longer than its timeout of ${timeoutMs} ms and was stopped`);
    this.name = 'TaskTimeoutError';
    this.key = key;
  }
}
