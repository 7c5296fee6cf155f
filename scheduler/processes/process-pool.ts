/*
 * ProcessPool: a fixed number of child processes running batches of tasks (the processes
 * scheduler). It mirrors ThreadPool: batches go to the child with the fewest outstanding, replies
 * are decoded and handed to their callbacks, idle children do not keep the parent alive, and a
 * child that dies is replaced. A child runs its batches in order, so when one dies the oldest
 * outstanding batch is the one that was running: it fails with KilledWorker naming its first task
 * (batches of long tasks hold one task each), and the batches queued behind it are resubmitted.
 *
 * Children start with the parent's Node options minus its main-program flags (local/exec-argv.ts;
 * loader hooks such as tsx are kept, so a child can import a user's `.ts` module). A child that
 * exits before saying it has loaded ran nothing: its batches are resubmitted; after three such
 * exits in a row the pool gives up (local/start-failures.ts), and getProcessPool starts a fresh
 * pool next time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../../src/core/graph/task.js';
import { CancelledError, DaskError, KilledWorker } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';
import { decodeReply, encodeBatch, type BatchReply } from '../local/batch-protocol.js';
import type { BatchLookup, BatchOutcome } from '../local/executor.js';
import { dropNodeFlags, MAIN_PROGRAM_FLAGS } from '../local/exec-argv.js';
import { StartFailures } from '../local/start-failures.js';
import { fromWire, isReady, toWire, type ReadyMessage, type WireMessage } from './process-messages.js';

type Callback = (outcome: BatchOutcome, workerMs: number) => void;

interface PendingBatch {
  readonly id: number;
  readonly tasks: readonly Task[];
  readonly lookup: BatchLookup;
  readonly done: Callback;
}

class PoolChild {
  status: 'running' | 'dead' = 'running';
  /** True once the child's entry file has loaded. */
  ready = false;
  readonly known = new Set<number>();
  readonly outstanding = new Map<number, PendingBatch>();
  readonly process: ChildProcess;
  constructor(entry: string) {
    const execArgv = dropNodeFlags(process.execArgv, MAIN_PROGRAM_FLAGS) ?? process.execArgv;
    this.process = fork(entry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.idle();
  }
  busy(): void {
    this.process.ref();
    (this.process.channel as { ref?: () => void } | undefined)?.ref?.();
  }
  idle(): void {
    this.process.unref();
    (this.process.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

let nextBatchId = 1;

export class ProcessPool {
  private readonly children: PoolChild[] = [];
  private readonly entry: string;
  private closed = false;
  private readonly starts = new StartFailures();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new DaskError('DASK_ERR_CONFIG', `numWorkers must be a positive integer, got ${size}`);
    this.entry = join(packageRoot(), 'dist', 'scheduler', 'processes', 'worker-entry.js');
    if (!existsSync(this.entry))
      throw new DaskError(
        'DASK_ERR_CONFIG',
        `the process pool needs the built ${this.entry}; run \`npm run build\` first`,
      );
    for (let i = 0; i < size; i++) this.children.push(this.spawn(i));
  }

  /** Process ids of the children (for tests and introspection). */
  get pids(): number[] {
    return this.children.map((c) => c.process.pid ?? -1);
  }

  /** Process id of the child holding task `key` (sent and not yet answered), if any. */
  processingOn(key: string): number | undefined {
    for (const c of this.children) {
      for (const b of c.outstanding.values()) if (b.tasks.some((t) => t.key === key)) return c.process.pid;
    }
    return undefined;
  }

  submit(tasks: readonly Task[], lookup: BatchLookup, done: Callback): void {
    if (this.closed) throw new CancelledError('the process pool is closed');
    if (this.starts.refuse(done)) return;
    let best = this.children[0]!;
    for (const c of this.children) if (c.outstanding.size < best.outstanding.size) best = c;
    const batch: PendingBatch = { id: nextBatchId++, tasks, lookup, done };
    const wire = toWire(encodeBatch(batch.id, tasks, lookup, best.known));
    if (best.outstanding.size === 0) best.busy();
    best.outstanding.set(batch.id, batch);
    best.process.send(wire);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const children = this.children.splice(0);
    const exits = children.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.process.exitCode !== null || c.process.signalCode !== null
            ? resolve()
            : c.process.once('exit', () => resolve()),
        ),
    );
    for (const c of children) {
      c.status = 'dead';
      for (const b of c.outstanding.values())
        b.done({ results: [], error: { index: 0, error: new CancelledError('the process pool was closed') } }, 0);
      c.outstanding.clear();
      c.process.kill();
    }
    await Promise.all(exits);
  }

  private spawn(slot: number): PoolChild {
    const c = new PoolChild(this.entry);
    c.process.on('message', (m: WireMessage | ReadyMessage) => {
      if (!isReady(m)) return this.onReply(c, fromWire(m) as BatchReply);
      c.ready = true;
      this.starts.loaded();
    });
    c.process.on('exit', (code, signal) => this.onExit(c, slot, code, signal));
    c.process.on('error', () => undefined); // an exit event follows and is handled there
    return c;
  }

  private onReply(c: PoolChild, reply: BatchReply): void {
    const batch = c.outstanding.get(reply.id);
    if (batch === undefined) return;
    c.outstanding.delete(reply.id);
    if (c.outstanding.size === 0) c.idle();
    batch.done(decodeReply(reply), reply.ms);
  }

  private onExit(c: PoolChild, slot: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.status === 'dead') return;
    c.status = 'dead';
    const batches = [...c.outstanding.values()];
    c.outstanding.clear();
    const gaveUp =
      c.ready || this.closed ? undefined : this.starts.diedBeforeLoading((n) => this.whyNotStarted(code, signal, n));
    if (gaveUp !== undefined) {
      for (const b of batches) b.done({ results: [], error: { index: 0, error: gaveUp } }, 0);
      if (pools.get(this.size) === this) pools.delete(this.size);
      return;
    }
    const running = c.ready ? batches.shift() : undefined; // a child that never loaded ran nothing
    if (running !== undefined) {
      const first = running.tasks[0]?.key ?? '(unknown)';
      const how = signal !== null ? `it was killed by ${signal}` : `it exited with code ${code}`;
      const where = running.tasks.length > 1 ? ` (in a batch of ${running.tasks.length} tasks)` : '';
      running.done(
        {
          results: [],
          error: { index: 0, error: new KilledWorker(first, `worker process ${c.process.pid}`, `${how}${where}`) },
        },
        0,
      );
    }
    if (this.closed) return;
    this.children[slot] = this.spawn(slot);
    for (const b of batches) this.submit(b.tasks, b.lookup, b.done);
  }

  private whyNotStarted(code: number | null, signal: NodeJS.Signals | null, times: number): string {
    const how = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
    return `worker processes failed to start ${times} times in a row (the last ${how}; its stderr above says why). Check the Node options children take from this process (${JSON.stringify(process.execArgv)}) and the built entry file ${this.entry} (\`npm run build\`).`;
  }
}

const pools = new Map<number, ProcessPool>();

export function getProcessPool(size: number): ProcessPool {
  let pool = pools.get(size);
  if (pool === undefined) {
    pool = new ProcessPool(size);
    pools.set(size, pool);
  }
  return pool;
}

export async function closeProcessPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
