/*
 * Adaptive scaling of a JobCluster (Dask's Adaptive, simplified): every `intervalMs` the cluster
 * asks how many jobs the scheduler's load calls for and scales towards it.
 *
 *   wanted = clamp(ceil(active tasks / threads per job), minimumJobs, maximumJobs)
 *
 * where the active tasks are those waiting, queued, without a worker or processing. Scaling up
 * happens at once (jobs may queue for a long time, so ask early); scaling down only after the
 * same lower answer `waitCount` times in a row, so a short pause between two computations does
 * not cancel jobs that would be submitted again a moment later. The decision is pure (AdaptPolicy)
 * and tested without a cluster.
 */
import { DaskError } from '../../src/core/errors.js';

export interface AdaptOptions {
  /** Never fewer jobs. Default 0. */
  readonly minimumJobs?: number;
  /** Never more jobs. Default: no limit. */
  readonly maximumJobs?: number;
  /** How often to look at the load, ms. Default 1000. */
  readonly intervalMs?: number;
  /** Consecutive lower answers before scaling down. Default 3. */
  readonly waitCount?: number;
}

export interface Load {
  /** Tasks waiting, queued, without a worker, or processing. */
  readonly activeTasks: number;
  /** Threads one job brings (its cores). */
  readonly threadsPerJob: number;
  /** Jobs submitted and not cancelled. */
  readonly jobs: number;
}

export class AdaptPolicy {
  readonly minimumJobs: number;
  readonly maximumJobs: number;
  readonly intervalMs: number;
  readonly waitCount: number;
  private lower = 0;

  constructor(options: AdaptOptions = {}) {
    this.minimumJobs = options.minimumJobs ?? 0;
    this.maximumJobs = options.maximumJobs ?? Number.POSITIVE_INFINITY;
    this.intervalMs = options.intervalMs ?? 1000;
    this.waitCount = options.waitCount ?? 3;
    const whole = (n: number): boolean => Number.isInteger(n) && n >= 0;
    if (
      !whole(this.minimumJobs) ||
      !(whole(this.maximumJobs) || this.maximumJobs === Number.POSITIVE_INFINITY) ||
      this.minimumJobs > this.maximumJobs
    ) {
      throw new DaskError(
        'DASK_ERR_CONFIG',
        `adapt needs whole numbers 0 <= minimumJobs <= maximumJobs, got ${this.minimumJobs} and ${this.maximumJobs}`,
      );
    }
    if (!(this.intervalMs > 0) || !Number.isInteger(this.waitCount) || this.waitCount < 1) {
      throw new DaskError(
        'DASK_ERR_CONFIG',
        `adapt needs intervalMs > 0 and a whole waitCount >= 1, got ${this.intervalMs} and ${this.waitCount}`,
      );
    }
  }

  /** The job count the load calls for, within the bounds. */
  wanted(load: Load): number {
    const need = load.activeTasks === 0 ? 0 : Math.ceil(load.activeTasks / Math.max(1, load.threadsPerJob));
    return Math.min(this.maximumJobs, Math.max(this.minimumJobs, need));
  }

  /** The job count to scale to now, or undefined to leave the cluster as it is. */
  decide(load: Load): number | undefined {
    const wanted = this.wanted(load);
    if (wanted >= load.jobs) {
      this.lower = 0;
      return wanted > load.jobs ? wanted : undefined;
    }
    this.lower += 1;
    if (this.lower < this.waitCount) return undefined;
    this.lower = 0;
    return wanted;
  }
}
