/*
 * Tree reductions (Dask's `aca`, apply-concat-apply): partial results of the partitions are
 * combined `splitEvery` at a time, level by level, until one remains, which `finalize` turns into
 * the output. A combine task receives the list of its children's values; partials stay in the
 * order of the partitions, so order-sensitive reductions (first, last, keep-first dedupe) are exact.
 */
import { ValueError } from '../../../src/core/errors.js';
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type Graph, type Key, type TaskFunction } from '../../../src/core/graph/task.js';

export function splitEveryOf(value: number | undefined, fallback = 8): number {
  const s = value ?? fallback;
  if (!Number.isInteger(s) || s < 2)
    throw new ValueError(`splitEvery must be an integer of at least 2, got ${String(s)}`);
  return s;
}

export interface TreeSpec {
  /** Prefix of the intermediate keys. */
  readonly name: string;
  /** Key of the final value. */
  readonly out: Key;
  readonly leaves: readonly Key[];
  readonly combine: TaskFunction;
  readonly finalize: TaskFunction;
  readonly spec: unknown;
  readonly splitEvery: number;
}

/** Adds the combine levels and the final task to `graph`. */
export function lowerTree(graph: Graph, t: TreeSpec): void {
  let level: Key[] = [...t.leaves];
  let depth = 0;
  while (level.length > 1) {
    const next: Key[] = [];
    for (let j = 0; j * t.splitEvery < level.length; j++) {
      const k = key(`${t.name}-combine${depth}`, j);
      const refs = level.slice(j * t.splitEvery, (j + 1) * t.splitEvery).map((c) => new TaskRef(c));
      graph.set(k, new Task(k, t.combine, [t.spec, refs]));
      next.push(k);
    }
    level = next;
    depth++;
  }
  graph.set(t.out, new Task(t.out, t.finalize, [t.spec, new TaskRef(level[0]!)]));
}
