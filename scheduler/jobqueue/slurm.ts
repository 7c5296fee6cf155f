/*
 * SLURMCluster: workers as SLURM batch jobs (dask-jobqueue's SLURMCluster). Generated
 * directives, before jobDirectivesSkip drops any:
 *   #SBATCH -J NAME
 *   #SBATCH -p QUEUE              (with queue: a partition)
 *   #SBATCH -A ACCOUNT            (with account)
 *   #SBATCH -n 1
 *   #SBATCH --cpus-per-task=CORES
 *   #SBATCH --mem=MEM             (rounded up: 179G for 192GB, 954M for 1GB; SLURM's units are binary)
 *   #SBATCH -t HH:MM:SS
 *   #SBATCH -o LOGDIR/NAME-%j.out and -e LOGDIR/NAME-%j.err   (with logDirectory)
 * One task with all the job's cores: the job's worker processes share them. Jobs are submitted
 * with `sbatch SCRIPT` ("Submitted batch job 42") and cancelled with `scancel ID...`; inside a
 * job the id is $SLURM_JOB_ID.
 */
import { JobCluster } from './job-cluster.js';
import type { BatchSystem, JobClusterOptions, JobSpec } from './job-script.js';

export type SLURMClusterOptions = JobClusterOptions;

/** --mem's value: whole GiB from 10 GiB up, else whole MiB (SLURM's M, its default unit). */
export function slurmMemory(bytes: number): string {
  const gib = 1024 ** 3;
  return bytes >= 10 * gib ? `${Math.ceil(bytes / gib)}G` : `${Math.max(1, Math.ceil(bytes / 1024 ** 2))}M`;
}

export const SLURM_SYSTEM: BatchSystem = {
  kind: 'slurm',
  prefix: '#SBATCH',
  jobIdVariable: 'SLURM_JOB_ID',
  submitCommand: 'sbatch',
  cancelCommand: 'scancel',
  submitArgs: (script) => [script],
  parseJobId: (stdout) => /(?:^|\s)(\d+)(?:;\S*)?\s*$/m.exec(stdout)?.[1],
  directives: (spec: JobSpec) => [
    `-J ${spec.name}`,
    ...(spec.queue === undefined ? [] : [`-p ${spec.queue}`]),
    ...(spec.account === undefined ? [] : [`-A ${spec.account}`]),
    '-n 1',
    `--cpus-per-task=${spec.cores}`,
    `--mem=${slurmMemory(spec.memoryBytes)}`,
    `-t ${spec.walltime}`,
    ...(spec.logDirectory === undefined
      ? []
      : [`-o ${spec.logDirectory}/${spec.name}-%j.out`, `-e ${spec.logDirectory}/${spec.name}-%j.err`]),
  ],
};

export class SLURMCluster extends JobCluster {
  constructor(options: SLURMClusterOptions) {
    super(options, SLURM_SYSTEM);
  }
}
