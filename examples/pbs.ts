/*
 * The PBS part of the Dask tutorial (dask-distributed-tutorial.rst), in TypeScript: a
 * PBSCluster whose workers are PBS jobs of 48 cores and 192GB on Gadi (a modified PBS: its
 * own flags go in jobExtraDirectives, and the generated `select` line is skipped), talking over
 * InfiniBand (ib0), with one Node.js runtime everywhere (`node`, the tutorial's `python=`).
 *
 * Run it on a PBS login node, from a folder on the shared file system (the scheduler file lands in
 * ./.dask-ts): `npx tsx examples/pbs.ts`. Without `qsub` on PATH it prints the job script that
 * would be submitted and stops there.
 */
import { spawnSync } from 'node:child_process';
import { Client } from 'dask-ts/distributed';
import { PBSCluster } from 'dask-ts/jobqueue';

// "It is very important to make sure all elements of Dask use the same Python version": here the
// same Node.js. A worker on another Node major or dask-ts version is refused when it connects.
const node = process.env.DASK_TS_NODE ?? process.execPath;

// Loaded before the worker starts on every node: the same modules and the same environment.
const setupCommands = ['module load nodejs/20', 'cd /scratch/abc/app'];

// Gadi's own flags, passed through as #PBS lines.
const extra = ['-q normal', '-P vp91', '-l ncpus=48', '-l mem=192GB'];

const cluster = new PBSCluster({
  walltime: '00:20:00',
  cores: 48,
  memory: '192GB',
  shebang: '#!/usr/bin/env bash',
  jobExtraDirectives: extra,
  localDirectory: '$TMPDIR',
  jobDirectivesSkip: ['select'],
  interface: 'ib0',
  jobScriptPrologue: setupCommands,
  node,
});

console.log('The job script qsub receives:\n');
console.log(cluster.jobScript());

if (spawnSync('qsub', ['--version'], { stdio: 'ignore' }).error !== undefined) {
  console.log('qsub is not on PATH: run this on a PBS login node to submit the jobs.');
  await cluster.close();
} else {
  await cluster.scale({ jobs: 2 }); // two PBS jobs, one worker of 48 threads each
  console.log(`submitted jobs ${cluster.jobs.join(', ')}; waiting for their workers to start`);
  await cluster.waitForWorkers(2, { timeoutMs: 30 * 60_000 }); // jobs may queue for a while
  const client = await Client.connect(cluster);

  const slowIncrement = (x: number): number => x + 1;
  const future = client.submit(slowIncrement, 5000); // returns at once; the task runs on a worker
  console.log(`slowIncrement(5000) = ${await future.result()}`);

  await client.close();
  await cluster.close(); // qdel every job
  console.log('jobs cancelled, cluster closed');
}
