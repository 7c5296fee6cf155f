/*
 * Warm-up of the group-by kernels in a worker (thread or child process). A worker runs each
 * kernel only a few times per computation, too few for V8 to optimise the code of the combine and
 * finalise steps, whose loops are short: they would run interpreted every time. Running them on
 * small synthetic partitions (int32 keys, float64 values in shared memory, as real partitions
 * have) when the module loads, a few dozen times, gets them compiled before the first real task.
 * The main thread (sync scheduler, graph building) is not warmed: importing stays cheap.
 */
import { isMainThread } from 'node:worker_threads';
import type { Table } from 'apache-arrow';
import { allocFloat64, allocInt32 } from '../dtype.js';
import { numData, tableOf } from './build.js';
import type { GroupBySpec } from './groupby-state.js';
import type { AnyGroupState } from './groupby-dense-state.js';

type Partial = (spec: GroupBySpec, t: Table) => AnyGroupState;
type Combine = (spec: GroupBySpec, states: readonly AnyGroupState[]) => AnyGroupState;
type Finalize = (spec: GroupBySpec, state: AnyGroupState) => Table;

function partition(n: number, groups: number, seed: number): Table {
  const k = allocInt32(n);
  const v = allocFloat64(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    k[i] = s % groups;
    v[i] = s / 4294967296;
  }
  return tableOf(['k', 'v'], [numData('int32', k), numData('float64', v)], n);
}

export function warmGroupby(partial: Partial, combine: Combine, finalize: Finalize): void {
  if (isMainThread && typeof process.send !== 'function') return;
  const specs: GroupBySpec[] = [
    { keys: ['k'], aggs: [{ column: 'v', kind: 'mean', out: 'v' }], ddof: 1 },
    {
      keys: ['k'],
      aggs: [
        { column: 'v', kind: 'sum', out: 's' },
        { column: 'v', kind: 'count', out: 'c' },
      ],
      ddof: 1,
    },
  ];
  // Small inputs only: a loop whose first call sees a huge input may stay slower in V8.
  const parts = [partition(3000, 1000, 1), partition(3000, 1000, 2), partition(2000, 1000, 3)];
  for (let round = 0; round < 40; round++) {
    const spec = specs[round % specs.length]!;
    finalize(
      spec,
      combine(
        spec,
        parts.map((p) => partial(spec, p)),
      ),
    );
  }
}
