/*
 * SchedulerCore: the scheduler's data and its transition engine, after Dask's scheduler.py.
 * A stimulus (a message, a worker joining or dying) changes a few records directly, then moves
 * tasks with `transition(task, to, ctx)`. A transition handler (scheduler-transitions.ts) updates
 * the records of one task, appends messages to `out`, and may `recommend` further transitions;
 * `drain` applies recommendations in the order they were made until none is left. A
 * recommendation is dropped when it went stale before its turn (the task left the states it was
 * made for, is needed again, or still waits on a dependency), so handlers may recommend freely.
 * When `${from}->${to}` is not in the table, the engine goes through 'released' if both halves
 * are (as Dask does), e.g. memory->forgotten is memory->released then released->forgotten.
 *
 * `run(body)` wraps every public stimulus: body, drain, fill free worker slots from the root-task
 * queue, flush batched free-keys, validate (when configured), and return the messages.
 * Free-keys are batched per worker, and any pending free-keys for a worker are sent before the next
 * other message to it, so a worker never sees "free k" after a later "compute k".
 */
import type { Key } from '../../src/core/graph/task.js';
import { keyPrefix } from '../../src/core/graph/keys.js';
import type { Address, ClientId, SchedulerToClient, SchedulerToWorker } from './protocol.js';
import { PriorityQueue } from './scheduler-priority-queue.js';
import {
  ACTIVE_STATES,
  type ClientRecord,
  type Outgoing,
  type SchedulerConfig,
  type SchedulerTask,
  type TaskStateName,
  type TransitionContext,
  type WorkerRecord,
} from './scheduler-records.js';
import { TRANSITIONS, type TransitionHandler } from './scheduler-transitions.js';
import { rootWorker } from './scheduler-placement.js';
import { validateScheduler } from './scheduler-validate.js';

export interface LogEntry {
  readonly key: Key;
  readonly from: TaskStateName;
  readonly to: TaskStateName;
}

const NO_CONTEXT: TransitionContext = Object.freeze({});

const handlerFor = (from: TaskStateName, to: TaskStateName): TransitionHandler | undefined =>
  (TRANSITIONS as Readonly<Partial<Record<string, TransitionHandler>>>)[`${from}->${to}`];

/**
 * The states each recommendation is made for. Once the task has left them (a value arrived, it
 * erred, it was forgotten) the recommendation is dropped: e.g. 'processing' recommended when the
 * last dependency arrived means nothing once the task's own value was reported by a worker.
 */
const RECOMMENDED_FROM: Partial<Record<TaskStateName, ReadonlySet<TaskStateName>>> = {
  processing: new Set(['waiting', 'queued', 'no-worker']),
  queued: new Set(['waiting', 'no-worker']),
  'no-worker': new Set(['waiting']),
  waiting: new Set(['released', 'processing', 'no-worker']),
  erred: new Set(['released', 'waiting', 'queued', 'no-worker', 'processing']),
  released: new Set(['memory', 'waiting', 'queued', 'no-worker', 'processing']),
  forgotten: new Set(['released', 'erred']),
};

export class SchedulerCore {
  readonly config: Required<SchedulerConfig>;
  readonly tasks = new Map<Key, SchedulerTask>();
  readonly workers = new Map<Address, WorkerRecord>();
  readonly clients = new Map<ClientId, ClientRecord>();
  /** Root tasks in state queued, most urgent first. */
  readonly queued = new PriorityQueue<SchedulerTask>((t) => t.priority);
  /** Tasks in state no-worker. */
  readonly unrunnable = new Set<SchedulerTask>();
  /** Steal requests awaiting the victim's answer. */
  readonly steals = new Map<SchedulerTask, { readonly victim: WorkerRecord; readonly thief: WorkerRecord }>();
  /** Counts update-graph calls: the second element of every priority. */
  generation = 0;
  private out: Outgoing[] = [];
  /** Recommendations: tasks in the order first recommended, and each one's latest target. */
  private readonly recQueue: SchedulerTask[] = [];
  private readonly recTo = new Map<SchedulerTask, TaskStateName>();
  /** A ring of the last `config.logLength` transitions; `logNext` is where the next one goes. */
  private readonly ring: LogEntry[] = [];
  private logNext = 0;
  private readonly pendingFree = new Map<WorkerRecord, Key[]>();

