/*
 * order(): Dask's static priorities. Each key gets a number; among ready tasks the scheduler runs
 * the smallest first. The numbers come from planGraph's depth-first post-order (see plan.ts):
 * finishing a branch before opening the next keeps few intermediate results alive at once.
 * Without `keys`, every sink of the graph (a key nothing depends on) is an output, in graph order.
 */
import { planGraph, planRanks } from './plan.js';
import type { Graph, Key } from './task.js';

export function order(graph: Graph, keys?: readonly Key[]): Map<Key, number> {
  const outputs = keys ?? sinks(graph);
  return planRanks(planGraph(graph, outputs));
}

/** Keys no other node depends on, in graph order. */
export function sinks(graph: Graph): Key[] {
  const needed = new Set<Key>();
  for (const node of graph.values()) for (const d of node.deps) needed.add(d);
  const out: Key[] = [];
  for (const k of graph.keys()) if (!needed.has(k)) out.push(k);
  return out;
}
