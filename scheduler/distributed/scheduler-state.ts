/*
 * SchedulerState: the distributed scheduler as a pure state machine (after Dask's scheduler.py).
 * It never does I/O: every stimulus returns the messages to send, as Outgoing {to, msg, frames?}
 * in the order they must be sent. The server owns sockets, clocks and timers and calls:
 *
 *   addClient(id) / removeClient(id)                     a client connected / left (its keys are released)
 *   updateGraph(client, tasks, keys, frames)             tasks as in update-graph; `frames` are the envelope's
 *   releaseKeys(client, keys) / cancel(client, keys, force?)
 *   scatter(client, keys: KeyBytes[], worker)            the client put these keys on `worker` (put-data)
 *   whoHas(keys) → WhoHas                                for who-has (gather)
 *   addWorker(info, now) / removeWorker(address, reason)
 *   taskFinished(worker, key, nbytes, typeName?) / taskErred(worker, key, error)
 *   heartbeat(worker, metrics, now); checkWorkerTTL(now, ttlMs) → addresses to removeWorker
 *   missingData(reporter, key, errantWorker); addKeys(worker, keys); releaseWorkerData(worker, keys)
 *   balance() → steal-requests; stealResponse(worker, key, accepted)
 *   handleClientMessage(client, msg, frames) / handleWorkerMessage(worker, msg, now): dispatchers
 *
 * Task lifecycle: see scheduler-records.ts (states), scheduler-transitions.ts (the table),
 * scheduler-core.ts (engine), scheduler-placement.ts (which worker; root-task queuing),
 * scheduler-stealing.ts, scheduler-validate.ts (invariants, checked when config.validate).
 * Priorities are [-user priority, submission generation, order() rank]: earlier graphs first and,
 * within a graph, Dask's depth-first order. A result lost with its workers is recomputed from its
 * lineage when still needed (released tasks stay known while a dependent exists); a task running
 * on more than `allowedFailures` workers that died errs with KilledWorker.
 * Stimuli about unknown workers or tasks are ignored (they race with removals); an unknown client
 * id is a server bug and throws.
 */
