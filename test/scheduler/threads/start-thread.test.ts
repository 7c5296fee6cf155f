/*
 * Pool threads start without the parent's module-loader flags (tsx, -r hooks): the hooks cannot
 * help a thread and slowed B5 by ~1.3x. Checked in real child processes started with a real
 * `--import` hook that marks every thread it runs in, and with a V8 flag that Node refuses in a
 * thread's explicit options (the fallback path).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { threadExecArgv } from '../../../scheduler/threads/start-thread.js';

const run = promisify(execFile);
const indexJs = new URL('../../../dist/src/index.js', import.meta.url).href;
// Each thread that runs the hook sets a global; a task on a pool thread reports whether it ran.
const hook = `data:text/javascript,globalThis.__hookRan = true`;
const script = `
const { delayed } = await import(${JSON.stringify(indexJs)});
const probe = delayed(() => ({ hook: globalThis.__hookRan === true, argv: process.execArgv }));
const r = await probe().compute({ scheduler: 'threads', numWorkers: 1 });
console.log(JSON.stringify({ main: globalThis.__hookRan === true, thread: r }));
process.exit(0);`;

const dir = mkdtempSync(join(tmpdir(), 'dask-ts-argv-'));
const file = join(dir, 'probe.mjs');
writeFileSync(file, script);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function probe(flags: string[]): Promise<{ main: boolean; thread: { hook: boolean; argv: string[] } }> {
  const { stdout } = await run(process.execPath, [...flags, file], { timeout: 30_000 });
  return JSON.parse(stdout) as { main: boolean; thread: { hook: boolean; argv: string[] } };
}

describe('pool thread options', () => {
  test('loader flags are dropped in both forms, the rest kept in order', () => {
    expect(threadExecArgv(['--import', 'tsx', '--enable-source-maps', '--require=a.cjs', '-r', 'b.cjs', '--loader', 'ts-node/esm', '--experimental-loader=x', '--no-warnings'])).toEqual(['--enable-source-maps', '--no-warnings']);
    expect(threadExecArgv(['--enable-source-maps', '--no-warnings'])).toBeUndefined();
    expect(threadExecArgv([])).toBeUndefined();
  });

  test('a thread of a process started with --import does not run the hook; other options reach it', async () => {
    const r = await probe(['--import', hook, '--enable-source-maps']);
    expect(r.main).toBe(true);
    expect(r.thread.hook).toBe(false);
    expect(r.thread.argv).toEqual(['--enable-source-maps']);
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
});
