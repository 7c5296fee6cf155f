/*
 * JobCluster: a Dask cluster whose workers are batch jobs (dask-jobqueue's JobQueueCluster);
 * PBSCluster and SLURMCluster give it their BatchSystem (directives, qsub/sbatch, qdel/scancel).
 *
 * The scheduler runs in this process, bound to the address of `interface` (127.0.0.1 without
 * one), and writes {address, token} to the scheduler file (mode 0600) on the shared file system.
 * Each job runs the script of job-script.ts: its workers read that file, so the token never
 * appears in a script or an argv. Nothing starts in the constructor: jobScript() is pure, and the
 * scheduler starts with start(), scale() or adapt().
 *
 * Bookkeeping. A job is submitted (its id parsed from qsub/sbatch output) and is then queued,
 * running once one of its workers has registered (worker names embed the job id), and forgotten
 * once cancelled or finished. `jobs` lists the queued and running ones. A worker may
 * register before qsub has even returned; it is matched to its job when the job is recorded.
 *
 * scale(), adapt()'s ticks and close() run one at a time (a promise chain). Scaling down cancels
 * the surplus: queued jobs first (newest first), then running jobs with the fewest tasks in
 * flight and results held. adapt() cancels only jobs whose workers are idle and hold no results
 * (results are not moved to other workers yet, so shrinking must not lose any). close() cancels
 * every job, closes the scheduler (a worker the cancel has not stopped yet sees it go and exits)
 * and removes the scheduler file. Lifecycles: job-lifecycle.ts. Events: job-submitted,
 * job-cancelled, job-finished, worker-added, worker-removed.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DaskError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';
import { isLoopback } from '../distributed/bind.js';
import type { WorkerInfo } from '../distributed/protocol.js';
import { ACTIVE_STATES } from '../distributed/scheduler-records.js';
import { SchedulerServer } from '../distributed/server.js';
import { AdaptPolicy, type AdaptOptions, type Load } from './adapt.js';
import { runBatchCommand } from './batch-command.js';
import {
  jobSpec,
  renderJobScript,
  workerNamePrefix,
  type BatchSystem,
  type JobClusterOptions,
  type JobSpec,
} from './job-script.js';
import { jobTransition, nextClusterStatus, type ClusterStatus, type JobRecord } from './job-lifecycle.js';
import { interfaceAddress } from './network-interface.js';

export type { ClusterStatus, JobStatus } from './job-lifecycle.js';

/** A worker that joined, and the job it runs in (undefined until that job is recorded). */
export interface JobWorker {
  readonly name: string;
  readonly address: string;
  readonly nthreads: number;
  readonly jobId: string | undefined;
}

export interface JobClusterEvents {
  'job-submitted': [string];
  /** After qdel / scancel returned. */
  'job-cancelled': [string];
  /** All its workers left on their own (walltime, crash). */
  'job-finished': [string];
  'worker-added': [JobWorker];
  'worker-removed': [JobWorker];
}

export class JobCluster extends EventEmitter<JobClusterEvents> {
  readonly spec: JobSpec;
  private statusValue: ClusterStatus = 'created';
  private schedulerServer: SchedulerServer | undefined;
  private starting: Promise<SchedulerServer> | undefined;
  private readonly jobRecords = new Map<string, JobRecord>();
  private readonly joined = new Map<string, JobWorker>();
  private submitted = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private adaptTimer: NodeJS.Timeout | undefined;
  /** 'change' after every worker or job change, for waitForWorkers and close. */
  private readonly changes = new EventEmitter<{ change: [] }>();

  constructor(
    options: JobClusterOptions,
    private readonly system: BatchSystem,
  ) {
    super();
    const name = options.name ?? 'dask-worker';
    const shared = options.logDirectory ?? join(process.cwd(), '.dask-ts');
    const schedulerFile = resolve(
      options.schedulerFile ?? join(shared, `scheduler-${name}-${randomBytes(4).toString('hex')}.json`),
    );
    this.spec = jobSpec(options, { schedulerFile, packageRoot: packageRoot(), node: process.execPath });
  }

