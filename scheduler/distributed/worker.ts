/*
 * DistributedWorker: one worker of a cluster, the I/O around the pure WorkerState. It
 *   - listens on its own WebSocket endpoint, where peers (workers, clients) get-data and clients
 *     put-data (token checked in the upgrade and in hello, like the scheduler);
 *   - connects to the scheduler, registers, heartbeats, and feeds every scheduler message to
 *     WorkerState, carrying out the Instructions it returns:
 *       execute      decode the args (TaskRefs and inline Tasks come back as themselves, see
 *                    graph-codecs.ts) and run the Task on this worker's ThreadPool, reading
 *                    dependency values from the data store; then executeDone / executeFailed
 *       gather       get-data from the peer (one cached connection per peer), store the values,
 *                    then gatherDone; a dead peer → gatherFailed
 *       send-scheduler, drop-data
 *   - holds the data store (key → value) in this thread; values go to threads as the thread
 *     pool sends any dependency, and to peers as frames (typed arrays and Arrow buffers raw).
 * Memory (Dask's thresholds, fractions of memoryLimit): results live in a DataStore that writes the
 * least recently used ones to `localDirectory` once they pass `target` (managed bytes); a monitor
 * every 100 ms spills more when the process RSS passes `spill`, and pauses the worker (no new task
 * starts; the scheduler is told and assigns elsewhere) above `pause`, resuming below it. The
 * `terminate` threshold is the nanny's (nanny.ts), which watches this process from outside.
 * A pool thread dying under a task (process.exit, out of memory) kills the worker, as it would kill
 * a Dask worker process: the scheduler then reschedules (and counts the death against the task),
 * and `closed` resolves with reason 'fatal'. The scheduler going away stops the worker too.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocketServer } from 'ws';
import { type WebSocket } from 'ws';
import { config } from '../../src/core/config.js';
import { CommError, DaskError, KilledWorker, TaskTimeoutError } from '../../src/core/errors.js';
import { Task, type Key } from '../../src/core/graph/task.js';
import { encodeError } from '../../src/core/serialize/error-codec.js';
import { functionForRef } from '../../src/core/serialize/fn-ref.js';
import { fromFrames } from '../../src/core/serialize/frames.js';
import { decodeValue, encodeValue } from './encoded-value.js';
import { ThreadPool } from '../threads/thread-pool.js';
import { advertisedAddress, checkBind } from './bind.js';
import { acceptHello, Connection, listenWithToken, dial, SCHEDULER_CLOSING, type Link } from './connection.js';
import { ensureGraphCodecs } from './graph-codecs.js';
import {
  FRAME_LIMITS,
  OPS,
  type Address,
  type EncodedValue,
  type GetDataReply,
  type KeyBytes,
  type TaskTiming,
  type WorkerMetrics,
} from './protocol.js';
import type { RunSpec } from './scheduler-records.js';
import { DataStore } from './data-store.js';
import { PeerRequests, type PeerReply } from './peer-requests.js';
import { sizeOf, typeName } from './sizeof.js';
import { WorkerState, type Instruction } from './worker-state.js';

export interface WorkerOptions {
  /** The scheduler's address, e.g. ws://127.0.0.1:8786. */
  readonly scheduler: string;
  readonly token: string;
  /** Threads running tasks. Default 1. */
  readonly nthreads?: number;
  readonly name?: string;
  /** Interface for the peer endpoint. Default 127.0.0.1. */
  readonly host?: string;
  /** Port for the peer endpoint. Default 0 (any free port). */
  readonly port?: number;
  /** Bytes; 0 = no limit. Reported to the scheduler. */
  readonly memoryLimit?: number;
  /** Milliseconds between heartbeats. Default 1000. */
  readonly heartbeatMs?: number;
  /** Keep trying to reach the scheduler this long when starting. Default 10 s. */
  readonly deathTimeoutMs?: number;
  /** Allow a non-loopback `host` (no TLS: the token crosses the network in clear). */
  readonly insecure?: boolean;
  /** Where spilled results go (a subfolder per worker, removed at close). Default: the OS temp folder. */
  readonly localDirectory?: string;
  /** Fractions of memoryLimit; false turns a threshold off. Defaults: DEFAULT_MEMORY_THRESHOLDS. */
  readonly memory?: Partial<MemoryThresholds>;
}

