/*
 * B7, first half (BENCH.md): a 1,000,000-task delayed graph on threads — 900,000 tiny leaves
 * (x => x + 1) summed by a tree of fan-in 10 — built and computed end to end. Reports µs per task
 * and the peak heap growth per task (heapUsed sampled during the run, after a GC before it).
 * Target: ≤ 5 µs and ≤ 1 KB per task. No baseline: the figure is absolute, as in BENCH.md.
 */
import { delayed, type Delayed } from '../dist/src/index.js';
import type { Row } from './measure.js';

const LEAVES = 900_000;
const FAN_IN = 10;

function buildGraph(): { root: Delayed<number>; tasks: number } {
  const inc = delayed((x: number) => x + 1);
  const sum = delayed((xs: number[]) => xs.reduce((s, v) => s + v, 0), { name: 'sum' });
  let level: Delayed<number>[] = [];
  for (let i = 0; i < LEAVES; i++) level.push(inc(i));
  let tasks = LEAVES;
  while (level.length > 1) {
    const next: Delayed<number>[] = [];
    for (let i = 0; i < level.length; i += FAN_IN) next.push(sum(level.slice(i, i + FAN_IN)));
    tasks += next.length;
    level = next;
  }
  return { root: level[0]!, tasks };
}

export async function benchMillionTasks(): Promise<Row[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: Row[] = [];
  // one warm-up run starts the pool and compiles the kernels; then three measured runs
  for (let run = 0; run < 4; run++) {
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const start = performance.now();
    const { root, tasks } = buildGraph();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const value = await root.compute({ scheduler: 'threads', numWorkers: 2 });
    const ms = performance.now() - start;
    clearInterval(sampler);
    const expected = (LEAVES * (LEAVES + 1)) / 2;
    if (value !== expected) throw new Error(`B7 computed ${value}, expected ${expected}`);
    if (run === 0) continue;
    rows.push({
      workload: `B7 ${(tasks / 1e6).toFixed(2)}M-task delayed graph`,
      case: `threads (2), run ${run}: peak heap ${((peak - heapBefore) / tasks).toFixed(0)} B/task`,
      medianMs: ms,
      usPerTask: (ms * 1000) / tasks,
    });
  }
  return rows;
}
