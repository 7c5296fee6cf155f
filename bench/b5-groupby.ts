/*
 * B5 (BENCH.md): groupby('k').agg({ v: 'mean' }) over 10M rows with 1,000 int32 keys, in 10
 * partitions, on the threads scheduler (2 threads), side by side in the same run with DuckDB
 * (`SET threads=2`), nodejs-polars (POLARS_MAX_THREADS=2, set before polars loads) and two
 * single-thread loops (dense slots indexed by key, and a Map). Every peer gets the same data,
 * generated here; every result is checked against the dense loop's. Cases run one at a time (each
 * its own tinybench run with warm-up) in three rounds of rotating order (measure.ts).
 */
import * as dd from '../dist/src/dataframe.js';
import { roundRobinMedians, type Row } from './measure.js';

const N = 10_000_000;
const KEYS = 1000;

function generate(): { k: Int32Array; v: Float64Array } {
  const k = new Int32Array(new SharedArrayBuffer(N * 4));
  const v = new Float64Array(new SharedArrayBuffer(N * 8));
  let s = 42;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    k[i] = s % KEYS;
    v[i] = (s >>> 4) / 2 ** 28;
  }
  return { k, v };
}

function denseMeans(k: Int32Array, v: Float64Array): Float64Array {
  const sum = new Float64Array(KEYS);
  const cnt = new Float64Array(KEYS);
  for (let i = 0; i < k.length; i++) {
    const g = k[i]!;
    sum[g]! += v[i]!;
    cnt[g]!++;
  }
  for (let g = 0; g < KEYS; g++) sum[g]! /= cnt[g]!;
  return sum;
}

function mapMeans(k: Int32Array, v: Float64Array): Map<number, number> {
  const acc = new Map<number, [number, number]>();
  for (let i = 0; i < k.length; i++) {
    const e = acc.get(k[i]!);
    if (e === undefined) acc.set(k[i]!, [v[i]!, 1]);
    else {
      e[0] += v[i]!;
      e[1]++;
    }
  }
  const out = new Map<number, number>();
  for (const [key, [s, c]] of acc) out.set(key, s / c);
  return out;
}

function check(name: string, keys: ArrayLike<number>, means: ArrayLike<number>, want: Float64Array): void {
  if (keys.length !== KEYS) throw new Error(`B5 ${name}: ${keys.length} groups, want ${KEYS}`);
  for (let i = 0; i < keys.length; i++) {
    const g = Number(keys[i]);
    if (Math.abs(Number(means[i]) - want[g]!) > 1e-9)
      throw new Error(`B5 ${name}: mean of key ${g} is ${means[i]}, want ${want[g]}`);
  }
}

interface Peer {
  run(): Promise<void>;
  close(): void;
}

async function duckdbPeer(k: Int32Array, v: Float64Array, want: Float64Array): Promise<Peer> {
  const { DuckDBInstance, INTEGER, DOUBLE } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run('SET threads=2');
  await con.run('CREATE TABLE t (k INTEGER, v DOUBLE)');
  const appender = await con.createAppender('t');
  const chunk = 2048;
  for (let i = 0; i < N; i += chunk) {
    const end = Math.min(N, i + chunk);
    const dc = (await import('@duckdb/node-api')).DuckDBDataChunk.create([INTEGER, DOUBLE], end - i);
    dc.setColumnValues(0, Array.from(k.subarray(i, end)));
    dc.setColumnValues(1, Array.from(v.subarray(i, end)));
    appender.appendDataChunk(dc);
  }
  appender.closeSync();
  const query = 'SELECT k, avg(v) AS v FROM t GROUP BY k ORDER BY k';
  return {
    async run() {
      const r = await con.runAndReadAll(query);
      const cols = r.getColumnsJS();
      check('duckdb', cols[0] as number[], cols[1] as number[], want);
    },
    close() {
      con.closeSync();
      instance.closeSync();
    },
  };
}

async function polarsPeer(k: Int32Array, v: Float64Array, want: Float64Array): Promise<Peer> {
  process.env.POLARS_MAX_THREADS = '2';
  const pl = (await import('nodejs-polars')).default;
  const frame = pl.DataFrame({ k: pl.Series('k', k, pl.Int32), v: pl.Series('v', v, pl.Float64) });
  return {
    async run() {
      const out = frame.groupBy('k').agg(pl.col('v').mean()).sort('k');
      check('polars', out.getColumn('k').toArray() as number[], out.getColumn('v').toArray() as number[], want);
      await Promise.resolve();
    },
    close() {},
  };
}

export async function benchGroupby(): Promise<Row[]> {
  const { k, v } = generate();
  const want = denseMeans(k, v);
  const df = dd.fromColumns({ k, v }, { npartitions: 10 });
  const query = df.groupby('k').agg({ v: 'mean' });
  const duck = await duckdbPeer(k, v, want);
  const polars = await polarsPeer(k, v, want);
  const cases: Record<string, () => unknown> = {
    'dask-ts threads (2)': async () => {
      const t = await query.compute({ scheduler: 'threads', numWorkers: 2 });
      check('dask-ts', t.getChild('k')!.toArray() as Int32Array, t.getChild('v')!.toArray() as Float64Array, want);
    },
    'DuckDB (2 threads)': () => duck.run(),
    'nodejs-polars (2 threads)': () => polars.run(),
    'loop, dense slots': () => denseMeans(k, v),
    'loop, Map': () => mapMeans(k, v),
  };
  const m = await roundRobinMedians(cases, { rounds: 3, iterations: 9, pauseMs: 300 });
  duck.close();
  polars.close();
  const ours = m.get('dask-ts threads (2)')!;
  const workload = 'B5 groupby mean 10M rows, 1k keys';
  const rows: Row[] = [];
  for (const [name, ms] of m) {
    if (name.startsWith('dask-ts')) continue;
    rows.push({ workload, case: name, medianMs: ms });
  }
  for (const base of ['DuckDB (2 threads)', 'nodejs-polars (2 threads)', 'loop, dense slots', 'loop, Map']) {
    rows.push({ workload, case: 'dask-ts threads (2)', medianMs: ours, baseline: base, speedup: m.get(base)! / ours });
  }
  return rows;
}