export interface MemoryThresholds {
  /** Managed bytes (results) above which the least recently used results are spilled. */
  readonly target: number | false;
  /** Process RSS above which results are spilled until back under target. */
  readonly spill: number | false;
  /** Process RSS above which no new task starts. */
  readonly pause: number | false;
  /** Process RSS above which the nanny restarts the worker. */
  readonly terminate: number | false;
}
export const DEFAULT_MEMORY_THRESHOLDS: MemoryThresholds = Object.freeze({
  target: 0.6,
  spill: 0.7,
  pause: 0.8,
  terminate: 0.95,
});

/**
 * Fault injection for the failure tests: every get-data answer waits this long, so a test can kill
 * a worker while a peer is fetching from it. Never set outside tests.
 */
const FAULT_SLOW_GET_DATA_MS = Number(process.env.DASK_TS_FAULT_SLOW_GET_DATA_MS ?? 0);

/**
 * Why a worker stopped: close() was called; a task killed its thread; the scheduler shut down
 * (it closed the connection saying so); or the connection to the scheduler was lost otherwise
 * (cut, crashed), after which a nanny tries a new worker in case the scheduler is still there.
 */
export type WorkerEndReason = 'closed' | 'fatal' | 'scheduler-closed' | 'scheduler-lost';
/** Process exit codes of a worker process, by why it ended. */
export const WORKER_EXIT_CODES: Readonly<Record<WorkerEndReason, number>> = {
  closed: 0,
  fatal: 70,
  'scheduler-closed': 75,
  'scheduler-lost': 76,
};

