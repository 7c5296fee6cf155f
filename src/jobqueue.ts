/*
 * `import { PBSCluster, SLURMCluster } from 'dask-ts/jobqueue'`: clusters whose workers are batch
 * jobs on an HPC machine (dask-jobqueue). The scheduler runs in this process; each job runs
 * `node .../cli.js worker --scheduler-file ...`; connect with Client.connect(cluster) from
 * 'dask-ts/distributed'.
 */
import { registerBuiltinSchedulers } from './builtin-schedulers.js';

registerBuiltinSchedulers();

export { JobCluster, type ClusterStatus, type JobStatus, type JobWorker } from '../scheduler/jobqueue/job-cluster.js';
export { PBSCluster, type PBSClusterOptions } from '../scheduler/jobqueue/pbs.js';
export { SLURMCluster, type SLURMClusterOptions } from '../scheduler/jobqueue/slurm.js';
export type { JobClusterOptions } from '../scheduler/jobqueue/job-script.js';
export type { AdaptOptions } from '../scheduler/jobqueue/adapt.js';
export { interfaceAddress } from '../scheduler/jobqueue/network-interface.js';
