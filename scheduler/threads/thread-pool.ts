/*
 * ThreadPool: a fixed number of worker threads that run batches of tasks (batch-protocol.ts).
 *
 * Each thread has a lifecycle 'running' → 'dead'. submit() encodes a batch for the thread with the
 * fewest outstanding batches (so functions it already knows are not resent) and posts it; the
 * reply is decoded and handed to the batch's callback. Threads are unref'd while idle, so an idle
 * pool never keeps the process alive, and ref'd while they hold work.
 *
 * When a thread dies (process.exit in a task, out of memory, an uncaught error outside a task),
 * the shared progress array tells which batch and task were running: that batch fails with
 * KilledWorker naming the task, the batches queued behind it are resubmitted, and a new thread
 * takes the dead one's place. The pool keeps working.
 *
 * A thread that dies before its entry file has loaded ran nothing: its batches are resubmitted;
 * after three such deaths in a row the pool gives up (local/start-failures.ts), and getThreadPool
 * starts a fresh pool next time.
 */
import type { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { Task } from '../../src/core/graph/task.js';
import { CancelledError, DaskError, KilledWorker } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';
import { decodeReply, encodeBatch, type BatchReply } from '../local/batch-protocol.js';
import type { BatchLookup, BatchOutcome } from '../local/executor.js';
import type { WorkerControl, WorkerData, WorkerInfo } from './worker-control.js';
import { startThread } from './start-thread.js';
import { StartFailures } from '../local/start-failures.js';

type ThreadStatus = 'running' | 'dead';
export type BatchCallback = (outcome: BatchOutcome, workerMs: number) => void;

interface PendingBatch {
  readonly id: number;
  readonly tasks: readonly Task[];
  readonly lookup: BatchLookup;
  readonly done: BatchCallback;
}

class PoolThread {
  status: ThreadStatus = 'running';
  lastError: Error | undefined;
  readonly known = new Set<number>();
  readonly outstanding = new Map<number, PendingBatch>();
  /** The batch abort() stopped this thread for, and the error it fails with. */
  aborted: { readonly id: number; readonly error: Error } | undefined;
  readonly progress = new Int32Array(new SharedArrayBuffer(12));
  readonly worker: Worker;
  readonly threadId: number;
  readonly control: Remote<WorkerControl>;
  constructor(entry: URL, options: ThreadPoolOptions) {
    const { port1, port2 } = new MessageChannel();
    const data: WorkerData = { progress: this.progress, control: port2 };
    this.progress[1] = -1;
    const limits =
      options.maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } };
    this.worker = startThread(entry, { workerData: data, transferList: [port2], ...limits });
    this.worker.unref();
    this.threadId = this.worker.threadId;
    this.control = wrap<WorkerControl>(port1);
    port1.unref();
  }
}

export interface ThreadPoolOptions {
  /** Heap limit of each thread (V8 old generation), in MiB; a task exceeding it ends its thread. */
  readonly maxHeapMb?: number;
}

let nextBatchId = 1;

export class ThreadPool {
  private readonly threads: PoolThread[] = [];
  private readonly entry: URL;
  private closed = false;
  private readonly starts = new StartFailures();

  constructor(
    readonly size: number,
    private readonly options: ThreadPoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new DaskError('DASK_ERR_CONFIG', `numWorkers must be a positive integer, got ${size}`);
    const file = join(packageRoot(), 'dist', 'scheduler', 'threads', 'worker-entry.js');
    if (!existsSync(file))
      throw new DaskError('DASK_ERR_CONFIG', `the thread pool needs the built ${file}; run \`npm run build\` first`);
    this.entry = pathToFileURL(file);
    for (let i = 0; i < size; i++) this.threads.push(this.spawn(i));
  }

  /**
   * Stops batch `id` (a task past its timeout): when it is running, its thread is ended and
   * replaced and the batch fails with `error` (the batches queued behind it run on the new
   * thread); when it is still queued, it fails at once and its result is ignored.
   */
  abort(id: number, error: Error): void {
    for (const t of this.threads) {
      const b = t.outstanding.get(id);
      if (b === undefined) continue;
      if (Atomics.load(t.progress, 0) === id) {
        t.aborted = { id, error };
        void t.worker.terminate();
      } else {
        t.outstanding.delete(id);
        b.done({ results: [], error: { index: 0, error } }, 0);
      }
      return;
    }
  }

