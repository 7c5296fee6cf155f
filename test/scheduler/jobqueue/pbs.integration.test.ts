// PBSCluster against STAND-IN qsub and qdel (test/fixtures/jobqueue/bin): PBS has no Debian
// package, so no real PBS runs here. The stand-ins, first on PATH, record their arguments, and
// qsub runs the submitted script as a local background process with $PBS_JOBID set; qdel sends
// SIGTERM to that process group. Everything else is real: the scheduler in this process bound to
// a real interface, workers started by the job script from dist/ (run `npm run build` first),
// reading the 0600 scheduler file, and a Client running the tutorial's submit. Waits are on the
// cluster's events; only a job's exit file is polled (bounded), since nothing signals it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from '../../../src/distributed.js';
import { packageRoot } from '../../../src/core/serialize/fn-ref.js';
import { PBSCluster, type PBSClusterOptions } from '../../../src/jobqueue.js';
import { pollUntil, slowIncrement, testInterface } from './helpers.js';

const BIN = join(packageRoot(), 'test', 'fixtures', 'jobqueue', 'bin');
let dir = '';
let standin = '';
const saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dask-ts-pbs-'));
  standin = join(dir, 'standin');
  mkdirSync(join(dir, 'tmp'));
  process.env.PATH = `${BIN}:${process.env.PATH ?? ''}`;
  process.env.DASK_TS_STANDIN_DIR = standin;
  process.env.TMPDIR = join(dir, 'tmp'); // PBS gives every job its own $TMPDIR; the stand-in jobs inherit this one
});

afterAll(() => {
  // A failed test may leave stand-in jobs running: end their process groups.
  for (const f of existsSync(standin) ? readdirSync(standin).filter((n) => n.endsWith('.pid')) : []) {
    try {
      process.kill(-Number(readFileSync(join(standin, f), 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  process.env.PATH = saved.PATH;
  if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved.TMPDIR;
  delete process.env.DASK_TS_STANDIN_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string): string[] =>
  existsSync(join(standin, file)) ? readFileSync(join(standin, file), 'utf8').trim().split('\n') : [];
const iface = testInterface();

/** The tutorial's options, sized for this machine (1 core and 1GB per job; the tutorial asks 48 and 192GB). */
function tutorialOptions(name: string): PBSClusterOptions {
  return {
    walltime: '00:20:00',
    cores: 1,
    memory: '1GB',
    shebang: '#!/usr/bin/env bash',
    jobExtraDirectives: ['-q normal', '-P vp91', '-l ncpus=1', '-l mem=1GB'],
    localDirectory: '$TMPDIR',
    jobDirectivesSkip: ['select'],
    interface: iface.name,
    jobScriptPrologue: [`cd ${dir}`, 'echo "prologue ran in $PBS_JOBID"'],
    node: process.execPath,
    name,
    logDirectory: join(dir, 'logs'),
  };
}

describe('PBSCluster (stand-in qsub/qdel)', () => {
  test('the tutorial: scale({ jobs: 2 }), Client, submit; scaling down and close() qdel exactly the right jobs', async () => {
    const cluster = new PBSCluster(tutorialOptions('tutorial'));
    await cluster.scale({ jobs: 2 });
    const jobs = cluster.jobs;
    expect(jobs).toEqual(['1.standin', '2.standin']);
    expect(lines('qsub.log')).toHaveLength(2);
    // What qsub received is exactly jobScript(), and it holds no token.
    expect(readFileSync(join(standin, '1.standin.sh'), 'utf8')).toBe(cluster.jobScript());
    expect(cluster.jobScript()).not.toContain(cluster.token);

    await cluster.waitForWorkers(2);
    expect(cluster.schedulerAddress).toMatch(new RegExp(`^ws://${iface.address.replace(/\./g, '\\.')}:\\d+$`));
    expect(cluster.workers.map((w) => w.jobId).sort()).toEqual(jobs);
    expect(cluster.workers.map((w) => w.name).sort()).toEqual(['tutorial-1.standin-0', 'tutorial-2.standin-0']);
    expect(statSync(cluster.spec.schedulerFile).mode & 0o777).toBe(0o600);

    const client = await Client.connect(cluster);
    const future = client.submit(slowIncrement, 5000);
    expect(await future.result()).toBe(5001);
    // The token is in no worker's argv.
    for (const w of await client.workerInfo()) {
      expect(readFileSync(`/proc/${w.pid}/cmdline`, 'utf8')).not.toContain(cluster.token);
    }
    expect(readFileSync(join(standin, '1.standin.out'), 'utf8')).toContain('prologue ran in 1.standin');

    // Once both jobs are idle and hold no result, scaling to one cancels the newer.
    future.release();
    await pollUntil(
      () => (cluster.server.state.tasks.size === 0 ? true : undefined),
      'the scheduler to forget the result',
    );
    const left = once(cluster, 'worker-removed');
    await cluster.scale({ jobs: 1 });
    expect(lines('qdel.log')).toEqual(['2.standin']);
    expect(cluster.jobs).toEqual(['1.standin']);
    await left;
    expect(cluster.workers.map((w) => w.jobId)).toEqual(['1.standin']);
    expect(await client.submit(slowIncrement, 41).result()).toBe(42);

    await client.close();
    await cluster.close();
    expect(lines('qdel.log')).toEqual(['2.standin', '1.standin']);
    expect(cluster.jobs).toEqual([]);
    expect(existsSync(cluster.spec.schedulerFile)).toBe(false);
  });

  test('adapt() submits jobs for the load, computes, then cancels them once idle', async () => {
    const cluster = new PBSCluster({ ...tutorialOptions('adaptive'), interface: 'lo' });
    await cluster.start();
    const client = await Client.connect(cluster);
    const submitted: string[] = [];
    cluster.on('job-submitted', (id) => submitted.push(id));
    cluster.adapt({ minimumJobs: 0, maximumJobs: 2, intervalMs: 100, waitCount: 2 });
    const futures = client.map(slowIncrement, [1, 2, 3, 4], [200, 200, 200, 200]);
    expect(await client.gather(futures)).toEqual([2, 3, 4, 5]);
    expect(submitted.length).toBeGreaterThanOrEqual(1);
    expect(submitted.length).toBeLessThanOrEqual(2);
    for (const f of futures) f.release();
    while (cluster.jobs.length > 0) await once(cluster, 'job-cancelled');
    expect(lines('qdel.log').flatMap((l) => l.split(' '))).toEqual(expect.arrayContaining(submitted));
    await client.close();
    await cluster.close();
  });

  test('a worker whose scheduler disappears exits with code 75, and so does its job', async () => {
    process.env.DASK_TS_STANDIN_QDEL_NOOP = '1'; // qdel records and does nothing: only the scheduler's going away can stop the worker
    try {
      const cluster = new PBSCluster({ ...tutorialOptions('orphan'), interface: 'lo' });
      await cluster.scale(1);
      await cluster.waitForWorkers(1);
      const [id] = cluster.jobs;
      await cluster.close();
      const exit = await pollUntil(
        () =>
          existsSync(join(standin, `${id}.exit`))
            ? readFileSync(join(standin, `${id}.exit`), 'utf8').trim()
            : undefined,
        `job ${id} to end`,
      );
      expect(exit).toBe('75');
      expect(readFileSync(join(standin, `${id}.out`), 'utf8')).toMatch(/lost the scheduler/);
    } finally {
      delete process.env.DASK_TS_STANDIN_QDEL_NOOP;
    }
  });
});