import type { Key } from '../../src/core/graph/task.js';
import { KilledWorker } from '../../src/core/errors.js';
import { encodeError, type ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type {
  Address,
  ClientId,
  ClientToScheduler,
  KeyBytes,
  TaskTiming,
  TaskSpec,
  WhoHas,
  WorkerInfo,
  WorkerMetrics,
  WorkerToScheduler,
} from './protocol.js';
import { SchedulerCore } from './scheduler-core.js';
import { ClientRecord, keyInMemory, SchedulerTask, WorkerRecord, type Outgoing } from './scheduler-records.js';
import { balance, stealResponse } from './scheduler-stealing.js';
import { addGraph } from './scheduler-update-graph.js';
import { comparePriority } from './scheduler-priority-queue.js';
import { validateScheduler } from './scheduler-validate.js';

export type { ClientOutgoing, Outgoing, SchedulerConfig, TaskStateName, WorkerOutgoing } from './scheduler-records.js';
export { isWorkerOutgoing } from './scheduler-records.js';

export class SchedulerState extends SchedulerCore {
  addClient(id: ClientId): Outgoing[] {
    return this.run(() => {
      if (!this.clients.has(id)) this.clients.set(id, new ClientRecord(id));
    });
  }

  /** Releases everything the client wants; tasks nobody needs are forgotten and freed on workers. */
  removeClient(id: ClientId): Outgoing[] {
    return this.run(() => {
      const cs = this.clients.get(id);
      if (cs === undefined) return;
      this.release(cs, [...cs.wantsWhat]);
      this.clients.delete(id);
    });
  }

  /**
   * New tasks (those reachable from `keys` and not already known) are added and scheduled; the
   * client then wants `keys`. Keys already in memory or erred are reported at once.
   */
  updateGraph(
    client: ClientId,
    tasks: readonly TaskSpec[],
    keys: readonly Key[],
    frames: readonly Uint8Array[] = [],
  ): Outgoing[] {
    return this.run(() => addGraph(this, this.client(client), tasks, keys, frames));
  }

  releaseKeys(client: ClientId, keys: readonly Key[]): Outgoing[] {
    const cs = this.client(client);
    return this.run(() => this.release(cs, this.known(keys)));
  }

  /**
   * Cancels keys and, recursively, their dependents that nobody else wants (all of them with
   * `force`): every client wanting a cancelled key is told key-cancelled and stops wanting it;
   * tasks nobody needs any more are released and forgotten.
   */
  cancel(client: ClientId, keys: readonly Key[], force = false): Outgoing[] {
    const cs = this.client(client);
    return this.run(() => {
      const seen = new Set<SchedulerTask>();
      const stack = this.known(keys);
      for (let ts = stack.pop(); ts !== undefined; ts = stack.pop()) {
        if (seen.has(ts)) continue;
        seen.add(ts);
        if (!force && [...ts.whoWants].some((c) => c !== cs)) {
          // Someone else still wants it (and so everything it needs): only this client lets go.
          if (ts.whoWants.has(cs)) this.unwant(ts, cs);
          continue;
        }
        for (const c of [...ts.whoWants]) this.unwant(ts, c);
        for (const d of ts.dependents) stack.push(d);
      }
      for (const ts of seen) this.releaseIfUnneeded(ts);
    });
  }

  private unwant(ts: SchedulerTask, cs: ClientRecord): void {
    ts.whoWants.delete(cs);
    cs.wantsWhat.delete(ts);
    this.tell(cs.id, { op: 'key-cancelled', key: ts.key });
  }

  /** Registers data the client stored on `worker`; the client wants those keys. */
  scatter(client: ClientId, keys: readonly KeyBytes[], worker: Address): Outgoing[] {
    const cs = this.client(client);
    return this.run(() => {
      const ws = this.workers.get(worker);
      for (const { key, nbytes, typeName } of keys) {
        if (ws === undefined) {
          const message = `cannot register scattered key ${key}: worker ${worker} is not registered (it may have died)`;
          this.tell(client, { op: 'task-erred', key, error: { name: 'LostDataError', message, stack: '', key } });
          continue;
        }
        let ts = this.tasks.get(key);
        if (ts === undefined) {
          ts = new SchedulerTask(key, undefined, [0, 0, 0], 0);
          this.tasks.set(key, ts);
        }
        ts.whoWants.add(cs);
        cs.wantsWhat.add(ts);
        if (ts.state === 'memory') {
          this.addReplica(ts, ws);
          this.report(ts, keyInMemory(ts));
        } else {
          this.transition(
            ts,
            'memory',
            typeName === undefined ? { worker: ws, nbytes } : { worker: ws, nbytes, typeName },
          );
        }
      }
    });
  }

  whoHas(keys: readonly Key[]): WhoHas {
    const out: Record<Key, Address[]> = {};
    for (const key of keys) out[key] = [...(this.tasks.get(key)?.whoHas ?? [])].map((ws) => ws.address);
    return out;
  }

  /** A worker joined (an existing registration at the same address is removed first). */
  addWorker(info: WorkerInfo, now: number): Outgoing[] {
    const removed = this.workers.has(info.address) ? this.removeWorker(info.address, 'it registered again') : [];
    return removed.concat(
      this.run(() => {
        this.workers.set(info.address, new WorkerRecord(info, now));
        for (const ts of [...this.unrunnable].sort((a, b) => comparePriority(a.priority, b.priority)))
          this.recommend(ts, 'processing');
      }),
    );
  }

  /**
   * A worker left or died: its tasks are rescheduled (or err with KilledWorker after
   * allowedFailures deaths), and results only it held are recomputed if still needed. A `safe`
   * removal (the worker said goodbye, or the scheduler closed it) does not count against its tasks.
   */
  removeWorker(address: Address, reason: string, safe = false): Outgoing[] {
    return this.run(() => {
      const ws = this.workers.get(address);
      if (ws === undefined) return;
      this.workers.delete(address);
      const lost: SchedulerTask[] = [];
      for (const ts of [...ws.hasWhat]) {
        this.removeReplica(ts, ws);
        if (ts.whoHas.size === 0) lost.push(ts);
      }
      for (const ts of [...ws.processing].sort((a, b) => comparePriority(a.priority, b.priority))) {
        if (!safe) ts.suspicious += 1;
        if (ts.suspicious > this.config.allowedFailures)
          this.transition(ts, 'erred', { error: killedWorkerRecord(ts, address, reason) });
        else this.transition(ts, 'waiting');
      }
      for (const ts of lost) if (ts.state === 'memory') this.transition(ts, 'released');
    });
  }

  taskFinished(worker: Address, key: Key, nbytes: number, typeName?: string, timing?: TaskTiming): Outgoing[] {
    if (timing !== undefined) this.noteDuration(key, timing.stop - timing.start);
    return this.run(() => {
      const ws = this.workers.get(worker);
      if (ws === undefined) return;
      this.valueOn(ws, key, nbytes, typeName);
    });
  }

  /**
   * `ws` holds the value of `key` (task-finished or add-keys). A task still needed and not in
   * memory takes that value wherever it is running or waiting (results are deterministic), so a
   * report that crossed a reschedule is used rather than freed; a value nobody needs is freed.
   */
  private valueOn(ws: WorkerRecord, key: Key, nbytes: number, typeName: string | undefined): void {
    const ts = this.tasks.get(key);
    if (ts?.state === 'memory') this.addReplica(ts, ws);
    else if (
      ts !== undefined &&
      ts.spec !== undefined &&
      (ts.state === 'processing' || ts.state === 'waiting' || ts.state === 'queued' || ts.state === 'no-worker')
    ) {
      this.transition(ts, 'memory', { worker: ws, nbytes, typeName });
    } else this.freeOn(ws, key);
  }

  /** The task failed on `worker`: retried while it has retries left, else erred with its dependents. */
  taskErred(worker: Address, key: Key, error: ErrorRecord): Outgoing[] {
    return this.run(() => {
      const ws = this.workers.get(worker);
      const ts = this.tasks.get(key);
      if (ws === undefined || ts === undefined || ts.state !== 'processing' || ts.processingOn !== ws) return;
      if (ts.retries > 0) {
        ts.retries -= 1;
        this.transition(ts, 'waiting');
      } else {
        this.transition(ts, 'erred', { worker: ws, error });
      }
    });
  }

  /** A worker paused (no new tasks go to it) or runs again (it takes tasks waiting for a worker). */
  workerStatus(worker: Address, status: 'running' | 'paused'): Outgoing[] {
    return this.run(() => {
      const ws = this.workers.get(worker);
      if (ws === undefined || ws.status === status) return;
      ws.status = status;
      if (status === 'running')
        for (const ts of [...this.unrunnable].sort((a, b) => comparePriority(a.priority, b.priority)))
          this.recommend(ts, 'processing');
    });
  }

  heartbeat(worker: Address, metrics: WorkerMetrics, now: number): Outgoing[] {
    const ws = this.workers.get(worker);
    if (ws !== undefined) {
      ws.metrics = metrics;
      ws.lastSeen = now;
    }
    return [];
  }

  /** Workers not heard from for more than `ttlMs`: pass each to removeWorker. */
  checkWorkerTTL(now: number, ttlMs: number): Address[] {
    return [...this.workers.values()].filter((ws) => now - ws.lastSeen > ttlMs).map((ws) => ws.address);
  }

  /**
   * `reporter` could not get `key` from `errantWorker`. That replica is dropped (and freed there);
   * if none is left the key is recomputed, else dependents on `reporter` are sent again with the
   * remaining holders so it fetches from them.
   */
  missingData(reporter: Address, key: Key, errantWorker: Address): Outgoing[] {
    return this.run(() => {
      const ts = this.tasks.get(key);
      const errant = this.workers.get(errantWorker);
      if (ts === undefined || ts.state !== 'memory') return;
      if (errant !== undefined && ts.whoHas.has(errant)) {
        this.removeReplica(ts, errant);
        this.freeOn(errant, key);
      }
      if (ts.whoHas.size === 0) {
        this.transition(ts, 'released');
        return;
      }
      for (const d of ts.dependents)
        if (d.state === 'processing' && d.processingOn?.address === reporter) this.assign(d, d.processingOn);
    });
  }

  /** The worker fetched replicas of these keys. */
  addKeys(worker: Address, keys: readonly KeyBytes[]): Outgoing[] {
    return this.run(() => {
      const ws = this.workers.get(worker);
      if (ws === undefined) return;
      for (const { key, nbytes, typeName } of keys) this.valueOn(ws, key, nbytes, typeName);
    });
  }

  /** The worker dropped these keys on its own. */
  releaseWorkerData(worker: Address, keys: readonly Key[]): Outgoing[] {
    return this.run(() => {
      const ws = this.workers.get(worker);
      if (ws === undefined) return;
      for (const ts of this.known(keys)) {
        this.removeReplica(ts, ws);
        if (ts.state === 'memory' && ts.whoHas.size === 0) this.transition(ts, 'released');
      }
    });
  }

  /** Steal requests moving not-yet-started tasks from overloaded to idle workers. */
  balance(): Outgoing[] {
    return this.run(() => balance(this));
  }

  stealResponse(worker: Address, key: Key, accepted: boolean): Outgoing[] {
    return this.run(() => stealResponse(this, worker, key, accepted));
  }

  /** Handles any client → scheduler message (validated); who-has and get-workers reply to the sender. */
  handleClientMessage(client: ClientId, msg: ClientToScheduler, frames: readonly Uint8Array[] = []): Outgoing[] {
    switch (msg.op) {
      case 'update-graph':
        return this.updateGraph(client, msg.tasks, msg.keys, frames);
      case 'release-keys':
        return this.releaseKeys(client, msg.keys);
      case 'cancel-keys':
        return this.cancel(client, msg.keys, msg.force ?? false);
      case 'who-has':
        return [{ to: { kind: 'client', id: client }, msg: { op: 'who-has-reply', whoHas: this.whoHas(msg.keys) } }];
      case 'scatter':
        return this.scatter(client, msg.keys, msg.worker);
      case 'get-workers':
        return [
          {
            to: { kind: 'client', id: client },
            msg: { op: 'workers', workers: [...this.workers.values()].map((ws) => ws.info) },
          },
        ];
      case 'heartbeat-client':
        return [];
      case 'close-client':
        return this.removeClient(client);
    }
  }

  /** Handles any worker → scheduler message (validated). */
  handleWorkerMessage(worker: Address, msg: WorkerToScheduler, now: number): Outgoing[] {
    switch (msg.op) {
      case 'register-worker': {
        const { op: _op, ...info } = msg;
        return this.addWorker(info, now);
      }
      case 'task-finished':
        return this.taskFinished(worker, msg.key, msg.nbytes, msg.typeName, msg.timing);
      case 'task-erred':
        return this.taskErred(worker, msg.key, msg.error);
      case 'heartbeat':
        return this.heartbeat(worker, msg.metrics, now);
      case 'missing-data':
        return this.missingData(worker, msg.key, msg.errantWorker);
      case 'add-keys':
        return this.addKeys(worker, msg.keys);
      case 'release-worker-data':
        return this.releaseWorkerData(worker, msg.keys);
      case 'steal-response':
        return this.stealResponse(worker, msg.key, msg.accepted);
      case 'worker-status':
        return this.workerStatus(worker, msg.status);
    }
  }

  /** Checks every invariant now (throws on a violation); see scheduler-validate.ts. */
  validate(): void {
    validateScheduler(this);
  }

  private client(id: ClientId): ClientRecord {
    const cs = this.clients.get(id);
    if (cs === undefined) throw new Error(`scheduler: unknown client ${id}; call addClient first`);
    return cs;
  }

  private known(keys: readonly Key[]): SchedulerTask[] {
    const out: SchedulerTask[] = [];
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts !== undefined) out.push(ts);
    }
    return out;
  }

  private release(cs: ClientRecord, tasks: readonly SchedulerTask[]): void {
    for (const ts of tasks) {
      ts.whoWants.delete(cs);
      cs.wantsWhat.delete(ts);
      this.releaseIfUnneeded(ts);
    }
  }
}

function killedWorkerRecord(ts: SchedulerTask, worker: Address, reason: string): ErrorRecord {
  const detail = `${reason}; ${ts.suspicious} workers died while running it (allowedFailures is ${ts.suspicious - 1})`;
  return { ...encodeError(new KilledWorker(ts.key, worker, detail), ts.key), stack: '' };
}
