/*
 * SLURMCluster on the one-node SLURM that .ci/setup-slurm.sh starts (or any SLURM login node):
 * two jobs of one core and 1GB each, a Client, submit, map/gather, an array reduction on the
 * jobs' workers, scaling down (scancel of the surplus job), then close() (scancel of the rest).
 *
 * `npx tsx examples/slurm.ts` (after `npm run build`). On a cluster of several nodes add
 * `interface: 'ib0'` (or your network's interface) so the workers can reach the scheduler and each
 * other, and run from the shared file system. Without `sbatch` on PATH it prints the job script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as da from 'dask-ts/array';
import { Client } from 'dask-ts/distributed';
import { SLURMCluster } from 'dask-ts/jobqueue';

const cluster = new SLURMCluster({
  cores: 1,
  memory: '1GB',
  walltime: '00:10:00',
  name: 'dask-ts-example',
  logDirectory: mkdtempSync(join(tmpdir(), 'dask-ts-slurm-logs-')),
  jobScriptPrologue: ['echo "worker job $SLURM_JOB_ID on $(hostname)"'],
});
console.log(`The job script sbatch receives:\n\n${cluster.jobScript()}`);

if (spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log(
    'sbatch is not on PATH: run .ci/setup-slurm.sh (as root) for a one-node SLURM, or run this on a login node.',
  );
  await cluster.close();
} else {
  await cluster.scale({ jobs: 2 });
  console.log(`submitted jobs ${cluster.jobs.join(', ')}`);
  await cluster.waitForWorkers(2, { timeoutMs: 120_000 });
  console.log(`workers: ${cluster.workers.map((w) => `${w.name} (job ${w.jobId})`).join(', ')}`);
  const client = await Client.connect(cluster);

  console.log(`submit(x => x + 1, 10) = ${await client.submit((x: number) => x + 1, 10).result()}`);
  console.log(
    `gather(map(x => x * x, 1..5)) = ${JSON.stringify(await client.gather(client.map((x: number) => x * x, [1, 2, 3, 4, 5])))}`,
  );
  const n = 2_000_000;
  const total = Number(await da.arange(0, n, { chunks: 250_000 }).sum().compute());
  console.log(`da.arange(${n}).sum() on the SLURM workers = ${total} (expected ${(n * (n - 1)) / 2})`);

  await cluster.scale({ jobs: 1 });
  console.log(`scaled down to job ${cluster.jobs.join(', ')}`);
  await client.close();
  await cluster.close();
  console.log(`closed; log files in ${cluster.spec.logDirectory ?? '.'}`);
}
