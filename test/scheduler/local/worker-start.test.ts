/*
 * How pool workers start (scheduler/local/exec-argv.ts, start-failures.ts). Pool threads start
 * without the parent's module-loader flags (tsx, -r hooks), which cannot help a thread and slowed
 * B5 by ~1.3x, and without main-program flags (`--input-type=module -e`), with which a thread
 * cannot load its entry file. Pool child processes keep the loader hooks (a child may import a
 * user's `.ts` module) but drop the main-program flags. Checked in real child processes started
 * with real `--import` hooks (one marks every thread it runs in, one kills children), with `-e`,
 * and with a V8 flag that Node refuses in a thread's explicit options (the fallback path). A
 * worker that dies before loading is replaced; after three in a row its batches fail with the
 * cause instead of being respawned forever.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { threadExecArgv } from '../../../scheduler/threads/start-thread.js';
import { dropNodeFlags, MAIN_PROGRAM_FLAGS } from '../../../scheduler/local/exec-argv.js';
import { ThreadPool } from '../../../scheduler/threads/thread-pool.js';
import type { BatchOutcome } from '../../../scheduler/local/executor.js';
import { Task } from '../../../src/core/graph/task.js';

const run = promisify(execFile);
const indexJs = new URL('../../../dist/src/index.js', import.meta.url).href;
// Each thread that runs the hook sets a global; a task on a pool thread reports whether it ran.
const hook = `data:text/javascript,globalThis.__hookRan = true`;
const script = (scheduler = 'threads'): string => `
const { delayed } = await import(${JSON.stringify(indexJs)});
const probe = delayed(() => ({ hook: globalThis.__hookRan === true, argv: process.execArgv }));
let r;
try { r = await probe().compute({ scheduler: '${scheduler}', numWorkers: 1 }); } catch (e) { r = { code: e.code, message: e.message }; }
const again = await delayed((x) => x + 1)(1).compute({ scheduler: 'sync' });
console.log(JSON.stringify({ main: globalThis.__hookRan === true, thread: r, again }));
process.exit(0);`;

const dir = mkdtempSync(join(tmpdir(), 'dask-ts-argv-'));
const file = join(dir, 'probe.mjs');
writeFileSync(file, script());
const processesFile = join(dir, 'probe-processes.mjs');
writeFileSync(processesFile, script('processes'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  main: boolean;
  thread: { hook: boolean; argv: string[] } | { code: string; message: string };
  again: number;
}

async function probe(flags: string[], target = file): Promise<Probe> {
  const { stdout } = await run(process.execPath, [...flags, target], { timeout: 30_000 });
  return JSON.parse(stdout) as Probe;
}

describe('how pool workers start', () => {
  test('loader flags are dropped in both forms, the rest kept in order', () => {
    expect(
      threadExecArgv([
        '--import',
        'tsx',
        '--enable-source-maps',
        '--require=a.cjs',
        '-r',
        'b.cjs',
        '--loader',
        'ts-node/esm',
        '--experimental-loader=x',
        '--no-warnings',
      ]),
    ).toEqual(['--enable-source-maps', '--no-warnings']);
    expect(
      threadExecArgv([
        '--input-type=module',
        '-e',
        'run()',
        '--input-type',
        'module',
        '--eval=x',
        '-p',
        '1',
        '--print',
        '2',
        '--trace-warnings',
      ]),
    ).toEqual(['--trace-warnings']);
    expect(threadExecArgv(['--enable-source-maps', '--no-warnings'])).toBeUndefined();
    expect(threadExecArgv([])).toBeUndefined();
  });

  test('a thread of a process started with --import does not run the hook; other options reach it', async () => {
    const r = await probe(['--import', hook, '--enable-source-maps']);
    expect(r.main).toBe(true);
    expect(r.thread).toEqual({ hook: false, argv: ['--enable-source-maps'] });
  });

  test('with a V8 flag Node refuses in a thread, the thread starts with no options and works', async () => {
    const r = await probe(['--max-old-space-size=2048', `--import=${hook}`]);
    expect(r.main).toBe(true);
    expect(r.thread).toEqual({ hook: false, argv: [] });
  });

  test('without loader flags the thread inherits as before', async () => {
    const r = await probe(['--enable-source-maps']);
    expect(r.thread).toEqual({ hook: false, argv: ['--enable-source-maps'] });
  });

  test('a script run with `node --input-type=module -e` computes on threads and processes (it used to hang)', async () => {
    for (const scheduler of ['threads', 'processes']) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script(scheduler)], {
        timeout: 30_000,
      });
      expect(JSON.parse(stdout)).toEqual({ main: false, thread: { hook: false, argv: [] }, again: 2 });
    }
  });

  test('child processes keep loader hooks and drop main-program flags', async () => {
    expect(dropNodeFlags(['--import', 'tsx', '--input-type=module', '-e', 'x'], MAIN_PROGRAM_FLAGS)).toEqual([
      '--import',
      'tsx',
    ]);
    const r = await probe(['--import', hook], processesFile);
    expect(r.thread).toEqual({ hook: true, argv: ['--import', hook] });
  });

  test('a child process that cannot start fails the computation with the cause; the process goes on', async () => {
    // A real hook that throws in forked children only: every pool child dies while loading.
    const failing = `data:text/javascript,if (process.send) throw new Error('hook refuses children')`;
    const r = await probe(['--import', failing], processesFile);
    expect(r.thread).toMatchObject({
      code: 'DASK_ERR_CONFIG',
      message: expect.stringMatching(
        /worker processes failed to start 3 times in a row \(the last exited with code 1/,
      ) as unknown,
    });
    expect(r.again).toBe(2);
  });

  test('one child dying before it loads is replaced and the computation succeeds', async () => {
    // A real hook that makes only the first forked child exit while loading (a marker file).
    const marker = join(dir, 'first-child-died');
    const once = `data:text/javascript,import { existsSync, writeFileSync } from 'node:fs'; if (process.send && !existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); process.exit(1); }`;
    const r = await probe(['--import', once], processesFile);
    expect(r.thread).toEqual({ hook: false, argv: ['--import', once] });
  });

  test('a thread that cannot start fails its batches with the cause; the pool is not respawned forever', async () => {
    // A 2 MiB heap is too small for a thread to load its entry file.
    const pool = new ThreadPool(1, { maxHeapMb: 2 });
    const submit = (): Promise<BatchOutcome> =>
      new Promise((resolve) => pool.submit([new Task('t', (x: number) => x + 1, [1])], () => undefined, resolve));
    try {
      const first = await submit();
      expect(first.error?.error).toMatchObject({
        code: 'DASK_ERR_CONFIG',
        message: expect.stringMatching(
          /threads failed to start 3 times in a row \(last: .*memory limit.*\).*maxHeapMb: 2/,
        ) as unknown,
      });
      const again = await submit();
      expect(again.error?.error).toBe(first.error?.error);
    } finally {
      await pool.close();
    }
    // The process still runs threads: a fresh pool with a normal heap works.
    const ok = new ThreadPool(1);
    try {
      const outcome = await new Promise<BatchOutcome>((resolve) =>
        ok.submit([new Task('t', (x: number) => x + 1, [1])], () => undefined, resolve),
      );
      expect(outcome.results).toEqual([2]);
    } finally {
      await ok.close();
    }
  });
});