export class DistributedWorker extends EventEmitter {
  readonly address: Address;
  readonly name: string;
  readonly nthreads: number;
  /** Resolves when the worker has stopped, with why. */
  readonly closed: Promise<WorkerEndReason>;
  readonly data: DataStore;
  private readonly memory: MemoryThresholds;
  private readonly memoryLimit: number;
  private monitor: NodeJS.Timeout | undefined;
  private lastCollect = 0;
  /** Bytes of results stored since the memory monitor last looked. */
  private grownSinceCheck = 0;
  /** When metrics() last sampled CPU time, for the CPU share since then. */
  private lastCpu = { at: performance.now(), usage: process.cpuUsage() };
  private readonly state: WorkerState;
  private readonly pool: ThreadPool;
  private scheduler: Connection<'compute-task' | 'free-keys' | 'cancel-compute' | 'steal-request'> | undefined;
  private readonly peers: PeerRequests;
  private readonly inbound = new Set<Link>();
  /** Thread slots not running a task, for task timings (the dashboard's task stream rows). */
  private readonly freeSlots: number[];
  private heartbeat: NodeJS.Timeout | undefined;
  private status: 'running' | 'closing' | 'closed' = 'running';
  private end!: (reason: WorkerEndReason) => void;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly options: WorkerOptions,
    host: string,
  ) {
    super();
    this.address = advertisedAddress(host, (wss.address() as AddressInfo).port);
    this.nthreads = options.nthreads ?? 1;
    this.name = options.name ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.memoryLimit = options.memoryLimit ?? 0;
    // Incoming transfers hold at most a tenth of the memory limit (Dask's memory.transfer), spread over the concurrent gathers.
    const gatherBytes = this.memoryLimit > 0 ? Math.min(50e6, (0.1 * this.memoryLimit) / 4) : 50e6;
    this.state = new WorkerState({
      address: this.address,
      nthreads: this.nthreads,
      gatherBytes,
      validate: config.get('validate'),
    });
    this.memory = { ...DEFAULT_MEMORY_THRESHOLDS, ...options.memory };
    const spillDir = join(
      options.localDirectory ?? tmpdir(),
      `dask-ts-worker-${this.name.replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`,
    );
    const target =
      this.memoryLimit > 0 && this.memory.target !== false ? this.memory.target * this.memoryLimit : Infinity;
    this.data = new DataStore(this.memoryLimit > 0 ? spillDir : undefined, target);
    // Threads collect dropped shared chunks after allocating a sixteenth of the limit (shared-memory.ts).
    if (this.memoryLimit > 0)
      process.env.DASK_TS_SHARED_GC_MB = String(Math.max(4, Math.floor(this.memoryLimit / 16 / 2 ** 20)));
    this.pool = new ThreadPool(this.nthreads);
    this.peers = new PeerRequests({ role: 'worker', token: options.token, id: this.name });
    this.freeSlots = Array.from({ length: this.nthreads }, (_, i) => this.nthreads - 1 - i);
    this.closed = new Promise((resolve) => (this.end = resolve));
    wss.on('connection', (ws) => void this.acceptPeer(ws));
  }

  static async start(options: WorkerOptions): Promise<DistributedWorker> {
    ensureGraphCodecs();
    const nthreads = options.nthreads ?? 1;
    if (!Number.isInteger(nthreads) || nthreads < 1)
      throw new DaskError('DASK_ERR_CONFIG', `nthreads must be a positive integer, got ${nthreads}`);
    const host = options.host ?? '127.0.0.1';
    checkBind(host, options.insecure, 'worker');
    const wss = await listenWithToken('worker', host, options.port ?? 0, options.token, FRAME_LIMITS.maxTotalBytes);
    const worker = new DistributedWorker(wss, options, host);
    try {
      await worker.connect();
    } catch (e) {
      await worker.shutdown('scheduler-lost');
      throw e;
    }
    return worker;
  }

  /** Leaves the cluster: the scheduler reschedules what ran here. */
  async close(): Promise<void> {
    await this.shutdown('closed');
  }

  private async connect(): Promise<void> {
    const deadline = Date.now() + (this.options.deathTimeoutMs ?? 10_000);
    let scheduler: Connection<'compute-task' | 'free-keys' | 'cancel-compute' | 'steal-request'>;
    for (;;) {
      try {
        scheduler = await dial(this.options.scheduler, {
          role: 'worker',
          token: this.options.token,
          id: this.name,
          accept: OPS.schedulerToWorker,
          peer: 'the scheduler',
          timeoutMs: Math.max(1000, deadline - Date.now()),
        });
        break;
      } catch (e) {
        // A refusal (token, version) will not change; an unreachable scheduler may still start.
        if (!(e instanceof CommError) || /refused|token/.test(e.message) || Date.now() + 200 > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.scheduler = scheduler;
    scheduler.onMessage((msg, frames) => this.perform(this.state.handle(msg, frames)));
    scheduler.onClose((code) => void this.shutdown(code === SCHEDULER_CLOSING ? 'scheduler-closed' : 'scheduler-lost'));
    scheduler.send({
      op: 'register-worker',
      address: this.address,
      name: this.name,
      nthreads: this.nthreads,
      memoryLimit: this.options.memoryLimit ?? 0,
      pid: process.pid,
    });
    this.heartbeat = setInterval(
      () => scheduler.send({ op: 'heartbeat', metrics: this.metrics() }),
      this.options.heartbeatMs ?? 1000,
    );
    this.heartbeat.unref();
    if (this.memoryLimit > 0) {
      this.monitor = setInterval(() => this.checkMemory(), 100);
      this.monitor.unref();
    }
  }

  /** What the heartbeat reports: the state machine's counts, the store's bytes, the process RSS. */
  metrics(): WorkerMetrics {
    const m = this.state.metrics();
    const now = performance.now();
    const used = process.cpuUsage(this.lastCpu.usage);
    const cpu =
      now > this.lastCpu.at ? Math.round(((used.user + used.system) / 1000 / (now - this.lastCpu.at)) * 1000) / 10 : 0;
    this.lastCpu = { at: now, usage: process.cpuUsage() };
    return {
      ...m,
      memory: Math.round(this.data.memoryBytes),
      spilled: Math.round(this.data.spilledBytes),
      spillCount: this.data.spillCount,
      rss: process.memoryUsage.rss(),
      paused: this.state.paused,
      cpu,
    };
  }

  /**
   * Results of `bytes` just landed: past a 64th of the limit since the last look, the monitor looks
   * now rather than at its next tick (a few big chunks can cross a threshold within 100 ms); tiny
   * results never pay for reading the process's RSS.
   */
  private grew(bytes: number): void {
    this.grownSinceCheck += bytes;
    if (this.memoryLimit > 0 && this.grownSinceCheck >= this.memoryLimit / 64) this.checkMemory();
  }

  /** The memory monitor: spill above `spill`, pause above `pause`, resume below it. */
  private checkMemory(): void {
    this.grownSinceCheck = 0;
    if (this.status !== 'running') return;
    const limit = this.memoryLimit;
    let rss = process.memoryUsage.rss();
    if (this.memory.spill !== false && rss > this.memory.spill * limit) {
      const goal = this.memory.target === false ? this.memory.spill : this.memory.target;
      const excess = rss - goal * limit;
      const spilled = this.data.spillUntil(Math.max(0, this.data.memoryBytes - excess));
      // Dropped chunks and received buffers are only returned to the system by a collection.
      const now = Date.now();
      if (spilled > 0 || now - this.lastCollect > 500) {
        this.lastCollect = now;
        (globalThis as { gc?: () => void }).gc?.();
        rss = process.memoryUsage.rss();
      }
    }
    if (this.memory.pause !== false) {
      const over = rss > this.memory.pause * limit;
      if (over !== this.state.paused) this.perform(this.state.setPaused(over));
    }
  }

  /** Carries out instructions; `timing` is attached to the task-finished or task-erred of its key. */
  private perform(instructions: readonly Instruction[], timing?: { key: Key; timing: TaskTiming }): void {
    if (this.status !== 'running') return; // closing: nothing new starts, nothing more is sent
    for (const ins of instructions) {
      switch (ins.kind) {
        case 'execute':
          this.execute(ins.key, ins.run);
          break;
        case 'gather':
          void this.gather(ins.worker, ins.keys);
          break;
        case 'send-scheduler':
          this.scheduler?.send(
            timing !== undefined &&
              (ins.msg.op === 'task-finished' || ins.msg.op === 'task-erred') &&
              ins.msg.key === timing.key
              ? { ...ins.msg, timing: timing.timing }
              : ins.msg,
          );
          break;
        case 'drop-data':
          for (const k of ins.keys) this.data.delete(k);
          break;
      }
    }
  }

  private execute(key: Key, run: RunSpec): void {
    let task: Task;
    try {
      const args = fromFrames(run.args.header, run.frames);
      if (!Array.isArray(args))
        throw new DaskError('DASK_ERR_SERIALIZATION', `the args of task ${key} are not an array`);
      task = new Task(key, functionForRef(run.fn), args);
    } catch (e) {
      this.perform(this.state.executeFailed(key, encodeError(e, key)));
      return;
    }
    const thread = this.freeSlots.pop() ?? 0;
    const start = performance.timeOrigin + performance.now();
    let timer: NodeJS.Timeout | undefined;
    const batch = this.pool.submit(
      [task],
      (_i, k) => this.data.get(k),
      (outcome) => {
        if (timer !== undefined) clearTimeout(timer);
        this.freeSlots.push(thread);
        if (this.status !== 'running') return;
        const timing = { key, timing: { start, stop: performance.timeOrigin + performance.now(), thread } };
        const failure = outcome.error;
        if (failure === undefined) {
          const value = outcome.results[0];
          this.data.set(key, value, sizeOf(value));
          this.grew(this.data.nbytesOf(key));
          this.perform(this.state.executeDone(key, this.data.nbytesOf(key), typeName(value)), timing);
        } else if (failure.error instanceof KilledWorker && failure.error.worker.startsWith('worker thread ')) {
          process.stderr.write(`dask-ts worker ${this.name}: ${failure.error.message}; the worker stops\n`);
          void this.shutdown('fatal');
        } else {
          this.perform(this.state.executeFailed(key, encodeError(failure.error, key)), timing);
        }
      },
    );
    // A task past its timeout: its thread is ended (the pool replaces it) and it fails with TaskTimeoutError.
    const timeout = run.timeout;
    if (timeout !== undefined)
      timer = setTimeout(() => this.pool.abort(batch, new TaskTimeoutError(key, timeout)), timeout);
  }

  private async gather(peer: Address, keys: readonly Key[]): Promise<void> {
    let reply: PeerReply<GetDataReply>;
    try {
      reply = await this.peers.getData(peer, keys);
    } catch {
      if (this.status === 'running') this.perform(this.state.gatherFailed(peer, keys));
      return;
    }
    if (this.status !== 'running') return;
    const received = this.store(reply.msg.data, reply.frames);
    this.grew(received.reduce((n, kb) => n + kb.nbytes, 0));
    this.perform(this.state.gatherDone(peer, keys, received));
  }

  private async acceptPeer(ws: WebSocket): Promise<void> {
    const hello = await acceptHello(ws, {
      token: this.options.token,
      roles: ['client', 'worker'],
      role: 'worker',
      id: this.name,
    });
    if (hello === undefined) return;
    const conn = new Connection(ws, `${hello.role} ${hello.id}`, OPS.toWorkerFromPeer);
    this.inbound.add(conn);
    conn.onClose(() => this.inbound.delete(conn));
    conn.onMessage((msg, frames) => {
      if (msg.op === 'get-data') {
        if (FAULT_SLOW_GET_DATA_MS > 0)
          setTimeout(() => this.serveData(conn, msg.id, msg.keys), FAULT_SLOW_GET_DATA_MS);
        else this.serveData(conn, msg.id, msg.keys);
        return;
      }
      const stored = this.store(msg.data, frames);
      this.perform(this.state.putData(stored));
      conn.send({ op: 'put-data-reply', id: msg.id, keys: stored });
    });
  }

  /** Keeps values received from a peer (gathered dependencies, or a client's put-data). */
  private store(data: Readonly<Record<Key, EncodedValue>>, frames: readonly Uint8Array[]): KeyBytes[] {
    const stored: KeyBytes[] = [];
    for (const [k, enc] of Object.entries(data)) {
      const value = decodeValue(enc, frames);
      const kb = keyBytes(k, value);
      this.data.set(k, value, kb.nbytes);
      stored.push(kb);
    }
    return stored;
  }

  /** Answers get-data with the values held here (spilled ones read from disk) and names the rest missing. */
  private serveData(conn: Link, id: number, keys: readonly Key[]): void {
    const data: Record<Key, EncodedValue> = {};
    const out: Uint8Array[] = [];
    const missing: Key[] = [];
    for (const k of keys) {
      if (!this.state.hasValue(k) || !this.data.has(k)) {
        missing.push(k);
        continue;
      }
      data[k] = encodeValue(out, this.data.peek(k));
    }
    try {
      conn.send({ op: 'get-data-reply', id, data, missing }, out);
    } catch (e) {
      // Values too large for one message (over 2 GiB) cannot move yet; the worker stays up and says so.
      process.stderr.write(`dask-ts worker ${this.name}: ${e instanceof Error ? e.message : String(e)}\n`);
      conn.send({ op: 'get-data-reply', id, data: {}, missing: [...keys] });
    }
  }

  private async shutdown(reason: WorkerEndReason): Promise<void> {
    if (this.status !== 'running') return void (await this.closed);
    this.status = 'closing';
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.monitor !== undefined) clearInterval(this.monitor);
    // A fatal stop looks like a crash to the scheduler (no goodbye); a close says goodbye.
    if (reason === 'fatal') this.scheduler?.terminate();
    else this.scheduler?.close(1000, 'the worker is closing');
    this.peers.close('the worker is closing');
    for (const c of this.inbound) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.pool.close();
    this.data.close();
    this.status = 'closed';
    this.end(reason);
    this.emit('closed', reason);
  }
}

function keyBytes(key: Key, value: unknown): KeyBytes {
  return { key, nbytes: sizeOf(value), typeName: typeName(value) };
}