  /** Mean run time (ms, exponential average) of finished tasks, by key prefix. */
  private readonly durations = new Map<string, number>();

  /** How long tasks like `ts` (same key prefix) have taken, if any finished yet. */
  prefixDuration(ts: SchedulerTask): number | undefined {
    return this.durations.get(keyPrefix(ts.key));
  }

  /** Notes a finished task's run time, for placement. */
  noteDuration(key: Key, ms: number): void {
    if (!(ms >= 0)) return;
    const prefix = keyPrefix(key);
    const old = this.durations.get(prefix);
    this.durations.set(prefix, old === undefined ? ms : 0.8 * old + 0.2 * ms);
  }

  constructor(config: SchedulerConfig = {}) {
    this.config = {
      allowedFailures: config.allowedFailures ?? 3,
      workerSaturation: config.workerSaturation ?? 1.1,
      validate: config.validate ?? false,
      logLength: config.logLength ?? 10_000,
    };
  }

  /** Runs one stimulus and returns the messages it produced. */
  protected run(body: () => void): Outgoing[] {
    body();
    this.drain();
    this.fillQueueSlots();
    for (const ws of [...this.pendingFree.keys()]) this.flushFree(ws);
    if (this.config.validate) validateScheduler(this);
    const out = this.out;
    this.out = [];
    return out;
  }

  // ---- the engine ----

  recommend(ts: SchedulerTask, to: TaskStateName): void {
    if (!this.recTo.has(ts)) this.recQueue.push(ts);
    this.recTo.set(ts, to);
  }

  /** Moves `ts` to `to` now (no staleness check). */
  transition(ts: SchedulerTask, to: TaskStateName, ctx: TransitionContext = NO_CONTEXT): void {
    const from = ts.state;
    if (from === to) return;
    const direct = handlerFor(from, to);
    if (direct !== undefined) {
      direct(this, ts, ctx);
      // A handler may decline (e.g. waiting->processing with no worker recommends no-worker instead).
      if (ts.state !== from) this.logTransition(ts.key, from, ts.state);
      return;
    }
    if (from === 'released' || handlerFor(from, 'released') === undefined || handlerFor('released', to) === undefined) {
      throw new Error(`scheduler: no transition from ${from} to ${to} for task ${ts.key}`);
    }
    this.transition(ts, 'released', ctx);
    if (ts.state === 'released') this.transition(ts, to, ctx);
  }

  drain(): void {
    for (let i = 0; i < this.recQueue.length; i++) {
      const ts = this.recQueue[i]!;
      const to = this.recTo.get(ts)!;
      this.recTo.delete(ts);
      if (!this.isStale(ts, to)) this.transition(ts, to);
    }
    this.recQueue.length = 0;
  }

  private isStale(ts: SchedulerTask, to: TaskStateName): boolean {
    if (!(RECOMMENDED_FROM[to]?.has(ts.state) ?? false)) return true;
    switch (to) {
      case 'released':
        return this.needed(ts) && !(ts.state === 'memory' && ts.whoHas.size === 0);
      case 'forgotten':
        return !this.canForget(ts);
      case 'waiting':
        return ts.state === 'released' && !this.needed(ts);
      case 'processing':
        return ts.state === 'waiting' && ts.waitingOn.size > 0;
      default:
        return false;
    }
  }

  /** The last `config.logLength` transitions, oldest first (a copy). */
  get log(): LogEntry[] {
    return [...this.ring.slice(this.logNext), ...this.ring.slice(0, this.logNext)];
  }

  private logTransition(key: Key, from: TaskStateName, to: TaskStateName): void {
    const n = this.config.logLength;
    if (n <= 0) return;
    if (this.ring.length < n) this.ring.push({ key, from, to });
    else this.ring[this.logNext] = { key, from, to };
    this.logNext = (this.logNext + 1) % n;
  }

  /** Sends queued root tasks to workers with free slots, most urgent first. */
  private fillQueueSlots(): void {
    while (this.queued.size > 0) {
      const ws = rootWorker(this, this.queued.peek());
      if (ws === undefined) return;
      this.transition(this.queued.peek()!, 'processing', { worker: ws });
      this.drain();
    }
  }

  // ---- messages ----

