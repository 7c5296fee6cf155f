/*
 * WorkerState: one worker's task state machine (after Dask's worker_state_machine.py), pure: each
 * stimulus returns Instructions (execute, gather, send-scheduler, drop-data; see
 * worker-state-records.ts) that the runner carries out in order. The runner owns the data store
 * (key → value), the threads and the sockets:
 *
 *   handle(msg, frames)                  any scheduler → worker message (compute-task,
 *                                        free-keys, cancel-compute, steal-request)
 *   gatherDone(peer, requested, received) after a get-data reply (values already stored);
 *                                        requested keys not received count as missing there
 *   gatherFailed(peer, requested)        the peer could not be reached
 *   executeDone(key, nbytes, typeName?)  the value is stored; executeFailed(key, error)
 *   putData(keys)                        a client stored values here (put-data)
 *   setPaused(paused)                    memory above / back below the pause threshold
 *   metrics()                            for the heartbeat;  hasValue(key) to serve get-data
 *
 * Flow: compute-task links the task to its dependencies (creating fetch tasks for those held by
 * peers) and makes it waiting or ready. After every stimulus two loops run. Computing: while a
 * thread is free, the most urgent ready task starts executing. Communicating: fetch tasks, most
 * urgent first, are gathered from the peer holding the most of the wanted keys among peers with
 * fewer than `gathersPerPeer` gathers outstanding, in batches of up to `gatherBatch` keys, with at
 * most `gathersTotal` gathers outstanding. A key a peer lacks is reported to the scheduler
 * (missing-data) and asked of another peer; with none left it is missing until the scheduler
 * sends the task again with current holders. Replicas fetched are announced with one add-keys per
 * stimulus; values dropped are listed in one drop-data at the end of the stimulus.
 */
import type { Key } from '../../src/core/graph/task.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type { Address, ComputeTask, KeyBytes, SchedulerToWorker, WhoHas, WorkerMetrics } from './protocol.js';
import { PriorityQueue, comparePriority } from './scheduler-priority-queue.js';
import type { RunSpec } from './scheduler-records.js';
import { planGathers } from './worker-state-gather.js';
import { WorkerTask, type Instruction, type WorkerStateConfig, type WorkerTaskState } from './worker-state-records.js';
import {
  WORKER_TRANSITIONS,
  type WorkerTransitionContext,
  type WorkerTransitionHandler,
} from './worker-state-transitions.js';
import { validateWorker } from './worker-state-validate.js';

export type { Instruction, WorkerStateConfig, WorkerTaskState } from './worker-state-records.js';

const NO_CONTEXT: WorkerTransitionContext = Object.freeze({});

const handlerFor = (from: WorkerTaskState, to: WorkerTaskState): WorkerTransitionHandler | undefined =>
  (WORKER_TRANSITIONS as Readonly<Partial<Record<string, WorkerTransitionHandler>>>)[`${from}->${to}`];

export class WorkerState {
  readonly config: Required<WorkerStateConfig>;
  readonly tasks = new Map<Key, WorkerTask>();
  readonly ready = new PriorityQueue<WorkerTask>((t) => t.priority);
  /** Tasks in state fetch. */
  readonly fetching = new Set<WorkerTask>();
  /** Tasks in state fetch, filed under each peer holding them (see worker-state-gather.ts). */
  readonly fetchByPeer = new Map<Address, PriorityQueue<WorkerTask>>();
  /** Tasks holding a thread: executing, or cancelled while executing. */
  readonly executing = new Set<WorkerTask>();
  /** Outstanding gathers per peer. */
  readonly gathers = new Map<Address, number>();
  gathersInFlight = 0;
  /** Bytes of the values in memory. */
  memoryBytes = 0;
  /** Paused (memory above the pause threshold): no task starts until resumed. */
  paused = false;
  private out: Instruction[] = [];
  private addKeys: KeyBytes[] = [];
  private drops: Key[] = [];
  /** Pending compute-task dependencies of tasks asked to compute while in flight. */
  private readonly deferredDeps = new Map<WorkerTask, WhoHas>();

  constructor(config: WorkerStateConfig) {
    this.config = {
      gathersPerPeer: 1,
      gathersTotal: 4,
      gatherBatch: 100,
      gatherBytes: 50e6,
      validate: false,
      ...config,
    };
  }

  handle(msg: SchedulerToWorker, frames: readonly Uint8Array[] = []): Instruction[] {
    switch (msg.op) {
      case 'compute-task':
        return this.computeTask(msg, frames);
      case 'free-keys':
        return this.run(() => msg.keys.forEach((k) => this.release(k, false)));
      case 'cancel-compute':
        return this.run(() => this.release(msg.key, true));
      case 'steal-request':
        return this.stealRequest(msg.key);
    }
  }

