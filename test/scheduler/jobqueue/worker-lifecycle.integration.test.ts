// What happens to a job's worker when the scheduler is not there or does not match, with real
// processes: the job script of a PBSCluster run by bash (as a batch system would run it) and
// workers from dist/ (run `npm run build` first).
//  - A worker that cannot reach its scheduler exits after deathTimeout: the scheduler file never
//    appears, or it names a scheduler nobody listens for.
//  - A worker from another dask-ts version (a copy of this package with another version number)
//    is refused by the handshake with a message naming both versions: the tutorial's "one runtime
//    everywhere", enforced.
// Every wait is on a process exit.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerServer } from '../../../src/distributed.js';
import { packageRoot } from '../../../src/core/serialize/fn-ref.js';
import { PBSCluster } from '../../../src/jobqueue.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dask-ts-worker-life-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ended {
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Runs a PBSCluster's job script with bash, as a PBS job with id `id`. */
function runJob(schedulerFile: string, id: string): Promise<Ended> {
  const cluster = new PBSCluster({ cores: 1, memory: '1GB', deathTimeout: 1, schedulerFile, node: process.execPath });
  const script = join(dir, `${id}.sh`);
  writeFileSync(script, cluster.jobScript());
  return run('bash', [script], { PBS_JOBID: id });
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('a job worker and its scheduler', () => {
  test('the scheduler file never appears: the worker gives up after deathTimeout and exits 1', async () => {
    const ended = await runJob(join(dir, 'never-written.json'), '1.test');
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(
      /cannot use the scheduler file .*never-written\.json: it does not exist \(yet\) \(waited \d+\.\d s; --death-timeout sets how long\)/,
    );
  });

  test('the scheduler in the file is gone: the worker gives up after deathTimeout and exits 1', async () => {
    const file = join(dir, 'stale.json');
    writeFileSync(file, JSON.stringify({ address: `ws://127.0.0.1:${await closedPort()}`, token: 'a'.repeat(64) }), {
      mode: 0o600,
    });
    const ended = await runJob(file, '2.test');
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(/dask-ts worker: cannot connect to the scheduler at ws:\/\/127\.0\.0\.1:\d+/);
  });

  test('a worker of another dask-ts version is refused with a message naming both versions', async () => {
    // A copy of this package that calls itself 0.0.0-other, sharing node_modules.
    const other = join(dir, 'other-dask-ts');
    cpSync(join(packageRoot(), 'dist'), join(other, 'dist'), { recursive: true });
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.0-other' }));
    symlinkSync(join(packageRoot(), 'node_modules'), join(other, 'node_modules'), 'dir');
    const schedulerFile = join(dir, 'versions.json');
    const server = await SchedulerServer.start({ port: 0, schedulerFile });
    try {
      const ended = await run(process.execPath, [
        join(other, 'dist', 'scheduler', 'distributed', 'cli.js'),
        'worker',
        '--scheduler-file',
        schedulerFile,
        '--death-timeout',
        '5',
      ]);
      expect(ended.code).toBe(1);
      expect(ended.output).toMatch(
        /refused: .*dask-ts \S+ on Node \d+, .*dask-ts \S+ on Node \d+: use the same versions on both sides/,
      );
      expect(ended.output).toContain('0.0.0-other');
      expect(server.workers()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
