/*
 * Nanny: the supervisor of one worker process (Dask's Nanny). It forks worker-main.js (with
 * --expose-gc, so the worker can collect after spilling, and glibc malloc thresholds that return
 * freed memory to the system), and
 *   - restarts it when it dies unasked: a signal (kill -9), a task that killed it (exit 70), any
 *     other crash. The scheduler learns of the death from the closed socket and counts it against
 *     the tasks that were running there (allowedFailures);
 *   - watches its resident memory every 100 ms (/proc/PID/statm) and, above `terminate` ×
 *     memoryLimit, kills it and starts a fresh one;
 *   - after exit 76 (the worker lost its scheduler connection) starts it once more, since the
 *     scheduler may only have cut that one connection; if the scheduler is really gone that
 *     worker cannot connect within its death timeout, and the nanny ends with 75; after exit 75
 *     (the scheduler shut down) it ends with 75 at once;
 *   - gives up (ends with 1) when a worker dies before becoming ready three times in a row.
 * Every start that reaches the scheduler is announced as a 'ready' event {address, name, pid}.
 * Lifecycle: starting → running → (restarting → running)* → closing → ended.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { DaskError } from '../../src/core/errors.js';
import { RestartPolicy } from '../local/restart-policy.js';
import { builtEntry, forkEntry } from '../local/spawn-node.js';
import { sendOptions } from './child-process.js';
import { DEFAULT_MEMORY_THRESHOLDS, WORKER_EXIT_CODES, type WorkerOptions } from './worker.js';

export interface WorkerReady {
  readonly address: string;
  readonly name: string;
  readonly pid: number;
}

export interface NannyEvents {
  ready: [WorkerReady];
  /** The worker died or was killed; a new one is starting. */
  restart: [string];
}

type NannyStatus = 'starting' | 'running' | 'restarting' | 'closing' | 'ended';

const PAGE = 4096;
const GRACE_MS = 5000;

export class Nanny extends EventEmitter<NannyEvents> {
  private status: NannyStatus = 'starting';
  private child: ChildProcess | undefined;
  private current: WorkerReady | undefined;
  private readonly restarts = new RestartPolicy();
  /** The last worker exited because it lost its scheduler: one more start decides whether it is gone. */
  private lostScheduler = false;
  private monitor: NodeJS.Timeout | undefined;
  private finish!: (code: number) => void;
  /** Resolves with the exit code the nanny's process should end with. */
  readonly ended: Promise<number>;

  private constructor(
    private readonly options: WorkerOptions,
    private readonly entry: string,
  ) {
    super();
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  /** Starts the worker; resolves once it has joined the scheduler, rejects if it cannot. */
  static async start(options: WorkerOptions): Promise<Nanny> {
    const nanny = new Nanny(options, workerEntry());
    const first = new Promise<void>((resolve, reject) => {
      nanny.once('ready', () => resolve());
      void nanny.ended.then((code) =>
        reject(
          new DaskError(
            'DASK_ERR_CONFIG',
            `the worker could not start (exit ${code}): ${nanny.lastError || '(no output)'}`,
          ),
        ),
      );
    });
    nanny.spawn();
    await first;
    return nanny;
  }

  /** The worker now running, if any. */
  get worker(): WorkerReady | undefined {
    return this.status === 'running' ? this.current : undefined;
  }

  /** Stops the worker (it leaves the scheduler cleanly) and ends. */
  async close(): Promise<void> {
    if (this.status === 'ended') return;
    this.status = 'closing';
    this.stopMonitor();
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    this.end(0);
  }

  private lastError = '';

  private spawn(): void {
    const child = forkEntry(this.entry, {
      stderr: 'pipe',
      serialization: 'json',
      execArgv: ['--expose-gc'],
      // glibc keeps freed chunk memory in its heap once its mmap threshold has grown past the chunk
      // size, so RSS never comes down after spilling; fixed thresholds hand freed blocks back (Dask's
      // nanny sets MALLOC_TRIM_THRESHOLD_ for the same reason).
      env: { MALLOC_TRIM_THRESHOLD_: '65536', MALLOC_MMAP_THRESHOLD_: '65536', ...process.env },
    });
    this.child = child;
    let ready = false;
    this.lastError = '';
    child.stderr?.on('data', (d: Buffer) => {
      this.lastError = (this.lastError + d.toString('utf8')).slice(-4000);
      process.stderr.write(d);
    });
    child.on('message', (m: { type?: string; address?: string; name?: string; pid?: number }) => {
      if (m.type !== 'ready' || typeof m.address !== 'string' || this.child !== child) return;
      ready = true;
      this.restarts.loaded();
      this.lostScheduler = false;
      this.current = { address: m.address, name: m.name ?? '', pid: m.pid ?? child.pid ?? -1 };
      if (this.status === 'starting' || this.status === 'restarting') this.status = 'running';
      this.startMonitor(child);
      this.emit('ready', this.current);
    });
    child.once('exit', (code, signal) => this.exited(child, ready, code, signal));
    sendOptions(child, this.options); // not in argv: they hold the token (child-process.ts)
  }

  private exited(child: ChildProcess, wasReady: boolean, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.stopMonitor();
    if (this.status === 'closing' || this.status === 'ended') return;
    if (code === WORKER_EXIT_CODES.closed) return this.end(0);
    if (code === WORKER_EXIT_CODES['scheduler-closed']) return this.end(WORKER_EXIT_CODES['scheduler-closed']);
    if (wasReady) {
      this.lostScheduler = code === WORKER_EXIT_CODES['scheduler-lost'];
    } else {
      // A worker that never joined: the scheduler is gone (after a lost connection), or starting fails.
      const giveUp = this.restarts.diedBeforeLoading();
      if (this.lostScheduler) return this.end(WORKER_EXIT_CODES['scheduler-closed']);
      if (giveUp) return this.end(code ?? 1);
    }
    this.status = 'restarting';
    this.emit('restart', signal !== null ? `killed by ${signal}` : `exited with code ${code}`);
    this.spawn();
  }

  private startMonitor(child: ChildProcess): void {
    this.stopMonitor();
    const limit = this.options.memoryLimit ?? 0;
    const fraction = { ...DEFAULT_MEMORY_THRESHOLDS, ...this.options.memory }.terminate;
    if (limit <= 0 || fraction === false || child.pid === undefined) return;
    const pid = child.pid;
    this.monitor = setInterval(() => {
      const rss = residentBytes(pid);
      if (rss === undefined || rss <= fraction * limit || this.child !== child) return;
      process.stderr.write(
        `dask-ts nanny: worker ${this.current?.name ?? pid} uses ${mb(rss)} MB, above ${Math.round(fraction * 100)}% of its ${mb(limit)} MB limit: restarting it\n`,
      );
      this.stopMonitor();
      child.kill('SIGKILL');
    }, 100);
    this.monitor.unref();
  }

  private stopMonitor(): void {
    if (this.monitor !== undefined) clearInterval(this.monitor);
    this.monitor = undefined;
  }

  private end(code: number): void {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.stopMonitor();
    this.finish(code);
  }
}

function workerEntry(): string {
  return builtEntry('scheduler/distributed/worker-main.js', 'the nanny');
}

/** Resident set size of a process, from /proc (Linux); undefined when it cannot be read. */
function residentBytes(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * PAGE : undefined;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1e6);
