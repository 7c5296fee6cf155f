/*
 * DataFrame demo (`npm run demo`, third part): a group-by over a generated dataset of 10 million
 * rows (int32 keys with 1,000 distinct values, float64 values) in 10 partitions, on worker
 * threads, checked group by group against a plain single-thread loop over the same memory, with
 * timings; then the same frame written to CSV and read back with a filter and a projection the
 * reader applies itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dd from 'dask-ts/dataframe';
import { best } from './best-time.js';

const N = 10_000_000;
const KEYS = 1000;
const k = new Int32Array(new SharedArrayBuffer(N * 4));
const v = new Float64Array(new SharedArrayBuffer(N * 8));
let seed = 7;
for (let i = 0; i < N; i++) {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  k[i] = seed % KEYS;
  v[i] = (seed >>> 8) / 2 ** 24;
}

function loopMeans(): Float64Array {
  const sum = new Float64Array(KEYS);
  const cnt = new Float64Array(KEYS);
  for (let i = 0; i < N; i++) {
    sum[k[i]!]! += v[i]!;
    cnt[k[i]!]!++;
  }
  for (let g = 0; g < KEYS; g++) sum[g]! /= cnt[g]!;
  return sum;
}

const df = dd.fromColumns({ k, v }, { npartitions: 10 });
console.log(`df: ${df.toString()}`);
const query = df.groupby('k').agg({ v: ['mean', 'count'] });
const result = await query.compute({ scheduler: 'threads' });
const want = loopMeans();
const keys = result.getChild('k')!.toArray() as Int32Array;
const means = result.getChild('v_mean')!.toArray() as Float64Array;
let ok = keys.length === KEYS;
for (let i = 0; i < keys.length; i++) ok &&= keys[i] === i && Math.abs(means[i]! - want[i]!) < 1e-9;
const loopMs = await best(loopMeans);
const threadsMs = await best(() => query.compute({ scheduler: 'threads' }));
console.log(
  `groupby('k').agg({ v: ['mean', 'count'] }) over ${N / 1e6}M rows: ${result.numRows} groups, sorted by key, ${ok ? 'matching' : 'DIFFERING FROM'} the plain loop`,
);
console.log(`  single-thread loop ${loopMs.toFixed(1)} ms, threads ${threadsMs.toFixed(1)} ms`);

const dir = mkdtempSync(join(tmpdir(), 'dask-ts-demo-'));
try {
  const small = dd.fromColumns({ k: k.subarray(0, 200_000), v: v.subarray(0, 200_000) }, { npartitions: 4 });
  const files = await small.toCsv(join(dir, 'part-*.csv'));
  const csv = dd.readCsv(join(dir, 'part-*.csv'));
  const big = csv.filter(csv.col('v').gt(0.5));
  const top = await big
    .groupby('k')
    .agg({ v: 'max' })
    .sortValues('v', { ascending: false })
    .head(3, { scheduler: 'threads' });
  console.log(
    `wrote ${files.length} CSV files, read them back (${csv.npartitions} blocks, dtypes ${JSON.stringify(csv.dtypes)}); keys with the largest v > 0.5:`,
  );
  const topK = top.getChild('k')!.toArray() as Int32Array;
  const topV = top.getChild('v')!.toArray() as Float64Array;
  console.log(`  ${[...topK].map((key, i) => `k=${key}: ${topV[i]!.toFixed(6)}`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (!ok) process.exitCode = 1;
