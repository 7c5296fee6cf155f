/*
 * Shared bench plumbing: run a tinybench Bench and read each task's median latency (after
 * warm-up), and the row format every workload reports: the workload, what was measured, its
 * median, and its ratio to the baseline measured in the same run.
 */
import { Bench } from 'tinybench';

export interface Row {
  readonly workload: string;
  readonly case: string;
  readonly medianMs: number;
  /** Per-task cost in µs where the workload is a count of tasks. */
  readonly usPerTask?: number;
  /** The same-run baseline this row is compared with, and median(baseline) / median(this). */
  readonly baseline?: string | undefined;
  readonly speedup?: number | undefined;
}

export type Fn = () => unknown;

/** Medians (ms) of each function, measured by tinybench with warm-up. */
export async function medians(
  cases: Record<string, Fn>,
  options: { time?: number; iterations?: number; warmupIterations?: number } = {},
): Promise<Map<string, number>> {
  const bench = new Bench({
    time: options.time ?? 1000,
    iterations: options.iterations ?? 10,
    warmupIterations: options.warmupIterations ?? 3,
  });
  for (const [name, fn] of Object.entries(cases)) bench.add(name, fn);
  await bench.run();
  const out = new Map<string, number>();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed')
      throw new Error(`bench case ${task.name} did not complete: ${r.state === 'errored' ? String(r.error) : r.state}`);
    out.set(task.name, r.latency.p50);
  }
  return out;
}

/**
 * Medians (ms) of cases measured one at a time in `rounds` rounds, the order rotating each round,
 * with a pause before each case (a peer's idle threads may spin for a while after a query and
 * would take CPU from the next case). Each case's figure is the median of its per-round medians,
 * so a slow spell of a shared machine weighs on every case alike instead of on whichever ran
 * during it.
 */
export async function roundRobinMedians(
  cases: Record<string, Fn>,
  options: { rounds: number; iterations: number; pauseMs: number },
): Promise<Map<string, number>> {
  const names = Object.keys(cases);
  const perRound = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < options.rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(r + j) % names.length]!;
      await new Promise((done) => setTimeout(done, options.pauseMs));
      const one = await medians({ [name]: cases[name]! }, { iterations: options.iterations });
      perRound.get(name)!.push(one.get(name)!);
    }
  }
  const out = new Map<string, number>();
  for (const [name, ms] of perRound) {
    const sorted = [...ms].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out.set(name, sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
  }
  return out;
}