  computeTask(msg: ComputeTask, frames: readonly Uint8Array[] = []): Instruction[] {
    return this.run(() => {
      const own = msg.args.frames.map((i) => frames[i] ?? new Uint8Array(0));
      const base: RunSpec = {
        fn: msg.fn,
        args: { header: msg.args.header, frames: own.map((_, i) => i) },
        frames: own,
      };
      const run: RunSpec = msg.timeout === undefined ? base : { ...base, timeout: msg.timeout };
      const t = this.taskFor(msg.key, msg.priority);
      t.scheduled = true;
      if (comparePriority(msg.priority, t.priority) !== 0) {
        t.priority = msg.priority;
        if (t.state === 'ready') this.ready.add(t);
      }
      if (t.state === 'memory')
        return this.emit({
          kind: 'send-scheduler',
          msg: {
            op: 'task-finished',
            key: t.key,
            nbytes: t.nbytes,
            ...(t.typeName === undefined ? {} : { typeName: t.typeName }),
          },
        });
      if (t.state === 'executing') return;
      t.run = run;
      if (t.state === 'cancelled' && t.cancelledFrom === 'executing') return this.transition(t, 'executing');
      if (t.state === 'cancelled' || t.state === 'flight') {
        // Being gathered: keep the value if it arrives, else compute it from these dependencies.
        this.transition(t, 'flight');
        this.deferredDeps.set(t, msg.whoHas);
        return;
      }
      if (t.state === 'error') this.transition(t, 'released');
      this.startCompute(t, msg.whoHas, msg.nbytes);
    });
  }

  /** Accepted (and released here) when the task has not started; the answer goes to the scheduler. */
  stealRequest(key: Key): Instruction[] {
    return this.run(() => {
      const t = this.tasks.get(key);
      const accepted = t !== undefined && (t.state === 'waiting' || t.state === 'ready');
      if (accepted) this.release(key, true);
      this.emit({ kind: 'send-scheduler', msg: { op: 'steal-response', key, accepted } });
    });
  }

  gatherDone(peer: Address, requested: readonly Key[], received: readonly KeyBytes[]): Instruction[] {
    return this.run(() => {
      this.gatherEnded(peer);
      const got = new Set<Key>();
      for (const { key, nbytes, typeName } of received) {
        got.add(key);
        const t = this.tasks.get(key);
        if (t?.state === 'memory') continue;
        if (t !== undefined && t.comingFrom === peer && t.state === 'flight') {
          this.deferredDeps.delete(t);
          this.transition(t, 'memory', { nbytes, typeName });
        } else {
          this.drop(key);
          if (t !== undefined && t.comingFrom === peer && t.state === 'cancelled') this.transition(t, 'forgotten');
        }
      }
      for (const key of requested) if (!got.has(key)) this.lostFrom(peer, key);
    });
  }

  gatherFailed(peer: Address, requested: readonly Key[]): Instruction[] {
    return this.run(() => {
      this.gatherEnded(peer);
      for (const key of requested) this.lostFrom(peer, key);
      // Nothing else can come from there either: report those keys too, so the scheduler fixes them.
      for (const t of this.tasks.values()) {
        if (!this.dropPeer(t, peer)) continue;
        this.emit({ kind: 'send-scheduler', msg: { op: 'missing-data', key: t.key, errantWorker: peer } });
        if (t.state === 'fetch' && t.whoHas.size === 0) this.transition(t, 'missing');
      }
    });
  }

  executeDone(key: Key, nbytes: number, typeName?: string): Instruction[] {
    return this.run(() => {
      const t = this.tasks.get(key);
      if (
        t?.state === 'executing' ||
        (t?.state === 'cancelled' && t.cancelledFrom === 'executing' && t.dependents.size > 0)
      ) {
        if (t.state === 'cancelled') this.transition(t, 'executing');
        this.transition(t, 'memory', { nbytes, typeName });
      } else if (t?.state !== 'memory') {
        this.drop(key);
        if (t?.state === 'cancelled' && t.cancelledFrom === 'executing') this.transition(t, 'forgotten');
      }
    });
  }

  executeFailed(key: Key, error: ErrorRecord): Instruction[] {
    return this.run(() => {
      const t = this.tasks.get(key);
      if (t?.state === 'executing') this.transition(t, 'error', { error });
      else if (t?.state === 'cancelled' && t.cancelledFrom === 'executing') this.transition(t, 'forgotten');
    });
  }

