/*
 * LocalCluster: a scheduler in this process and `nWorkers` workers on this machine (Dask's
 * LocalCluster with processes=True). Each worker runs under a nanny: a child process running
 * dist/scheduler/distributed/nanny-main.js, which starts the worker process, restarts it when it
 * dies or outgrows its memory limit (nanny.ts), and reports {ready, address, name, pid} on its IPC
 * channel every time a worker joins. A worker counts as started once the scheduler registered it.
 *
 * scale(n) starts or stops nannies (a stopped worker leaves cleanly and the scheduler reschedules
 * its tasks); a nanny that dies unasked is replaced. close() stops every nanny (each stops its
 * worker), waits for each process to exit (SIGKILL after a grace period), then closes the
 * scheduler: no process and no port is left behind, and the workers' spill folders are removed.
 * memoryLimit defaults to this machine's memory divided among the workers, as in Dask.
 *
 * Nanny lifecycle: starting → running → stopping → exited. A nanny that exits while starting
 * fails start/scale with its stderr; one that exits while running is replaced.
 */
import type { ChildProcess } from 'node:child_process';
import { totalmem } from 'node:os';
import { DaskError } from '../../src/core/errors.js';
import { checkOptions, optionNames } from '../../src/core/options.js';
import { childExecArgv } from '../local/exec-argv.js';
import { builtEntry, forkEntry } from '../local/spawn-node.js';
import { sendOptions } from './child-process.js';
import { parseDashboardAddress } from './dashboard/dashboard-address.js';
import { SchedulerServer, type SchedulerServerOptions } from './server.js';
import type { MemoryThresholds, WorkerOptions } from './worker.js';

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
  /** The dashboard: ':8787' (the default; another free port if taken), ':0' (any free port), 'host:port', or null for none. */
  readonly dashboardAddress?: string | null;
  readonly scheduler?: Omit<SchedulerServerOptions, 'host' | 'port'>;
  /** Do not print the dashboard link at start. */
  readonly quiet?: boolean;
  /** Where workers spill results (a folder per worker, removed when it closes). Default: the OS temp folder. */
  readonly localDirectory?: string;
  /** Memory thresholds as fractions of memoryLimit (Dask's target 0.6, spill 0.7, pause 0.8, terminate 0.95). */
  readonly memory?: Partial<MemoryThresholds>;
}

const LOCAL_CLUSTER_OPTION_NAMES = optionNames<LocalClusterOptions>({
  nWorkers: true,
  threadsPerWorker: true,
  memoryLimit: true,
  port: true,
  host: true,
  dashboardAddress: true,
  scheduler: true,
  quiet: true,
  localDirectory: true,
  memory: true,
});

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
  /** The worker process the nanny runs now. */
  workerPid: number;
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
    checkOptions(options, LOCAL_CLUSTER_OPTION_NAMES, 'LocalCluster.start()');
    nannyEntry(); // refuses now, before a scheduler starts, when the package is not built
    const dash =
      options.dashboardAddress === null
        ? undefined
        : {
            ...parseDashboardAddress(options.dashboardAddress ?? ':8787', options.host ?? '127.0.0.1'),
            ...(options.dashboardAddress === undefined ? { onPortInUse: 'free-port' as const } : {}),
          };
    const server = await SchedulerServer.start({
      ...options.scheduler,
      port: options.port ?? 0,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(dash !== undefined ? { dashboard: dash } : {}),
    });
    const cluster = new LocalCluster(server, options);
    try {
      await cluster.scale(options.nWorkers ?? 2);
    } catch (e) {
      await cluster.close();
      throw e;
    }
    if (server.dashboardLink !== undefined && options.quiet !== true)
      process.stderr.write(`dask-ts LocalCluster: dashboard at ${server.dashboardLink}\n`);
    return cluster;
  }

  get schedulerAddress(): string {
    return this.server.address;
  }

  get token(): string {
    return this.server.token;
  }

  /** The dashboard's status page (undefined with dashboardAddress: null). */
  get dashboardLink(): string | undefined {
    return this.server.dashboardLink;
  }

  /** The running workers. */
  get workers(): LocalWorker[] {
    return [...this.procs]
      .filter((p) => p.status === 'running')
      .map((p) => ({ name: p.name, address: p.address, pid: p.workerPid }));
  }

  /** Starts or stops workers until `n` run. */
  async scale(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0)
      throw new DaskError('DASK_ERR_CONFIG', `scale(n) needs a whole number of workers, got ${n}`);
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
      memoryLimit: parseBytes(this.options.memoryLimit ?? Math.floor(totalmem() / Math.max(1, this.target))),
      ...(this.options.host !== undefined ? { host: this.options.host, insecure: true } : {}),
      ...(this.options.localDirectory !== undefined ? { localDirectory: this.options.localDirectory } : {}),
      ...(this.options.memory !== undefined ? { memory: this.options.memory } : {}),
    };
    const child = forkEntry(nannyEntry(), { execArgv: childExecArgv(), stderr: 'pipe', serialization: 'json' });
    sendOptions(child, opts); // not in argv: they hold the token
    const proc: WorkerProcess = {
      status: 'starting',
      name,
      child,
      address: '',
      stderr: '',
      workerPid: -1,
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    child.stderr?.on('data', (d: Buffer) => {
      proc.stderr = (proc.stderr + d.toString('utf8')).slice(-4000);
      if (proc.status === 'running') process.stderr.write(d);
    });
    this.procs.add(proc);
    const ready = new Promise<string>((resolve, reject) => {
      child.on('message', (m: { type?: string; address?: string; pid?: number }) => {
        if (m.type !== 'ready' || typeof m.address !== 'string') return;
        proc.address = m.address;
        proc.workerPid = m.pid ?? -1;
        resolve(m.address);
      });
      void proc.exited.then((code) =>
        reject(
          new DaskError(
            'DASK_ERR_CONFIG',
            `worker ${name} exited with code ${code} while starting: ${proc.stderr.trim() || '(no output)'}`,
          ),
        ),
      );
    });
    void proc.exited.then(() => this.exited(proc));
    const address = await ready;
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
    // The nanny stops its worker first; should the worker outlive it anyway (a nanny killed
    // outright), it is not our child any more, so wait for it by polling, then kill it.
    await waitForExit(p.workerPid, GRACE_MS);
  }

  /** A worker process ended: forget it, and replace it if nobody asked it to stop. */
  private exited(p: WorkerProcess): void {
    const wasRunning = p.status === 'running';
    p.status = 'exited';
    this.procs.delete(p);
    if (!wasRunning || this.status !== 'running') return;
    const live = [...this.procs].filter((q) => q.status === 'starting' || q.status === 'running').length;
    if (live < this.target) {
      this.spawn().catch((e: unknown) =>
        process.stderr.write(
          `dask-ts LocalCluster: could not restart a worker: ${e instanceof Error ? e.message : String(e)}\n`,
        ),
      );
    }
  }
}

/** Resolves once process `pid` is gone, killing it after `graceMs`. */
async function waitForExit(pid: number, graceMs: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (pid <= 0) return;
  for (const deadline = Date.now() + graceMs; alive();) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nannyEntry(): string {
  return builtEntry('scheduler/distributed/nanny-main.js', 'LocalCluster');
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
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
  throw new DaskError(
    'DASK_ERR_CONFIG',
    `cannot read ${JSON.stringify(value)} as a number of bytes; write e.g. 2GB, 512MiB or 1e9`,
  );
}
