/*
 * LocalCluster: a scheduler in this process and `nWorkers` worker processes on this machine
 * (Dask's LocalCluster with processes=True). Workers are child processes running
 * dist/scheduler/distributed/worker-main.js; each reports {ready, address, pid} on its IPC channel
 * and counts as started once the scheduler has registered it.
 *
 * Like Dask's nanny, the cluster restarts a worker that dies unasked (a task that killed it, kill
 * -9), so the cluster keeps its size; scale(n) starts or stops workers (a stopped worker leaves
 * cleanly and the scheduler reschedules its tasks). close() stops every worker, waits for each
 * process to exit (SIGKILL after a grace period), then closes the scheduler: no process and no
 * port is left behind.
 *
 * Worker lifecycle: starting → running → stopping → exited. A worker that exits while
 * starting fails start/scale with its stderr; one that exits while running is replaced.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DaskError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';
import { SchedulerServer, type SchedulerServerOptions } from './server.js';
import type { WorkerOptions } from './worker.js';

export interface LocalClusterOptions {
  /** Worker processes. Default 2 (or the machine's cores / threadsPerWorker). */
  readonly nWorkers?: number;
  /** Threads per worker. Default 1. */
  readonly threadsPerWorker?: number;
  /** Per worker: bytes, or a string like '2GB', '512MiB'. Default: no limit. */
  readonly memoryLimit?: number | string;
  /** Scheduler port; default 0 (a free port). */
  readonly port?: number;
  readonly host?: string;
  /** Accepted for API compatibility; the dashboard is not served yet. */
  readonly dashboardAddress?: string;
  readonly scheduler?: Omit<SchedulerServerOptions, 'host' | 'port'>;
}

export interface LocalWorker {
  readonly name: string;
  readonly address: string;
  readonly pid: number;
}

type WorkerStatus = 'starting' | 'running' | 'stopping' | 'exited';

interface WorkerProcess {
  status: WorkerStatus;
  readonly name: string;
  readonly child: ChildProcess;
  address: string;
  readonly exited: Promise<number | null>;
  stderr: string;
}

const GRACE_MS = 5000;

export class LocalCluster {
  private readonly procs = new Set<WorkerProcess>();
  private counter = 0;
  private status: 'running' | 'closing' | 'closed' = 'running';
  private target: number;

  private constructor(
    readonly server: SchedulerServer,
    private readonly options: LocalClusterOptions,
  ) {
    this.target = 0;
  }

  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const entry = workerEntry();
    if (!existsSync(entry)) throw new DaskError('DASK_ERR_CONFIG', `LocalCluster needs the built ${entry}; run \`npm run build\` first`);
    const server = await SchedulerServer.start({ ...options.scheduler, port: options.port ?? 0, ...(options.host !== undefined ? { host: options.host } : {}) });
    const cluster = new LocalCluster(server, options);
    try {
      await cluster.scale(options.nWorkers ?? 2);
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  }

  get schedulerAddress(): string {
    return this.server.address;
  }

  get token(): string {
    return this.server.token;
  }

  /** Undefined: the dashboard is not served yet. */
  get dashboardLink(): string | undefined {
    return undefined;
  }

  /** The running workers. */
  get workers(): LocalWorker[] {
    return [...this.procs].filter((p) => p.status === 'running').map((p) => ({ name: p.name, address: p.address, pid: p.child.pid ?? -1 }));
  }

  /** Starts or stops workers until `n` run. */
  async scale(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new DaskError('DASK_ERR_CONFIG', `scale(n) needs a whole number of workers, got ${n}`);
    if (this.status !== 'running') throw new DaskError('DASK_ERR_CONFIG', 'the cluster is closed');
    this.target = n;
    const live = [...this.procs].filter((p) => p.status === 'starting' || p.status === 'running');
    if (live.length > n) {
      const extra = live.slice(n).reverse();
      await Promise.all(extra.map((p) => this.stop(p)));
    } else {
      await Promise.all(Array.from({ length: n - live.length }, () => this.spawn()));
    }
  }

  /** Stops every worker and the scheduler; resolves once every process has exited. */
  async close(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'closing';
    await Promise.all([...this.procs].map((p) => this.stop(p)));
    await this.server.close();
    this.status = 'closed';
  }

  private async spawn(): Promise<void> {
    const name = `worker-${this.counter++}`;
    const opts: WorkerOptions = {
      scheduler: this.server.address,
      token: this.server.token,
      name,
      nthreads: this.options.threadsPerWorker ?? 1,
      memoryLimit: parseBytes(this.options.memoryLimit ?? 0),
      ...(this.options.host !== undefined ? { host: this.options.host } : {}),
    };
    const child = fork(workerEntry(), [JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
    const proc: WorkerProcess = {
      status: 'starting', name, child, address: '', stderr: '',
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    child.stderr?.on('data', (d: Buffer) => {
      proc.stderr = (proc.stderr + d.toString('utf8')).slice(-4000);
      if (proc.status === 'running') process.stderr.write(d);
    });
    this.procs.add(proc);
    const ready = new Promise<string>((resolve, reject) => {
      child.on('message', (m: { type?: string; address?: string }) => {
        if (m.type === 'ready' && typeof m.address === 'string') resolve(m.address);
      });
      void proc.exited.then((code) => reject(new DaskError('DASK_ERR_CONFIG', `worker ${name} exited with code ${code} while starting: ${proc.stderr.trim() || '(no output)'}`)));
    });
    void proc.exited.then(() => this.exited(proc));
    const address = await ready;
    proc.address = address;
    if (!this.server.workers().some((w) => w.address === address)) {
      await new Promise<void>((resolve) => {
        const on = (info: { address: string }): void => {
          if (info.address !== address) return;
          this.server.off('worker-added', on);
          resolve();
        };
        this.server.on('worker-added', on);
      });
    }
    if (proc.status === 'starting') proc.status = 'running';
  }

  private async stop(p: WorkerProcess): Promise<void> {
    if (p.status === 'exited') return;
    p.status = 'stopping';
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), GRACE_MS);
    await p.exited;
    clearTimeout(timer);
  }

  /** A worker process ended: forget it, and replace it if nobody asked it to stop. */
  private exited(p: WorkerProcess): void {
    const wasRunning = p.status === 'running';
    p.status = 'exited';
    this.procs.delete(p);
    if (!wasRunning || this.status !== 'running') return;
    const live = [...this.procs].filter((q) => q.status === 'starting' || q.status === 'running').length;
    if (live < this.target) {
      this.spawn().catch((e: unknown) => process.stderr.write(`dask-ts LocalCluster: could not restart a worker: ${e instanceof Error ? e.message : String(e)}\n`));
    }
  }
}

function workerEntry(): string {
  return join(packageRoot(), 'dist', 'scheduler', 'distributed', 'worker-main.js');
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, k: 1e3, m: 1e6, g: 1e9, t: 1e12,
};

/** Bytes from a number or a string like '2GB', '512 MiB', '1.5e9'. */
export function parseBytes(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
  } else {
    const m = /^\s*([0-9.]+(?:e[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    const unit = UNITS[(m?.[2] ?? '').toLowerCase() || 'b'];
    if (m !== null && unit !== undefined && Number.isFinite(Number(m[1]))) return Math.floor(Number(m[1]) * unit);
  }
  throw new DaskError('DASK_ERR_CONFIG', `cannot read ${JSON.stringify(value)} as a number of bytes; write e.g. 2GB, 512MiB or 1e9`);
}
