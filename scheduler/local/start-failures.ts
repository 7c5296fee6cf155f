/*
 * StartFailures: how a pool of threads or child processes tells workers that cannot start from
 * workers that died at work. A worker that dies before its entry file has loaded (a Node option it
 * cannot take, a broken build, a heap limit too small) would usually die the same way again, so
 * respawning it and resubmitting its batches could loop forever; a one-off (a signal during start)
 * deserves another try. So the pool counts deaths before loading in a row, resets the count when
 * any worker loads, and at three (as the nanny does) marks itself broken: the batches it holds and
 * every later one fail with a DASK_ERR_CONFIG error naming the cause.
 */
import { DaskError } from '../../src/core/errors.js';
import type { BatchOutcome } from './executor.js';

export const FAILED_STARTS_LIMIT = 3;

export class StartFailures {
  /** Set once the pool gave up; every batch then fails with it. */
  broken: DaskError | undefined;
  private inARow = 0;

  /** A worker has loaded: the count starts again. */
  loaded(): void {
    this.inARow = 0;
  }

  /** A worker died before loading. When that makes the limit, the error the pool now fails with (`why()`). */
  diedBeforeLoading(why: (inARow: number) => string): DaskError | undefined {
    if (++this.inARow < FAILED_STARTS_LIMIT) return undefined;
    this.broken ??= new DaskError('DASK_ERR_CONFIG', why(this.inARow));
    return this.broken;
  }

  /** When the pool is broken, fails `done` with its error (on a microtask) and returns true. */
  refuse(done: (outcome: BatchOutcome, workerMs: number) => void): boolean {
    const broken = this.broken;
    if (broken === undefined) return false;
    queueMicrotask(() => done({ results: [], error: { index: 0, error: broken } }, 0));
    return true;
  }
}