  /** Runs `tasks` on the least busy thread; `done` is called exactly once. Returns the batch's id (for abort). */
  submit(tasks: readonly Task[], lookup: BatchLookup, done: BatchCallback): number {
    if (this.closed) throw new CancelledError('the thread pool is closed');
    if (this.starts.refuse(done)) return nextBatchId++;
    let best = this.threads[0]!;
    for (const t of this.threads) if (t.outstanding.size < best.outstanding.size) best = t;
    const batch: PendingBatch = { id: nextBatchId++, tasks, lookup, done };
    const msg = encodeBatch(batch.id, tasks, lookup, best.known);
    if (best.outstanding.size === 0) best.worker.ref();
    best.outstanding.set(batch.id, batch);
    best.worker.postMessage(msg);
    return batch.id;
  }

  /** What each thread reports about itself (via the comlink control plane). */
  info(): Promise<WorkerInfo[]> {
    return Promise.all(this.threads.map((t) => t.control.info()));
  }

  /** Ends every thread; outstanding batches fail with CancelledError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const threads = this.threads.splice(0);
    for (const t of threads) {
      if (t.status === 'dead') continue; // failed to start: already released
      t.status = 'dead';
      for (const b of t.outstanding.values())
        b.done({ results: [], error: { index: 0, error: new CancelledError('the thread pool was closed') } }, 0);
      t.outstanding.clear();
      t.control[releaseProxy]();
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private spawn(slot: number): PoolThread {
    const t = new PoolThread(this.entry, this.options);
    t.worker.on('message', (reply: BatchReply) => this.onReply(t, reply));
    t.worker.on('error', (error: Error) => (t.lastError = error));
    t.worker.on('exit', (code: number) => this.onExit(t, slot, code));
    return t;
  }

  private onReply(t: PoolThread, reply: BatchReply): void {
    const batch = t.outstanding.get(reply.id);
    if (batch === undefined) return;
    t.outstanding.delete(reply.id);
    if (t.outstanding.size === 0) t.worker.unref();
    batch.done(decodeReply(reply), reply.ms);
  }

  private onExit(t: PoolThread, slot: number, code: number): void {
    if (t.status === 'dead') return;
    t.status = 'dead';
    t.control[releaseProxy]();
    const loaded = Atomics.load(t.progress, 2) === 1 || t.aborted !== undefined;
    if (loaded) this.starts.loaded();
    const gaveUp =
      loaded || this.closed ? undefined : this.starts.diedBeforeLoading((n) => this.whyNotStarted(t, code, n));
    if (gaveUp !== undefined) {
      for (const b of t.outstanding.values()) b.done({ results: [], error: { index: 0, error: gaveUp } }, 0);
      t.outstanding.clear();
      if (pools.get(this.size) === this) pools.delete(this.size);
      return;
    }
    const runningBatch = Atomics.load(t.progress, 0);
    const runningTask = Atomics.load(t.progress, 1);
    const orphans: PendingBatch[] = [];
    for (const b of t.outstanding.values()) {
      if (t.aborted?.id === b.id) {
        b.done({ results: [], error: { index: 0, error: t.aborted.error } }, 0);
      } else if (b.id === runningBatch) {
        const key = b.tasks[Math.max(0, runningTask)]?.key ?? '(unknown)';
        const detail =
          t.lastError !== undefined
            ? `${t.lastError.name}: ${t.lastError.message}`
            : `the thread exited with code ${code}`;
        b.done(
          { results: [], error: { index: 0, error: new KilledWorker(key, `worker thread ${t.threadId}`, detail) } },
          0,
        );
      } else {
        orphans.push(b);
      }
    }
    t.outstanding.clear();
    if (this.closed) return;
    this.threads[slot] = this.spawn(slot);
    for (const b of orphans) this.submit(b.tasks, b.lookup, b.done);
  }

  private whyNotStarted(t: PoolThread, code: number, times: number): string {
    const cause =
      t.lastError !== undefined ? `${t.lastError.name}: ${t.lastError.message}` : `it exited with code ${code}`;
    return `worker threads failed to start ${times} times in a row (last: ${cause}). Check the heap limit (maxHeapMb: ${this.options.maxHeapMb ?? 'none'}), the Node options threads take from this process (${JSON.stringify(process.execArgv)}) and the built entry file ${this.entry.href} (\`npm run build\`).`;
  }
}

const pools = new Map<number, ThreadPool>();

/** The shared pool with `size` threads, started on first use. */
export function getThreadPool(size: number): ThreadPool {
  let pool = pools.get(size);
  if (pool === undefined) {
    pool = new ThreadPool(size);
    pools.set(size, pool);
  }
  return pool;
}

/** Closes every shared pool (tests and orderly shutdown). */
export async function closeThreadPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
