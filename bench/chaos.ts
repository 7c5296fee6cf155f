/*
 * `npm run chaos [-- ITERATIONS]` (default 100): array, DataFrame, Delayed and map computations
 * on a LocalCluster of 3 workers (each under its nanny) while workers are killed at random:
 * SIGKILL, SIGTERM (a clean leave), or the scheduler cutting the worker's stream. Every result is
 * checked against a plain-loop answer; an iteration that takes more than 60 s counts as a hang.
 * Prints iterations, kills by kind, wrong results, errors and hangs; exits 1 if any went wrong.
 * A KilledWorker (a task that was running on 4 workers that were killed: allowedFailures is 3)
 * is the documented answer to that much killing, not a wrong result; it is counted on its own.
 */
import { Client, LocalCluster } from '../dist/src/distributed.js';
import * as da from '../dist/src/array.js';
import * as dd from '../dist/src/dataframe.js';
import { delayed, KilledWorker } from '../dist/src/index.js';

const ITERATIONS = Number(process.argv[2] ?? 100);
const HANG_MS = 60_000;

let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

type Job = { readonly name: string; run(client: Client): Promise<unknown>; readonly expected: unknown };

function makeJob(i: number): Job {
  const kind = pick(['array', 'dataframe', 'delayed', 'map'] as const);
  if (kind === 'array') {
    const n = 200_000 + Math.floor(rand() * 800_000);
    const k = 1 + (i % 5);
    return {
      name: `array sum n=${n}`,
      run: async (client) => Number(await client.compute(da.arange(0, n, { chunks: 50_000 }).mul(k).sum())),
      expected: (k * n * (n - 1)) / 2,
    };
  }
  if (kind === 'dataframe') {
    const n = 50_000;
    const keys = Int32Array.from({ length: n }, (_, j) => (j * 7 + i) % 13);
    const vals = Float64Array.from({ length: n }, (_, j) => j % 10);
    const sums = new Array<number>(13).fill(0);
    for (let j = 0; j < n; j++) sums[keys[j]!]! += vals[j]!;
    return {
      name: 'dataframe groupby sum',
      run: async (client) => {
        const t = await client.compute(
          dd.fromColumns({ k: keys, v: vals }, { npartitions: 8 }).groupby('k').agg({ v: 'sum' }),
        );
        return Array.from(t.getChild('v')!.toArray() as Float64Array);
      },
      expected: sums,
    };
  }
  if (kind === 'delayed') {
    const n = 200;
    const inc = delayed((x: number) => new Promise<number>((r) => setTimeout(() => r(x + 1), 2)));
    const add = delayed((a: number, b: number) => a + b);
    return {
      name: 'delayed tree',
      run: async (client) => {
        let level = Array.from({ length: n }, (_, j) => inc(j + i));
        while (level.length > 1) {
          const next = [];
          for (let j = 0; j < level.length; j += 2)
            next.push(j + 1 < level.length ? add(level[j]!, level[j + 1]!) : level[j]!);
          level = next;
        }
        return client.compute(level[0]!);
      },
      expected: (n * (n + 1)) / 2 + n * i,
    };
  }
  const xs = Array.from({ length: 300 }, (_, j) => j + i * 1000);
  return {
    name: 'map + gather',
    run: async (client) =>
      client.gather(client.map((x: number) => new Promise<number>((r) => setTimeout(() => r(x * 2), 1)), xs)),
    expected: xs.map((x) => x * 2),
  };
}

const kills = { SIGKILL: 0, SIGTERM: 0, 'stream cut': 0 };

function killOne(cluster: LocalCluster): void {
  const workers = cluster.workers;
  if (workers.length === 0) return;
  const w = pick(workers);
  const how = pick(['SIGKILL', 'SIGTERM', 'stream cut'] as const);
  kills[how] += 1;
  if (how === 'stream cut') cluster.server.closeWorker(w.address, 'chaos');
  else {
    try {
      process.kill(w.pid, how);
    } catch {
      // already gone
    }
  }
}

const cluster = await LocalCluster.start({ nWorkers: 3, threadsPerWorker: 1, dashboardAddress: null, quiet: true });
const client = await Client.connect(cluster);
let wrong = 0;
let errors = 0;
let killedWorker = 0;
let hangs = 0;
const started = performance.now();
for (let i = 0; i < ITERATIONS; i++) {
  const job = makeJob(i);
  const chaos = setInterval(() => {
    if (rand() < 0.25) killOne(cluster); // about one kill every 0.4 s
  }, 100);
  let timer: NodeJS.Timeout | undefined;
  try {
    const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)));
    const result = await Promise.race([job.run(client), hang]);
    if (result === 'hang') {
      hangs += 1;
      console.log(`iteration ${i} (${job.name}): HANG`);
    } else if (JSON.stringify(result) !== JSON.stringify(job.expected)) {
      wrong += 1;
      console.log(
        `iteration ${i} (${job.name}): WRONG ${JSON.stringify(result).slice(0, 80)} expected ${JSON.stringify(job.expected).slice(0, 80)}`,
      );
    }
  } catch (e) {
    if (e instanceof KilledWorker) {
      killedWorker += 1;
      console.log(`iteration ${i} (${job.name}): KilledWorker (${e.message})`);
    } else {
      errors += 1;
      console.log(`iteration ${i} (${job.name}): ERROR ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  } finally {
    clearInterval(chaos);
    clearTimeout(timer);
  }
  if ((i + 1) % 10 === 0)
    console.log(
      `${i + 1} iterations, kills ${JSON.stringify(kills)}, wrong ${wrong}, errors ${errors}, hangs ${hangs}`,
    );
}
const totalKills = kills.SIGKILL + kills.SIGTERM + kills['stream cut'];
console.log(
  `chaos: ${ITERATIONS} iterations in ${((performance.now() - started) / 1000).toFixed(0)} s; ${totalKills} kills ${JSON.stringify(kills)}; ` +
    `${wrong} wrong results, ${errors} errors, ${hangs} hangs, ${killedWorker} KilledWorker`,
);
await client.close();
await cluster.close();
process.exit(wrong + hangs + errors > 0 ? 1 : 0);
