/*
 * The shuffle layer, reusable by every operation that regroups rows across partitions (hash
 * joins, sortValues, group-bys with splitOut): N input partitions → N split tasks → M output
 * tasks. Split task i reorders input i by target output (kernels/shuffle.ts) and output task j
 * concatenates slice j of every split, in input order. Splits are single tables, so each moves
 * between threads as one table of shared buffers however many outputs there are.
 */
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type Graph, type Key, type TaskFunction } from '../../../src/core/graph/task.js';
import { gatherPieces } from '../kernels/shuffle.js';

export interface ShuffleLayer {
  /** Name of the outputs: key(name, j). */
  readonly name: string;
  readonly inputs: readonly Key[];
  readonly nout: number;
  /** split(spec, input) → Split, as kernels/shuffle.ts defines. */
  readonly split: TaskFunction;
  readonly spec: unknown;
  /** Extra arguments of the split after the input (e.g. a TaskRef to sort boundaries). */
  readonly extra?: readonly unknown[];
}

/** Adds the split tasks and returns their keys. */
export function lowerSplits(graph: Graph, s: ShuffleLayer): Key[] {
  return s.inputs.map((k, i) => {
    const sk = key(`${s.name}-split`, i);
    graph.set(sk, new Task(sk, s.split, [s.spec, new TaskRef(k), ...(s.extra ?? [])]));
    return sk;
  });
}

/** Adds a full frame shuffle: splits, then output j = slices j of every split; returns the output keys. */
export function lowerShuffle(graph: Graph, s: ShuffleLayer): Key[] {
  const splits = lowerSplits(graph, s).map((k) => new TaskRef(k));
  const out: Key[] = [];
  for (let j = 0; j < s.nout; j++) {
    const k = key(s.name, j);
    graph.set(k, new Task(k, gatherPieces, [j, splits]));
    out.push(k);
  }
  return out;
}
