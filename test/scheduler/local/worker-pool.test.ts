/*
 * WorkerPool's decisions, over fake endpoints (no threads, no processes, no build): where batches
 * go, that only workers with work hold the process open, what a death, a failed start, an abort and
 * a refused post mean. A fake endpoint records what it is sent; the test answers a batch by running
 * it in a real WorkerRuntime in this thread, so results are real values.
 */
import { describe, expect, test } from 'vitest';
import { CancelledError, KilledWorker, SerializationError } from '../../../src/core/errors.js';
import { Task } from '../../../src/core/graph/task.js';
import { findUnsendable } from '../../../src/core/serialize/unsendable.js';
import type { BatchMessage } from '../../../scheduler/local/batch-protocol.js';
import type { BatchOutcome } from '../../../scheduler/local/executor.js';
import type { EndpointEvents, WorkerEndpoint } from '../../../scheduler/local/worker-endpoint.js';
import { WorkerPool } from '../../../scheduler/local/worker-pool.js';
import { WorkerRuntime } from '../../../scheduler/local/worker-runtime.js';

class FakeEndpoint implements WorkerEndpoint {
  static made: FakeEndpoint[] = [];
  readonly rules = 'clone';
  readonly label: string;
  readonly posted: BatchMessage[] = [];
  held = false;
  terminated = false;
  /** What `running()` reports; undefined lets the pool assume the oldest batch. */
  runningNow: { batch: number; task: number } | undefined;
  readonly exited: Promise<void>;
  private markExited!: () => void;
  private readonly runtime = new WorkerRuntime(undefined);

  constructor(readonly events: EndpointEvents) {
    this.label = `fake worker ${FakeEndpoint.made.length}`;
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    FakeEndpoint.made.push(this);
  }
  post(batch: BatchMessage): void {
    // Like structured clone: a Symbol in the args cannot be carried.
    if (findUnsendable(batch.args, 'clone') !== undefined)
      throw new DOMException('could not be cloned', 'DataCloneError');
    this.posted.push(batch);
  }
  running(): { batch: number; task: number } | undefined {
    return this.runningNow;
  }
  hold(busy: boolean): void {
    this.held = busy;
  }
  terminate(): void {
    this.terminated = true;
    this.die('terminated');
  }
  /** Runs the batch posted `index`-th in a real runtime and delivers its reply. */
  async answer(index = 0): Promise<void> {
    const out = await this.runtime.run(this.posted[index]!);
    this.events.reply(out.reply);
  }
  die(why: string): void {
    this.events.exit(why);
    this.markExited();
  }
}

const whyNotStarted = (last: string, times: number): string => `fakes failed to start ${times} times (last: ${last})`;

function makePool(size: number): WorkerPool<FakeEndpoint> {
  FakeEndpoint.made = [];
  return new WorkerPool(size, { spawn: (events) => new FakeEndpoint(events), whyNotStarted });
}

const inc = (x: number): number => x + 1;

/** Submits one task; resolves with its outcome. */
function run(pool: WorkerPool<FakeEndpoint>, key: string, args: unknown[] = [1]): Promise<BatchOutcome> {
  return new Promise((resolve) => pool.submit([new Task(key, inc, args)], () => undefined, resolve));
}

