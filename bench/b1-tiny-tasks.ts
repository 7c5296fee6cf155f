/*
 * B1 (BENCH.md): 10,000 tiny delayed tasks (x => x + 1) plus one task summing them all, built and
 * computed end to end on sync and threads. Same-run baselines: a plain loop, and the peers
 * piscina 5 and tinypool 2 (2 threads each) running the same 10,000 calls plus the sum.
 */
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { delayed } from '../dist/src/index.js';
import { medians, type Row } from './measure.js';

const N = 10_000;

export async function benchTinyTasks(): Promise<Row[]> {
  const inc = delayed((x: number) => x + 1);
  const total = delayed((xs: number[]) => xs.reduce((s, v) => s + v, 0), { name: 'total' });
  const expected = (N * (N + 1)) / 2;
  const graphOf = () => total(Array.from({ length: N }, (_, i) => inc(i)));
  const check = (v: unknown): void => {
    if (v !== expected) throw new Error(`B1 computed ${String(v)}, expected ${expected}`);
  };
  const worker = new URL('./workers/inc.mjs', import.meta.url).href;
  const piscina = new Piscina({ filename: worker, minThreads: 2, maxThreads: 2 });
  const tinypool = new Tinypool({ filename: worker, minThreads: 2, maxThreads: 2 });
  const peer = (run: (x: number) => Promise<number>) => async () => {
    const parts = await Promise.all(Array.from({ length: N }, (_, i) => run(i)));
    check(parts.reduce((s, v) => s + v, 0));
  };
  const m = await medians({
    'plain loop': () => {
      const parts: number[] = [];
      for (let i = 0; i < N; i++) parts.push(i + 1);
      check(parts.reduce((s, v) => s + v, 0));
    },
    'dask-ts sync': async () => check(await graphOf().compute({ scheduler: 'sync' })),
    'dask-ts threads (2)': async () => check(await graphOf().compute({ scheduler: 'threads', numWorkers: 2 })),
    'piscina (2 threads)': peer((x) => piscina.run(x) as Promise<number>),
    'tinypool (2 threads)': peer((x) => tinypool.run(x) as Promise<number>),
  });
  await piscina.destroy();
  await tinypool.destroy();
  const row = (name: string, baseline?: string): Row => {
    const ms = m.get(name)!;
    const base = baseline === undefined ? undefined : m.get(baseline)!;
    return {
      workload: 'B1 10k tiny tasks',
      case: name,
      medianMs: ms,
      usPerTask: (ms * 1000) / (N + 1),
      ...(base === undefined ? {} : { baseline, speedup: base / ms }),
    };
  };
  return [
    row('plain loop'),
    row('dask-ts sync', 'plain loop'),
    row('dask-ts threads (2)', 'piscina (2 threads)'),
    row('piscina (2 threads)'),
    row('tinypool (2 threads)'),
  ];
}
