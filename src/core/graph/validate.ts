/*
 * validate(): checks a whole graph before anything runs: every dependency exists and there is no
 * cycle. It walks every key with planGraph, which throws GraphError naming the missing key (and
 * the task that needs it) or the cycle's path (`a -> b -> a`). Schedulers get the same checks on
 * the culled part of the graph for free, since they plan before they run.
 */
import { planGraph } from './plan.js';
import type { Graph } from './task.js';

export function validate(graph: Graph): void {
  planGraph(graph, [...graph.keys()]);
}