  /** The exact script text each job submits. */
  jobScript(): string {
    return renderJobScript(this.spec, this.system);
  }

  get status(): ClusterStatus {
    return this.statusValue;
  }

  /** The scheduler running in this process (after start). */
  get server(): SchedulerServer {
    return this.running();
  }

  get schedulerAddress(): string {
    return this.running().address;
  }

  get token(): string {
    return this.running().token;
  }

  /** Undefined: the dashboard is not served yet. */
  get dashboardLink(): string | undefined {
    return undefined;
  }

  /** Ids of the jobs submitted and not cancelled or finished, oldest first. */
  get jobs(): string[] {
    return this.liveJobs().map((j) => j.id);
  }

  /** The workers that joined and are still connected. */
  get workers(): JobWorker[] {
    return [...this.joined.values()];
  }

  /** Starts the scheduler (scale and adapt do it for you). */
  async start(): Promise<this> {
    this.checkOpen();
    if (this.statusValue === 'running') return this;
    if (this.starting === undefined) {
      this.transition('starting');
      this.starting = this.startScheduler().then(
        (server) => {
          this.schedulerServer = server;
          this.transition('running');
          return server;
        },
        (e: unknown) => {
          this.starting = undefined;
          this.transition('created');
          throw e;
        },
      );
    }
    await this.starting;
    return this;
  }

  /** Submits or cancels jobs: scale({ jobs: 2 }), or scale(n) workers = ceil(n / processes) jobs. Stops adapt(). */
  async scale(target: number | { readonly jobs?: number; readonly workers?: number }): Promise<void> {
    const jobs = this.jobsFor(target);
    this.stopAdapt();
    await this.serial(async () => {
      await this.start();
      await this.scaleTo(jobs);
    });
  }

  /** Scales between minimumJobs and maximumJobs from the scheduler's load, until scale() or close(). */
  adapt(options: AdaptOptions = {}): { stop(): void } {
    const policy = new AdaptPolicy(options);
    this.checkOpen();
    this.stopAdapt();
    const tick = (): void => {
      this.serial(async () => {
        if (this.statusValue === 'closing' || this.statusValue === 'closed') return;
        await this.start();
        const target = policy.decide(this.clusterLoad());
        if (target !== undefined) await this.scaleTo(target, true);
      }).catch((e: unknown) =>
        process.stderr.write(`dask-ts jobqueue: adapt: ${e instanceof Error ? e.message : String(e)}\n`),
      );
    };
    tick();
    const timer = setInterval(tick, policy.intervalMs);
    timer.unref();
    this.adaptTimer = timer;
    return { stop: () => (this.adaptTimer === timer ? this.stopAdapt() : undefined) };
  }

  /** Resolves once at least `n` workers have joined; rejects after `timeoutMs` saying which jobs run. */
  async waitForWorkers(n: number, options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    await this.until(
      () => this.joined.size >= n,
      timeoutMs,
      () => {
        const jobs =
          this.liveJobs()
            .map((j) => `${j.id} (${j.status})`)
            .join(', ') || 'none';
        const logs =
          this.spec.logDirectory === undefined ? `the batch system's default output files` : this.spec.logDirectory;
        return new DaskError(
          'DASK_ERR_CONFIG',
          `${this.joined.size} of ${n} workers joined within ${timeoutMs} ms; jobs: ${jobs}. Their output is in ${logs}`,
        );
      },
    );
  }

  /** Cancels every job (qdel / scancel) and closes the scheduler. */
  async close(): Promise<void> {
    this.stopAdapt();
    if (this.statusValue === 'created') {
      this.transition('closed');
      return;
    }
    await this.serial(async () => {
      if (this.statusValue === 'starting') await this.starting?.catch(() => undefined);
      if (this.statusValue === 'created') this.transition('closed');
      if (this.statusValue !== 'running') return;
      this.transition('closing');
      const live = this.liveJobs();
      if (live.length > 0) {
        await this.cancel(live).catch((e: unknown) =>
          process.stderr.write(`dask-ts jobqueue: close: ${e instanceof Error ? e.message : String(e)}\n`),
        );
      }
      // Workers the cancel has not stopped yet see the scheduler go and exit (code 75).
      await this.schedulerServer?.close();
      this.joined.clear();
      rmSync(this.spec.schedulerFile, { force: true });
      this.transition('closed');
    });
  }

