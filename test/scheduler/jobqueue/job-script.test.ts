// Golden tests of the job scripts PBSCluster and SLURMCluster submit (no batch system needed):
// the tutorial's PBS options give the expected script line for line, SLURM too; then the pieces
// (directive skipping, several processes per job, quoting, memory units, job ids), option
// mistakes, the network interface lookup and the adapt policy.
import { describe, expect, test } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaskError } from '../../../src/core/errors.js';
import { packageRoot } from '../../../src/core/serialize/fn-ref.js';
import { interfaceAddress, PBSCluster, SLURMCluster } from '../../../src/jobqueue.js';
import { AdaptPolicy } from '../../../scheduler/jobqueue/adapt.js';
import { formatBinaryBytesCeil, formatDecimalBytes, shellWord } from '../../../scheduler/jobqueue/job-script.js';
import { pbsSystem } from '../../../scheduler/jobqueue/pbs.js';
import { SLURM_SYSTEM, slurmMemory } from '../../../scheduler/jobqueue/slurm.js';

const ROOT = packageRoot();

/** The tutorial's PBSCluster (dask-distributed-tutorial.rst), in TypeScript. */
const TUTORIAL = {
  walltime: '00:20:00',
  cores: 48,
  memory: '192GB',
  shebang: '#!/usr/bin/env bash',
  jobExtraDirectives: ['-q normal', '-P vp91', '-l ncpus=48', '-l mem=192GB'],
  localDirectory: '$TMPDIR',
  jobDirectivesSkip: ['select'],
  interface: 'ib0',
  jobScriptPrologue: ['module load nodejs/20', 'cd /scratch/abc/app'],
  node: '/apps/nodejs/20.20.0/bin/node',
  schedulerFile: '/scratch/abc/.dask-ts/scheduler.json',
} as const;

