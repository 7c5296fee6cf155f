/*
 * A plain script ends when its work ends. vitest exits by itself and would hide a pool thread or
 * child process that keeps Node's event loop alive, so each case runs as a user would: a real
 * `node script.mjs` importing the built package, no process.exit anywhere. The script must print
 * its result and exit by itself with code 0 well within the timeout; a hang is killed and fails.
 * Cases: fewer batches than pool threads (the usual hang: threads that never got work), the
 * processes scheduler, a failing task, a task that kills its thread (the replacement must be idle
 * too), a result that cannot travel, and a closed LocalCluster with its Client.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const dist = (face: string): string => JSON.stringify(new URL(`../../dist/src/${face}.js`, import.meta.url).href);
const dir = mkdtempSync(join(tmpdir(), 'dask-ts-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Generous for a loaded 2-core machine; a hung script never ends at all. */
const EXIT_WITHIN_MS = 20_000;

interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runScript(name: string, body: string): Promise<Ran> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file], { timeout: EXIT_WITHIN_MS, cwd: dir }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout: stdout.trim(), stderr }),
    );
  });
}

async function expectExits(name: string, body: string, stdout: string): Promise<void> {
  const ran = await runScript(name, body);
  expect({ code: ran.code, signal: ran.signal, stdout: ran.stdout }, ran.stderr).toEqual({
    code: 0,
    signal: null,
    stdout,
  });
}

describe('a plain node script exits by itself once its work is done', () => {
  test.each([2, 8])('one delayed task on the threads scheduler with numWorkers %i', async (n) => {
    await expectExits(
      `delayed-${n}`,
      `import { delayed } from ${dist('index')};
console.log(await delayed((x) => x + 1)(1).compute({ numWorkers: ${n} }));`,
      '2',
    );
  });

  test('a 2-chunk array reduction with numWorkers 8', async () => {
    await expectExits(
      'array',
      `import * as da from ${dist('array')};
console.log(await da.arange(0, 10, { chunks: 5 }).sum().compute({ numWorkers: 8 }));`,
      '45',
    );
  });

  test('a 1-partition DataFrame reduction on 4 threads', async () => {
    await expectExits(
      'dataframe',
      `import * as dd from ${dist('dataframe')};
const df = dd.fromColumns({ v: Float64Array.from([1, 2, 3.5]) }, { npartitions: 1 });
console.log(await df.col('v').sum().compute({ numWorkers: 4 }));`,
      '6.5',
    );
  });

  test('one task on the processes scheduler with 4 children', async () => {
    await expectExits(
      'processes',
      `import { delayed } from ${dist('index')};
console.log(await delayed((x) => x * 3)(5).compute({ scheduler: 'processes', numWorkers: 4 }));`,
      '15',
    );
  });

  test.each(['threads', 'processes'])('a failing task on %s', async (scheduler) => {
    await expectExits(
      `failing-${scheduler}`,
      `import { delayed } from ${dist('index')};
const r = await delayed(() => { throw new RangeError('no'); })().compute({ scheduler: '${scheduler}', numWorkers: 2 }).catch((e) => e.code);
console.log(r);`,
      'DASK_ERR_TASK',
    );
  });

  test('a task that kills its thread: the replacement thread is idle too', async () => {
    await expectExits(
      'killed',
      `import { delayed } from ${dist('index')};
const r = await delayed(() => process.exit(3))().compute({ numWorkers: 2 }).catch((e) => e.code);
console.log(r);`,
      'DASK_ERR_KILLED_WORKER',
    );
  });

  test('a result that cannot be sent back', async () => {
    await expectExits(
      'unsendable',
      `import { delayed } from ${dist('index')};
const r = await delayed(() => new WeakMap())().compute({ numWorkers: 2 }).catch((e) => e.code);
console.log(r);`,
      'DASK_ERR_SERIALIZATION',
    );
  });

  test('a LocalCluster and its Client, once closed', async () => {
    await expectExits(
      'cluster',
      `import { Client, LocalCluster } from ${dist('distributed')};
const cluster = await LocalCluster.start({ nWorkers: 2, dashboardAddress: null, quiet: true });
const client = await Client.connect(cluster);
console.log(await client.submit((x) => x + 1, 10).result());
await client.close();
await cluster.close();`,
      '11',
    );
  });
});
