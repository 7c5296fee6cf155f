// SLURMCluster on a real SLURM: the one-node cluster that .ci/setup-slurm.sh installs and starts
// (slurm-wlm + munge, CPUs = this machine's cores). Jobs are real sbatch jobs running the workers
// from dist/ (run `npm run build` first). Skipped with a message when `sbatch` is absent, but
// FAILS when the CI variable is set: CI must run it.
// SLURM has no events to wait on, so squeue is polled every 200 ms up to a deadline (pollUntil);
// everything else waits on the cluster's events.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import * as da from '../../../src/array.js';
import { Client } from '../../../src/distributed.js';
import { SLURMCluster } from '../../../src/jobqueue.js';
import { pollUntil, testInterface } from './helpers.js';

const HAVE_SLURM = spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status === 0;
const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

if (!HAVE_SLURM && IN_CI) {
  test('SLURM is installed (required in CI)', () => {
    throw new Error('CI is set but `sbatch` is not on PATH: .ci/run must call .ci/setup-slurm.sh before the tests');
  });
}
if (!HAVE_SLURM && !IN_CI) {
  process.stderr.write(
    'slurm.integration.test.ts: skipped, `sbatch` is not on PATH (run .ci/setup-slurm.sh as root for a one-node SLURM)\n',
  );
}

/** Our jobs still known to squeue, id → state (R running, PD pending, CG completing). */
function squeue(name: string): Map<string, string> {
  const out = execFileSync('squeue', ['-h', '-n', name, '-o', '%i %t'], { encoding: 'utf8' });
  return new Map(
    out
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.trim().split(/\s+/) as [string, string]),
  );
}

/** Polls squeue until our jobs are exactly `ids` (in any state but completing). */
function squeueShows(name: string, ids: readonly string[]): Promise<Map<string, string>> {
  const want = [...ids].sort().join(',');
  return pollUntil(
    () => {
      const q = squeue(name);
      return [...q.keys()].sort().join(',') === want && ![...q.values()].includes('CG') ? q : undefined;
    },
    `squeue to show jobs [${want}] of ${name}`,
    { describe: () => JSON.stringify([...squeue(name)]) },
  );
}

const sumBelow = (n: number): number => (n * (n - 1)) / 2;

describe.skipIf(!HAVE_SLURM)('SLURMCluster on a real SLURM', () => {
  test('scale({ jobs: 2 }) → two workers join → an array reduction is right → scaling down cancels exactly the surplus → close() empties squeue', async () => {
    const name = `dts${randomBytes(3).toString('hex')}`;
    const logs = mkdtempSync(join(tmpdir(), 'dask-ts-slurm-'));
    // Two jobs fill the node and a third waits in the queue (when 3 * cores > its CPUs, as with 2 CPUs).
    const cpus = Number(execFileSync('sinfo', ['-h', '-o', '%c'], { encoding: 'utf8' }).trim().split('\n')[0]);
    const cores = Math.max(1, Math.floor(cpus / 2));
    const cluster = new SLURMCluster({
      cores,
      memory: '1GB',
      walltime: '00:10:00',
      name,
      logDirectory: logs,
      interface: testInterface().name,
      jobScriptPrologue: ['echo "job $SLURM_JOB_ID on $(hostname)"'],
    });
    try {
      await cluster.scale({ jobs: 2 });
      const [first, second] = cluster.jobs;
      expect(cluster.jobs).toHaveLength(2);
      await cluster.waitForWorkers(2, { timeoutMs: 30_000 });
      expect(cluster.workers.map((w) => w.jobId).sort()).toEqual([first, second].sort());
      expect([...(await squeueShows(name, [first!, second!])).values()]).toEqual(['R', 'R']);

      const client = await Client.connect(cluster);
      const n = 1_000_000;
      expect(Number(await da.arange(0, n, { chunks: 100_000 }).sum().compute())).toBe(sumBelow(n));

      await cluster.scale({ jobs: 3 });
      const third = cluster.jobs[2]!;
      const queue = await squeueShows(name, [first!, second!, third]);
      if (3 * cores > cpus) expect(queue.get(third)).toBe('PD');

      // Down to one: the queued job goes first, then the newer of the two idle running ones
      // (once the sum's chunks are forgotten: a job holding results would be kept).
      await pollUntil(
        () => (cluster.server.state.tasks.size === 0 ? true : undefined),
        'the scheduler to forget the chunks',
      );
      const left = once(cluster, 'worker-removed');
      await cluster.scale({ jobs: 1 });
      expect(cluster.jobs).toEqual([first]);
      await squeueShows(name, [first!]);
      await left;
      expect(cluster.workers.map((w) => w.jobId)).toEqual([first]);
      expect(Number(await da.arange(0, 1000, { chunks: 100 }).sum().compute())).toBe(sumBelow(1000));

      await client.close();
      await cluster.close();
      await squeueShows(name, []);
      const out = readdirSync(logs).find((f) => f === `${name}-${first}.out`);
      expect(out).toBeDefined();
      expect(readFileSync(join(logs, out!), 'utf8')).toContain(`job ${first} on `);
    } finally {
      await cluster.close();
      const leftover = [...squeue(name).keys()];
      if (leftover.length > 0) execFileSync('scancel', leftover);
      rmSync(logs, { recursive: true, force: true });
    }
  });
});
