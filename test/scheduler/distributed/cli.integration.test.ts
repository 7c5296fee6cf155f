// `dask-ts scheduler` and `dask-ts worker` as real processes (the built dist/ cli.js): a
// scheduler on a free port writing a scheduler file, two workers reading it, a client in this
// process running tasks on them; mistakes on the command line; and SIGTERM leaving nothing behind.
// Every wait is on a line the processes print or on their exit, never on a timer.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../../../src/distributed.js';
import { packageRoot } from '../../../src/core/serialize/fn-ref.js';
import { portIsFree } from '../../helpers/cluster.js';

const CLI = join(packageRoot(), 'dist', 'scheduler', 'distributed', 'cli.js');

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A CLI process with its output so far, a way to wait for a line, and its exit. */
class Cli {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';
  private readonly watchers = new Set<() => void>();
  private done = false;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    const base = { ...process.env };
    delete base.DASK_TS_TOKEN;
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => this.append('stdout', d));
    this.child.stderr!.on('data', (d: Buffer) => this.append('stderr', d));
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        this.done = true;
        for (const w of this.watchers) w();
        resolve({ code, signal });
      }),
    );
  }

  /** Resolves with the first match of `pattern` in the stream; rejects if the process ends first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this[stream].match(pattern);
        if (m === null && !this.done) return;
        this.watchers.delete(check);
        if (m !== null) resolve(m);
        else
          reject(
            new Error(`the process ended without printing ${pattern} on ${stream}:\n${this.stdout}\n${this.stderr}`),
          );
      };
      this.watchers.add(check);
      check();
    });
  }

  private append(stream: 'stdout' | 'stderr', d: Buffer): void {
    this[stream] += d.toString('utf8');
    for (const w of [...this.watchers]) w();
  }
}

const started: Cli[] = [];
function cli(args: readonly string[], env?: Readonly<Record<string, string>>): Cli {
  const p = new Cli(args, env);
  started.push(p);
  return p;
}

let dir: string;
let schedulerFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dask-ts-cli-'));
  schedulerFile = join(dir, 'scheduler.json');
  expect(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`).toBe(true);
});

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a cluster started from the command line', () => {
  let scheduler: Cli;
  let workers: Cli[];
  let address: string;
  let token: string;
  let port: number;

  beforeAll(async () => {
    scheduler = cli(['scheduler', '--port', '0', '--scheduler-file', schedulerFile]);
    const first = await scheduler.waitFor(
      'stdout',
      /^dask-ts scheduler at (ws:\/\/127\.0\.0\.1:(\d+)) token ([0-9a-f]{64})\n/,
    );
    address = first[1]!;
    port = Number(first[2]);
    token = first[3]!;
    workers = ['w1', 'w2'].map((name) =>
      cli([
        'worker',
        '--scheduler-file',
        schedulerFile,
        '--nthreads',
        '1',
        '--name',
        name,
        '--local-directory',
        join(dir, name, 'spill'),
      ]),
    );
    await Promise.all(
      workers.map((w) => w.waitFor('stdout', /^dask-ts worker at ws:\/\/127\.0\.0\.1:\d+ \(w\d\) connected to /)),
    );
    await scheduler.waitFor('stderr', /worker w1 joined[^]*worker w2 joined|worker w2 joined[^]*worker w1 joined/);
  });

  test('the scheduler prints its real port and token, and writes them to a 0600 scheduler file', () => {
    expect(port).toBeGreaterThan(0);
    expect(scheduler.stdout.split('\n')[1]).toBe(`dask-ts scheduler file ${schedulerFile}`);
    expect(statSync(schedulerFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(schedulerFile, 'utf8'))).toEqual({ address, token });
  });

  test('each worker says where it listens, who it is and which scheduler it joined, and creates its local directory', () => {
    for (const [i, w] of workers.entries()) {
      expect(w.stdout).toMatch(
        new RegExp(`^dask-ts worker at ws://127\\.0\\.0\\.1:\\d+ \\(w${i + 1}\\) connected to ${address}\\n$`),
      );
      expect(statSync(join(dir, `w${i + 1}`, 'spill')).isDirectory()).toBe(true);
    }
  });

  test('a client connected with the printed address and token runs submit, map and gather on the workers', async () => {
    const client = await Client.connect(address, { token, setAsDefault: false });
    try {
      expect(await client.submit((x: number) => x + 1, 10).result()).toBe(11);
      const xs = Array.from({ length: 20 }, (_, i) => i);
      expect(await client.gather(client.map((x: number) => x * x, xs))).toEqual(xs.map((x) => x * x));
    } finally {
      await client.close();
    }
  });

  test('a worker with a wrong token exits non-zero and says the token is wrong', async () => {
    const w = cli(['worker', address, '--token', 'not-the-token', '--nthreads', '1']);
    expect((await w.exited).code).toBe(1);
    expect(w.stderr).toMatch(/^dask-ts worker: .*token is missing or wrong/);
  });

  test('a worker without any token is told how to give one (exit 2)', async () => {
    const w = cli(['worker', address]);
    expect((await w.exited).code).toBe(2);
    expect(w.stderr).toContain('--token');
    expect(w.stderr).toContain('DASK_TS_TOKEN');
  });

  test('a worker takes the token from DASK_TS_TOKEN and leaves on SIGTERM with exit code 0', async () => {
    const w = cli(['worker', address, '--nthreads', '1', '--name', 'w3'], { DASK_TS_TOKEN: token });
    await w.waitFor('stdout', /\(w3\) connected to /);
    w.child.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    await scheduler.waitFor('stderr', /worker w3 joined from (ws:\S+)[^]*worker at \1 left/);
  });

  test('SIGTERM closes the workers and the scheduler with exit code 0, frees the port and removes the scheduler file', async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.exited).toEqual({ code: 0, signal: null });
    scheduler.child.kill('SIGTERM');
    expect(await scheduler.exited).toEqual({ code: 0, signal: null });
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(schedulerFile)).toBe(false);
  });
});

describe('a worker started before its scheduler', () => {
  test('waits for the scheduler file, joins once it appears, and exits 75 when the scheduler goes away', async () => {
    const file = join(dir, 'later.json');
    const worker = cli([
      'worker',
      '--scheduler-file',
      file,
      '--nthreads',
      '1',
      '--name',
      'early',
      '--death-timeout',
      '30',
      '--no-nanny',
    ]);
    await worker.waitFor('stderr', /waiting for the scheduler file .*later\.json: it does not exist/);
    const scheduler = cli(['scheduler', '--port', '0', '--scheduler-file', file]);
    const [, address] = await scheduler.waitFor('stdout', /^dask-ts scheduler at (\S+) token /);
    await worker.waitFor('stdout', new RegExp(`\\(early\\) connected to ${address}\\n`));
    await scheduler.waitFor('stderr', /worker early joined/);
    scheduler.child.kill('SIGTERM');
    expect(await scheduler.exited).toEqual({ code: 0, signal: null });
    expect(await worker.exited).toEqual({ code: 75, signal: null });
    expect(worker.stderr).toContain(`lost the scheduler at ${address}`);
  });

  test('gives up after --death-timeout when the scheduler file never appears (exit 1)', async () => {
    const worker = cli(['worker', '--scheduler-file', join(dir, 'never.json'), '--death-timeout', '0.3']);
    expect((await worker.exited).code).toBe(1);
    expect(worker.stderr).toMatch(
      /cannot use the scheduler file .*never\.json: it does not exist \(yet\) \(waited 0\.\d s; --death-timeout sets how long\)/,
    );
  });
});

describe('command-line mistakes', () => {
  async function fails(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const p = cli(args);
    const { code } = await p.exited;
    return { code, stderr: p.stderr };
  }

  test('an unknown flag exits 2 naming it, the closest known flag and the usage', async () => {
    const { code, stderr } = await fails(['worker', 'ws://127.0.0.1:8786', '--token', 't', '--nthread', '2']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --nthread; did you mean --nthreads?');
    expect(stderr).toContain('Usage: dask-ts worker [ADDRESS] [options]');
  });

  test('a missing value or a bad number exits 2 naming the flag and an example', async () => {
    const [missing, bad] = await Promise.all([
      fails(['scheduler', '--port']),
      fails(['scheduler', '--port', 'eighty']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--port needs a value: --port 8786');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port needs a whole number from 0 to 65535, got "eighty"');
  });

  test('an unknown command exits 2', async () => {
    const { code, stderr } = await fails(['schedule']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "schedule"');
  });

  test('binding the scheduler to a public interface without --insecure is refused', async () => {
    const { code, stderr } = await fails(['scheduler', '--host', '0.0.0.0', '--port', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('refusing to bind the scheduler to 0.0.0.0');
    expect(stderr).toContain('--insecure');
  });

  test('--help prints the options, including where the dashboard is served, and exits 0', async () => {
    const p = cli(['scheduler', '--help']);
    expect((await p.exited).code).toBe(0);
    expect(p.stdout).toContain('Usage: dask-ts scheduler [options]');
    expect(p.stdout).toMatch(/--dashboard-port PORT +Serve the dashboard here/);
  });
});
