/*
 * The LocalCluster tutorial in TypeScript (`npm run demo`): a scheduler in this process and two
 * worker processes, a submit round trip, map + gather, futures as arguments, scattered data, an
 * array reduction on the cluster checked against a plain loop, and a task error that leaves the
 * cluster working. Everything is closed at the end; no process is left behind.
 */
import { Client, LocalCluster, progress } from 'dask-ts/distributed';
import * as da from 'dask-ts/array';

const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
console.log(
  `scheduler at ${cluster.schedulerAddress}; workers ${cluster.workers.map((w) => `${w.name} (pid ${w.pid})`).join(', ')}`,
);
const client = await Client.connect(cluster);

const future = client.submit((x: number) => x + 1, 10);
console.log(
  `submit(x => x + 1, 10).result() = ${await future.result()}  (key ${future.key.slice(0, 16)}..., ${future.status})`,
);

const squares = client.map((x: number) => x * x, [1, 2, 3, 4, 5]);
const total = client.submit((...xs: number[]) => xs.reduce((s, v) => s + v, 0), ...squares);
await progress(squares);
console.log(
  `gather(map(x => x * x, 1..5)) = ${JSON.stringify(await client.gather(squares))}; their sum on the cluster = ${await total.result()}`,
);

const data = Float64Array.from({ length: 1_000_000 }, (_, i) => (i % 100) / 100);
const big = await client.scatter(data);
const mean = await client.submit((xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length, big).result();
console.log(`mean of 1e6 scattered values = ${mean.toFixed(4)} (expected 0.4950)`);

let loop = 0;
for (let i = 0; i < 2_000_000; i++) loop += Math.sqrt(i);
const t0 = performance.now();
const arraySum = Number(await da.arange(0, 2_000_000, { chunks: 250_000 }).sqrt().sum().compute()); // the default scheduler is now the cluster
console.log(
  `da.arange(2e6).sqrt().sum() on the cluster = ${arraySum.toFixed(1)} in ${(performance.now() - t0).toFixed(0)} ms; plain loop ${loop.toFixed(1)}`,
);

const bad = client.submit((x: number) => {
  if (x > 1) throw new RangeError(`${x} is too big`);
  return x;
}, 2);
await bad.result().catch((e: unknown) => console.log(`a failing task rejects with: ${(e as Error).message}`));
console.log(`the cluster still computes: ${await client.submit((x: number) => x * 2, 21).result()}`);

await client.close();
await cluster.close();
console.log('cluster closed');
