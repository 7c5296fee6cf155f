/*
 * The job script a JobCluster submits (dask-jobqueue's job template), as a pure function of the
 * cluster's options and of the batch system (PBS, SLURM). Its parts, in order:
 *
 *   shebang
 *   <blank line>
 *   generated directives (#PBS ..., #SBATCH ...), minus every line containing a jobDirectivesSkip string
 *   jobExtraDirectives, verbatim after the prefix (an entry already starting with '#' is kept whole)
 *   export K=V for `env`
 *   jobScriptPrologue, verbatim
 *   DASK_TS_HOST=$(node .../interface-cli.js IFACE) || exit 1     (only with `interface`)
 *   the worker command, once per process: node .../cli.js worker --scheduler-file FILE --nthreads
 *     cores/processes --memory-limit memory/processes [--local-directory DIR] --death-timeout S
 *     --name NAME-$JOBID-i [--host "$DASK_TS_HOST" --insecure] [workerExtraArgs]
 *     (several processes: each in the background, then `wait`)
 *   jobScriptEpilogue, verbatim
 *
 * The worker finds the scheduler's address and token in the scheduler file (mode 0600, on the
 * shared file system), so the token is never in the script nor in any process's argv. Worker names
 * embed the batch system's job id variable ($PBS_JOBID, $SLURM_JOB_ID): the cluster maps each
 * worker that joins back to its job by that name. Values we generate are shell-quoted only when
 * needed; user values that may hold variables ($TMPDIR) are double-quoted so the shell expands them.
 */
import { DaskError } from '../../src/core/errors.js';
import { parseBytes } from '../distributed/local-cluster.js';

/** The options PBSCluster and SLURMCluster share (dask-jobqueue's names, camelCase). */
export interface JobClusterOptions {
  /** Cores per job; every job's workers share them (threads per worker = cores / processes). */
  readonly cores: number;
  /** Memory per job: bytes or '192GB', '16GiB'; each worker gets memory / processes. */
  readonly memory: number | string;
  /** Worker processes per job. Default 1. */
  readonly processes?: number;
  /** HH:MM:SS. Default 00:30:00. */
  readonly walltime?: string;
  readonly queue?: string;
  readonly account?: string;
  /** Job name, and the prefix of worker names. Default 'dask-worker'. */
  readonly name?: string;
  /** Default '#!/usr/bin/env bash'. */
  readonly shebang?: string;
  readonly jobExtraDirectives?: readonly string[];
  /** A generated directive containing any of these strings is left out. */
  readonly jobDirectivesSkip?: readonly string[];
  readonly jobScriptPrologue?: readonly string[];
  readonly jobScriptEpilogue?: readonly string[];
  /** Workers' scratch directory, as the job's shell sees it ('$TMPDIR' works). */
  readonly localDirectory?: string;
  /** Where job output goes, and the default home of the scheduler file. */
  readonly logDirectory?: string;
  /** Network interface (e.g. 'ib0') that the scheduler binds and the workers listen on. */
  readonly interface?: string;
  /** The Node.js executable on the compute nodes (dask-jobqueue's `python`). Default process.execPath. */
  readonly node?: string;
  /** Seconds a worker keeps trying to reach the scheduler before it exits. Default 60. */
  readonly deathTimeout?: number;
  readonly workerExtraArgs?: readonly string[];
  /** Exported in the job script before the prologue. */
  readonly env?: Readonly<Record<string, string>>;
  /** The scheduler file (0600) on a file system the jobs share. Default: LOGDIR or ./.dask-ts, scheduler-NAME-RANDOM.json. */
  readonly schedulerFile?: string;
}

/** What differs between batch systems, for the script and for submitting. */
export interface BatchSystem {
  readonly kind: 'pbs' | 'slurm';
  /** '#PBS' or '#SBATCH'. */
  readonly prefix: string;
  /** The shell variable holding the job id inside a job. */
  readonly jobIdVariable: string;
  /** The generated directives, without the prefix. */
  directives(spec: JobSpec): string[];
  readonly submitCommand: string;
  readonly cancelCommand: string;
  submitArgs(scriptPath: string): string[];
  /** The job id in the submit command's stdout, or undefined. */
  parseJobId(stdout: string): string | undefined;
}

