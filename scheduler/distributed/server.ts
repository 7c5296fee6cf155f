/*
 * SchedulerServer: the distributed scheduler's I/O around the pure SchedulerState. It owns a `ws`
 * server, one Connection per client and per worker, the clock and the timers; every stimulus is
 * handed to the state machine and the Outgoing messages it returns are sent, in order, to the
 * named worker or client connection (dropped if that peer is already gone).
 *
 *   client connects  → addClient(id); its messages → handleClientMessage; it leaves → removeClient
 *   worker connects  → its first message must be register-worker (→ addWorker); then
 *                      handleWorkerMessage; it leaves (socket closed, or silent for workerTtlMs)
 *                      → removeWorker: its tasks are rescheduled, lost results recomputed
 *   every 100 ms     → balance() (work stealing) when there are several workers
 *   every second     → checkWorkerTTL
 *
 * Security (DESIGN.md): binds 127.0.0.1 unless told; the token (random unless given) is checked in
 * the HTTP upgrade before a WebSocket exists and again in hello; a non-loopback bind refuses to
 * start unless `insecure` (there is no TLS here, so the token would cross the network in clear).
 * `schedulerFile` gets {address, token} with mode 0600 for workers on a shared file system.
 * A bug in a handler is logged and the server keeps serving.
 */
import { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import { type WebSocket } from 'ws';
import { config } from '../../src/core/config.js';
import { DaskError } from '../../src/core/errors.js';
import { advertisedAddress, checkBind } from './bind.js';
import { startDashboard, type Dashboard } from './dashboard/start-dashboard.js';
import { DEFAULT_DASHBOARD_PORT } from './dashboard/dashboard-address.js';
import { acceptHello, Connection, listenWithToken, SCHEDULER_CLOSING, type Link } from './connection.js';
import { ensureGraphCodecs } from './graph-codecs.js';
import {
  frameLimits,
  OPS,
  type Address,
  type ClientId,
  type FrameLimits,
  type TaskTiming,
  type WorkerInfo,
} from './protocol.js';
import { isWorkerOutgoing, SchedulerState, type Outgoing, type SchedulerConfig } from './scheduler-state.js';

export interface SchedulerServerOptions extends SchedulerConfig {
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8786; 0 picks a free port. */
  readonly port?: number;
  /** Shared secret every client and worker must present. Default: 32 random bytes, hex. */
  readonly token?: string;
  /** Allow binding a non-loopback interface (the token then travels unencrypted). */
  readonly insecure?: boolean;
  /** Write {address, token} here (mode 0600). */
  readonly schedulerFile?: string;
  /** A worker silent this long is removed. Default 60 s. */
  readonly workerTtlMs?: number;
  /** Message size caps after the handshake (default FRAME_LIMITS: 64 MiB header, 2 GiB - 1 in all, the most ws enforces). */
  readonly frameLimits?: Partial<FrameLimits>;
  /** Serve the dashboard (dashboard/start-dashboard.ts) on this interface and port. */
  readonly dashboard?: { readonly host?: string; readonly port?: number; readonly onPortInUse?: 'fail' | 'free-port' };
}

export interface SchedulerServerEvents {
  /** A worker reported a task done (task-finished or task-erred), with when and on which thread it ran. */
  'task-done': [
    { worker: Address; key: string; status: 'finished' | 'erred'; timing: TaskTiming | undefined; nbytes: number },
  ];
  'worker-added': [WorkerInfo];
  'worker-removed': [Address, string];
  'client-added': [ClientId];
  'client-removed': [ClientId];
}

/** Close code when the scheduler closes a worker's connection on purpose (closeWorker). */
const WORKER_CLOSED_BY_SCHEDULER = 4000;

export class SchedulerServer extends EventEmitter<SchedulerServerEvents> {
  readonly state: SchedulerState;
  readonly address: string;
  readonly token: string;
  private readonly clients = new Map<ClientId, Link>();
  private readonly workerConns = new Map<Address, Link>();
  /** Every open connection, for close(). */
  private readonly links = new Set<Link>();
  private readonly timers: NodeJS.Timeout[] = [];
  private status: 'running' | 'closing' | 'closed' = 'running';
  private readonly limits: FrameLimits;
  private dashboardServer: Dashboard | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    options: SchedulerServerOptions,
    token: string,
    host: string,
  ) {
    super();
    this.state = new SchedulerState({ ...options, validate: options.validate ?? config.get('validate') });
    this.token = token;
    this.limits = frameLimits(options.frameLimits ?? {});
    const port = (wss.address() as AddressInfo).port;
    this.address = advertisedAddress(host, port);
    wss.on('connection', (ws) => void this.accept(ws));
    const ttl = options.workerTtlMs ?? 60_000;
    this.timers.push(setInterval(() => this.checkTtl(ttl), 1000).unref());
    this.timers.push(setInterval(() => this.balance(), 100).unref());
  }

  /** Starts listening; rejects with a clear error for an unsafe bind or a busy port. */
  static async start(options: SchedulerServerOptions = {}): Promise<SchedulerServer> {
    ensureGraphCodecs();
    const host = options.host ?? '127.0.0.1';
    checkBind(host, options.insecure, 'scheduler');
    const token = options.token ?? randomBytes(32).toString('hex');
    const wss = await listenWithToken(
      'scheduler',
      host,
      options.port ?? 8786,
      token,
      frameLimits(options.frameLimits ?? {}).maxTotalBytes,
    );
    const server = new SchedulerServer(wss, options, token, host);
    if (options.dashboard !== undefined) {
      try {
        server.dashboardServer = await startDashboard(server, {
          host: options.dashboard.host ?? '127.0.0.1',
          port: options.dashboard.port ?? DEFAULT_DASHBOARD_PORT,
          ...(options.dashboard.onPortInUse !== undefined ? { onPortInUse: options.dashboard.onPortInUse } : {}),
          ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
        });
      } catch (e) {
        await server.close();
        throw e;
      }
    }
    if (options.schedulerFile !== undefined) {
      try {
        writeSecret(options.schedulerFile, JSON.stringify({ address: server.address, token }));
      } catch (e) {
        await server.close();
        throw new DaskError(
          'DASK_ERR_CONFIG',
          `cannot write the scheduler file ${options.schedulerFile}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    return server;
  }

  /** The dashboard's status page, when one is served. */
  get dashboardLink(): string | undefined {
    return this.dashboardServer?.url;
  }

  /** Registered workers. */
  workers(): WorkerInfo[] {
    return [...this.state.workers.values()].map((ws) => ws.info);
  }

  /** Closes the connection of a worker (Dask's close_worker): it is removed and its tasks rescheduled. */
  closeWorker(address: Address, reason = 'closed by the scheduler'): boolean {
    const conn = this.workerConns.get(address);
    conn?.close(WORKER_CLOSED_BY_SCHEDULER, reason);
    return conn !== undefined;
  }

  /** Stops listening and closes every connection (workers see it and stop on their own). */
  async close(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'closing';
    for (const t of this.timers) clearInterval(t);
    await this.dashboardServer?.close();
    for (const l of this.links) l.close(SCHEDULER_CLOSING, 'the scheduler is closing');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const l of this.links) l.terminate();
    this.status = 'closed';
  }

  private async accept(ws: WebSocket): Promise<void> {
    const hello = await acceptHello(ws, {
      token: this.token,
      roles: ['client', 'worker'],
      role: 'scheduler',
      id: 'scheduler',
      dashboard: this.dashboardLink,
    });
    if (hello === undefined || this.status !== 'running') return;
    if (hello.role === 'client') {
      let id = hello.id;
      while (this.clients.has(id)) id = `${hello.id}-${randomUUID().slice(0, 8)}`;
      const conn = new Connection(ws, `client ${id}`, OPS.clientToScheduler, this.limits);
      this.links.add(conn);
      this.clients.set(id, conn);
      this.dispatch(() => this.state.addClient(id));
      this.emit('client-added', id);
      conn.onMessage((msg, frames) => this.dispatch(() => this.state.handleClientMessage(id, msg, frames)));
      conn.onClose(() => {
        this.links.delete(conn);
        this.clients.delete(id);
        if (this.status === 'running') this.dispatch(() => this.state.removeClient(id));
        this.emit('client-removed', id);
      });
      return;
    }
    const conn = new Connection(ws, `worker ${hello.id}`, OPS.workerToScheduler, this.limits);
    const peer: { address: Address | undefined } = { address: undefined };
    this.links.add(conn);
    conn.onMessage((msg) => {
      if (peer.address === undefined) {
        if (msg.op !== 'register-worker') {
          conn.close(4400, `a worker must send register-worker first, got ${msg.op}`);
          return;
        }
        peer.address = msg.address;
        this.workerConns.get(msg.address)?.close(4409, 'another worker registered at this address');
        this.workerConns.set(msg.address, conn);
        const { op: _op, ...info } = msg;
        this.dispatch(() => this.state.handleWorkerMessage(msg.address, msg, Date.now()));
        this.emit('worker-added', info);
        return;
      }
      const address = peer.address;
      this.dispatch(() => this.state.handleWorkerMessage(address, msg, Date.now()));
      if ((msg.op === 'task-finished' || msg.op === 'task-erred') && this.listenerCount('task-done') > 0) {
        this.emit('task-done', {
          worker: address,
          key: msg.key,
          status: msg.op === 'task-finished' ? 'finished' : 'erred',
          timing: msg.timing,
          nbytes: msg.op === 'task-finished' ? msg.nbytes : 0,
        });
      }
    });
    conn.onClose((code, reason) => {
      this.links.delete(conn);
      const address = peer.address;
      if (address === undefined || this.workerConns.get(address) !== conn) return;
      this.workerConns.delete(address);
      if (this.status !== 'running') return;
      const why = `its connection closed (${code}${reason === '' ? '' : ` ${reason}`})`;
      // A worker saying goodbye (1000) or closed by the scheduler (4000) did not die: its tasks are not suspects.
      const safe = code === 1000 || code === WORKER_CLOSED_BY_SCHEDULER;
      this.dispatch(() => this.state.removeWorker(address, why, safe));
      this.emit('worker-removed', address, why);
    });
  }

  /** Runs a stimulus and sends what it returns; a throw is a bug, logged, and the server goes on. */
  private dispatch(stimulus: () => Outgoing[]): void {
    let out: Outgoing[];
    try {
      out = stimulus();
    } catch (e) {
      process.stderr.write(
        `dask-ts scheduler: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      return;
    }
    for (const o of out) {
      if (isWorkerOutgoing(o)) this.workerConns.get(o.to.id)?.send(o.msg, o.frames);
      else this.clients.get(o.to.id)?.send(o.msg);
    }
  }

  private checkTtl(ttlMs: number): void {
    for (const address of this.state.checkWorkerTTL(Date.now(), ttlMs)) {
      const conn = this.workerConns.get(address);
      this.workerConns.delete(address);
      conn?.terminate();
      const why = `no heartbeat for ${ttlMs} ms`;
      this.dispatch(() => this.state.removeWorker(address, why));
      this.emit('worker-removed', address, why);
    }
  }

  private balance(): void {
    if (this.state.workers.size > 1) this.dispatch(() => this.state.balance());
  }
}

/** Writes `text` to `path` readable by this user only: a fresh 0600 file renamed into place. */
function writeSecret(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
