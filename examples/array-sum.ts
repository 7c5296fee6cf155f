/*
 * Array demo (`npm run demo`, second part): a 50-million-element float64 array in shared memory,
 * cut into 50 chunks, summed on worker threads, next to the best single-thread loop over the
 * same memory; then a fused expression's mean. Prints the speed-up and checks the values.
 */
import * as da from 'dask-ts/array';
import { best } from './best-time.js';

const N = 50_000_000;
const data = new Float64Array(new SharedArrayBuffer(N * 8));
for (let i = 0; i < N; i++) data[i] = (i % 1000) / 1000;

function loopSum(a: Float64Array): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let i = 0; i < a.length; i += 4) {
    s0 += a[i]!;
    s1 += a[i + 1]!;
    s2 += a[i + 2]!;
    s3 += a[i + 3]!;
  }
  return s0 + s1 + s2 + s3;
}

const x = da.fromArray(data, { chunks: N / 50 });
console.log(`x: ${x.toString()}`);

const expected = loopSum(data);
const total = (await x.sum().compute({ scheduler: 'threads' })) as number;
const loopMs = await best(() => loopSum(data));
const threadsMs = await best(() => x.sum().compute({ scheduler: 'threads' }));
const ok = Math.abs(total - expected) <= 1e-9 * expected;
console.log(
  `sum of 50M float64: ${total.toFixed(3)} (${ok ? 'matches' : 'DIFFERS FROM'} the loop's ${expected.toFixed(3)})`,
);
console.log(
  `  single-thread loop ${loopMs.toFixed(1)} ms, threads ${threadsMs.toFixed(1)} ms: ${(loopMs / threadsMs).toFixed(2)}× faster`,
);

const fusedMean = (await x.add(1).mul(2).sub(x).mean().compute({ scheduler: 'threads' })) as number;
console.log(`((x + 1) * 2 - x).mean() = ${fusedMean.toFixed(6)} (one pass per chunk, no temporaries)`);
if (!ok || Math.abs(fusedMean - (expected / N + 2)) > 1e-9) process.exitCode = 1;
