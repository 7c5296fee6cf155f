/*
 * B2 and B3 (BENCH.md).
 * B2: sum of 50M float64 in 50 chunks, the data already in a SharedArrayBuffer, and produced by
 *     da.random; baseline: the best single-thread loop (4 accumulators) over the same data.
 * B3: ((x + 1) * 2 - x).mean() over 20M float64 in 10 chunks of 16 MB; baseline: the hand-fused
 *     loop.
 */
import * as da from '../dist/src/array.js';
import { medians, type Row } from './measure.js';

function sum4(a: Float64Array): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n = a.length - (a.length % 4);
  for (let i = 0; i < n; i += 4) {
    s0 += a[i]!;
    s1 += a[i + 1]!;
    s2 += a[i + 2]!;
    s3 += a[i + 3]!;
  }
  for (let i = n; i < a.length; i++) s0 += a[i]!;
  return s0 + s1 + s2 + s3;
}

function fusedMean(a: Float64Array): number {
  let s0 = 0,
    s1 = 0;
  const n = a.length - (a.length % 2);
  for (let i = 0; i < n; i += 2) {
    const x0 = a[i]!;
    const x1 = a[i + 1]!;
    s0 += (x0 + 1) * 2 - x0;
    s1 += (x1 + 1) * 2 - x1;
  }
  for (let i = n; i < a.length; i++) s0 += (a[i]! + 1) * 2 - a[i]!;
  return (s0 + s1) / a.length;
}

function sharedRandom(n: number): Float64Array {
  const a = new Float64Array(new SharedArrayBuffer(n * 8));
  for (let i = 0; i < n; i++) a[i] = Math.random();
  return a;
}

export async function benchArrayReductions(): Promise<Row[]> {
  const rows: Row[] = [];
  const n2 = 50_000_000;
  const data2 = sharedRandom(n2);
  const x2 = da.fromArray(data2, { chunks: n2 / 50 });
  const r2 = da.random.random([n2], { chunks: n2 / 50, seed: 1 });
  const expect2 = sum4(data2);
  const m2 = await medians({
    'loop (4 accumulators)': () => sum4(data2),
    'threads (2), shared data': async () => {
      const v = (await x2.sum().compute({ scheduler: 'threads', numWorkers: 2 })) as number;
      if (Math.abs(v - expect2) > 1e-6 * expect2) throw new Error(`B2 sum ${v} != ${expect2}`);
    },
    'threads (2), da.random': () => r2.sum().compute({ scheduler: 'threads', numWorkers: 2 }),
  });
  const loop2 = m2.get('loop (4 accumulators)')!;
  for (const [name, ms] of m2)
    rows.push({
      workload: 'B2 sum 50M float64',
      case: name,
      medianMs: ms,
      ...(name.startsWith('loop') ? {} : { baseline: 'loop (4 accumulators)', speedup: loop2 / ms }),
    });

  const n3 = 20_000_000;
  const data3 = sharedRandom(n3);
  const x3 = da.fromArray(data3, { chunks: n3 / 10 });
  const expect3 = fusedMean(data3);
  const m3 = await medians({
    'hand-fused loop': () => fusedMean(data3),
    'threads (2)': async () => {
      const v = (await x3.add(1).mul(2).sub(x3).mean().compute({ scheduler: 'threads', numWorkers: 2 })) as number;
      if (Math.abs(v - expect3) > 1e-9) throw new Error(`B3 mean ${v} != ${expect3}`);
    },
  });
  const loop3 = m3.get('hand-fused loop')!;
  for (const [name, ms] of m3)
    rows.push({
      workload: 'B3 ((x+1)*2-x).mean() 20M',
      case: name,
      medianMs: ms,
      ...(name.startsWith('hand') ? {} : { baseline: 'hand-fused loop', speedup: loop3 / ms }),
    });
  return rows;
}
