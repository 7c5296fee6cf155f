/*
 * WorkerPool: a fixed number of workers running batches of tasks (batch-protocol.ts), over any
 * WorkerEndpoint: worker threads (threads/thread-pool.ts), child processes
 * (processes/process-pool.ts), or a fake in tests. The pool owns every decision; endpoints only
 * carry messages.
 *
 * submit() encodes a batch for the worker with the fewest outstanding batches (functions it already
 * knows are not resent) and posts it; the reply is decoded and handed to the batch's callback,
 * exactly once. A worker holds the process open only while it has outstanding batches, so an idle
 * pool never keeps a script alive.
 *
 * Worker lifecycle: 'starting' → 'running' (its entry file loaded) → 'dead'. When a running worker
 * dies (process.exit in a task, out of memory, a signal), the batch it was running fails with
 * KilledWorker naming the task (the endpoint says which task where it can tell; otherwise the
 * oldest outstanding batch was running), a batch stopped by abort() fails with its own error, the
 * batches queued behind it are resubmitted, and a new worker takes its place. A worker that dies
 * while starting ran nothing: its batches are resubmitted, and after three such deaths in a row
 * (restart-policy.ts) the pool is 'broken': every worker is ended and every batch, held or later,
 * fails with a DASK_ERR_CONFIG error naming the cause. Pool lifecycle: 'open' → 'broken' | 'closed'.
 */
import type { Task } from '../../src/core/graph/task.js';
import { CancelledError, DaskError, KilledWorker } from '../../src/core/errors.js';
import { decodeReply, encodeBatch, unsendableArgs, type BatchReply } from './batch-protocol.js';
import type { BatchLookup, BatchOutcome } from './executor.js';
import { RestartPolicy } from './restart-policy.js';
import type { EndpointFactory, WorkerEndpoint } from './worker-endpoint.js';

export type BatchCallback = (outcome: BatchOutcome, workerMs: number) => void;

interface PendingBatch {
  readonly id: number;
  readonly tasks: readonly Task[];
  readonly lookup: BatchLookup;
  readonly done: BatchCallback;
}

type WorkerStatus = 'starting' | 'running' | 'dead';
type PoolStatus = 'open' | 'broken' | 'closed';

class PoolWorker<E extends WorkerEndpoint> {
  status: WorkerStatus = 'starting';
  readonly known = new Set<number>();
  readonly outstanding = new Map<number, PendingBatch>();
  /** The batch abort() stopped this worker for, and the error it fails with. */
  aborted: { readonly id: number; readonly error: Error } | undefined;
  endpoint!: E;
}

export interface WorkerPoolOptions<E extends WorkerEndpoint> {
  readonly spawn: EndpointFactory<E>;
  /** The text of the error the pool gives up with: `last` is the last worker's `why`. */
  readonly whyNotStarted: (last: string, times: number) => string;
}

let nextBatchId = 1;

const failure = (error: unknown): BatchOutcome => ({ results: [], error: { index: 0, error } });

export class WorkerPool<E extends WorkerEndpoint = WorkerEndpoint> {
  private readonly workers: PoolWorker<E>[] = [];
  private status: PoolStatus = 'open';
  /** Set once the pool is broken: every batch fails with it. */
  private brokenWith: DaskError | undefined;
  private readonly restarts = new RestartPolicy();