describe('WorkerPool over fake endpoints', () => {
  test('batches go to the least busy worker and each reply reaches its callback once', async () => {
    const pool = makePool(2);
    const [a, b] = FakeEndpoint.made;
    const first = run(pool, 'one', [1]);
    const second = run(pool, 'two', [10]);
    expect(a!.posted).toHaveLength(1);
    expect(b!.posted).toHaveLength(1);
    await a!.answer();
    await b!.answer();
    expect((await first).results).toEqual([2]);
    expect((await second).results).toEqual([11]);
    // A function travels once per worker: the second batch on `a` carries no definition.
    const third = run(pool, 'three', [100]);
    expect(a!.posted[1]!.defs).toEqual([]);
    await a!.answer(1);
    expect((await third).results).toEqual([101]);
  });

  test('new workers start released; a worker holds the process open only while it has batches', async () => {
    const pool = makePool(3);
    expect(FakeEndpoint.made.map((e) => e.held)).toEqual([false, false, false]);
    const pending = run(pool, 'held');
    const busy = FakeEndpoint.made.find((e) => e.posted.length === 1)!;
    expect(FakeEndpoint.made.map((e) => e.held)).toEqual(FakeEndpoint.made.map((e) => e === busy));
    await busy.answer();
    await pending;
    expect(FakeEndpoint.made.map((e) => e.held)).toEqual([false, false, false]);
  });

  test('a running worker that dies fails its running task with KilledWorker; queued batches move to its replacement', async () => {
    const pool = makePool(1);
    const [w] = FakeEndpoint.made;
    w!.events.loaded();
    const running = run(pool, 'victim');
    const queued = run(pool, 'bystander', [41]);
    w!.runningNow = { batch: w!.posted[0]!.id, task: 0 };
    w!.die('exited with code 7');
    const killed = await running;
    expect(killed.error?.error).toBeInstanceOf(KilledWorker);
    expect((killed.error?.error as KilledWorker).key).toBe('victim');
    expect((killed.error?.error as KilledWorker).message).toContain('exited with code 7');
    const replacement = FakeEndpoint.made[1]!;
    expect(replacement.posted).toHaveLength(1);
    await replacement.answer();
    expect((await queued).results).toEqual([42]);
  });

  test('without a running report, the oldest batch is blamed, naming its batch size', async () => {
    const pool = makePool(1);
    const [w] = FakeEndpoint.made;
    w!.events.loaded();
    const pair = new Promise<BatchOutcome>((resolve) =>
      pool.submit([new Task('first', inc, [1]), new Task('second', inc, [2])], () => undefined, resolve),
    );
    w!.die('killed by SIGKILL');
    const err = (await pair).error?.error as KilledWorker;
    expect(err).toBeInstanceOf(KilledWorker);
    expect(err.key).toBe('first');
    expect(err.message).toContain('killed by SIGKILL (in a batch of 2 tasks)');
  });

  test('a worker dying before it loads is replaced and its batch resubmitted', async () => {
    const pool = makePool(1);
    const outcome = run(pool, 'patient', [5]);
    pool.holding('patient')!.die('exited with code 1');
    pool.holding('patient')!.die('exited with code 1');
    // Two failed starts in a row are not yet a pattern: the third worker loads and answers.
    const third = pool.holding('patient')!;
    expect(FakeEndpoint.made.indexOf(third)).toBe(2);
    third.events.loaded();
    await third.answer();
    expect((await outcome).results).toEqual([6]);
  });

  test('three workers in a row dying before they load break the pool: every batch fails with the cause', async () => {
    const pool = makePool(2);
    const idle = FakeEndpoint.made[1]!;
    const doomed = run(pool, 'doomed');
    for (let i = 0; i < 3; i++) pool.holding('doomed')!.die('exited with code 1');
    const error = (await doomed).error?.error;
    expect(error).toMatchObject({
      code: 'DASK_ERR_CONFIG',
      message: 'fakes failed to start 3 times (last: exited with code 1)',
    });
    expect(pool.broken).toBe(true);
    expect(idle.terminated).toBe(true); // a broken pool ends its idle workers too
    expect((await run(pool, 'later')).error?.error).toBe(error);
  });

  test('abort fails a running batch with its own error and replaces the worker; a queued batch fails at once', async () => {
    const pool = makePool(1);
    const [w] = FakeEndpoint.made;
    w!.events.loaded();
    let runningId = 0;
    const running = new Promise<BatchOutcome>((resolve) => {
      runningId = pool.submit([new Task('slow', inc, [1])], () => undefined, resolve);
    });
    let queuedId = 0;
    const queued = new Promise<BatchOutcome>((resolve) => {
      queuedId = pool.submit([new Task('waiting', inc, [2])], () => undefined, resolve);
    });
    w!.runningNow = { batch: runningId, task: 0 };
    const tooLong = new Error('too long');
    pool.abort(queuedId, new Error('not wanted'));
    expect((await queued).error?.error).toEqual(new Error('not wanted'));
    pool.abort(runningId, tooLong);
    expect(w!.terminated).toBe(true);
    expect((await running).error?.error).toBe(tooLong);
    expect(FakeEndpoint.made).toHaveLength(2);
    const next = run(pool, 'after', [9]);
    await FakeEndpoint.made[1]!.answer();
    expect((await next).results).toEqual([10]);
  });

  test('an argument the channel refuses fails with a SerializationError naming the task; the pool goes on', async () => {
    const pool = makePool(1);
    const [w] = FakeEndpoint.made;
    expect(() =>
      pool.submit(
        [new Task('sym', inc, [Symbol('s')])],
        () => undefined,
        () => undefined,
      ),
    ).toThrow(SerializationError);
    expect(() =>
      pool.submit(
        [new Task('sym', inc, [{ a: [Symbol('s')] }])],
        () => undefined,
        () => undefined,
      ),
    ).toThrow(/task sym has an argument that cannot be sent to its worker: a Symbol at \[0\]\.a\[0\]/);
    expect(w!.held).toBe(false);
    // The refused batch's function definition never reached the worker, so the next batch carries it.
    const ok = run(pool, 'fine', [1]);
    expect(w!.posted[0]!.defs).toHaveLength(1);
    await w!.answer();
    expect((await ok).results).toEqual([2]);
  });

  test('close fails what is outstanding with CancelledError and ends every worker', async () => {
    const pool = makePool(2);
    const pending = run(pool, 'left');
    await pool.close();
    expect((await pending).error?.error).toBeInstanceOf(CancelledError);
    expect(FakeEndpoint.made.every((e) => e.terminated)).toBe(true);
    await expect(run(pool, 'after-close')).rejects.toThrow(CancelledError);
  });
});