/** The options checked and completed with defaults. */
export interface JobSpec {
  readonly cores: number;
  readonly memoryBytes: number;
  readonly processes: number;
  readonly walltime: string;
  readonly queue: string | undefined;
  readonly account: string | undefined;
  readonly name: string;
  readonly shebang: string;
  readonly extraDirectives: readonly string[];
  readonly directivesSkip: readonly string[];
  readonly prologue: readonly string[];
  readonly epilogue: readonly string[];
  readonly localDirectory: string | undefined;
  readonly logDirectory: string | undefined;
  readonly interface: string | undefined;
  readonly node: string;
  readonly deathTimeout: number;
  readonly workerExtraArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly schedulerFile: string;
  /** The dask-ts package folder on the compute nodes (the same path as here: a shared file system). */
  readonly packageRoot: string;
}

export const DEFAULT_WALLTIME = '00:30:00';
export const DEFAULT_DEATH_TIMEOUT_S = 60;
const NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function configError(message: string): DaskError {
  return new DaskError('DASK_ERR_CONFIG', message);
}

/** Checks the options and fills in defaults; `schedulerFile` and `packageRoot` come from the cluster. */
export function jobSpec(
  o: JobClusterOptions,
  where: { schedulerFile: string; packageRoot: string; node: string },
): JobSpec {
  if (!Number.isInteger(o.cores) || o.cores < 1)
    throw configError(`cores must be a positive whole number (cores per job), got ${String(o.cores)}`);
  const processes = o.processes ?? 1;
  if (!Number.isInteger(processes) || processes < 1 || processes > o.cores) {
    throw configError(`processes must be a whole number from 1 to cores (${o.cores}), got ${String(processes)}`);
  }
  const memoryBytes = parseBytes(o.memory);
  if (memoryBytes < processes)
    throw configError(`memory ${JSON.stringify(o.memory)} is too small for ${processes} worker processes`);
  const walltime = o.walltime ?? DEFAULT_WALLTIME;
  if (!/^(\d+-)?\d+(:\d\d){0,2}$/.test(walltime))
    throw configError(`walltime ${JSON.stringify(walltime)}: write it as HH:MM:SS, e.g. 00:20:00`);
  const name = o.name ?? 'dask-worker';
  if (!NAME.test(name)) throw configError(`name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' only`);
  const deathTimeout = o.deathTimeout ?? DEFAULT_DEATH_TIMEOUT_S;
  if (!(deathTimeout > 0) || !Number.isFinite(deathTimeout))
    throw configError(`deathTimeout must be a positive number of seconds, got ${String(deathTimeout)}`);
  for (const key of Object.keys(o.env ?? {})) {
    if (!ENV_NAME.test(key)) throw configError(`env: ${JSON.stringify(key)} is not a shell variable name`);
  }
  if (o.interface !== undefined && !/^[A-Za-z0-9_.:@-]+$/.test(o.interface))
    throw configError(`interface ${JSON.stringify(o.interface)} is not an interface name`);
  return {
    cores: o.cores,
    memoryBytes,
    processes,
    walltime,
    name,
    deathTimeout,
    queue: o.queue,
    account: o.account,
    shebang: o.shebang ?? '#!/usr/bin/env bash',
    extraDirectives: o.jobExtraDirectives ?? [],
    directivesSkip: o.jobDirectivesSkip ?? [],
    prologue: o.jobScriptPrologue ?? [],
    epilogue: o.jobScriptEpilogue ?? [],
    localDirectory: o.localDirectory,
    logDirectory: o.logDirectory,
    interface: o.interface,
    node: o.node ?? where.node,
    workerExtraArgs: o.workerExtraArgs ?? [],
    env: o.env ?? {},
    schedulerFile: where.schedulerFile,
    packageRoot: where.packageRoot,
  };
}

