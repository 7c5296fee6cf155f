/*
 * The package as a user gets it: `npm pack`, installed into a fresh project with strict
 * TypeScript (no skipLibCheck), type-checked, then run with plain `node`. Catches types that
 * import packages the user does not have (TS7016), files missing from the tarball, and a script
 * that does not end by itself. Installs from npm's cache (`npm ci` has filled it), so it needs no
 * network when the cache is warm.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'dask-ts-pack-'));
const app = join(dir, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

beforeAll(async () => {
  // dist/ is built by pretest; --ignore-scripts skips building it again.
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repo });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const typescript = (await import('typescript')).version;
  await run(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(dir, tarball),
      `typescript@${typescript}`,
      '@types/node@20',
    ],
    { cwd: app, timeout: 240_000 },
  );
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package in a fresh project', () => {
  test('a strict TypeScript project type-checks against the shipped declarations', async () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['app.ts'],
      }),
    );
    writeFileSync(
      join(app, 'app.ts'),
      `import * as da from 'dask-ts/array';
import * as dd from 'dask-ts/dataframe';
import { compute, delayed } from 'dask-ts';
import { Client, LocalCluster } from 'dask-ts/distributed';
import { PBSCluster, SLURMCluster } from 'dask-ts/jobqueue';
const x = da.ones([10], { chunks: 5 });
const s = (await x.sum().compute()) as number;
const df = dd.fromColumns({ v: Float64Array.from([1, 2]) }, { npartitions: 1 });
const [a, b] = await compute(delayed((v: number) => v + 1)(1), delayed(() => 'x')());
console.log(s + 1, df.npartitions, a, b, Client.name, LocalCluster.name, PBSCluster.name, SLURMCluster.name);
`,
    );
    const checked = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app]).catch(
      (e: Error & { stdout?: string }) => ({ stdout: e.stdout ?? e.message }),
    );
    expect(checked.stdout).toBe('');
  }, 180_000);

  test('a plain node script using the installed package computes and exits by itself', async () => {
    writeFileSync(
      join(app, 'run.mjs'),
      `import * as da from 'dask-ts/array';
import { delayed } from 'dask-ts';
console.log(await da.arange(0, 100, { chunks: 10 }).sum().compute(), await delayed((v) => v * 2)(21).compute());
`,
    );
    const { stdout } = await run(process.execPath, [join(app, 'run.mjs')], { cwd: app, timeout: 30_000 });
    expect(stdout.trim()).toBe('4950 42');
  });
});