  /** Values a client stored here (put-data); the scheduler learns of them from the client's scatter. */
  putData(keys: readonly KeyBytes[]): Instruction[] {
    return this.run(() => {
      for (const { key, nbytes, typeName } of keys) {
        const t = this.taskFor(key, [0]);
        if (t.state === 'executing' || t.state === 'cancelled' || t.state === 'flight') continue;
        if (t.state === 'memory') this.transition(t, 'released');
        t.scheduled = true;
        t.run = undefined;
        this.transition(t, 'memory', { nbytes, typeName });
      }
    });
  }

  /** Pauses or resumes starting tasks, and tells the scheduler (worker-status). */
  setPaused(paused: boolean): Instruction[] {
    return this.run(() => {
      if (this.paused === paused) return;
      this.paused = paused;
      this.emit({ kind: 'send-scheduler', msg: { op: 'worker-status', status: paused ? 'paused' : 'running' } });
    });
  }

  metrics(): WorkerMetrics {
    let executing = 0;
    let inFlight = 0;
    for (const t of this.executing) if (t.state === 'executing') executing += 1;
    for (const t of this.tasks.values())
      if (t.state === 'flight' || (t.state === 'cancelled' && t.cancelledFrom === 'flight')) inFlight += 1;
    return { executing, memory: this.memoryBytes, ready: this.ready.size, inFlight };
  }

  /** True when `key`'s value is in the data store as far as the state machine knows (serve get-data for these). */
  hasValue(key: Key): boolean {
    return this.tasks.get(key)?.state === 'memory';
  }

  validate(): void {
    validateWorker(this);
  }

  // ---- engine (used by the transition handlers) ----

  transition(t: WorkerTask, to: WorkerTaskState, ctx: WorkerTransitionContext = NO_CONTEXT): void {
    const from = t.state;
    if (from === to) return;
    const direct = handlerFor(from, to);
    if (direct !== undefined) return direct(this, t, ctx);
    const first = handlerFor(from, 'released');
    const second = handlerFor('released', to);
    if (from === 'released' || first === undefined || second === undefined)
      throw new Error(`worker ${this.config.address}: no transition from ${from} to ${to} for task ${t.key}`);
    first(this, t, ctx);
    if (t.state === 'released') second(this, t, ctx);
  }

  emit(instruction: Instruction): void {
    this.out.push(instruction);
  }

  drop(key: Key): void {
    this.drops.push(key);
  }

  addKey(t: WorkerTask): void {
    this.addKeys.push(
      t.typeName === undefined
        ? { key: t.key, nbytes: t.nbytes }
        : { key: t.key, nbytes: t.nbytes, typeName: t.typeName },
    );
  }

  /** `t` enters state fetch. */
  enterFetch(t: WorkerTask): void {
    this.fetching.add(t);
    for (const p of t.whoHas) this.fileUnder(p, t);
  }

  /** `t` leaves state fetch. */
  leaveFetch(t: WorkerTask): void {
    this.fetching.delete(t);
    for (const p of t.whoHas) this.unfile(p, t);
  }

  addPeer(t: WorkerTask, peer: Address): void {
    if (peer === this.config.address || t.whoHas.has(peer)) return;
    t.whoHas.add(peer);
    if (t.state === 'fetch') this.fileUnder(peer, t);
  }

  dropPeer(t: WorkerTask, peer: Address): boolean {
    if (!t.whoHas.delete(peer)) return false;
    if (t.state === 'fetch') this.unfile(peer, t);
    return true;
  }

  private fileUnder(peer: Address, t: WorkerTask): void {
    let queue = this.fetchByPeer.get(peer);
    if (queue === undefined) {
      queue = new PriorityQueue<WorkerTask>((x) => x.priority);
      this.fetchByPeer.set(peer, queue);
    }
    queue.add(t);
  }

  private unfile(peer: Address, t: WorkerTask): void {
    const queue = this.fetchByPeer.get(peer);
    if (queue === undefined) return;
    queue.delete(t);
    if (queue.size === 0) this.fetchByPeer.delete(peer);
  }

  /** `t` no longer needs its dependencies (it started, or was released); unneeded ones are forgotten. */
  letGoOfDependencies(t: WorkerTask): void {
    const deps = [...t.dependencies];
    t.dependencies.clear();
    t.waitingFor.clear();
    for (const d of deps) {
      d.dependents.delete(t);
      this.forgetIfUnneeded(d);
    }
  }

  forgetIfUnneeded(t: WorkerTask): void {
    if (t.scheduled || t.dependents.size > 0 || t.state === 'forgotten') return;
    if (t.state === 'executing' || t.state === 'flight') this.transition(t, 'cancelled');
    else if (t.state !== 'cancelled') this.transition(t, 'forgotten');
  }