describe('golden job scripts', () => {
  test("the tutorial's PBS options give the expected script, line for line", () => {
    const script = new PBSCluster(TUTORIAL).jobScript();
    expect(script.split('\n')).toEqual([
      '#!/usr/bin/env bash',
      '',
      '#PBS -N dask-worker',
      '#PBS -l walltime=00:20:00',
      '#PBS -q normal',
      '#PBS -P vp91',
      '#PBS -l ncpus=48',
      '#PBS -l mem=192GB',
      'module load nodejs/20',
      'cd /scratch/abc/app',
      `DASK_TS_HOST=$(/apps/nodejs/20.20.0/bin/node ${ROOT}/dist/scheduler/jobqueue/interface-cli.js ib0) || exit 1`,
      `/apps/nodejs/20.20.0/bin/node ${ROOT}/dist/scheduler/distributed/cli.js worker --scheduler-file /scratch/abc/.dask-ts/scheduler.json` +
        ' --nthreads 48 --memory-limit 192GB --local-directory "$TMPDIR" --death-timeout 60 --name "dask-worker-${PBS_JOBID}-0"' +
        ' --host "$DASK_TS_HOST" --insecure',
      '',
    ]);
  });

  test('without jobDirectivesSkip the PBS select statement asks for the cores and the memory in PBS units', () => {
    const { jobDirectivesSkip: _skip, ...options } = TUTORIAL;
    const lines = new PBSCluster({ ...options, queue: 'normal', account: 'vp91', logDirectory: '/scratch/abc/logs' })
      .jobScript()
      .split('\n');
    expect(lines.slice(2, 9)).toEqual([
      '#PBS -N dask-worker',
      '#PBS -q normal',
      '#PBS -A vp91',
      '#PBS -l select=1:ncpus=48:mem=179GB',
      '#PBS -l walltime=00:20:00',
      '#PBS -o /scratch/abc/logs/',
      '#PBS -e /scratch/abc/logs/',
    ]);
    expect(
      new PBSCluster({ ...TUTORIAL, jobDirectivesSkip: [], resourceSpec: 'nodes=1:ppn=48' }).jobScript(),
    ).toContain('\n#PBS -l nodes=1:ppn=48\n');
  });

  test('SLURM: directives, several worker processes per job sharing cores and memory, env and epilogue', () => {
    const script = new SLURMCluster({
      cores: 8,
      memory: '16GB',
      processes: 2,
      queue: 'debug',
      account: 'proj1',
      walltime: '01:00:00',
      name: 'analysis',
      logDirectory: '/scratch/abc/logs',
      node: '/usr/bin/node',
      schedulerFile: '/scratch/abc/logs/scheduler.json',
      env: { OMP_NUM_THREADS: '1' },
      jobScriptPrologue: ['source ~/.profile'],
      jobScriptEpilogue: ['echo done'],
      jobExtraDirectives: ['--exclusive'],
      workerExtraArgs: ['--heartbeat', '$HB'],
    }).jobScript();
    const worker = (i: number): string =>
      `/usr/bin/node ${ROOT}/dist/scheduler/distributed/cli.js worker --scheduler-file /scratch/abc/logs/scheduler.json` +
      ` --nthreads 4 --memory-limit 8GB --death-timeout 60 --name "analysis-\${SLURM_JOB_ID}-${i}" --heartbeat "$HB" &`;
    expect(script.split('\n')).toEqual([
      '#!/usr/bin/env bash',
      '',
      '#SBATCH -J analysis',
      '#SBATCH -p debug',
      '#SBATCH -A proj1',
      '#SBATCH -n 1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=15G',
      '#SBATCH -t 01:00:00',
      '#SBATCH -o /scratch/abc/logs/analysis-%j.out',
      '#SBATCH -e /scratch/abc/logs/analysis-%j.err',
      '#SBATCH --exclusive',
      'export OMP_NUM_THREADS=1',
      'source ~/.profile',
      worker(0),
      worker(1),
      'wait',
      'echo done',
      '',
    ]);
  });

  test('a skip string drops every generated directive containing it, never an extra directive', () => {
    const script = new SLURMCluster({
      cores: 1,
      memory: '1GB',
      jobDirectivesSkip: ['--mem', '-t '],
      jobExtraDirectives: ['--mem=2G', '#SBATCH -t 5'],
    }).jobScript();
    expect(script).not.toContain('--mem=954M');
    expect(script).not.toContain('-t 00:30:00');
    expect(script).toContain('\n#SBATCH --mem=2G\n#SBATCH -t 5\n');
  });

  test('the default scheduler file lies in the log directory, and no script holds a token', () => {
    const cluster = new SLURMCluster({ cores: 2, memory: '2GB', logDirectory: '/shared/logs' });
    expect(cluster.spec.schedulerFile).toMatch(/^\/shared\/logs\/scheduler-dask-worker-[0-9a-f]{8}\.json$/);
    expect(cluster.jobScript()).not.toMatch(/--token|[0-9a-f]{64}/);
  });
});

