/*
 * `import { Client, LocalCluster, progress, asCompleted, wait } from 'dask-ts/distributed'`: a
 * scheduler and workers over WebSockets (Dask's distributed). LocalCluster starts a scheduler
 * here and worker processes on this machine; Client submits functions and collections to any
 * cluster; SchedulerServer and DistributedWorker are what `npx dask-ts scheduler|worker` run.
 */
import { registerBuiltinSchedulers } from './builtin-schedulers.js';

registerBuiltinSchedulers();

export { Client } from '../scheduler/distributed/client.js';
export {
  SubmitOptions,
  submitOptions,
  type ClusterLike,
  type ConnectOptions,
} from '../scheduler/distributed/client-options.js';
export type { Gathered } from '../scheduler/distributed/client-values.js';
export { Future, type FutureStatus } from '../scheduler/distributed/future.js';
export {
  asCompleted,
  progress,
  wait,
  type ProgressOptions,
  type WaitResult,
} from '../scheduler/distributed/futures-api.js';
export {
  LocalCluster,
  parseBytes,
  type LocalClusterOptions,
  type LocalWorker,
} from '../scheduler/distributed/local-cluster.js';
export { SchedulerServer, type SchedulerServerOptions } from '../scheduler/distributed/server.js';
export { DistributedWorker, type WorkerOptions } from '../scheduler/distributed/worker.js';
export {
  startDashboard,
  type Dashboard,
  type DashboardOptions,
} from '../scheduler/distributed/dashboard/start-dashboard.js';
export {
  performanceReport,
  type PerformanceReportOptions,
  type ReportSource,
} from '../scheduler/distributed/dashboard/performance-report.js';
export { CommError, KilledWorker, CancelledError, TaskError, TaskTimeoutError } from './core/errors.js';
