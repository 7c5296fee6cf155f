/*
 * The lifecycles of a JobCluster and of its jobs, as literal unions with explicit transition
 * tables (DESIGN.md, conventions): a move the table does not allow throws.
 *
 *   cluster: created → starting → running → closing → closed
 *            (starting → created when the scheduler cannot start; created → closed)
 *   job:     queued → running    once one of its workers has registered
 *            queued|running → cancelled   qdel / scancel by scale-down or close
 *            running → finished  all its workers left on their own (walltime, crash)
 */
import { DaskError } from '../../src/core/errors.js';

export type ClusterStatus = 'created' | 'starting' | 'running' | 'closing' | 'closed';
const CLUSTER_TRANSITIONS: Readonly<Record<ClusterStatus, readonly ClusterStatus[]>> = {
  created: ['starting', 'closed'],
  starting: ['running', 'created'],
  running: ['closing'],
  closing: ['closed'],
  closed: [],
};

export type JobStatus = 'queued' | 'running' | 'cancelled' | 'finished';
const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ['running', 'cancelled'],
  running: ['cancelled', 'finished'],
  cancelled: [],
  finished: [],
};

export interface JobRecord {
  readonly id: string;
  status: JobStatus;
  /** Addresses of its registered workers. */
  readonly workers: Set<string>;
  readonly order: number;
}

/** The status after moving from `from` to `to`; throws when the table does not allow it. */
export function nextClusterStatus(from: ClusterStatus, to: ClusterStatus): ClusterStatus {
  if (CLUSTER_TRANSITIONS[from].includes(to)) return to;
  throw new DaskError(
    'DASK_ERR_CONFIG',
    from === 'closed' || from === 'closing' ? 'the cluster is closed' : `the cluster cannot go from ${from} to ${to}`,
  );
}

/** Moves `job` to `to`; a move the table does not allow is a bug. */
export function jobTransition(job: JobRecord, to: JobStatus): void {
  if (!JOB_TRANSITIONS[job.status].includes(to))
    throw new DaskError('DASK_ERR_CONFIG', `job ${job.id} cannot go from ${job.status} to ${to} (a bug)`);
  job.status = to;
}
