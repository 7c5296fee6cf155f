/*
 * Quick start (`npm run demo`): a Delayed graph of a few thousand tasks — a tree sum over
 * inc(i) — built lazily, then computed on the sync scheduler and on worker threads, with the
 * result checked against a plain loop and the timings printed.
 */
import { compute, delayed, type Delayed } from 'dask-ts';

const N = 5000;

const inc = delayed((x: number) => x + 1, { name: 'inc' });
const add = delayed((a: number, b: number) => a + b, { name: 'add' });

function build(): Delayed<number> {
  let level: Delayed<number>[] = Array.from({ length: N }, (_, i) => inc(i));
  while (level.length > 1) {
    const next: Delayed<number>[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? add(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

let expected = 0;
for (let i = 0; i < N; i++) expected += i + 1;

const t0 = performance.now();
const total = build();
console.log(`built a graph of ${2 * N - 1} tasks in ${(performance.now() - t0).toFixed(1)} ms (nothing has run yet)`);

for (const scheduler of ['sync', 'threads'] as const) {
  await compute(total, { scheduler }); // warm-up: starts the thread pool, compiles the functions
  const start = performance.now();
  const value = await total.compute({ scheduler });
  const ms = performance.now() - start;
  const ok = value === expected ? 'matches the plain loop' : `WRONG, expected ${expected}`;
  console.log(
    `${scheduler.padEnd(8)} ${String(value).padStart(9)}  ${ms.toFixed(1).padStart(7)} ms  ${((ms * 1000) / (2 * N - 1)).toFixed(2)} µs/task  ${ok}`,
  );
  if (value !== expected) process.exitCode = 1;
}

const [a, b] = await compute(inc(1), inc(2), { scheduler: 'threads' });
console.log(`compute(inc(1), inc(2)) → [${String(a)}, ${String(b)}]`);
console.log(add(inc(1), inc(2)).visualize({ format: 'mermaid' }));
