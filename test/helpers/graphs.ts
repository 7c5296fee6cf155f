// Graphs with known answers, shared by the scheduler tests.
import { Task, TaskRef, type Graph } from '../../src/core/graph/task.js';

const sumAll = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

/** A tree reduction over `n` leaves with fan-in `k`; returns the graph and the root key. */
export function treeReduction(n: number, k: number): { graph: Graph; root: string; expected: number } {
  const graph: Graph = new Map();
  let level = Array.from({ length: n }, (_, i) => {
    graph.set(`leaf[${i}]`, new Task(`leaf[${i}]`, (x: number) => x * 2, [i]));
    return `leaf[${i}]`;
  });
  let depth = 0;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += k) {
      const key = `sum-${depth}[${i / k}]`;
      graph.set(key, new Task(key, sumAll, [level.slice(i, i + k).map((c) => new TaskRef(c))]));
      next.push(key);
    }
    level = next;
    depth += 1;
  }
  return { graph, root: level[0]!, expected: n * (n - 1) };
}