describe('pieces', () => {
  test('memory units: PBS and SLURM round up in binary units, the worker gets decimal ones', () => {
    const pbs = { k: 'KB', m: 'MB', g: 'GB', b: 'B' };
    expect(formatBinaryBytesCeil(192e9, pbs)).toBe('179GB');
    expect(formatBinaryBytesCeil(1234567890, pbs)).toBe('1178MB');
    expect(formatBinaryBytesCeil(1234, pbs)).toBe('1234B');
    expect(slurmMemory(1e9)).toBe('954M');
    expect(slurmMemory(192e9)).toBe('179G');
    expect(formatDecimalBytes(96e9)).toBe('96GB');
    expect(formatDecimalBytes(1_500_000_000)).toBe('1500MB');
    expect(formatDecimalBytes(1023)).toBe('1023');
  });

  test('shell words: plain when safe, double quotes keep $VAR expanding, single quotes otherwise', () => {
    expect(shellWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellWord('$TMPDIR/x y', true)).toBe('"$TMPDIR/x y"');
    expect(shellWord('a"b`c', true)).toBe('"a\\"b\\`c"');
    expect(shellWord("/my dir/it's")).toBe("'/my dir/it'\\''s'");
  });

  test('job ids are read from qsub and sbatch output', () => {
    expect(pbsSystem(undefined).parseJobId('1234.gadi-pbs\n')).toBe('1234.gadi-pbs');
    expect(pbsSystem(undefined).parseJobId('qsub: error\n')).toBeUndefined();
    expect(SLURM_SYSTEM.parseJobId('Submitted batch job 42\n')).toBe('42');
    expect(SLURM_SYSTEM.parseJobId('42;cluster\n')).toBe('42');
  });

  test('option mistakes are DaskErrors naming the option', () => {
    const bad = (o: object): unknown => {
      try {
        new SLURMCluster({ cores: 4, memory: '4GB', ...o });
      } catch (e) {
        return e;
      }
      return undefined;
    };
    for (const [o, message] of [
      [{ cores: 0 }, /cores must be a positive whole number/],
      [{ processes: 8 }, /processes must be a whole number from 1 to cores \(4\)/],
      [{ memory: 'lots' }, /cannot read "lots" as a number of bytes/],
      [{ walltime: '20 minutes' }, /walltime "20 minutes": write it as HH:MM:SS/],
      [{ name: 'my job' }, /name "my job"/],
      [{ env: { 'A-B': '1' } }, /"A-B" is not a shell variable name/],
    ] as const) {
      const e = bad(o);
      expect(e).toBeInstanceOf(DaskError);
      expect((e as DaskError).code).toBe('DASK_ERR_CONFIG');
      expect((e as DaskError).message).toMatch(message);
    }
  });

  test('a missing network interface is an error listing the available ones', () => {
    expect(interfaceAddress('lo')).toBe('127.0.0.1');
    expect(() => interfaceAddress('ib0', { lo: [], eth0: [] })).toThrow(
      /interface "ib0": there is no such interface here\. Available: lo \(no IPv4\), eth0/,
    );
    expect(() => interfaceAddress('ib0')).toThrow(/Available: .*lo \(127\.0\.0\.1\)/);
  });

  test('scale(n) asks for ceil(n / processes) jobs, and scale needs whole numbers', async () => {
    const cluster = new SLURMCluster({
      cores: 4,
      memory: '4GB',
      processes: 2,
      schedulerFile: join(tmpdir(), 'never-written-scheduler.json'),
    });
    await expect(cluster.scale(-1)).rejects.toThrow(/scale\(n\) needs a whole number >= 0/);
    await expect(cluster.scale({ jobs: 1.5 })).rejects.toThrow(/scale\(\{ jobs \}\)/);
    expect(() => cluster.schedulerAddress).toThrow(/not started: await cluster.start\(\) or cluster.scale/);
    await cluster.close();
    expect(cluster.status).toBe('closed');
    await expect(cluster.scale(1)).rejects.toThrow(/the cluster is closed/);
  });
});

describe('adapt policy', () => {
  test('scales up at once to the load, within the bounds', () => {
    const p = new AdaptPolicy({ minimumJobs: 1, maximumJobs: 3 });
    expect(p.decide({ activeTasks: 0, threadsPerJob: 4, jobs: 0 })).toBe(1);
    expect(p.decide({ activeTasks: 9, threadsPerJob: 4, jobs: 1 })).toBe(3);
    expect(p.decide({ activeTasks: 100, threadsPerJob: 4, jobs: 3 })).toBeUndefined();
  });

  test('scales down only after waitCount lower answers in a row', () => {
    const p = new AdaptPolicy({ maximumJobs: 4, waitCount: 3 });
    const idle = { activeTasks: 0, threadsPerJob: 1, jobs: 2 };
    expect(p.decide(idle)).toBeUndefined();
    expect(p.decide(idle)).toBeUndefined();
    expect(p.decide({ activeTasks: 2, threadsPerJob: 1, jobs: 2 })).toBeUndefined(); // busy again: the count restarts
    expect(p.decide(idle)).toBeUndefined();
    expect(p.decide(idle)).toBeUndefined();
    expect(p.decide(idle)).toBe(0);
  });

  test('bad bounds are refused', () => {
    expect(() => new AdaptPolicy({ minimumJobs: 3, maximumJobs: 2 })).toThrow(/0 <= minimumJobs <= maximumJobs/);
    expect(() => new AdaptPolicy({ waitCount: 0 })).toThrow(/waitCount/);
  });
});