/** The whole script text (ends with a newline). */
export function renderJobScript(spec: JobSpec, system: BatchSystem): string {
  const directives = system
    .directives(spec)
    .map((d) => `${system.prefix} ${d}`)
    .filter((line) => !spec.directivesSkip.some((s) => s !== '' && line.includes(s)));
  const extra = spec.extraDirectives.map((d) => (d.startsWith('#') ? d : `${system.prefix} ${d}`));
  const env = Object.entries(spec.env).map(([k, v]) => `export ${k}=${shellWord(v, true)}`);
  const host =
    spec.interface === undefined
      ? []
      : [
          `DASK_TS_HOST=$(${shellWord(spec.node)} ${shellWord(`${spec.packageRoot}/dist/scheduler/jobqueue/interface-cli.js`)} ${spec.interface}) || exit 1`,
        ];
  const commands = Array.from({ length: spec.processes }, (_, i) => workerCommand(spec, system, i));
  const run = spec.processes === 1 ? commands : [...commands.map((c) => `${c} &`), 'wait'];
  return (
    [spec.shebang, '', ...directives, ...extra, ...env, ...spec.prologue, ...host, ...run, ...spec.epilogue].join(
      '\n',
    ) + '\n'
  );
}

/** One worker process's command line. */
function workerCommand(spec: JobSpec, system: BatchSystem, index: number): string {
  const args = [
    shellWord(spec.node),
    shellWord(`${spec.packageRoot}/dist/scheduler/distributed/cli.js`),
    'worker',
    '--scheduler-file',
    shellWord(spec.schedulerFile),
    '--nthreads',
    String(Math.max(1, Math.floor(spec.cores / spec.processes))),
    '--memory-limit',
    formatDecimalBytes(Math.floor(spec.memoryBytes / spec.processes)),
    ...(spec.localDirectory === undefined ? [] : ['--local-directory', shellWord(spec.localDirectory, true)]),
    '--death-timeout',
    String(spec.deathTimeout),
    '--name',
    `"${spec.name}-\${${system.jobIdVariable}}-${index}"`,
    ...(spec.interface === undefined ? [] : ['--host', '"$DASK_TS_HOST"', '--insecure']),
    ...spec.workerExtraArgs.map((a) => shellWord(a, true)),
  ];
  return args.join(' ');
}

/** The worker name prefix of a job: workers are named `${prefix}${index}`. */
export function workerNamePrefix(name: string, jobId: string): string {
  return `${name}-${jobId}-`;
}

const SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/**
 * `text` as one shell word: as is when it needs no quoting; else in double quotes when `expand`
 * (so $VAR and ${VAR} still expand; `"`, `\` and backquotes are escaped), else in single quotes.
 */
export function shellWord(text: string, expand = false): string {
  if (SAFE.test(text)) return text;
  if (expand) return `"${text.replace(/["\\`]/g, (c) => `\\${c}`)}"`;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Bytes as the worker's --memory-limit reads them: 192GB, 1500MB, or plain bytes. */
export function formatDecimalBytes(n: number): string {
  for (const [unit, size] of [
    ['TB', 1e12],
    ['GB', 1e9],
    ['MB', 1e6],
    ['kB', 1e3],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return String(n);
}

/**
 * Rounded up in binary units, under the names batch systems use for them: '179GB' for 192e9 bytes
 * with PBS's names (KB, MB, GB mean KiB, MiB, GiB), '179G' with SLURM's (K, M, G). Switches to the
 * bigger unit from 10 of it, so the rounding costs at most 10%.
 */
export function formatBinaryBytesCeil(
  n: number,
  names: { readonly k: string; readonly m: string; readonly g: string; readonly b: string },
): string {
  for (const [name, size] of [
    [names.g, 1024 ** 3],
    [names.m, 1024 ** 2],
    [names.k, 1024],
  ] as const) {
    if (n >= 10 * size) return `${Math.ceil(n / size)}${name}`;
  }
  return `${n}${names.b}`;
}
