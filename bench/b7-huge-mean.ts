/*
 * B7, second half (BENCH.md): the mean of a 1e9-element da.random array (8 GB of float64, in
 * 'auto' chunks of 128 MiB) on threads, with the process's peak RSS sampled every 10 ms; target
 * ≤ 1.5 GB. The mean of uniform [0, 1) samples must come out near 0.5.
 */
import * as da from '../dist/src/array.js';
import type { Row } from './measure.js';

export async function benchHugeMean(): Promise<Row[]> {
  const n = 1_000_000_000;
  const x = da.random.random([n], { seed: 11 });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const start = performance.now();
  const mean = (await x.mean().compute({ scheduler: 'threads', numWorkers: 2 })) as number;
  const ms = performance.now() - start;
  clearInterval(sampler);
  if (Math.abs(mean - 0.5) > 1e-3) throw new Error(`B7 mean ${mean} is not near 0.5`);
  return [
    {
      workload: 'B7 mean of 1e9 da.random (8 GB)',
      case: `threads (2), ${x.numblocks[0]} chunks: peak RSS ${(peak / 2 ** 30).toFixed(2)} GiB (before ${(rssBefore / 2 ** 30).toFixed(2)})`,
      medianMs: ms,
    },
  ];
}