  /** To a worker, if it is still registered. */
  send(ws: WorkerRecord, msg: SchedulerToWorker, frames?: readonly Uint8Array[]): void {
    if (this.workers.get(ws.address) !== ws) return;
    this.flushFree(ws);
    this.out.push(
      frames === undefined || frames.length === 0
        ? { to: { kind: 'worker', id: ws.address }, msg }
        : { to: { kind: 'worker', id: ws.address }, msg, frames },
    );
  }

  tell(client: ClientId, msg: SchedulerToClient): void {
    this.out.push({ to: { kind: 'client', id: client }, msg });
  }

  /** To every client that wants `ts`. */
  report(ts: SchedulerTask, msg: SchedulerToClient): void {
    for (const cs of ts.whoWants) this.tell(cs.id, msg);
  }

  /** Batches a free-keys for `ws` (see the top comment). */
  freeOn(ws: WorkerRecord, key: Key): void {
    if (this.workers.get(ws.address) !== ws) return;
    const keys = this.pendingFree.get(ws);
    if (keys === undefined) this.pendingFree.set(ws, [key]);
    else keys.push(key);
  }

  private flushFree(ws: WorkerRecord): void {
    const keys = this.pendingFree.get(ws);
    if (keys === undefined) return;
    this.pendingFree.delete(ws);
    this.out.push({ to: { kind: 'worker', id: ws.address }, msg: { op: 'free-keys', keys } });
  }

  // ---- bookkeeping shared by transitions and stimuli ----

  /** Somebody needs the result: a client wants it or an active dependent waits for it. */
  needed(ts: SchedulerTask): boolean {
    return ts.whoWants.size > 0 || ts.waiters.size > 0;
  }

  /** Nothing refers to the task any more. */
  canForget(ts: SchedulerTask): boolean {
    return !this.needed(ts) && ts.dependents.size === 0;
  }

  /** `ts` becomes active: it now holds on to its dependencies. */
  enterActive(ts: SchedulerTask): void {
    for (const d of ts.dependencies) d.waiters.add(ts);
  }

  /** `ts` stops being active: dependencies nobody needs any more are released. */
  leaveActive(ts: SchedulerTask): void {
    for (const d of ts.dependencies) {
      d.waiters.delete(ts);
      this.releaseIfUnneeded(d);
    }
  }

  releaseIfUnneeded(ts: SchedulerTask): void {
    if (this.needed(ts)) return;
    if (ts.state === 'memory' || ACTIVE_STATES.has(ts.state)) this.recommend(ts, 'released');
    else if ((ts.state === 'released' || ts.state === 'erred') && ts.dependents.size === 0)
      this.recommend(ts, 'forgotten');
  }

  addReplica(ts: SchedulerTask, ws: WorkerRecord): void {
    if (ts.whoHas.has(ws)) return;
    ts.whoHas.add(ws);
    ws.hasWhat.add(ts);
    ws.nbytes += ts.nbytes;
  }

  removeReplica(ts: SchedulerTask, ws: WorkerRecord): void {
    if (!ts.whoHas.delete(ws)) return;
    ws.hasWhat.delete(ts);
    ws.nbytes -= ts.nbytes;
  }

  /** Puts `ts` in processing on `ws` and sends it there. */
  assign(ts: SchedulerTask, ws: WorkerRecord): void {
    const spec = ts.spec!;
    ts.state = 'processing';
    ts.processingOn = ws;
    ws.processing.add(ts);
    const whoHas: Record<Key, Address[]> = {};
    const nbytes: Record<Key, number> = {};
    for (const d of ts.dependencies) {
      whoHas[d.key] = [...d.whoHas].map((w) => w.address);
      nbytes[d.key] = Math.round(d.nbytes);
    }
    const msg =
      ts.dependencies.size === 0
        ? { op: 'compute-task' as const, key: ts.key, fn: spec.fn, args: spec.args, whoHas, priority: ts.priority }
        : {
            op: 'compute-task' as const,
            key: ts.key,
            fn: spec.fn,
            args: spec.args,
            whoHas,
            nbytes,
            priority: ts.priority,
          };
    this.send(ws, spec.timeout === undefined ? msg : { ...msg, timeout: spec.timeout }, spec.frames);
  }

  /** Takes `ts` off its worker's processing set; returns that worker. */
  unassign(ts: SchedulerTask): WorkerRecord {
    const ws = ts.processingOn!;
    ws.processing.delete(ts);
    ts.processingOn = undefined;
    this.steals.delete(ts);
    return ws;
  }
}
