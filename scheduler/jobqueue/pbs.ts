/*
 * PBSCluster: workers as PBS jobs (PBS Pro, OpenPBS, Torque; dask-jobqueue's PBSCluster).
 * Generated directives, before jobDirectivesSkip drops any:
 *   #PBS -N NAME
 *   #PBS -q QUEUE                          (with queue)
 *   #PBS -A ACCOUNT                        (with account)
 *   #PBS -l select=1:ncpus=CORES:mem=MEM   (or -l RESOURCESPEC)
 *   #PBS -l walltime=HH:MM:SS
 *   #PBS -o LOGDIR/ and #PBS -e LOGDIR/    (with logDirectory)
 * MEM is rounded up in binary units under PBS's names ('192GB' asks for 179GB: PBS's GB is GiB).
 * Jobs are submitted with `qsub SCRIPT` (the job id is the first word qsub prints, e.g.
 * 1234.server) and cancelled with `qdel ID...`; inside a job the id is $PBS_JOBID.
 */
import { JobCluster } from './job-cluster.js';
import { formatBinaryBytesCeil, type BatchSystem, type JobClusterOptions, type JobSpec } from './job-script.js';

export interface PBSClusterOptions extends JobClusterOptions {
  /** Replaces the generated `select=1:ncpus=..:mem=..` resource request (`#PBS -l RESOURCESPEC`). */
  readonly resourceSpec?: string;
}

const PBS_UNITS = { k: 'KB', m: 'MB', g: 'GB', b: 'B' } as const;

/** PBS's directives and commands; `resourceSpec` replaces the generated select statement. */
export function pbsSystem(resourceSpec: string | undefined): BatchSystem {
  return {
    kind: 'pbs',
    prefix: '#PBS',
    jobIdVariable: 'PBS_JOBID',
    submitCommand: 'qsub',
    cancelCommand: 'qdel',
    submitArgs: (script) => [script],
    parseJobId: (stdout) => /^\s*(\d+(?:\.[A-Za-z0-9_.-]+)?)\s*$/m.exec(stdout)?.[1],
    directives: (spec: JobSpec) => [
      `-N ${spec.name}`,
      ...(spec.queue === undefined ? [] : [`-q ${spec.queue}`]),
      ...(spec.account === undefined ? [] : [`-A ${spec.account}`]),
      `-l ${resourceSpec ?? `select=1:ncpus=${spec.cores}:mem=${formatBinaryBytesCeil(spec.memoryBytes, PBS_UNITS)}`}`,
      `-l walltime=${spec.walltime}`,
      ...(spec.logDirectory === undefined ? [] : [`-o ${spec.logDirectory}/`, `-e ${spec.logDirectory}/`]),
    ],
  };
}

export class PBSCluster extends JobCluster {
  constructor(options: PBSClusterOptions) {
    super(options, pbsSystem(options.resourceSpec));
  }
}