  constructor(
    readonly size: number,
    private readonly options: WorkerPoolOptions<E>,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new DaskError('DASK_ERR_CONFIG', `numWorkers must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  /** True once the pool gave up on starting workers (a fresh pool may do better). */
  get broken(): boolean {
    return this.status === 'broken';
  }

  /** The live workers' endpoints, in slot order. */
  get endpoints(): E[] {
    return this.workers.filter((w) => w.status !== 'dead').map((w) => w.endpoint);
  }

  /** The endpoint of the worker holding task `key` (sent and not yet answered), if any. */
  holding(key: string): E | undefined {
    for (const w of this.workers) {
      for (const b of w.outstanding.values()) if (b.tasks.some((t) => t.key === key)) return w.endpoint;
    }
    return undefined;
  }

  /** Runs `tasks` on the least busy worker; `done` is called exactly once. Returns the batch's id (for abort). */
  submit(tasks: readonly Task[], lookup: BatchLookup, done: BatchCallback): number {
    if (this.status === 'closed') throw new CancelledError('the worker pool is closed');
    const id = nextBatchId++;
    const broken = this.brokenWith;
    if (broken !== undefined) {
      queueMicrotask(() => done(failure(broken), 0));
      return id;
    }
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.outstanding.size < best.outstanding.size) best = w;
    const msg = encodeBatch(id, tasks, lookup, best.known);
    try {
      best.endpoint.post(msg);
    } catch (error) {
      for (const [f] of msg.defs) best.known.delete(f); // the worker never got them
      throw unsendableArgs(msg, tasks, best.endpoint.rules) ?? error;
    }
    if (best.outstanding.size === 0) best.endpoint.hold(true);
    best.outstanding.set(id, { id, tasks, lookup, done });
    return id;
  }

  /**
   * Stops batch `id` (a task past its timeout): when it is running, its worker is ended and
   * replaced and the batch fails with `error` (the batches queued behind it run on the new
   * worker); when it is still queued, it fails at once and its result is ignored.
   */
  abort(id: number, error: Error): void {
    for (const w of this.workers) {
      const b = w.outstanding.get(id);
      if (b === undefined) continue;
      if (this.runningBatch(w) === id) {
        w.aborted = { id, error };
        w.endpoint.terminate();
      } else {
        this.settle(w, b, failure(error), 0);
      }
      return;
    }
  }

  /** Ends every worker; outstanding batches fail with CancelledError. */
  async close(): Promise<void> {
    if (this.status === 'closed') return;
    this.status = 'closed';
    await this.endAll(new CancelledError('the worker pool was closed'));
  }

  private spawn(slot: number): PoolWorker<E> {
    const w = new PoolWorker<E>();
    w.endpoint = this.options.spawn({
      loaded: () => {
        if (w.status !== 'starting') return;
        w.status = 'running';
        this.restarts.loaded();
      },
      reply: (reply) => this.onReply(w, reply),
      exit: (why) => this.onExit(w, slot, why),
    });
    return w;
  }

  private onReply(w: PoolWorker<E>, reply: BatchReply): void {
    const batch = w.outstanding.get(reply.id);
    if (batch !== undefined) this.settle(w, batch, decodeReply(reply, batch.tasks), reply.ms);
  }

  private settle(w: PoolWorker<E>, batch: PendingBatch, outcome: BatchOutcome, ms: number): void {
    w.outstanding.delete(batch.id);
    if (w.outstanding.size === 0 && w.status !== 'dead') w.endpoint.hold(false);
    batch.done(outcome, ms);
  }

  /** The batch worker `w` is running: as its endpoint tells, else its oldest outstanding one. */
  private runningBatch(w: PoolWorker<E>): number | undefined {
    return w.endpoint.running()?.batch ?? w.outstanding.keys().next().value;
  }

  private onExit(w: PoolWorker<E>, slot: number, why: string): void {
    if (w.status === 'dead') return;
    const loaded = w.status === 'running' || w.aborted !== undefined;
    const running = loaded ? w.endpoint.running() : undefined;
    const runningId = loaded ? this.runningBatch(w) : undefined;
    w.status = 'dead';
    const batches = [...w.outstanding.values()];
    w.outstanding.clear();
    if (this.status !== 'open') {
      for (const b of batches) b.done(failure(this.brokenWith ?? new CancelledError('the worker pool was closed')), 0);
      return;
    }
    if (!loaded && this.restarts.diedBeforeLoading()) {
      this.status = 'broken';
      this.brokenWith = new DaskError('DASK_ERR_CONFIG', this.options.whyNotStarted(why, this.restarts.failedInARow));
      for (const b of batches) b.done(failure(this.brokenWith), 0);
      void this.endAll(this.brokenWith);
      return;
    }
    const orphans: PendingBatch[] = [];
    for (const b of batches) {
      if (w.aborted?.id === b.id) b.done(failure(w.aborted.error), 0);
      else if (b.id === runningId) b.done(failure(this.killed(w, b, running?.task, why)), 0);
      else orphans.push(b);
    }
    this.workers[slot] = this.spawn(slot);
    for (const b of orphans) this.submit(b.tasks, b.lookup, b.done);
  }

  private killed(w: PoolWorker<E>, b: PendingBatch, task: number | undefined, why: string): KilledWorker {
    const known = task !== undefined && task >= 0;
    const key = b.tasks[known ? task : 0]?.key ?? '(unknown)';
    const where = !known && b.tasks.length > 1 ? ` (in a batch of ${b.tasks.length} tasks)` : '';
    return new KilledWorker(key, w.endpoint.label, `${why}${where}`);
  }

  /** Fails every outstanding batch with `error` and ends every worker. */
  private async endAll(error: Error): Promise<void> {
    const workers = this.workers.filter((w) => w.status !== 'dead');
    for (const w of workers) {
      w.status = 'dead';
      for (const b of w.outstanding.values()) b.done(failure(error), 0);
      w.outstanding.clear();
      w.endpoint.terminate();
    }
    await Promise.all(workers.map((w) => w.endpoint.exited));
  }
}