  // ---- scaling ----

  /** Submits or cancels jobs until `n` live; `idleOnly` (adapt) cancels no job whose workers run tasks or hold results. */
  private async scaleTo(n: number, idleOnly = false): Promise<void> {
    const live = this.liveJobs();
    for (let i = live.length; i < n; i++) await this.submit();
    if (live.length <= n) return;
    const candidates = idleOnly ? live.filter((j) => this.load(j) === 0) : live;
    const surplus = this.surplus(candidates, live.length - n);
    if (surplus.length > 0) await this.cancel(surplus);
  }

  /** Tasks running on a job's workers plus results they hold. */
  private load(job: JobRecord): number {
    let n = 0;
    for (const a of job.workers) {
      const w = this.schedulerServer?.state.workers.get(a);
      n += (w?.processing.size ?? 0) + (w?.hasWhat.size ?? 0);
    }
    return n;
  }

  private async submit(): Promise<JobRecord> {
    const dir = mkdtempSync(join(tmpdir(), 'dask-ts-job-'));
    const script = join(dir, `${this.spec.name}.sh`);
    try {
      writeFileSync(script, this.jobScript(), { mode: 0o700 });
      const { stdout } = await runBatchCommand(this.system.submitCommand, this.system.submitArgs(script));
      const id = this.system.parseJobId(stdout);
      if (id === undefined)
        throw new DaskError(
          'DASK_ERR_CONFIG',
          `cannot find a job id in the output of ${this.system.submitCommand}: ${JSON.stringify(stdout.slice(0, 500))}`,
        );
      const job: JobRecord = { id, status: 'queued', workers: new Set(), order: this.submitted++ };
      this.jobRecords.set(id, job);
      for (const w of this.joined.values()) if (w.jobId === undefined) this.attach(w);
      this.changes.emit('change');
      this.emit('job-submitted', id);
      return job;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The `count` jobs to cancel: queued ones first (newest first), then those with the fewest tasks and results. */
  private surplus(live: JobRecord[], count: number): JobRecord[] {
    const ranked = [...live].sort((a, b) => {
      if (a.status !== b.status) return a.status === 'queued' ? -1 : 1;
      return this.load(a) - this.load(b) || b.order - a.order;
    });
    return ranked.slice(0, count);
  }

  private async cancel(jobs: readonly JobRecord[]): Promise<void> {
    for (const j of jobs) {
      jobTransition(j, 'cancelled');
      this.jobRecords.delete(j.id);
    }
    this.changes.emit('change');
    await runBatchCommand(
      this.system.cancelCommand,
      jobs.map((j) => j.id),
    );
    for (const j of jobs) this.emit('job-cancelled', j.id);
  }

  private clusterLoad(): Load {
    let activeTasks = 0;
    for (const t of this.schedulerServer?.state.tasks.values() ?? []) if (ACTIVE_STATES.has(t.state)) activeTasks++;
    return { activeTasks, threadsPerJob: this.spec.cores, jobs: this.liveJobs().length };
  }

  private jobsFor(target: number | { readonly jobs?: number; readonly workers?: number }): number {
    const [n, what, perJob] =
      typeof target === 'number'
        ? [target, 'scale(n)', this.spec.processes]
        : target.jobs !== undefined
          ? [target.jobs, 'scale({ jobs })', 1]
          : [target.workers ?? Number.NaN, 'scale({ workers })', this.spec.processes];
    if (!Number.isInteger(n) || n < 0)
      throw new DaskError('DASK_ERR_CONFIG', `${what} needs a whole number >= 0, got ${JSON.stringify(target)}`);
    return Math.ceil(n / perJob);
  }

  // ---- the scheduler and its workers ----

  private async startScheduler(): Promise<SchedulerServer> {
    const cli = join(this.spec.packageRoot, 'dist', 'scheduler', 'distributed', 'cli.js');
    if (!existsSync(cli))
      throw new DaskError('DASK_ERR_CONFIG', `the jobs run ${cli}, which is not built; run \`npm run build\` first`);
    const host = this.spec.interface === undefined ? '127.0.0.1' : interfaceAddress(this.spec.interface);
    mkdirSync(dirname(this.spec.schedulerFile), { recursive: true, mode: 0o700 });
    if (this.spec.logDirectory !== undefined) mkdirSync(this.spec.logDirectory, { recursive: true });
    // A real interface is not loopback: there is no TLS, so binding it needs `insecure` (the token is still required).
    const server = await SchedulerServer.start({
      host,
      port: 0,
      insecure: !isLoopback(host),
      schedulerFile: this.spec.schedulerFile,
    });
    server.on('worker-added', (info) => this.workerAdded(info));
    server.on('worker-removed', (address) => this.workerRemoved(address));
    return server;
  }

  private workerAdded(info: WorkerInfo): void {
    const worker: JobWorker = { name: info.name, address: info.address, nthreads: info.nthreads, jobId: undefined };
    this.joined.set(info.address, worker);
    this.attach(worker);
    this.changes.emit('change');
    this.emit('worker-added', this.joined.get(info.address) ?? worker);
  }

  /** Links a worker to the recorded job its name belongs to, if any. */
  private attach(worker: JobWorker): void {
    const job = [...this.jobRecords.values()].find((j) =>
      worker.name.startsWith(workerNamePrefix(this.spec.name, j.id)),
    );
    if (job === undefined) return;
    this.joined.set(worker.address, { ...worker, jobId: job.id });
    job.workers.add(worker.address);
    if (job.status === 'queued') jobTransition(job, 'running');
  }

  private workerRemoved(address: string): void {
    const worker = this.joined.get(address);
    this.joined.delete(address);
    const job = worker?.jobId === undefined ? undefined : this.jobRecords.get(worker.jobId);
    if (job !== undefined) {
      job.workers.delete(address);
      if (job.workers.size === 0 && job.status === 'running') {
        jobTransition(job, 'finished');
        this.jobRecords.delete(job.id);
        this.emit('job-finished', job.id);
      }
    }
    this.changes.emit('change');
    if (worker !== undefined) this.emit('worker-removed', worker);
  }

  // ---- plumbing ----

  private liveJobs(): JobRecord[] {
    return [...this.jobRecords.values()]
      .filter((j) => j.status === 'queued' || j.status === 'running')
      .sort((a, b) => a.order - b.order);
  }

  private running(): SchedulerServer {
    if (this.schedulerServer === undefined || this.statusValue !== 'running') {
      throw new DaskError(
        'DASK_ERR_CONFIG',
        `the cluster's scheduler is ${this.statusValue === 'created' ? 'not started: await cluster.start() or cluster.scale(...) first' : this.statusValue}`,
      );
    }
    return this.schedulerServer;
  }

  private checkOpen(): void {
    if (this.statusValue === 'closing' || this.statusValue === 'closed')
      throw new DaskError('DASK_ERR_CONFIG', 'the cluster is closed');
  }

  private stopAdapt(): void {
    if (this.adaptTimer !== undefined) clearInterval(this.adaptTimer);
    this.adaptTimer = undefined;
  }

  /** Runs `fn` after every earlier scale/adapt/close step. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when `done()` holds (checked at every change); rejects with `timeout()` after `ms`. */
  private until(done: () => boolean, ms: number, timeout: () => Error | undefined): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      const check = (): void => {
        if (!done()) return;
        finish();
        resolvePromise();
      };
      const timer = setTimeout(() => {
        finish();
        reject(timeout() ?? new DaskError('DASK_ERR_CONFIG', `timed out after ${ms} ms`));
      }, ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
    });
  }

  private transition(to: ClusterStatus): void {
    this.statusValue = nextClusterStatus(this.statusValue, to);
  }
}