  // ---- internals ----

  private run(body: () => void): Instruction[] {
    body();
    while (!this.paused && this.executing.size < this.config.nthreads && this.ready.size > 0)
      this.transition(this.ready.pop()!, 'executing');
    planGathers(this);
    if (this.addKeys.length > 0) this.emit({ kind: 'send-scheduler', msg: { op: 'add-keys', keys: this.addKeys } });
    if (this.drops.length > 0) this.emit({ kind: 'drop-data', keys: this.drops });
    this.addKeys = [];
    this.drops = [];
    if (this.config.validate) validateWorker(this);
    const out = this.out;
    this.out = [];
    return out;
  }

  private taskFor(key: Key, priority: readonly number[]): WorkerTask {
    let t = this.tasks.get(key);
    if (t === undefined) {
      t = new WorkerTask(key, priority);
      this.tasks.set(key, t);
    }
    return t;
  }

  /** Links `t` to its dependencies and makes it waiting or ready. */
  private startCompute(t: WorkerTask, whoHas: WhoHas, nbytes: Readonly<Record<Key, number>> = {}): void {
    for (const [key, peers] of Object.entries(whoHas)) {
      if (key === t.key) continue;
      const d = this.taskFor(key, t.priority);
      if (d.state !== 'memory' && nbytes[key] !== undefined) d.nbytes = nbytes[key];
      if (comparePriority(t.priority, d.priority) < 0) {
        // Re-filed under the new priority wherever it is queued.
        if (d.state === 'fetch') this.leaveFetch(d);
        d.priority = t.priority;
        if (d.state === 'fetch') this.enterFetch(d);
      }
      for (const p of peers) this.addPeer(d, p);
      if (d.state !== 'memory' && peers.includes(this.config.address)) {
        // The scheduler thinks the value is here, and it is not: have it drop that replica.
        this.emit({ kind: 'send-scheduler', msg: { op: 'missing-data', key, errantWorker: this.config.address } });
      }
      t.dependencies.add(d);
      d.dependents.add(t);
      if (d.state === 'error') this.transition(d, 'released');
      if (d.state === 'released' || d.state === 'missing') this.transition(d, d.whoHas.size > 0 ? 'fetch' : 'missing');
      else if (d.state === 'cancelled' && d.cancelledFrom === 'flight') this.transition(d, 'flight');
      if (d.state !== 'memory') t.waitingFor.add(d);
    }
    const target: WorkerTaskState = t.waitingFor.size > 0 ? 'waiting' : 'ready';
    if (t.state !== target) this.transition(t, target);
  }

  /**
   * The scheduler no longer wants `key` here. With `computeOnly` (cancel-compute, an accepted
   * steal) a value already in memory is kept.
   */
  private release(key: Key, computeOnly: boolean): void {
    const t = this.tasks.get(key);
    if (t === undefined || (computeOnly && (t.state === 'memory' || t.run === undefined))) return;
    t.scheduled = false;
    t.run = undefined;
    this.deferredDeps.delete(t);
    if (t.state === 'waiting' || t.state === 'ready' || t.state === 'error') {
      this.transition(t, 'released');
      if (t.dependents.size > 0) this.transition(t, t.whoHas.size > 0 ? 'fetch' : 'missing');
    }
    this.forgetIfUnneeded(t);
  }

  private gatherEnded(peer: Address): void {
    const n = (this.gathers.get(peer) ?? 0) - 1;
    if (n > 0) this.gathers.set(peer, n);
    else this.gathers.delete(peer);
    this.gathersInFlight = Math.max(0, this.gathersInFlight - 1);
  }

  /** `peer` did not deliver `key`: report it, then try other peers (or compute it, if asked to). */
  private lostFrom(peer: Address, key: Key): void {
    const t = this.tasks.get(key);
    if (t === undefined || t.comingFrom !== peer) return;
    if (t.state === 'cancelled') return this.transition(t, 'forgotten');
    if (t.state !== 'flight') return;
    this.dropPeer(t, peer);
    this.emit({ kind: 'send-scheduler', msg: { op: 'missing-data', key, errantWorker: peer } });
    const deps = this.deferredDeps.get(t);
    if (t.run !== undefined && deps !== undefined) {
      this.deferredDeps.delete(t);
      this.transition(t, 'missing');
      this.transition(t, 'released');
      this.startCompute(t, deps);
      return;
    }
    this.transition(t, t.whoHas.size > 0 ? 'fetch' : 'missing');
  }
}
